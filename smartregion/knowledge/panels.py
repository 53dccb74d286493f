"""The knowledge app's sections elsewhere: where a commune stands in the method in its space
(``SMARTREGION_SPACE_PANELS``) and on its diagnostic results (``SMARTREGION_RESULTS_PANELS``),
its learning path there, and resources under each recommendation
(``SMARTREGION_RECOMMENDATION_PANELS``). The diagnostic's views call these, so their reads count
in those pages' pinned queries."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from smartregion.accounts.models import User
from smartregion.accounts.permissions import is_centre_staff, is_member_of
from smartregion.projects.permissions import teams_of
from smartregion.territory.models import Municipality
from smartregion.territory.panels import Panel

from . import journey, queries


def _method_panel(
    municipality: Municipality, *, user: User | AnonymousUser, heading: str, member: bool
) -> Panel | None:
    """Steps done per phase, for the commune's members (who record them: permissions'
    can_edit_progress) and the centre's staff (two queries)."""
    if not (member or is_centre_staff(user)):
        return None
    steps = queries.method_steps()
    groups = journey.by_phase(steps)
    progress = queries.step_progress(municipality)
    return Panel(
        "knowledge/panels/method_progress.html",
        {
            "summary": journey.summary(groups, progress),
            "municipality": municipality,
            "can_edit": member,
            "heading": heading,
        },
    )


def commune_space_method(municipality: Municipality, *, user: User | AnonymousUser) -> Panel | None:
    """In the commune's space: where it stands in the method. Membership is read from the user's
    teams, which the projects' panel of the same page has read and cached on the user."""
    member = municipality.pk in teams_of(user).municipality_ids
    return _method_panel(municipality, user=user, heading="space", member=member)


def results_method_progress(view: Any, *, user: User | AnonymousUser) -> Panel | None:
    """On the diagnostic's results: the same summary, for the same people."""
    municipality = view.diagnostic.municipality
    member = is_member_of(user, municipality)
    return _method_panel(municipality, user=user, heading="results", member=member)


def results_learning_path(view: Any, *, user: User | AnonymousUser) -> Panel:
    """The ordered path for the weakest two or three domains (three queries)."""
    domains = journey.weakest_domains(view.domains, has_targets=view.has_targets)
    municipality = view.diagnostic.municipality
    path = journey.learning_path(
        domains,
        queries.path_candidates() if domains else [],
        population=municipality.population,
        progress=queries.step_progress(municipality) if domains else {},
    )
    return Panel(
        "knowledge/panels/learning_path.html",
        {"path": path, "has_targets": view.has_targets},
    )


def recommendation_resources(view: Any) -> dict[str, Panel]:
    """Under each recommendation, listed resources of its domain for the commune's current level
    there, in one query; `view` is the diagnostic's ResultsView."""
    if not view.recommendations:
        return {}
    levels = {d.code: d.level for d in view.domains}
    candidates = list(queries.listed())
    panels = {}
    for recommendation in view.recommendations:
        domain = recommendation.dimension
        found = journey.for_recommendation(candidates, domain=domain, level=levels.get(domain))
        if found:
            panels[recommendation.code] = Panel(
                "knowledge/panels/recommendation.html",
                {"resources": found, "more_url": resources_url(domain)},
            )
    return panels


def resources_url(domain: str) -> str:
    """The resource list filtered on a maturity domain."""
    return reverse("knowledge:resources") + "?" + urlencode({"domain": domain})
