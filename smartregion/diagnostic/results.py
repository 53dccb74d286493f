"""The results of a submitted diagnostic, as one view model for the page, the PDF and the exports.

Built from the frozen result stored at submission (scores never change afterwards), the commune's
targets, its answers (recommendation rules look at specific answers) and the peer groups. Texts
are picked in one language here, so templates only lay things out. A fixed number of queries:
the diagnostic, answers, targets, four for the peer groups and two for the history.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.urls import NoReverseMatch, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from smartregion.instruments.definition import Dimension, Instrument, Recommendation
from smartregion.instruments.models import InstrumentVersion
from smartregion.instruments.scoring import score, triggered_recommendations
from smartregion.territory.models import Municipality

from . import charts
from .benchmark import MIN_PEERS, Spread
from .models import Diagnostic, DomainScore
from .queries import PeerGroup, history, peer_groups
from .services import INSTRUMENT_SLUG, answers_of

STRENGTH_COUNT = 2


@dataclass(frozen=True)
class DomainResult:
    code: str
    name: str
    description: str
    score: float | None
    level: int | None
    descriptor: str
    target: int | None
    gap: int | None  # target level − level; None without a target or a level
    gap_text: str
    coverage: float | None
    answered: int
    applicable: int
    dont_know: int
    not_applicable: int
    peer_median: float | None


@dataclass(frozen=True)
class LinkView:
    text: str
    href: str | None  # None: the page does not exist (yet), show the text alone


@dataclass(frozen=True)
class RecommendationView:
    code: str
    priority: int
    dimension: str
    dimension_name: str
    title: str
    text: str
    links: tuple[LinkView, ...]


@dataclass(frozen=True)
class PeerRow:
    name: str
    own: float | None
    spread: Spread | None


@dataclass(frozen=True)
class PeerView:
    kind: str
    title: str
    label: str
    count: int
    enough: bool
    rows: tuple[PeerRow, ...]
    not_enough_text: str


@dataclass(frozen=True)
class HistoryEntry:
    pk: int
    year: int
    submitted_at: Any
    is_demo: bool
    is_current: bool
    overall: float | None
    overall_level: int | None
    scores: tuple[float | None, ...]  # in the instrument's domain order


@dataclass
class ResultsView:
    diagnostic: Diagnostic
    instrument: Instrument
    language: str
    instrument_title: str
    domains: list[DomainResult]
    strengths: list[DomainResult]
    gaps: list[DomainResult]
    strengths_by_target: bool
    recommendations: list[RecommendationView]
    peers: list[PeerView]
    peer_reference: PeerView | None
    history: list[HistoryEntry]
    chart: charts.BarChart
    history_chart: charts.BarChart
    targets: dict[str, int] = field(default_factory=dict)
    answers: dict[str, Any] = field(default_factory=dict)

    @property
    def overall(self) -> float | None:
        return self.diagnostic.overall_score

    @property
    def overall_level(self) -> int | None:
        return self.diagnostic.overall_level

    @property
    def coverage(self) -> float | None:
        return self.diagnostic.coverage

    @property
    def has_targets(self) -> bool:
        return bool(self.targets)


def diagnostic_for_results(pk: int) -> Diagnostic | None:
    """The diagnostic with everything the results need from its own row's relations."""
    return (
        Diagnostic.objects.select_related(
            "municipality__province", "municipality__population_class", "instrument_version"
        )
        .filter(pk=pk)
        .first()
    )


def build_results(diagnostic: Diagnostic, language: str) -> ResultsView:
    """The view model of a submitted diagnostic in `language` (texts fall back to French); its
    sentences (gaps, peers) are in that language too, whatever language is active."""
    with translation.override((language or "fr")[:2]):
        return _build_results(diagnostic, language)


