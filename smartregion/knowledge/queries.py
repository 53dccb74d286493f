"""Reads of the knowledge pages: querysets shaped for each page, so each runs a fixed number of
queries whatever the data size.

Resources and the editorial dashboards first (part EDIT), then the method (part METHOD).
"""

from __future__ import annotations

import datetime as dt
import difflib
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import F, Prefetch, Q, QuerySet
from django.utils import timezone
from django.utils.translation import get_language

from smartregion.projects.models import Project
from smartregion.territory.models import Municipality

from .models import (
    TRANSLATION_LANGUAGES,
    Kind,
    Resource,
    ResourceFile,
    ResourceRevision,
    SlugRedirect,
    StepProgress,
)

# --- resources (part EDIT) -----------------------------------------------------------------------

RESOURCES_PER_PAGE = 20
# The list's filters: the GET parameter and the JSON list field it looks into.
LIST_FILTERS = {
    "theme": "themes",
    "domain": "domains",
    "audience": "audiences",
    "size": "commune_sizes",
}


def _json_list_has(field_name: str, value: str) -> Q:
    """Rows whose JSON list of codes holds `value`. Codes are validated choices (letters and
    underscores), and quoted, so "data" never matches "open_data"; works on SQLite and PostgreSQL
    (JSONField `contains` does not exist on SQLite)."""
    return Q(**{f"{field_name}__icontains": f'"{value}"'})


def resources_listed(filters: dict[str, str]) -> QuerySet[Resource]:
    """Listed resources (published or needing review) matching the list's filters."""
    resources = Resource.objects.filter(state__in=Resource.LISTED_STATES)
    if filters.get("kind"):
        resources = resources.filter(kind=filters["kind"])
    for parameter, field_name in LIST_FILTERS.items():
        if filters.get(parameter):
            resources = resources.filter(_json_list_has(field_name, filters[parameter]))
    return resources.order_by("kind", "title_fr", "pk")


def resources_page(filters: dict[str, str], number: Any) -> Page:
    return Paginator(resources_listed(filters), RESOURCES_PER_PAGE).get_page(number)


def resource_for_page(slug: str, *, editor: bool) -> Resource | None:
    """The resource at `slug` with what its page shows; None when it is not there or, for a
    reader who is not an editor, not public."""
    resources = Resource.objects.select_related("owner").prefetch_related(
        Prefetch(
            "related",
            queryset=Resource.objects.filter(state__in=Resource.LISTED_STATES).order_by("title_fr"),
            to_attr="related_listed",
        ),
        Prefetch(
            "related_projects",
            queryset=Project.objects.filter(state=Project.State.PUBLISHED).order_by("title_fr"),
            to_attr="projects_published",
        ),
        Prefetch(
            "files", queryset=ResourceFile.objects.order_by("role", "title"), to_attr="all_files"
        ),
    )
    if not editor:
        resources = resources.filter(state__in=Resource.PUBLIC_STATES)
    return resources.filter(slug=slug).first()


def resource_redirect(slug: str) -> Resource | None:
    """The resource an old slug now names."""
    redirect = SlugRedirect.objects.select_related("resource").filter(old_slug=slug).first()
    return redirect.resource if redirect else None


def resource_revisions(resource: Resource) -> QuerySet[ResourceRevision]:
    return resource.revisions.select_related("author").order_by("-number")


@dataclass(frozen=True)
class FieldDiff:
    name: str
    lines: list[tuple[str, str]] = field(default_factory=list)  # (kind: add/del/same/hunk, text)


def revision_compare(older: ResourceRevision, newer: ResourceRevision) -> list[FieldDiff]:
    """A unified diff of each snapshot field that differs (escaped by the template)."""
    names = list(dict.fromkeys([*older.snapshot, *newer.snapshot]))
    diffs = []
    for name in names:
        before, after = _lines(older.snapshot.get(name)), _lines(newer.snapshot.get(name))
        if before == after:
            continue
        lines = []
        for line in list(difflib.unified_diff(before, after, lineterm="", n=2))[2:]:
            kind = {"+": "add", "-": "del", "@": "hunk"}.get(line[:1], "same")
            lines.append((kind, line))
        diffs.append(FieldDiff(name, lines))
    return diffs


def _lines(value: Any) -> list[str]:
    if value is None or value == "":
        return []
    if isinstance(value, list):
        return [", ".join(str(item) for item in value)]
    return str(value).splitlines() or [""]


@dataclass(frozen=True)
class TranslationRow:
    resource: Resource
    statuses: dict[str, str]  # language → "current" / "outdated" / "missing"


def translation_dashboard(*, language: str = "", status: str = "") -> list[TranslationRow]:
    """Every resource not archived, with the status of each translation; filtered by a language
    and a status when given (a row is kept when that language, or any, has that status)."""
    resources = Resource.objects.exclude(state=Resource.State.ARCHIVED).order_by("title_fr", "pk")
    languages = [language] if language in TRANSLATION_LANGUAGES else list(TRANSLATION_LANGUAGES)
    rows = []
    for resource in resources.only(
        "pk", "slug", "state", "title_fr", "title_en", "title_de", "title_nl", "body_fr",
        "body_en", "body_de", "body_nl", "source_version", "translation_versions",
    ):  # fmt: skip
        statuses = {code: resource.translation_status(code) for code in TRANSLATION_LANGUAGES}
        if status and not any(statuses[code] == status for code in languages):
            continue
        rows.append(TranslationRow(resource, statuses))
    return rows


