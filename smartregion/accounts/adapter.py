from __future__ import annotations

from typing import Any
from urllib.parse import quote

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse, translate_url
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from smartregion.core.addresses import absolute_url

from .throttle import login_attempt_release, login_attempt_start, login_failures_clear

TOO_MANY_FAILURES = _(
    "Too many failed sign-in attempts for this account from your address. Try again in a few "
    "minutes, or reset your password."
)


def _login(credentials: dict[str, Any]) -> str:
    return str(credentials.get("email") or credentials.get("username") or "")


def _language(user: Any) -> str | None:
    """The language the person chose in their settings, None when they chose none."""
    codes = {code for code, _name in settings.LANGUAGES}
    language = getattr(user, "preferred_language", "")
    return language if language in codes else None


class AccountAdapter(DefaultAccountAdapter):
    """Accounts come from invitations and staff; open sign-up only where a deployment enables it."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return bool(getattr(settings, "SMARTREGION_OPEN_SIGNUP", False))

    def get_login_redirect_url(self, request: HttpRequest) -> str:
        """Without a page to return to, the home page (in the person's language, if chosen)."""
        with translation.override(_language(request.user) or translation.get_language()):
            return reverse("site:home")

    def post_login(self, request: HttpRequest, user: Any, **kwargs: Any) -> HttpResponse:
        """The page to return to (`next`), in the person's chosen language; an address outside
        the language prefixes (/data/…) or that does not resolve stays as it is."""
        response = super().post_login(request, user, **kwargs)
        language = _language(user)
        if language and isinstance(response, HttpResponseRedirect):
            response["Location"] = translate_url(response["Location"], language)
        return response

    def get_password_change_redirect_url(self, request: HttpRequest) -> str:
        return reverse("accounts:settings")

    # The links allauth emails start with the site's address (core/addresses.py), as every other.

    def get_email_confirmation_url(
        self, request: HttpRequest | None, emailconfirmation: Any
    ) -> str:
        path = reverse("account_confirm_email", args=[emailconfirmation.key])
        return absolute_url(path, request or self.request)

    def get_reset_password_from_key_url(self, key: str) -> str:
        kwargs = {"uidb36": "UID", "key": "KEY"}
        path = reverse("account_reset_password_from_key", kwargs=kwargs)
        return absolute_url(path.replace("UID-KEY", quote(key)), self.request)

    def authenticate(self, request: HttpRequest, **credentials: Any) -> AbstractBaseUser | None:
        """Check the password unless this account and address failed too often (see throttle)."""
        attempt = login_attempt_start(
            login=_login(credentials), address=self.get_client_ip(request)
        )
        if attempt is None:
            raise ValidationError(TOO_MANY_FAILURES, code="too_many_login_attempts")
        try:
            user = super().authenticate(request, **credentials)
        except ValidationError:  # allauth's own limit per address, before any password check
            login_attempt_release(attempt)
            raise
        if user is not None:
            login_attempt_release(attempt)
        return user

    def _delete_login_attempts_cached_email(self, request: HttpRequest, **credentials: Any) -> None:
        # allauth calls this after a successful password reset (a private hook of allauth 65).
        super()._delete_login_attempts_cached_email(request, **credentials)
        login_failures_clear(login=_login(credentials), address=self.get_client_ip(request))
