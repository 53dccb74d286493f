from __future__ import annotations

from allauth.account.adapter import DefaultAccountAdapter
from django.conf import settings
from django.http import HttpRequest


class AccountAdapter(DefaultAccountAdapter):
    """Accounts come from invitations and staff; open sign-up only where a deployment enables it."""

    def is_open_for_signup(self, request: HttpRequest) -> bool:
        return bool(getattr(settings, "SMARTREGION_OPEN_SIGNUP", False))
