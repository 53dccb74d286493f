"""Serving prepared files: the file once ready, else a "being prepared" page (see `core.prepared`).

The page answers 202 with the progress, a status region that `prepared.js` updates by polling
`prepared:status`, and a link to check again without JavaScript. A failed build answers 500 and
shows staff its error and a retry button.
"""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import render

from .models import PreparedFile


def prepared_file_response(
    request: HttpRequest, prepared: PreparedFile, *, title: str, as_attachment: bool
) -> HttpResponse:
    """The file when it is ready; otherwise the page that waits for it (202) or says it failed."""
    if prepared.is_ready:
        return FileResponse(
            default_storage.open(prepared.file.name, "rb"),
            content_type=prepared.content_type,
            as_attachment=as_attachment,
            filename=prepared.filename,
        )
    context = {"prepared": prepared, "title": title, "file_url": request.get_full_path()}
    if prepared.is_failed:
        response = render(request, "core/prepared_failed.html", context, status=500)
    else:
        response = render(request, "core/prepared.html", context, status=202)
    response["Cache-Control"] = "no-store"
    return response
