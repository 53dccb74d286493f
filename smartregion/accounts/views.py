"""Accepting an invitation to a commune's team."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth import login
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from . import services
from .forms import NewAccountForm
from .models import Invitation, User
from .services import InvitationError, InvitationGone, invitation_find

MODEL_BACKEND = "django.contrib.auth.backends.ModelBackend"


def invitation_accept(request: HttpRequest, token: str) -> HttpResponse:
    """Who invites whom to which commune, and the one step that joins it.

    Signed in with the invited address: one button. Not signed in: a password for a new account,
    or a link to sign in when the address already has one. Anything else says what to do.
    """
    try:
        invitation = invitation_find(token)
    except InvitationError as exc:
        status = 410 if isinstance(exc, InvitationGone) else 404
        context = {"message": str(exc)}
        return render(request, "account/invitation_invalid.html", context, status=status)
    user = request.user if request.user.is_authenticated else None
    if user is not None and user.email.lower() != invitation.email:
        return _render(request, invitation, "wrong_user", status=403)
    if user is None and User.objects.filter(email=invitation.email).exists():
        return _render(request, invitation, "sign_in")
    form = NewAccountForm(request.POST or None, email=invitation.email) if user is None else None
    if request.method != "POST" or (form is not None and not form.is_valid()):
        return _render(request, invitation, "join" if user else "new_account", form=form)
    try:
        password = form.cleaned_data["password1"] if form is not None else None
        joined = services.invitation_accept(token=token, user=user, password=password)
    except InvitationError as exc:
        return render(request, "account/invitation_invalid.html", {"message": str(exc)}, 410)
    if user is None:
        login(request, joined, backend=MODEL_BACKEND)
    messages.success(
        request,
        _("Welcome to the team of %(commune)s.") % {"commune": invitation.municipality.name},
    )
    return redirect("diagnostic:commune", refnis=invitation.municipality.refnis)


def _render(
    request: HttpRequest,
    invitation: Invitation,
    step: str,
    *,
    form: NewAccountForm | None = None,
    status: int = 200,
) -> HttpResponse:
    here = request.get_full_path()
    context: dict[str, Any] = {
        "invitation": invitation,
        "inviter": invitation.invited_by,
        "step": step,
        "form": form,
        "login_url": f"{reverse('account_login')}?{urlencode({'next': here})}",
    }
    return render(request, "account/invitation.html", context, status=status)
