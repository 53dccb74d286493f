"""Serving prepared files: the file once ready, else a "being prepared" page (see `core.prepared`).

The page answers 202 with the progress, a status region that `prepared.js` updates by polling
`prepared:status`, and a link to check again without JavaScript. A failed build answers 500 and
shows staff its error and a retry button.
"""

from __future__ import annotations

from django.contrib.admin.views.decorators import staff_member_required
from django.core.files.storage import default_storage
from django.http import FileResponse, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from .models import PreparedFile
from .prepared import prepared_file_rebuild, prepared_status


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


@require_safe
@never_cache
def status(request: HttpRequest, public_id: str) -> JsonResponse:
    """State and progress only: the file itself is served by its own view, which checks access."""
    prepared = get_object_or_404(PreparedFile, public_id=public_id)
    return JsonResponse(prepared_status(prepared))


@require_POST
@staff_member_required
def retry(request: HttpRequest, public_id: str) -> HttpResponse:
    prepared = get_object_or_404(PreparedFile, public_id=public_id)
    prepared_file_rebuild(prepared=prepared)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    return redirect(target)
