from django.conf.urls.i18n import i18n_patterns
from django.contrib import admin
from django.urls import include, path

from smartregion.accounts.urls import api_token_urlpatterns
from smartregion.api.api import api
from smartregion.core import views as core_views
from smartregion.knowledge.urls_glossary import data_urlpatterns as knowledge_data
from smartregion.observatory.urls import data_urlpatterns as observatory_data
from smartregion.projects.urls_showcase import data_urlpatterns as projects_data

urlpatterns = [
    path("healthz", core_views.healthz, name="healthz"),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("prepared/", include("smartregion.core.urls_prepared")),
    path("data/", include("smartregion.opendata.urls")),
    path("data/", include(observatory_data)),
    path("data/", include(projects_data)),
    path("data/", include(knowledge_data)),
]
urlpatterns += i18n_patterns(
    path("", include("smartregion.site.urls")),
    path("communes/", include("smartregion.territory.urls")),
    path("", include("smartregion.diagnostic.urls")),
    path("", include("smartregion.accounts.urls")),
    path("barometer/", include("smartregion.barometer.urls")),
    path("observatory/", include("smartregion.observatory.urls")),
    path("projects/", include("smartregion.projects.urls")),
    path("knowledge/", include("smartregion.knowledge.urls")),
    path("accounts/api-tokens/", include(api_token_urlpatterns)),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    prefix_default_language=True,
)

# No `static(MEDIA_URL)` route, even with DEBUG: uploaded files are served only by the views that
# check who may see them (projects:file), so the demo behaves as production does.
