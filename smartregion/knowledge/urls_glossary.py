"""Routes of the glossary pages (included by urls.py)."""

from __future__ import annotations

from django.urls import path

from .views import glossary as views

urlpatterns: list = [
    path("glossary/", views.glossary, name="glossary"),
    path("glossary/<slug:slug>/", views.term, name="term"),
]

# The SKOS concept scheme and the resources as open data, without a language prefix
# (see config/urls.py).
data_urlpatterns = (
    [
        path("glossary.ttl", views.glossary_file, {"fmt": "ttl"}, name="glossary-ttl"),
        path("glossary.jsonld", views.glossary_file, {"fmt": "jsonld"}, name="glossary-jsonld"),
        path("resources.csv", views.resources_file, {"fmt": "csv"}, name="resources-csv"),
        path("resources.json", views.resources_file, {"fmt": "json"}, name="resources-json"),
    ],
    "knowledge_data",
)
