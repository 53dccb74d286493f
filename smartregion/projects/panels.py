"""The projects' panels elsewhere: on a commune's profile (``SMARTREGION_PROFILE_PANELS``), in the
commune's space (``SMARTREGION_SPACE_PANELS``) and under a diagnostic's recommendations
(``SMARTREGION_RECOMMENDATION_PANELS``)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from smartregion.accounts.models import User
from smartregion.territory.models import Municipality
from smartregion.territory.panels import Panel

from . import queries
from .permissions import can_edit_project, is_editor, teams_of


def municipality_projects(municipality: Municipality, *, language: str) -> Panel:
    """The commune's published projects (two queries at most); shown even when there are none."""
    projects, total = queries.municipality_projects(municipality)
    return Panel("projects/panels/municipality.html", {"projects": projects, "total": total})


def commune_space_projects(
    municipality: Municipality, *, user: User | AnonymousUser
) -> Panel | None:
    """In the commune's space: the projects it keeps up to date, in every review state for its
    team and editors, each with the editors' latest word when they sent it back (three queries
    at most). Others who may open the space (centre staff) see the published ones."""
    team = municipality.pk in teams_of(user).municipality_ids
    projects, total = queries.owned_projects(municipality, unpublished=team or is_editor(user))
    comments = queries.editor_comments(projects)
    rows = [
        {
            "project": project,
            "comment": comments.get(project.pk),
            "can_edit": can_edit_project(user, project),
        }
        for project in projects
    ]
    return Panel(
        "projects/panels/space.html",
        {"rows": rows, "total": total, "municipality": municipality, "team": team},
    )


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
