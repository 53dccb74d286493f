"""Routes; see urls.py. Fixed words (map, actors) come before the project slug."""

from __future__ import annotations

from django.urls import path

from .views import public as views_public

urlpatterns: list = [
    path("", views_public.catalogue, name="catalogue"),
    path("map/", views_public.project_map, name="map"),
    path("actors/", views_public.actor_list, name="actors"),
    path("actors/<slug:slug>/", views_public.actor_detail, name="actor"),
    path("<slug:slug>/", views_public.project_detail, name="detail"),
]
