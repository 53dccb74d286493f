"""Who may act for which commune. One place, so every app asks the same question."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from smartregion.territory.models import Municipality

from .models import Membership, User


def is_centre_staff(user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and user.is_active and user.is_staff)


def is_member_of(user: User | AnonymousUser, municipality: Municipality) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return Membership.objects.filter(user=user, municipality=municipality).exists()


def is_manager_of(user: User | AnonymousUser, municipality: Municipality) -> bool:
    if not user.is_authenticated or not user.is_active:
        return False
    return Membership.objects.filter(
        user=user, municipality=municipality, role=Membership.Role.MANAGER
    ).exists()
