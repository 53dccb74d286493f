"""Barometer permissions: analysts (centre staff) run waves; respondents need only their link."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from smartregion.accounts.models import User
from smartregion.accounts.permissions import is_centre_staff


def can_run_waves(user: User | AnonymousUser) -> bool:
    return is_centre_staff(user)
