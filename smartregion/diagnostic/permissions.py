"""Who may see and change a commune's diagnostics: its members and the centre's staff."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from smartregion.accounts.models import User
from smartregion.accounts.permissions import is_centre_staff, is_manager_of, is_member_of
from smartregion.territory.models import Municipality

from .models import Diagnostic


def can_view_diagnostics(user: User | AnonymousUser, municipality: Municipality) -> bool:
    return is_centre_staff(user) or is_member_of(user, municipality)


def can_view_diagnostic(user: User | AnonymousUser, diagnostic: Diagnostic) -> bool:
    return can_view_diagnostics(user, diagnostic.municipality)


def can_fill_diagnostic(user: User | AnonymousUser, diagnostic: Diagnostic) -> bool:
    """Members fill their commune's draft; staff read but do not answer for a commune."""
    return diagnostic.is_draft and is_member_of(user, diagnostic.municipality)


def can_start_diagnostic(user: User | AnonymousUser, municipality: Municipality) -> bool:
    return is_member_of(user, municipality)


def can_manage(user: User | AnonymousUser, municipality: Municipality) -> bool:
    """Submit, set targets, publish, invite: the commune's managers."""
    return is_manager_of(user, municipality)


def can_see_overview(user: User | AnonymousUser) -> bool:
    return is_centre_staff(user)
