"""The DCAT-AP catalogue of the platform's open data, in Turtle and JSON-LD (no language prefix).

The catalogue is built in the background (see `builds`); until it is, clients get the answers of
`responses.data_file_response` (browsers a "being prepared" page, harvesters 503 with
`Retry-After`), and while a newer state is built, the previous catalogue.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from smartregion.core.addresses import site_base_url
from smartregion.opendata import builds
from smartregion.opendata.responses import data_file_response


@require_safe
def catalogue_file(request: HttpRequest, extension: str) -> HttpResponse:
    """The catalogue once built for the current data and this host (URLs in it are absolute)."""
    prepared = builds.catalogue_request(extension=extension, base_url=site_base_url(request))
    return data_file_response(request, prepared, title=_("Open data catalogue (DCAT-AP)"))
