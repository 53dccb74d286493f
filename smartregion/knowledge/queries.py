"""Reads of the knowledge app."""

from __future__ import annotations

# --- method, learning paths, case studies (part METHOD) ------------------------------------------
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db.models import F, Prefetch, QuerySet
from django.utils.translation import get_language

from smartregion.projects.models import Project
from smartregion.territory.models import Municipality

from .models import Kind, Resource, StepProgress

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
