"""The DCAT-AP catalogue of the platform's open data, in Turtle and JSON-LD (no language prefix).

The catalogue is built in the background (see `builds`). Until it is, a browser gets the
"being prepared" page (202, it polls and then shows the file); any other client, a harvester
above all, gets 503 with `Retry-After`: harvesters treat it as "try again later" and keep their
previous copy, where a 202 with a page would be read as an empty or broken catalogue.
"""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from smartregion.core.views_prepared import prepared_file_response
from smartregion.opendata import builds

RETRY_AFTER_SECONDS = 10


@require_safe
def catalogue_file(request: HttpRequest, extension: str) -> HttpResponse:
    """The catalogue once built for the current data and this host (URLs in it are absolute)."""
    prepared = builds.catalogue_request(
        extension=extension, base_url=request.build_absolute_uri("/")[:-1]
    )
    if not prepared.is_ready:
        prepared.refresh_from_db()  # a backend that ran the build at once, on commit
    if prepared.is_ready:
        with default_storage.open(prepared.file.name, "rb") as stored:
            return HttpResponse(stored.read(), content_type=prepared.content_type)
    if prepared.is_failed or "text/html" in request.headers.get("Accept", ""):
        return prepared_file_response(
            request, prepared, title=_("Open data catalogue (DCAT-AP)"), as_attachment=False
        )
    response = HttpResponse(
        _("The catalogue is being prepared; try again in a few seconds."),
        status=503,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
