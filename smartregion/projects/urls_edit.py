"""Routes of the editing and review pages; see urls.py.

These come before the public `<slug:slug>/` route: the fixed words here are reserved in slug
generation (`services.RESERVED_SLUGS`), so no project can hide one of these pages.
"""

from __future__ import annotations

from django.urls import path

from .views import edit as views_edit

urlpatterns = [
    path("new/", views_edit.create, name="create"),
    path("mine/", views_edit.mine, name="mine"),
    path("review/", views_edit.queue, name="queue"),
    path("actors/new/", views_edit.actor_create, name="actor_create"),
    path("files/<str:kind>/<int:pk>/", views_edit.file, name="file"),
    path("<slug:slug>/edit/", views_edit.edit, name="edit"),
    path("<slug:slug>/submit/", views_edit.submit, name="submit"),
    path("<slug:slug>/review/", views_edit.review, name="review"),
    path("<slug:slug>/history/", views_edit.history, name="history"),
    path("<slug:slug>/compare/", views_edit.compare, name="compare"),
    path("<slug:slug>/images/", views_edit.image_add, name="image_add"),
    path("<slug:slug>/documents/", views_edit.document_add, name="document_add"),
    path(
        "<slug:slug>/files/<str:kind>/<int:pk>/remove/",
        views_edit.file_remove,
        name="file_remove",
    ),
]
