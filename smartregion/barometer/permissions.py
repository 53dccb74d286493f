"""Barometer permissions: analysts (centre staff) run waves; respondents need only their link.

A commune's members open its link from their space; its contact addresses are changed by centre
staff and by the commune's managers.
"""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from smartregion.accounts.models import Membership, User
from smartregion.accounts.permissions import is_centre_staff, is_manager_of, is_member_of
from smartregion.territory.models import Municipality


def can_run_waves(user: User | AnonymousUser) -> bool:
    return is_centre_staff(user)


def can_answer_for(user: User | AnonymousUser, municipality: Municipality) -> bool:
    """Open the commune's questionnaire from its space: its members (managers included)."""
    return is_member_of(user, municipality)


def can_edit_contacts(user: User | AnonymousUser, municipality: Municipality) -> bool:
    return is_centre_staff(user) or is_manager_of(user, municipality)


def space_rights(user: User | AnonymousUser, municipality: Municipality) -> tuple[bool, bool]:
    """(can_answer_for, can_edit_contacts) in one query, for the commune's space panel."""
    if not user.is_authenticated or not user.is_active:
        return False, False
    roles = set(
        Membership.objects.filter(user=user, municipality=municipality).values_list(
            "role", flat=True
        )
    )
    return bool(roles), is_centre_staff(user) or Membership.Role.MANAGER in roles
