"""The method's pages: the overview of its steps, a commune's journey through them (its members
record progress; the centre's staff read), the evidence files, and the recommendation links."""

from __future__ import annotations

import mimetypes
from dataclasses import dataclass
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from smartregion.accounts.models import Membership
from smartregion.territory.models import Municipality

from .. import journey, queries
from ..forms_method import StepProgressForm
from ..models import Resource, StepProgress
from ..panels import resources_url
from ..permissions import can_edit_progress, can_see_progress


def method(request: HttpRequest) -> HttpResponse:
    """The method's steps by phase, each with its checklist (public)."""
    steps = queries.method_steps()
    communes: list[Municipality] = []
    if request.user.is_authenticated:
        communes = [
            m.municipality
            for m in Membership.objects.filter(user=request.user, municipality__isnull=False)
            .select_related("municipality")
            .order_by("municipality__sort_fr")
        ]
    return render(
        request,
        "knowledge/method.html",
        {"groups": journey.by_phase(steps), "step_count": len(steps), "communes": communes},
    )


@dataclass
class JourneyRow:
    step: Resource
    progress: StepProgress | None
    form: StepProgressForm | None  # None: read-only (the centre's staff)


def _municipality(request: HttpRequest, refnis: str) -> Municipality:
    municipality = get_object_or_404(Municipality, refnis=refnis)
    if not can_see_progress(request.user, municipality):
        raise PermissionDenied(_("Only the commune's members and the centre's staff see this."))
    return municipality


def _form(step: Resource, progress: StepProgress | None, data: Any = None, files: Any = None):
    initial: dict[str, Any] = {"token": journey.progress_token(progress)}
    if progress is not None:
        initial |= {
            "status": progress.status,
            "date": progress.date,
            "note": progress.note,
            "checked": progress.checked,
        }
    return StepProgressForm(data, files, step=step, initial=initial)


@login_required
def journey_page(request: HttpRequest, refnis: str) -> HttpResponse:
    municipality = _municipality(request, refnis)
    editable = can_edit_progress(request.user, municipality)
    steps = queries.method_steps()
    progress = queries.step_progress(municipality)
    bound, status = None, 200
    if request.method == "POST":
        if not editable:
            raise PermissionDenied(
                _("The centre's staff read the journey; the commune records it.")
            )
        step = next((s for s in steps if str(s.pk) == request.POST.get("step")), None)
        if step is None:
            raise Http404(_("No such step of the method."))
        bound = _form(step, progress.get(step.pk), request.POST, request.FILES)
        outcome = _save(request, municipality, bound, progress.get(step.pk))
        if outcome is None:
            return redirect(reverse("knowledge:journey", args=[refnis]) + f"#step-{step.pk}")
        status = outcome
    rows = [
        JourneyRow(
            step,
            progress.get(step.pk),
            (
                bound
                if bound is not None and bound.step.pk == step.pk
                else _form(step, progress.get(step.pk))
            )
            if editable
            else None,
        )
        for step in steps
    ]
    groups = journey.by_phase(steps, rows)
    context = {
        "municipality": municipality,
        "groups": groups,
        "summary": journey.summary(journey.by_phase(steps), progress),
        "editable": editable,
    }
    return render(request, "knowledge/journey.html", context, status=status)


def _save(
    request: HttpRequest, municipality: Municipality, form: StepProgressForm, current: Any
) -> int | None:
    """Save a valid form (None) or say what is wrong and return the page's status."""
    if not form.is_valid():
        names = ", ".join(
            str(form.fields[name].label) for name in form.errors if name in form.fields
        )
        messages.error(
            request,
            _("“%(step)s” was not saved. Check: %(fields)s.")
            % {"step": form.step.title, "fields": names},
        )
        return 400
    data = form.cleaned_data
    try:
        journey.progress_save(
            municipality=municipality,
            step=form.step,
            user=request.user,
            status=data["status"],
            date=data["date"],
            note=data["note"],
            checked=data["checked"],
            evidence=data["evidence"],
            evidence_name=getattr(form, "evidence_name", ""),
            token=data["token"],
        )
    except journey.ProgressConflict as conflict:
        messages.error(
            request,
            _("%(reason)s Your changes are below: reload the page to see theirs, then save again.")
            % {"reason": conflict},
        )
        return 409
    messages.success(request, _("Saved: “%(step)s”.") % {"step": form.step.title})
    return None


@login_required
def evidence(request: HttpRequest, refnis: str, step: int) -> FileResponse:
    """A step's evidence file, for the same people who see the journey."""
    municipality = _municipality(request, refnis)
    progress = StepProgress.objects.filter(municipality=municipality, step_id=step).first()
    if progress is None or not progress.evidence:
        raise Http404(_("No evidence was saved for this step."))
    name = progress.evidence_name or progress.evidence.name.rsplit("/", 1)[-1]
    content_type = mimetypes.guess_type(progress.evidence.name)[0] or "application/octet-stream"
    response = FileResponse(
        progress.evidence.open("rb"), as_attachment=True, filename=name, content_type=content_type
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response


def key_redirect(request: HttpRequest, key: str) -> HttpResponse:
    """A recommendation's link: the listed resource with that key, else its domain's resources
    (never a 404 from a recommendation)."""
    resource = (
        Resource.objects.filter(key=key, state__in=Resource.LISTED_STATES).only("slug").first()
    )
    if resource is not None:
        return redirect("knowledge:resource", slug=resource.slug)
    return redirect(resources_url(journey.KEY_DOMAINS[key]))
