"""Routes of resources: public pages, feed and files; the editors' pages under editor/."""

from django.urls import path

from .feeds import ResourcesFeed
from .views import editor, resources

urlpatterns: list = [
    path("resources/", resources.resource_list, name="resources"),
    path("resources/feed/", ResourcesFeed(), name="feed"),
    path("editor/new/", editor.resource_create, name="resource-create"),
    path("editor/translations/", editor.translation_dashboard, name="translations"),
    path("editor/review/", editor.review_dashboard, name="review"),
    path("editor/<slug:slug>/", editor.resource_edit, name="resource-edit"),
    path("editor/<slug:slug>/state/", editor.resource_transition, name="resource-transition"),
    path("editor/<slug:slug>/files/", editor.resource_upload, name="resource-upload"),
    path("editor/<slug:slug>/history/", editor.resource_history, name="resource-history"),
    path("editor/<slug:slug>/compare/", editor.resource_compare, name="resource-compare"),
    path("editor/<slug:slug>/confirm/", editor.translation_confirm, name="translation-confirm"),
]
# A resource's own address is /knowledge/<slug>/: these come after every other part's routes
# (urls.py puts them last) so that /knowledge/method/ or /knowledge/glossary/ are not slugs.
fallback_urlpatterns: list = [
    path("<slug:slug>/files/<int:pk>/", resources.resource_file, name="resource-file"),
    path("<slug:slug>/pdf/", resources.resource_pdf, name="resource-pdf"),
    path("<slug:slug>/", resources.resource_detail, name="resource"),
]
