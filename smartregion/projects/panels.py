"""The projects' panels elsewhere: on a commune's profile (``SMARTREGION_PROFILE_PANELS``) and
under a diagnostic's recommendations (``SMARTREGION_RECOMMENDATION_PANELS``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.urls import reverse

from smartregion.territory.models import Municipality
from smartregion.territory.panels import Panel

from . import queries


def municipality_projects(municipality: Municipality, *, language: str) -> Panel:
    """The commune's published projects (two queries at most); shown even when there are none."""
    projects, total = queries.municipality_projects(municipality)
    return Panel("projects/panels/municipality.html", {"projects": projects, "total": total})


def recommendation_peer_projects(view: Any) -> dict[str, Panel]:
    """Under each recommendation of a diagnostic's results, published projects of other communes on
    the same themes (see `queries.recommendation_themes`), in one query; `view` is the diagnostic's
    ResultsView (not imported: the diagnostic sits below the projects)."""
    definitions = {r.code: r for r in view.instrument.recommendations}
    matches = {}
    for recommendation in view.recommendations:
        definition = definitions.get(recommendation.code)
        axes = definition.axes if definition is not None else ()
        matches[recommendation.code] = queries.recommendation_themes(recommendation.dimension, axes)
    found = queries.peer_projects_for(view.diagnostic.municipality, matches)
    return {
        code: Panel(
            "projects/panels/recommendation.html",
            {"projects": projects, "catalogue_url": _catalogue_url(matches[code])},
        )
        for code, projects in found.items()
        if projects
    }


def _catalogue_url(match: queries.ThemeMatch) -> str:
    """The catalogue filtered on a recommendation's themes (any of them)."""
    query = urlencode([("theme", theme) for theme in sorted(match.themes)])
    return reverse("projects:catalogue") + (f"?{query}" if query else "")