def _build_results(diagnostic: Diagnostic, language: str) -> ResultsView:
    instrument = diagnostic.instrument_version.instrument
    lang = (language or "fr")[:2]
    answers = answers_of(diagnostic)
    targets = dict(diagnostic.targets.values_list("dimension", "level"))
    groups = [_peer_view(group, diagnostic, instrument, lang) for group in peer_groups(diagnostic)]
    reference = next((group for group in groups if group.enough), None)
    medians = _medians(reference, instrument)
    domains = [
        _domain(dim, diagnostic, targets, medians.get(dim.code), lang)
        for dim in instrument.dimensions
    ]
    strengths, gaps, by_target = _strengths_and_gaps(domains, targets)
    rescored = score(instrument, answers)
    fired = triggered_recommendations(instrument, rescored, answers, targets or None)
    entries = _history(diagnostic, instrument)
    return ResultsView(
        diagnostic=diagnostic,
        instrument=instrument,
        language=lang,
        instrument_title=Instrument.text(instrument.title, lang),
        domains=domains,
        strengths=strengths,
        gaps=gaps,
        strengths_by_target=by_target,
        recommendations=[_recommendation(r, instrument, lang) for r in fired],
        peers=groups,
        peer_reference=reference,
        history=entries,
        chart=_domain_chart(domains, reference, instrument),
        history_chart=_history_chart(entries, instrument),
        targets=targets,
        answers=answers,
    )


def _domain(
    dim: Dimension,
    diagnostic: Diagnostic,
    targets: dict[str, int],
    peer_median: float | None,
    lang: str,
) -> DomainResult:
    stored = diagnostic.result.get("dimensions", {}).get(dim.code, {})
    level = stored.get("level")
    target = targets.get(dim.code)
    gap = target - level if target is not None and level is not None else None
    return DomainResult(
        code=dim.code,
        name=Instrument.text(dim.text, lang),
        description=Instrument.text(dim.description, lang) if dim.description else "",
        score=stored.get("score"),
        level=level,
        descriptor=Instrument.text(dim.levels[level - 1], lang) if level else "",
        target=target,
        gap=gap,
        gap_text=gap_text(target, gap, diagnostic.horizon_year),
        coverage=stored.get("coverage"),
        answered=stored.get("answered", 0),
        applicable=stored.get("applicable", 0),
        dont_know=len(stored.get("dont_know", [])),
        not_applicable=len(stored.get("not_applicable", [])),
        peer_median=peer_median,
    )


def gap_text(target: int | None, gap: int | None, horizon_year: int | None) -> str:
    """“Target level 4 by 2028: 1 level to go”, “… reached”, or “No target set”."""
    if target is None:
        return _("No target set")
    if horizon_year:
        head = _("Target level %(level)d by %(year)d") % {"level": target, "year": horizon_year}
    else:
        head = _("Target level %(level)d") % {"level": target}
    if gap is None:
        return head
    if gap <= 0:
        return _("%(target)s: reached") % {"target": head}
    tail = ngettext("%(count)d level to go", "%(count)d levels to go", gap) % {"count": gap}
    return f"{head}: {tail}"


