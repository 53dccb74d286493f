"""Accepting an invitation to a commune's team; one's account settings and personal API tokens."""

from __future__ import annotations

from typing import Any

from allauth.account import views as allauth_views
from allauth.account.adapter import get_adapter
from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login, logout
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import cache_control
from django.views.decorators.http import require_POST

from . import services
from .forms import AccountDeleteForm, NewAccountForm, ProfileForm
from .models import ApiToken, Invitation, User
from .personal_data import personal_data_export, personal_data_sections
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
    response["Cache-Control"] = "private, no-store"  # the secret must not stay in any cache
    return response


@login_required
@require_POST
def api_token_revoke_view(request: HttpRequest, pk: int) -> HttpResponse:
    token = get_object_or_404(ApiToken, pk=pk, user=request.user)
    api_token_revoke(token=token)
    messages.success(request, _("The token “%(name)s” is revoked.") % {"name": token.name})
    return redirect("tokens:list")


# ---------------------------------------------------------------------------------------------
# Account settings: every page is the person's own, never kept by a browser or proxy cache.
# ---------------------------------------------------------------------------------------------

private = cache_control(private=True, no_store=True)


def _user(request: HttpRequest) -> User:
    assert isinstance(request.user, User)  # noqa: S101 - behind login_required
    return request.user


@private
@login_required
def account_settings(request: HttpRequest) -> HttpResponse:
    """Name and language here; links to the email, password, tokens, export and delete pages."""
    user = _user(request)
    initial = {"first_name": user.first_name, "last_name": user.last_name}
    initial["language"] = user.preferred_language
    form = ProfileForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        language = form.cleaned_data["language"]
        services.user_profile_update(
            user=user,
            first_name=form.cleaned_data["first_name"],
            last_name=form.cleaned_data["last_name"],
            language=language,
        )
        # The next page is in the language just chosen (the one of this page without a choice).
        with translation.override(language or translation.get_language()):
            messages.success(request, _("Your name and language are saved."))
            response = redirect("accounts:settings")
        if language:
            response.set_cookie(settings.LANGUAGE_COOKIE_NAME, language, samesite="Lax")
        return response
    context = {"form": form, "has_password": user.has_usable_password()}
    return render(request, "accounts/settings.html", context)


@private
@login_required
def account_export(request: HttpRequest) -> HttpResponse:
    """What the file holds, section by section; the download is a POST (never prefetched)."""
    user = _user(request)
    if request.method != "POST":
        context = {"sections": personal_data_sections(user)}
        return render(request, "accounts/export.html", context)
    response = JsonResponse(personal_data_export(user), json_dumps_params={"indent": 2})
    day = timezone.localdate().isoformat()
    filename = f"smartregion-personal-data-{day}.json"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@private
@login_required
def account_delete(request: HttpRequest) -> HttpResponse:
    """Confirmed by the password; warns a commune's last manager before anything happens."""
    user = _user(request)
    address = get_adapter(request).get_client_ip(request)
    form = AccountDeleteForm(request.POST or None, user=user, address=address)
    if request.method == "POST" and form.is_valid():
        services.user_delete(user=user)
        logout(request)
        messages.success(request, _("Your account is deleted. Thank you for your contributions."))
        return redirect("site:home")
    context = {"form": form, "last_manager": services.last_manager_of(user)}
    return render(request, "accounts/delete.html", context)


# allauth's own flows (verification of a new address, password change), in our templates
# (account/email_change.html, account/password_change.html) and with our cache headers.
account_email = private(allauth_views.email)
account_password = private(allauth_views.password_change)
