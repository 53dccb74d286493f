"""Accepting an invitation to a commune's team; managing one's personal API tokens."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from . import services
from .forms import NewAccountForm
from .models import ApiToken, Invitation, User
from .services import InvitationError, InvitationGone, invitation_find
from .tokens import api_token_create, api_token_revoke

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


# ---------------------------------------------------------------------------------------------
# Personal API tokens
# ---------------------------------------------------------------------------------------------


class ApiTokenForm(forms.Form):
    name = forms.CharField(
        label=gettext_lazy("Name of the new token"),
        max_length=100,
        help_text=gettext_lazy("What it is for, such as “commune website sync”."),
    )


@login_required
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The user's tokens; creating one shows its secret once, in this response only."""
    form = ApiTokenForm(request.POST or None)
    secret = None
    created = None
    if request.method == "POST" and form.is_valid():
        created, secret = api_token_create(user=request.user, name=form.cleaned_data["name"])
        form = ApiTokenForm()
    context = {
        "form": form,
        "secret": secret,
        "created": created,
        "tokens": ApiToken.objects.filter(user=request.user),
    }
    response = render(request, "accounts/api_tokens.html", context)
    response["Cache-Control"] = "no-store"  # the secret must not stay in any cache
    return response


@login_required
@require_POST
def api_token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    api_token_revoke(token=token)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("tokens:list")
