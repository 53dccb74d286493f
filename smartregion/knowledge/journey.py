"""The method as a journey: the steps grouped by phase, where a commune stands on each, the
progress it records, and the learning path its diagnostic results propose.

Learning path: for the commune's weakest domains relative to its targets (target level − current
level, largest gap first; ties by the lower score), the listed method steps tagged with the
domain that it has not done yet, then its guides (those for the commune's current level first),
then case studies whose project took place in communes of the same size
(`CommuneSize.of(population)`).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smartregion.accounts.models import User
from smartregion.territory.models import Municipality

from .models import CommuneSize, Kind, MethodPhase, Resource, StepProgress

PATH_DOMAINS = 3
PATH_GUIDES = 3
PATH_CASE_STUDIES = 2
RECOMMENDATION_RESOURCES = 3

# The domain each recommendation key speaks to: the maturity instrument's dimension whose
# recommendations link to it first (instruments/smartregion-maturity/2026.yaml). A key without a
# published resource sends the reader to the resources of that domain.
KEY_DOMAINS = {
    "guide-cybersecurity": "data",
    "guide-data": "data",
    "guide-diagnosis": "plan",
    "guide-evaluation": "eval",
    "guide-funding": "org",
    "guide-implementation": "plan",
    "guide-inclusion": "sust",
    "guide-innovation": "innov",
    "guide-interoperability": "data",
    "guide-open-data": "data",
    "guide-participation": "gov",
    "guide-prerequisites": "gov",
    "guide-procurement": "plan",
    "guide-skills": "org",
    "guide-strategy": "gov",
    "guide-sustainability": "sust",
    "guide-team": "org",
}

OTHER_STEPS = gettext_lazy("Other steps")


# --- the steps and where a commune stands -------------------------------------------------------


@dataclass
class PhaseGroup:
    phase: int | None
    label: str
    steps: list[Any] = field(default_factory=list)  # Resource, or JourneyRow on the journey page


def by_phase(steps: Sequence[Resource], rows: Sequence[Any] | None = None) -> list[PhaseGroup]:
    """The steps (or one row per step, in the same order) grouped by phase, phases in order."""
    groups: dict[int | None, PhaseGroup] = {}
    for step, row in zip(steps, rows if rows is not None else steps, strict=True):
        phase = step.method_phase
        if phase not in groups:
            label = MethodPhase(phase).label if phase is not None else OTHER_STEPS
            groups[phase] = PhaseGroup(phase, str(label))
        groups[phase].steps.append(row)
    return sorted(groups.values(), key=lambda g: (g.phase is None, g.phase or 0))


@dataclass(frozen=True)
class PhaseSummary:
    label: str
    done: int
    in_progress: int
    relevant: int  # steps not marked "not relevant"
    total: int

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.relevant) if self.relevant else 0


@dataclass(frozen=True)
class JourneySummary:
    phases: list[PhaseSummary]

    @property
    def done(self) -> int:
        return sum(p.done for p in self.phases)

    @property
    def relevant(self) -> int:
        return sum(p.relevant for p in self.phases)

    @property
    def total(self) -> int:
        return sum(p.total for p in self.phases)

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.relevant) if self.relevant else 0

    @property
    def started(self) -> bool:
        return any(p.done or p.in_progress or p.relevant < p.total for p in self.phases)


def summary(groups: Sequence[PhaseGroup], progress: dict[int, StepProgress]) -> JourneySummary:
    """Steps done per phase over the steps that apply (those marked not relevant left out)."""
    phases = []
    for group in groups:
        statuses = [getattr(progress.get(s.pk), "status", None) for s in group.steps]
        not_relevant = statuses.count(StepProgress.Status.NOT_RELEVANT)
        phases.append(
            PhaseSummary(
                label=group.label,
                done=statuses.count(StepProgress.Status.DONE),
                in_progress=statuses.count(StepProgress.Status.IN_PROGRESS),
                relevant=len(statuses) - not_relevant,
                total=len(statuses),
            )
        )
    return JourneySummary(phases)


# --- recording progress ---------------------------------------------------------------------------


class ProgressConflict(Exception):
    """Someone saved this step after the version the form was opened on."""


def progress_token(progress: StepProgress | None) -> str:
    """What a form carries to detect a colleague's save in between ("" before the first save)."""
    return progress.updated_at.isoformat() if progress is not None else ""


