"""The barometer's section of a commune's space: the open wave with a link for the commune's
members, and the commune's contact addresses (changeable by its managers and centre staff)."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from smartregion.accounts.models import User
from smartregion.territory.models import Municipality
from smartregion.territory.panels import Panel

from .permissions import space_rights
from .queries import open_memberships


def commune_space(municipality: Municipality, *, user: User | AnonymousUser) -> Panel | None:
    may_answer, may_edit = space_rights(user, municipality)
    members = open_memberships(municipality) if may_answer else []
    if not members and not may_edit:
        return None
    waves = [
        {
            "wave": member.wave,
            "submitted": bool(_response(member) and _response(member).submitted_at),
            "started": _response(member) is not None,
        }
        for member in members
    ]
    return Panel(
        "barometer/_space_panel.html",
        {"municipality": municipality, "waves": waves, "may_edit": may_edit},
    )


def _response(member):  # type: ignore[no-untyped-def]
    try:
        return member.response
    except member._meta.model.response.RelatedObjectDoesNotExist:
        return None
