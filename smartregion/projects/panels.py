"""The projects' panel on a commune's profile (registered in ``SMARTREGION_PROFILE_PANELS``)."""

from __future__ import annotations

from smartregion.territory.models import Municipality
from smartregion.territory.panels import Panel

from . import queries


def municipality_projects(municipality: Municipality, *, language: str) -> Panel:
    """The commune's published projects (two queries at most); shown even when there are none."""
    projects, total = queries.municipality_projects(municipality)
    return Panel("projects/panels/municipality.html", {"projects": projects, "total": total})
