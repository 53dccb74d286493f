"""What callers give the services: plain-value inputs, the errors they raise, the fixed
words and text fields every part of the package shares."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from ..models import (
    Project,
    ProjectRevision,
)

State = Project.State
Action = ProjectRevision.Action

# Fixed words of the projects' addresses: no project slug may take them (see urls_*.py).
RESERVED_SLUGS = frozenset(
    {
        "new",
        "mine",
        "review",
        "actors",
        "actor",
        "files",
        "file",
        "showcase",
        "feed",
        "atom",
        "export",
        "exports",
        "search",
        "map",
        "api",
        "data",
        "edit",
        "history",
        "compare",
    }
)
RICH_TEXT_FIELDS = ("description_fr", "description_en", "lessons_fr", "lessons_en")
TEXT_FIELDS = (
    "title_fr",
    "title_en",
    "summary_fr",
    "summary_en",
    *RICH_TEXT_FIELDS,
    "contact_name",
    "contact_email",
    "website",
)


class ProjectError(Exception):
    """A workflow step that the project's state does not allow."""


class ProjectConflict(Exception):  # not frozen: raising sets __traceback__
    """A colleague saved the project after the version the edit started from."""

    def __init__(self, project: Project, revisions: list[ProjectRevision]) -> None:
        super().__init__(_("Someone else saved this project while you were editing it."))
        self.project = project
        self.revisions = revisions


@dataclass
class FundingInput:
    source: str
    label: str = ""
    amount_eur: Decimal | None = None


@dataclass
class IndicatorInput:
    name_fr: str
    name_en: str = ""
    unit: str = ""
    baseline: Decimal | None = None
    target: Decimal | None = None
    achieved: Decimal | None = None
    measured_on: dt.date | None = None


@dataclass
class LocationInput:
    latitude: Decimal
    longitude: Decimal
    label: str = ""


@dataclass
class ProjectInput:
    """Everything a team states about a project, as plain values (rows may be dicts)."""

    title_fr: str
    summary_fr: str
    status: str
    themes: list[str]
    municipality_ids: list[int]
    title_en: str = ""
    summary_en: str = ""
    description_fr: str = ""
    description_en: str = ""
    lessons_fr: str = ""
    lessons_en: str = ""
    goals: list[int] = field(default_factory=list)
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    budget_eur: Decimal | None = None
    contact_name: str = ""
    contact_email: str = ""
    website: str = ""
    showcase: bool = False
    lead_id: int | None = None
    partner_ids: list[int] = field(default_factory=list)
    fundings: list[FundingInput | dict[str, Any]] = field(default_factory=list)
    indicators: list[IndicatorInput | dict[str, Any]] = field(default_factory=list)
    locations: list[LocationInput | dict[str, Any]] = field(default_factory=list)
    slug: str = ""  # on creation only; made from the French title when empty
    is_demo: bool = False

    @classmethod
    def from_project(cls, project: Project) -> ProjectInput:
        """What the project states now, to prefill a form or re-apply an edit."""
        return cls(
            **{name: getattr(project, name) for name in TEXT_FIELDS},
            status=project.status,
            themes=list(project.themes),
            goals=list(project.goals),
            municipality_ids=sorted(m.pk for m in project.municipalities.all()),
            start_date=project.start_date,
            end_date=project.end_date,
            budget_eur=project.budget_eur,
            showcase=project.showcase,
            lead_id=project.lead_id,
            partner_ids=sorted(p.pk for p in project.partners.all()),
            fundings=[
                FundingInput(f.source, f.label, f.amount_eur) for f in project.fundings.all()
            ],
            indicators=[
                IndicatorInput(
                    i.name_fr, i.name_en, i.unit, i.baseline, i.target, i.achieved, i.measured_on
                )
                for i in project.indicators.all()
            ],
            locations=[
                LocationInput(loc.latitude, loc.longitude, loc.label)
                for loc in project.locations.all()
            ],
            slug=project.slug,
            is_demo=project.is_demo,
        )
