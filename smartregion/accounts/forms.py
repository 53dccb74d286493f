"""Forms for people joining a commune's team, and for their account settings."""

from __future__ import annotations

from typing import Any

from allauth.account.forms import AddEmailForm
from allauth.account.internal.flows.email_verification import (
    send_verification_email_to_address,
)
from allauth.account.models import EmailAddress
from django import forms
from django.conf import settings
from django.contrib.auth import password_validation
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from .adapter import TOO_MANY_FAILURES
from .models import User
from .throttle import login_attempt_release, login_attempt_start


class NewAccountForm(forms.Form):
    """The password of an account created from an invitation, checked by the site's validators."""

    password1 = forms.CharField(
        label=_("Choose a password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html,
    )
    password2 = forms.CharField(
        label=_("Type the password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, email: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        elif first:
            try:
                password_validation.validate_password(first, User(email=self.email))
            except forms.ValidationError as exc:
                self.add_error("password1", exc)
        return cleaned


class ProfileForm(forms.Form):
    first_name = forms.CharField(label=_("First name"), max_length=150, required=False)
    last_name = forms.CharField(label=_("Last name"), max_length=150, required=False)
    language = forms.ChoiceField(
        label=_("Preferred language"),
        choices=[("", _("No preference")), *settings.LANGUAGES],
        required=False,
        help_text=_(
            "The site's emails are written in it, and signing in takes you to it. Without a "
            "preference, emails are in the site's main language."
        ),
    )


class AccountDeleteForm(forms.Form):
    """Deleting asks for the password, so a browser left open cannot delete the account."""

    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )
    confirm = forms.BooleanField(
        label=_("I understand that my account will be deleted and cannot be restored."),
    )

    def __init__(self, *args: Any, user: User, address: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user, self.address = user, address

    def clean_password(self) -> str:
        """Checked like a sign-in: failures count towards the same limit (accounts/throttle)."""
        password = self.cleaned_data["password"]
        attempt = login_attempt_start(login=self.user.email, address=self.address)
        if attempt is None:
            raise forms.ValidationError(TOO_MANY_FAILURES, code="too_many_attempts")
        if not self.user.check_password(password):
            raise forms.ValidationError(_("This is not your current password."), code="wrong")
        login_attempt_release(attempt)
        return password


class ChangeEmailForm(AddEmailForm):
    """allauth's change of address, keeping the current one until the new one is verified.

    allauth's change-email flow replaces the newest unverified address of the account. Accounts
    made from an invitation or by staff have an unverified sign-in address, which it would delete,
    leaving the account without an address; here only an earlier pending change is replaced.
    """

    def save(self, request: HttpRequest) -> EmailAddress:
        pending = EmailAddress.objects.filter(user=self.user, verified=False)
        pending.exclude(email__iexact=self.user.email).delete()
        address = EmailAddress.objects.create(user=self.user, email=self.cleaned_data["email"])
        send_verification_email_to_address(request, address)
        return address
