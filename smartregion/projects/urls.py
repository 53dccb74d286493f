"""Project pages. Each part of the app keeps its own routes under the `projects` namespace."""

from __future__ import annotations

from . import urls_edit, urls_public, urls_showcase

app_name = "projects"

urlpatterns = [*urls_edit.urlpatterns, *urls_showcase.urlpatterns, *urls_public.urlpatterns]