def review_dashboard(today: dt.date | None = None) -> QuerySet[Resource]:
    """Resources needing review, or public ones past their review date, soonest first."""
    today = today or timezone.localdate()
    return (
        Resource.objects.filter(
            Q(state=Resource.State.NEEDS_REVIEW)
            | Q(state=Resource.State.PUBLISHED, review_by__lt=today)
        )
        .select_related("owner")
        .order_by(F("review_by").asc(nulls_last=True), "title_fr", "pk")
    )


def resources_to_remind() -> dict[int, list[Resource]]:
    """{owner id: resources needing review whose owner was not reminded of them yet}."""
    by_owner: dict[int, list[Resource]] = {}
    for resource in Resource.objects.filter(
        state=Resource.State.NEEDS_REVIEW,
        review_reminded_at__isnull=True,
        owner__isnull=False,
        owner__is_active=True,
    ).order_by("owner_id", "title_fr", "pk"):
        if resource.owner_id is not None:  # filtered above; for the type checker
            by_owner.setdefault(resource.owner_id, []).append(resource)
    return by_owner


def resources_for_feed(limit: int = 50) -> QuerySet[Resource]:
    return Resource.objects.filter(
        state__in=Resource.LISTED_STATES, published_at__isnull=False
    ).order_by("-updated_at", "-pk")[:limit]


# --- method (part METHOD) ------------------------------------------------------------------------
PATH_KINDS = (Kind.METHOD_STEP, Kind.GUIDE, Kind.CASE_STUDY)


def listed(kinds: Iterable[str] | None = None) -> QuerySet[Resource]:
    """Resources shown in lists (published or due for review): method steps in the method's
    order, then the others by slug (the same on SQLite and PostgreSQL)."""
    resources = Resource.objects.filter(state__in=Resource.LISTED_STATES)
    if kinds is not None:
        resources = resources.filter(kind__in=list(kinds))
    return resources.order_by(
        F("method_phase").asc(nulls_last=True), F("method_order").asc(nulls_last=True), "slug"
    )


def method_steps() -> list[Resource]:
    return list(listed([Kind.METHOD_STEP]))


def step_progress(municipality: Municipality) -> dict[int, StepProgress]:
    """The commune's progress rows, by step (one query)."""
    rows = StepProgress.objects.filter(municipality=municipality)
    return {row.step_id: row for row in rows}


def path_candidates() -> list[Resource]:
    """Every listed method step, guide and case study, with the communes of each case study's
    project (their population says which size of commune it speaks to): two queries."""
    communes = Municipality.objects.only("pk", "population")
    return list(
        listed(PATH_KINDS)
        .select_related("project")
        .prefetch_related(Prefetch("project__municipalities", queryset=communes))
    )


def case_study_figures(resource: Resource) -> dict[str, Any]:
    """The live figures of a case study, read from its project now (so a project update shows at
    once): status, budget, fundings, indicators with their values, lessons, communes. Texts in
    the active language, French when missing. Four queries; `{"available": False}` when the
    project is gone from the catalogue (not published)."""
    if resource.project_id is None:
        return {"available": False}
    project = (
        Project.objects.filter(pk=resource.project_id, state=Project.State.PUBLISHED)
        .prefetch_related("fundings", "indicators", "municipalities")
        .first()
    )
    if project is None:
        return {"available": False}
    language = (get_language() or "fr")[:2]
    fundings = [
        {"source": f.get_source_display(), "label": f.label, "amount_eur": f.amount_eur}
        for f in project.fundings.all()
    ]
    amounts = [f["amount_eur"] for f in fundings if f["amount_eur"] is not None]
    return {
        "available": True,
        "project": project,
        "title": project.title_for(language),
        "status": project.status,
        "status_label": project.get_status_display(),
        "start_date": project.start_date,
        "end_date": project.end_date,
        "budget_eur": project.budget_eur,
        "fundings": fundings,
        "funding_total": sum(amounts, Decimal(0)) if amounts else None,
        "indicators": [_indicator(i, language) for i in project.indicators.all()],
        "lessons": project.lessons_for(language),
        "communes": sorted((m.name for m in project.municipalities.all()), key=str.casefold),
        "updated_at": project.updated_at,
    }


def _indicator(indicator: Any, language: str) -> dict[str, Any]:
    return {
        "name": (indicator.name_en if language == "en" else "") or indicator.name_fr,
        "unit": indicator.unit,
        "baseline": indicator.baseline,
        "target": indicator.target,
        "achieved": indicator.achieved,
        "measured_on": indicator.measured_on,
    }


def case_study_of(project: Project) -> Resource | None:
    return Resource.objects.filter(kind=Kind.CASE_STUDY, project=project).first()