@transaction.atomic
def progress_save(
    *,
    municipality: Municipality,
    step: Resource,
    user: User | None,
    status: str,
    date: dt.date | None,
    note: str,
    checked: Sequence[int],
    evidence: Any = None,
    evidence_name: str = "",
    token: str | None = None,
) -> StepProgress:
    """Record where the commune stands on a step; refuse (ProgressConflict) when `token` is given
    and the row changed since. `evidence` is a PreparedFile (projects.uploads.document_prepare)."""
    if step.kind != Kind.METHOD_STEP:
        raise ValueError("not a method step")
    progress = (
        StepProgress.objects.select_for_update()
        .filter(municipality=municipality, step=step)
        .first()
    )
    if token is not None and token != progress_token(progress):
        raise ProgressConflict(_("A colleague saved this step while you were editing it."))
    progress = progress or StepProgress(municipality=municipality, step=step)
    items = len(step.checklist_items())
    progress.status = status
    progress.date = date
    progress.note = note
    progress.checked = sorted({int(i) for i in checked if 0 <= int(i) < items})
    progress.updated_by = user
    if evidence is not None:
        progress.evidence.save(evidence.name, ContentFile(evidence.content), save=False)
        progress.evidence_name = evidence_name[:200]
    progress.full_clean()
    progress.save()
    return progress


# --- learning paths ----------------------------------------------------------------------------


def weakest_domains(domains: Sequence[Any], *, has_targets: bool) -> list[Any]:
    """The domains furthest below their target (largest gap first, ties by lower score); without
    any target, the lowest-scoring domains. `domains` are the results' DomainResult rows."""
    scored = [d for d in domains if d.score is not None]
    if has_targets:
        behind = [d for d in scored if d.gap is not None and d.gap > 0]
        return sorted(behind, key=lambda d: (-d.gap, d.score))[:PATH_DOMAINS]
    return sorted(scored, key=lambda d: d.score)[:PATH_DOMAINS]


@dataclass
class PathDomain:
    domain: Any  # DomainResult
    steps: list[Resource]
    guides: list[Resource]
    case_studies: list[Resource]

    @property
    def empty(self) -> bool:
        return not (self.steps or self.guides or self.case_studies)


def _similar(resource: Resource, size: CommuneSize | None) -> bool:
    if size is None:
        return True
    if resource.project is not None:
        sizes = {CommuneSize.of(m.population) for m in resource.project.municipalities.all()}
        if sizes - {None}:
            return size in sizes
    return not resource.commune_sizes or size in resource.commune_sizes


# Steps the commune has settled leave its path.
SETTLED = (StepProgress.Status.DONE, StepProgress.Status.NOT_RELEVANT)


def learning_path(
    domains: Sequence[Any],
    candidates: Sequence[Resource],
    *,
    population: int | None,
    progress: dict[int, StepProgress],
) -> list[PathDomain]:
    """For each of `domains` (weakest first), its path through `candidates` (see the module),
    leaving out the steps the commune has done or found not relevant."""
    size = CommuneSize.of(population)
    settled = {pk for pk, row in progress.items() if row.status in SETTLED}
    path = []
    for domain in domains:
        tagged = [r for r in candidates if domain.code in (r.domains or []) and r.pk not in settled]
        guides = [r for r in tagged if r.kind == Kind.GUIDE]
        guides.sort(key=lambda r: not covers(r, domain.level))  # stable: list order kept
        cases = [r for r in tagged if r.kind == Kind.CASE_STUDY and _similar(r, size)]
        path.append(
            PathDomain(
                domain=domain,
                steps=[r for r in tagged if r.kind == Kind.METHOD_STEP],
                guides=guides[:PATH_GUIDES],
                case_studies=cases[:PATH_CASE_STUDIES],
            )
        )
    return path


def covers(resource: Resource, level: int | None) -> bool:
    """A resource helps at `level` when it names that level, or names none (every level)."""
    return not resource.levels or level is None or level in resource.levels


# Under a recommendation: what to do first, then how, then who did it.
KIND_ORDER: list[str] = [Kind.METHOD_STEP, Kind.GUIDE, Kind.TOOL, Kind.FAQ, Kind.CASE_STUDY]


def for_recommendation(
    candidates: Sequence[Resource], *, domain: str, level: int | None
) -> list[Resource]:
    found = [r for r in candidates if domain in (r.domains or []) and covers(r, level)]
    found.sort(key=lambda r: KIND_ORDER.index(r.kind))  # stable: the list's order within a kind
    return found[:RECOMMENDATION_RESOURCES]
