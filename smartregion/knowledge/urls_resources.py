"""Routes of the resource pages (included by urls.py).

PLACEHOLDER of branch wip/method only, so its pages can reverse "knowledge:resource" and
"knowledge:resources" before part EDIT is merged: take EDIT's version of this file.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.urls import path


def _resources(request: HttpRequest) -> HttpResponse:
    return HttpResponse("resources")


def _resource(request: HttpRequest, slug: str) -> HttpResponse:
    from .models import Resource

    return HttpResponse(get_object_or_404(Resource, slug=slug).title)


urlpatterns: list = [
    path("resources/", _resources, name="resources"),
    path("resource/<slug:slug>/", _resource, name="resource"),
]
