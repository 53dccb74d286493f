"""Routes; see urls.py. The English showcase, its PDFs and the Atom feeds."""

from __future__ import annotations

from django.urls import path

from . import feeds
from .views import showcase as views_showcase

urlpatterns: list = [
    path("feed.atom", feeds.PublishedProjectsFeed(), name="feed"),
    path("showcase/", views_showcase.showcase, name="showcase"),
    path("showcase/feed.atom", feeds.ShowcaseFeed(), name="showcase_feed"),
    path("showcase/<slug:slug>.pdf", views_showcase.showcase_pdf, name="showcase_pdf"),
    path("showcase/<slug:slug>/", views_showcase.showcase_detail, name="showcase_detail"),
]

# Open-data files, without a language prefix (see config/urls.py).
data_urlpatterns = (
    [
        path("projects.csv", views_showcase.projects_file, {"fmt": "csv"}, name="csv"),
        path("projects.json", views_showcase.projects_file, {"fmt": "json"}, name="json"),
        path("projects.geojson", views_showcase.projects_file, {"fmt": "geojson"}, name="geojson"),
    ],
    "projects_data",
)
