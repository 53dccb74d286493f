"""The knowledge pages, at /<language>/knowledge/. Each area keeps its routes in its own module."""

from . import urls_glossary, urls_method, urls_resources

app_name = "knowledge"

urlpatterns: list = [
    *urls_resources.urlpatterns,
    *urls_method.urlpatterns,
    *urls_glossary.urlpatterns,
    *urls_resources.fallback_urlpatterns,  # /knowledge/<slug>/ last
]
