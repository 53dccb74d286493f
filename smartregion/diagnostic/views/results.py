"""Results of a diagnostic: the page, its downloads (PDF, CSV, JSON) and publication."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smartregion.core.i18n import active_language
from smartregion.core.prepared_response import prepared_file_response

from .. import exports
from ..models import Diagnostic
from ..permissions import can_manage, can_view_diagnostic
from ..recommendation_panels import recommendation_panels
from ..results import ResultsView, build_results, diagnostic_for_results
from ..results_panels import results_panels
from ..services import DiagnosticError, diagnostic_publish

EXPORT_TYPES = {
    "csv": "text/csv; charset=utf-8",
    "json": "application/json",
}


def _viewable(request: HttpRequest, pk: int) -> Diagnostic:
    diagnostic = diagnostic_for_results(pk)
    if diagnostic is None:
        raise Http404(_("No such diagnostic."))
    if not can_view_diagnostic(request.user, diagnostic):
        raise PermissionDenied(_("Only the commune's members and the centre's staff see this."))
    return diagnostic


def _submitted_view(request: HttpRequest, pk: int) -> ResultsView:
    """The results of a submitted diagnostic; a draft has nothing to download yet."""
    diagnostic = _viewable(request, pk)
    if diagnostic.is_draft:
        raise Http404(_("This diagnostic is not submitted yet."))
    return build_results(diagnostic, active_language())


@login_required
def results(request: HttpRequest, pk: int) -> HttpResponse:
    diagnostic = _viewable(request, pk)
    if diagnostic.is_draft:
        return render(request, "diagnostic/results_draft.html", {"diagnostic": diagnostic})
    view = build_results(diagnostic, active_language())
    panels = recommendation_panels(view)
    return render(
        request,
        "diagnostic/results.html",
        {
            "view": view,
            "recommendation_rows": [
                (rec, panels.get(rec.code, [])) for rec in view.recommendations
            ],
            "results_panels": results_panels(view, user=request.user),
            "diagnostic": diagnostic,
            "is_manager": can_manage(request.user, diagnostic.municipality),
        },
    )


@login_required
def report_pdf(request: HttpRequest, pk: int) -> HttpResponse:
    diagnostic = _viewable(request, pk)
    if diagnostic.is_draft:
        raise Http404(_("This diagnostic is not submitted yet."))
    prepared = exports.results_pdf_request(diagnostic, active_language())
    title = _("The diagnostic report of %(commune)s, %(year)s (PDF)") % {
        "commune": diagnostic.municipality.name,
        "year": diagnostic.year,
    }
    return prepared_file_response(request, prepared, title=title, as_attachment=True)


@login_required
def export(request: HttpRequest, pk: int, fmt: str) -> HttpResponse:
    if fmt not in EXPORT_TYPES:
        raise Http404(_("Unknown download format."))
    view = _submitted_view(request, pk)
    if fmt == "csv":
        body = exports.results_csv(view)
    else:
        body = json.dumps(exports.results_json(view), ensure_ascii=False, indent=2)
    response = HttpResponse(body.encode("utf-8"), content_type=EXPORT_TYPES[fmt])
    response["Content-Disposition"] = f'attachment; filename="{exports.download_name(view, fmt)}"'
    return response


@login_required
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    diagnostic = _viewable(request, pk)
    if not can_manage(request.user, diagnostic.municipality):
        raise PermissionDenied(_("Only the commune's managers publish its results."))
    wanted = request.POST.get("publish") == "1"
    try:
        diagnostic_publish(diagnostic=diagnostic, publish=wanted)
    except DiagnosticError as error:
        messages.error(request, str(error))
    else:
        if wanted:
            messages.success(request, _("The result is now shown on the commune's public profile."))
        else:
            messages.success(request, _("The result is no longer shown on the public profile."))
    return redirect("diagnostic:results", pk=diagnostic.pk)