def _strengths_and_gaps(
    domains: list[DomainResult], targets: dict[str, int]
) -> tuple[list[DomainResult], list[DomainResult], bool]:
    """With targets: domains at or above their target, and those below (largest gap first).

    Without: the highest and the lowest scoring domains, never the same domain in both lists.
    """
    scored = [d for d in domains if d.score is not None]
    if targets:
        judged = [d for d in scored if d.gap is not None]
        strengths = sorted((d for d in judged if d.gap <= 0), key=lambda d: -d.score)
        gaps = sorted((d for d in judged if d.gap > 0), key=lambda d: (-d.gap, d.score))
        return strengths, gaps, True
    ordered = sorted(scored, key=lambda d: (-d.score, d.code))
    count = min(STRENGTH_COUNT, len(ordered) // 2)
    return ordered[:count], list(reversed(ordered[len(ordered) - count :])), False


def _recommendation(
    recommendation: Recommendation, instrument: Instrument, lang: str
) -> RecommendationView:
    return RecommendationView(
        code=recommendation.code,
        priority=recommendation.priority,
        dimension=recommendation.dimension,
        dimension_name=Instrument.text(instrument.dimension(recommendation.dimension).text, lang),
        title=Instrument.text(recommendation.title, lang),
        text=Instrument.text(recommendation.text, lang),
        links=tuple(
            LinkView(text=Instrument.text(link.text, lang) or link.url or "", href=_href(link))
            for link in recommendation.links
        ),
    )


def _href(link: Any) -> str | None:
    if link.url:
        return link.url
    try:
        return reverse(link.route)
    except NoReverseMatch:  # a page a later part of the platform will add
        return None


def _peer_view(
    group: PeerGroup, diagnostic: Diagnostic, instrument: Instrument, lang: str
) -> PeerView:
    if group.kind == "population_class":
        title = _("Communes of the same size")
    else:
        title = _("Communes of the same province")
    own = diagnostic.result.get("dimensions", {})
    enough = group.dimensions is not None
    rows: list[PeerRow] = []
    if enough:
        rows = [
            PeerRow(
                name=Instrument.text(dim.text, lang),
                own=own.get(dim.code, {}).get("score"),
                spread=group.dimensions.get(dim.code),
            )
            for dim in instrument.dimensions
        ]
        rows.append(PeerRow(_("Overall"), diagnostic.overall_score, group.overall))
    not_enough = ngettext(
        "Not enough peers yet: %(count)d other commune in this group has submitted a diagnostic; "
        "the comparison is shown from %(minimum)d on.",
        "Not enough peers yet: %(count)d other communes in this group have submitted a "
        "diagnostic; the comparison is shown from %(minimum)d on.",
        group.count,
    ) % {"count": group.count, "minimum": MIN_PEERS}
    return PeerView(
        kind=group.kind,
        title=title,
        label=group.label,
        count=group.count,
        enough=enough,
        rows=tuple(rows),
        not_enough_text="" if enough else not_enough,
    )


def _medians(reference: PeerView | None, instrument: Instrument) -> dict[str, float]:
    if reference is None:
        return {}
    return {
        dim.code: row.spread.median
        for dim, row in zip(instrument.dimensions, reference.rows, strict=False)
        if row.spread is not None
    }


def _history(diagnostic: Diagnostic, instrument: Instrument) -> list[HistoryEntry]:
    """The commune's submitted diagnostics up to this one, oldest first."""
    entries = []
    for earlier in history(diagnostic):
        if earlier.submitted_at and earlier.submitted_at > diagnostic.submitted_at:
            continue
        by_code = {s.dimension: s.score for s in earlier.scores.all()}
        entries.append(
            HistoryEntry(
                pk=earlier.pk,
                year=earlier.year,
                submitted_at=earlier.submitted_at,
                is_demo=earlier.is_demo,
                is_current=earlier.pk == diagnostic.pk,
                overall=earlier.overall_score,
                overall_level=earlier.overall_level,
                scores=tuple(by_code.get(dim.code) for dim in instrument.dimensions),
            )
        )
    return entries


def _domain_chart(
    domains: list[DomainResult], reference: PeerView | None, instrument: Instrument
) -> charts.BarChart:
    spreads = {}
    if reference is not None:
        spreads = {
            dim.code: row.spread
            for dim, row in zip(instrument.dimensions, reference.rows, strict=False)
        }
    inputs = []
    for domain in domains:
        spread = spreads.get(domain.code)
        inputs.append(
            charts.BarInput(
                label=domain.name,
                score=domain.score,
                target_level=domain.target,
                peer_median=spread.median if spread else None,
                peer_q1=spread.q1 if spread else None,
                peer_q3=spread.q3 if spread else None,
            )
        )
    return charts.bar_chart(inputs, instrument.scoring.level_thresholds)


def _history_chart(entries: list[HistoryEntry], instrument: Instrument) -> charts.BarChart:
    inputs = [charts.BarInput(label=str(entry.year), score=entry.overall) for entry in entries]
    return charts.bar_chart(inputs, instrument.scoring.level_thresholds)


# ---------------------------------------------------------------------------------------------
# Staff overview
# ---------------------------------------------------------------------------------------------

LEVELS = (1, 2, 3, 4, 5)


@dataclass(frozen=True)
class LevelRow:
    """How many communes sit at each level 1–5 in one domain (or overall)."""

    name: str
    counts: tuple[int, ...]
    total: int


@dataclass(frozen=True)
class GroupDistribution:
    label: str
    communes: int
    with_result: int
    rows: tuple[LevelRow, ...]  # domains, then the overall level


@dataclass(frozen=True)
class CommuneLine:
    municipality: Any
    latest: dict[str, Any] | None  # the latest diagnostic of any status, as a values() row


@dataclass
class Overview:
    instrument_title: str
    communes_with_result: int
    submitted: int
    drafts: int
    published: int
    demo: int
    distribution: tuple[LevelRow, ...]
    by_province: list[GroupDistribution]
    by_population_class: list[GroupDistribution]
    communes: list[CommuneLine]


def build_overview(region_refnis: str, language: str) -> Overview | None:
    """Counts and level distributions over the latest submitted diagnostic of each commune.

    Four queries whatever the number of communes or diagnostics: the current instrument version,
    every diagnostic's summary row, the domain levels of the latest ones, and the communes.
    """
    version = InstrumentVersion.objects.filter(slug=INSTRUMENT_SLUG).order_by("-version").first()
    if version is None:
        return None
    instrument, lang = version.instrument, (language or "fr")[:2]
    rows = list(
        Diagnostic.objects.order_by("municipality_id", "-created_at", "-pk").values(
            "pk",
            "municipality_id",
            "instrument_version_id",
            "year",
            "status",
            "overall_level",
            "overall_score",
            "submitted_at",
            "is_demo",
            "is_published",
        )
    )
    latest_any: dict[int, dict[str, Any]] = {}
    latest_result: dict[int, dict[str, Any]] = {}
    for row in rows:
        latest_any.setdefault(row["municipality_id"], row)
    results = [
        row
        for row in rows
        if row["status"] == Diagnostic.Status.SUBMITTED
        and row["instrument_version_id"] == version.pk
    ]
    for row in sorted(results, key=lambda r: (r["submitted_at"], r["pk"]), reverse=True):
        latest_result.setdefault(row["municipality_id"], row)
    levels: dict[int, dict[str, int | None]] = {m: {} for m in latest_result}
    by_diagnostic = {row["pk"]: m for m, row in latest_result.items()}
    for diagnostic_id, dimension, level in DomainScore.objects.filter(
        diagnostic_id__in=list(by_diagnostic)
    ).values_list("diagnostic_id", "dimension", "level"):
        levels[by_diagnostic[diagnostic_id]][dimension] = level
    for municipality_id, row in latest_result.items():
        levels[municipality_id]["__overall__"] = row["overall_level"]
    municipalities = list(
        Municipality.objects.current()
        .filter(region__refnis=region_refnis)
        .select_related("province", "population_class")
        .order_by("sort_fr")
    )
    names = [(d.code, Instrument.text(d.text, lang)) for d in instrument.dimensions]
    names.append(("__overall__", _("Overall level")))
    submitted = [r for r in rows if r["status"] == Diagnostic.Status.SUBMITTED]
    return Overview(
        instrument_title=f"{Instrument.text(instrument.title, lang)} {version.version}",
        communes_with_result=len({r["municipality_id"] for r in submitted}),
        submitted=len(submitted),
        drafts=sum(1 for r in rows if r["status"] == Diagnostic.Status.DRAFT),
        published=sum(1 for r in rows if r["is_published"]),
        demo=sum(1 for r in rows if r["is_demo"]),
        distribution=_distribution(names, levels.values()),
        by_province=_groups(municipalities, levels, names, lambda m: m.province),
        by_population_class=_groups(municipalities, levels, names, lambda m: m.population_class),
        communes=[CommuneLine(m, latest_any.get(m.pk)) for m in municipalities],
    )


def _distribution(names: list[tuple[str, str]], levels: Any) -> tuple[LevelRow, ...]:
    levels = list(levels)
    result = []
    for code, name in names:
        counts = tuple(sum(1 for lv in levels if lv.get(code) == level) for level in LEVELS)
        result.append(LevelRow(name=name, counts=counts, total=sum(counts)))
    return tuple(result)


def _groups(
    municipalities: list[Any], levels: dict[int, dict], names, key
) -> list[GroupDistribution]:
    groups: dict[Any, list[Any]] = {}
    for municipality in municipalities:
        group = key(municipality)
        if group is not None:
            groups.setdefault(group, []).append(municipality)
    return [
        GroupDistribution(
            label=str(group),
            communes=len(members),
            with_result=sum(1 for m in members if m.pk in levels),
            rows=_distribution(names, (levels[m.pk] for m in members if m.pk in levels)),
        )
        for group, members in sorted(groups.items(), key=lambda item: _group_order(item[0]))
    ]


def _group_order(group: Any) -> tuple[int, str]:
    """Provinces by code, population classes from the smallest up."""
    return (getattr(group, "min_population", 0), getattr(group, "refnis", ""))
