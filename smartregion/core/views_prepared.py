"""The routes of the "being prepared" page: its polled status and staff's retry (see
`core.prepared_response`, which apps call to serve a prepared file)."""

from __future__ import annotations

from django.contrib.admin.views.decorators import staff_member_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST, require_safe

from .models import PreparedFile
from .prepared import prepared_file_rebuild, prepared_status


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
