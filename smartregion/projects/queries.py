"""Reusable reads of the public side of the catalogue: a project page, actors, a commune's
projects and the projects that answer a diagnostic recommendation. Each runs a fixed number
of queries whatever the data size.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet

from smartregion.accounts.models import Organisation
from smartregion.territory.models import Municipality

from .models import Indicator, Project, ProjectRevision, Theme

MUNICIPALITY_PROJECTS_LIMIT = 20
PEER_PROJECTS_PER_RECOMMENDATION = 3
SPACE_PROJECTS_LIMIT = 20
# Recommendations draw their peers' projects from this many recently published candidates, so
# the results page costs one query however large the catalogue grows.
PEER_CANDIDATES = 300


def json_list_has(field: str, value: str | int) -> Q:
    """Rows whose JSON list `field` holds `value`, on every database we run on.

    PostgreSQL answers `contains` with an index; SQLite has no JSON containment, so we match
    the serialised element, quoted for strings and bounded by separators for numbers.
    """
    if connection.features.supports_json_field_contains:
        return Q(**{f"{field}__contains": [value]})
    if isinstance(value, str):
        return Q(**{f"{field}__icontains": json.dumps(value)})
    text = str(value)
    return Q(**{f"{field}__regex": rf"[\[ ,]{text}[,\]]"})


def published_projects() -> QuerySet[Project]:
    return Project.objects.filter(state=Project.State.PUBLISHED)


def project_for_page(slug: str) -> Project | None:
    """One project with everything its page shows, in a fixed number of queries (any state)."""
    return (
        Project.objects.select_related(
            "lead__municipality", "owner_municipality", "owner_organisation"
        )
        .prefetch_related(
            Prefetch(
                "municipalities",
                queryset=Municipality.objects.select_related("province").order_by("name_fr"),
            ),
            Prefetch("partners", queryset=Organisation.objects.order_by("name")),
            "fundings",
            "indicators",
            "locations",
            "images",
            "documents",
        )
        .filter(slug=slug)
        .first()
    )


def municipality_projects(
    municipality: Municipality, *, limit: int = MUNICIPALITY_PROJECTS_LIMIT
) -> tuple[list[Project], int]:
    """The published projects a commune takes part in, newest first, and how many there are."""
    projects = published_projects().filter(municipalities=municipality)
    rows = list(projects.select_related("lead").order_by("-first_published_at", "-pk")[: limit + 1])
    if len(rows) <= limit:
        return rows, len(rows)
    return rows[:limit], projects.count()


# --- Actors -----------------------------------------------------------------------------------


def actors_search(
    *, q: str | None = None, kind: str | None = None, theme: str | None = None
) -> QuerySet[Organisation]:
    """Actors with a public page, by name, with how many published projects they lead and join."""
    queryset = Organisation.objects.exclude(slug__isnull=True).exclude(slug="")
    if kind:
        queryset = queryset.filter(kind=kind)
    if theme:
        queryset = queryset.filter(json_list_has("themes", theme))
    for token in (q or "").split():
        queryset = queryset.filter(name__icontains=token)
    published_led = Q(led_projects__state=Project.State.PUBLISHED)
    published_joined = Q(partner_projects__state=Project.State.PUBLISHED)
    return queryset.annotate(
        led_count=Count("led_projects", filter=published_led, distinct=True),
        partner_count=Count("partner_projects", filter=published_joined, distinct=True),
    ).order_by("name", "pk")


def actor_for_page(slug: str) -> Organisation | None:
    return Organisation.objects.select_related("municipality").filter(slug=slug).first()


def actor_projects(actor: Organisation) -> tuple[list[Project], list[Project]]:
    """The published projects an actor leads, and those it joins as a partner."""
    projects = (
        published_projects()
        .select_related("lead")
        .prefetch_related(
            Prefetch("municipalities", queryset=Municipality.objects.order_by("name_fr"))
        )
        .order_by("-first_published_at", "-pk")
    )
    led = list(projects.filter(lead=actor))
    joined = list(projects.filter(partners=actor).exclude(lead=actor))
    return led, joined


# --- Diagnostic recommendations -----------------------------------------------------------------


@dataclass(frozen=True)
class ThemeMatch:
    """What makes a project relevant to a recommendation: one of `themes` (any theme when
    empty) and, for monitoring and evaluation, indicators it reports."""

    themes: frozenset[str]
    needs_indicators: bool = False


DIMENSION_THEMES: dict[str, tuple[str, ...]] = {
    "gov": (Theme.GOVERNANCE, Theme.PARTICIPATION, Theme.COOPERATION),
    "org": (Theme.GOVERNANCE,),
    "plan": (Theme.GOVERNANCE,),
    "eval": (),
    "data": (Theme.DATA,),
    "innov": (Theme.INNOVATION,),
    "sust": (Theme.ENVIRONMENT, Theme.DIGITAL_INCLUSION),
}


def recommendation_themes(dimension: str, axes: Sequence[str] = ()) -> ThemeMatch:
    """The project themes that answer a recommendation of the maturity diagnostic.

    The recommendation's thematic axes, when it names some, say best what it is about (the six
    axes are project themes too); otherwise its domain maps to themes: governance → governance,
    participation, cooperation; organisation and planning → governance; data → data; innovation
    → innovation; sustainability → environment and digital inclusion. Monitoring and evaluation
    is about measuring, so its peers are the projects that report indicators (on the axes when
    given, on any theme otherwise). An unknown domain matches nothing.
    """
    valid_axes = frozenset(axis for axis in axes if axis in Theme.values)
    if dimension == "eval":
        return ThemeMatch(themes=valid_axes, needs_indicators=True)
    if valid_axes:
        return ThemeMatch(themes=valid_axes)
    return ThemeMatch(themes=frozenset(str(t) for t in DIMENSION_THEMES.get(dimension, ())))


def _matches(match: ThemeMatch, themes: Iterable[str], has_indicators: bool) -> bool:
    if match.needs_indicators and not has_indicators:
        return False
    if not match.themes:
        return match.needs_indicators
    return not match.themes.isdisjoint(themes)


def peer_projects_for(
    municipality: Municipality,
    matches: dict[str, ThemeMatch],
    *,
    per_key: int = PEER_PROJECTS_PER_RECOMMENDATION,
) -> dict[str, list[Project]]:
    """For each key (a recommendation code), a few published projects of other communes that
    answer it, newest first. One query: projects the commune takes part in are left out."""
    if not matches:
        return {}
    candidates = list(
        published_projects()
        .exclude(municipalities=municipality)
        .annotate(has_indicators=Exists(Indicator.objects.filter(project=OuterRef("pk"))))
        .only("slug", "title_fr", "title_en", "themes", "first_published_at")
        .order_by("-first_published_at", "-pk")[:PEER_CANDIDATES]
    )
    found: dict[str, list[Project]] = {key: [] for key in matches}
    for project in candidates:
        for key, match in matches.items():
            if len(found[key]) < per_key and _matches(
                match, project.themes or [], project.has_indicators
            ):
                found[key].append(project)
    return found


# --- the editors' word to the team -----------------------------------------------------------

_BACK_WITH_TEAM = (Project.State.CHANGES_REQUESTED, Project.State.REJECTED)
_DECISIONS = (
    ProjectRevision.Action.CHANGES_REQUESTED,
    ProjectRevision.Action.REJECTED,
    ProjectRevision.Action.UNPUBLISHED,
)


def editor_comments(projects: Iterable[Project]) -> dict[int, ProjectRevision]:
    """For each project an editor sent back to its team (changes requested, rejected or withdrawn),
    the decision that did, with its comment and author: one query for any number of projects.
    Projects in another state (a draft, awaiting review, published) have none."""
    ids = [p.pk for p in projects if p.state in _BACK_WITH_TEAM]
    if not ids:
        return {}
    found: dict[int, ProjectRevision] = {}
    revisions = (
        ProjectRevision.objects.filter(project_id__in=ids, action__in=_DECISIONS)
        .exclude(comment="")
        .select_related("author")
        .order_by("project_id", "-number")
    )
    for revision in revisions:
        found.setdefault(revision.project_id, revision)
    return found


def owned_projects(
    municipality: Municipality, *, unpublished: bool, limit: int = SPACE_PROJECTS_LIMIT
) -> tuple[list[Project], int]:
    """The projects the commune keeps up to date, last changed first (the published ones only
    when `unpublished` is false), at most `limit`, and how many there are: one query, two when
    there are more than `limit`."""
    projects = Project.objects.filter(owner_municipality=municipality)
    if not unpublished:
        projects = projects.filter(state=Project.State.PUBLISHED)
    found = list(projects.order_by("-updated_at", "-pk")[:limit])
    return found, (projects.count() if len(found) == limit else len(found))
