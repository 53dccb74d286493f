"""Serving an open-data file built in the background (`core.prepared`): the file once built, and
until then an answer that each kind of client understands.

A browser gets the "being prepared" page (202: it polls, then shows the file); any other client,
a harvester above all, gets 503 with `Retry-After`: harvesters treat it as "try again later" and
keep their previous copy, where a 202 with a page would be read as an empty or broken file. While
a newer state of the file is being built, the previous one is served (`prepared_file_servable`),
marked `no-cache` so that clients ask again soon. The catalogue, the editions' files and the
projects' files all answer through `data_file_response`.
"""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from smartregion.core.models import PreparedFile
from smartregion.core.prepared import prepared_file_servable
from smartregion.core.prepared_response import prepared_file_response

RETRY_AFTER_SECONDS = 10


def data_file_response(
    request: HttpRequest,
    prepared: PreparedFile,
    *,
    title: str,
    cache_control: str = "",
    filename: str = "",
) -> HttpResponse:
    """The file (as an attachment named `filename` if given, with `cache_control`), its previous
    state while a newer one is built, or the answer that says it is being prepared."""
    served = prepared_file_servable(prepared)
    if served.is_ready:
        with default_storage.open(served.file.name, "rb") as stored:
            response = HttpResponse(stored.read(), content_type=served.content_type)
        if filename:
            response["Content-Disposition"] = f'attachment; filename="{filename}"'
        if served.pk != prepared.pk:
            response["Cache-Control"] = "no-cache"
        elif cache_control:
            response["Cache-Control"] = cache_control
        return response
    if prepared.is_failed or "text/html" in request.headers.get("Accept", ""):
        return prepared_file_response(request, prepared, title=title, as_attachment=False)
    response = HttpResponse(
        _("The file is being prepared; try again in a few seconds."),
        status=503,
        content_type="text/plain; charset=utf-8",
    )
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response
