"""Who may do what with knowledge: editors hold a permission (not `is_staff`); a commune's method
progress is its members' and the centre staff's only."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from smartregion.accounts.models import User
from smartregion.accounts.permissions import is_centre_staff, is_manager_of, is_member_of
from smartregion.territory.models import Municipality

EDIT_PERMISSION = "knowledge.edit_resource"


def _active(user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and user.is_active)


def is_editor(user: User | AnonymousUser) -> bool:
    return _active(user) and user.has_perm(EDIT_PERMISSION)


def can_see_progress(user: User | AnonymousUser, municipality: Municipality) -> bool:
    return is_centre_staff(user) or is_member_of(user, municipality)


def can_edit_progress(user: User | AnonymousUser, municipality: Municipality) -> bool:
    """Members and managers of the commune tick its steps; staff only read."""
    return is_member_of(user, municipality) or is_manager_of(user, municipality)
