"""The DCAT-AP catalogue of the platform's open data, in Turtle and JSON-LD (no language prefix)."""

from __future__ import annotations

from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.views.decorators.http import require_safe

from smartregion.core.pagecache import data_version
from smartregion.opendata import catalogue, dcat

CATALOGUE_FORMATS = {
    "ttl": ("text/turtle; charset=utf-8", dcat.to_turtle),
    "jsonld": ("application/ld+json", dcat.to_jsonld),
}


def _absolute_builder(request: HttpRequest):
    return lambda path: request.build_absolute_uri(path)


@require_safe
def catalogue_file(request: HttpRequest, extension: str) -> HttpResponse:
    """The catalogue, built once per data version and host (URLs in it are absolute)."""
    content_type, serialise = CATALOGUE_FORMATS[extension]
    key = f"dcat-catalogue:{data_version()}:{request.build_absolute_uri('/')}:{extension}"
    content = cache.get(key)
    if content is None:
        info, datasets = catalogue.catalogue(_absolute_builder(request))
        content = serialise(dcat.build_catalogue(info, datasets))
        cache.set(key, content, timeout=3600)
    return HttpResponse(content, content_type=content_type)
