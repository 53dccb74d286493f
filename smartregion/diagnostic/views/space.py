"""A signed-in person's space: their communes, each commune's diagnostics and team, invitations."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from smartregion.accounts.models import Invitation, Membership
from smartregion.accounts.services import InvitationError, invitation_create
from smartregion.core.addresses import absolute_url
from smartregion.instruments.progress import answer_progress
from smartregion.territory.models import Municipality

from ..forms import InviteForm
from ..models import Diagnostic
from ..permissions import can_manage, can_see_overview, can_start_diagnostic, can_view_diagnostics
from ..queries import diagnostics_of
from ..services import DiagnosticError, answers_of, diagnostic_start
from ..space_panels import space_panels


@login_required
def my_space(request: HttpRequest) -> HttpResponse:
    memberships = list(
        Membership.objects.filter(user=request.user, municipality__isnull=False)
        .select_related("municipality")
        .order_by("municipality__sort_fr")
    )
    show_overview = can_see_overview(request.user)
    if len(memberships) == 1 and not show_overview:
        return redirect("diagnostic:commune", refnis=memberships[0].municipality.refnis)
    return render(
        request,
        "diagnostic/space.html",
        {"memberships": memberships, "show_overview": show_overview},
    )


def _municipality(request: HttpRequest, refnis: str) -> Municipality:
    municipality = get_object_or_404(Municipality, refnis=refnis)
    if not can_view_diagnostics(request.user, municipality):
        raise PermissionDenied
    return municipality


def _draft_progress(diagnostic: Diagnostic) -> int:
    """The draft's progress in percent, as its section pages show it."""
    instrument = diagnostic.instrument_version.instrument
    return answer_progress(instrument, answers_of(diagnostic)).percent


def _commune_context(
    request: HttpRequest, municipality: Municipality, invite_form: InviteForm | None = None
) -> dict[str, Any]:
    diagnostics = list(diagnostics_of(municipality))
    draft = next((d for d in diagnostics if d.is_draft), None)
    is_manager = can_manage(request.user, municipality)
    invitations: list[Invitation] = []
    if is_manager:
        invitations = list(
            Invitation.objects.filter(
                municipality=municipality, accepted_at__isnull=True, expires_at__gt=timezone.now()
            ).order_by("email")
        )
    return {
        "municipality": municipality,
        "diagnostics": diagnostics,
        "draft": draft,
        "draft_progress": _draft_progress(draft) if draft else None,
        "can_start": can_start_diagnostic(request.user, municipality),
        "is_manager": is_manager,
        "team": Membership.objects.filter(municipality=municipality)
        .select_related("user")
        .order_by("-role", "user__email"),
        "invitations": invitations,
        "invite_form": invite_form or (InviteForm() if is_manager else None),
        "panels": space_panels(municipality, user=request.user),
    }


@login_required
def commune_space(request: HttpRequest, refnis: str) -> HttpResponse:
    municipality = _municipality(request, refnis)
    return render(request, "diagnostic/space_commune.html", _commune_context(request, municipality))


@login_required
def start(request: HttpRequest, refnis: str) -> HttpResponse:
    """Start the commune's diagnostic, or resume its draft: there is one draft per commune."""
    municipality = _municipality(request, refnis)
    if request.method != "POST":
        return redirect("diagnostic:commune", refnis=refnis)
    if not can_start_diagnostic(request.user, municipality):
        raise PermissionDenied
    try:
        diagnostic = diagnostic_start(municipality=municipality, user=request.user)
    except DiagnosticError as exc:
        messages.error(request, str(exc))
        return redirect("diagnostic:commune", refnis=refnis)
    return redirect("diagnostic:fill", pk=diagnostic.pk)


@login_required
def invite(request: HttpRequest, refnis: str) -> HttpResponse:
    municipality = _municipality(request, refnis)
    if request.method != "POST":
        return redirect("diagnostic:commune", refnis=refnis)
    if not can_manage(request.user, municipality):
        raise PermissionDenied
    form = InviteForm(request.POST)
    if form.is_valid():
        accept_url = absolute_url(reverse("accounts:invitation", args=["TOKEN"]), request)
        try:
            invitation, _token = invitation_create(
                municipality=municipality,
                email=form.cleaned_data["email"],
                role=form.cleaned_data["role"],
                invited_by=request.user,
                accept_url=accept_url,
            )
        except InvitationError as exc:
            form.add_error("email", str(exc))
        else:
            messages.success(
                request,
                _("Invitation sent to %(email)s.") % {"email": invitation.email},
            )
            return redirect(reverse("diagnostic:commune", args=[refnis]) + "#team")
    context = _commune_context(request, municipality, invite_form=form)
    return render(request, "diagnostic/space_commune.html", context)
