"""Ranking and selection of the applications to a call for projects (pure: NumPy and SciPy only).

The jury's consensus score per criterion is the input; evaluators' individual scores are not.

Weighted score
    weighted = 100 · Σ_c weight_c · score_c / max_score_c / Σ_c weight_c, so 0 to 100. Every
    criterion of the parameters must have a consensus score, between 0 and its max_score.

Exclusion
    An application whose score on a criterion is strictly below that criterion's threshold (raw
    score units) is excluded with reason = that criterion's code (the first in code order when
    several fail). Otherwise, one whose weighted score is strictly below the overall threshold
    (0–100 units) is excluded with reason "overall". Excluded applications have no rank.

Adjusted score
    adjusted = weighted × coefficient, coefficient = rurality[rurality_class] ×
    band[population_band]; a class or band absent from its table counts 1.0. Weighted and adjusted
    scores are rounded to 9 decimals so that ties are not decided by floating-point noise.

Rank (per envelope, among applications not excluded)
    adjusted score descending, then weighted (unadjusted) score descending, then requested amount
    ascending, then submission time ascending (ISO 8601; a time without offset is taken as UTC),
    then id ascending. The order is total, so ranks are 1, 2, 3, … without gaps.

Selection (per envelope; the grant is the requested amount, in cents)
    "ranked": walk the rank order and select each application whose grant fits the remaining
    budget; one that does not fit is skipped and the walk continues, so a smaller application
    further down may still be selected. Skipped applications head the reserve list, being better
    ranked than everything after them.
    "knapsack": exact 0/1 knapsack maximising the sum of adjusted scores within the budget, solved
    by `scipy.optimize.milp` (HiGHS, relative gap 0). Among optimal selections, a second solve
    keeps the optimum and maximises Σ (m − rank) over the selected (prefers better ranks); any tie
    left is decided by HiGHS, which is deterministic for the identical (canonically ordered) model.

Reserve
    Applications not excluded and not selected, in rank order within their envelope.
    `promote(result, freed)` walks the reserve with the freed budget, same skip-and-continue rule.

Checksum
    SHA-256 of `canonical_json()`: parameters, inputs and results, with every collection sorted,
    so identical inputs in any order give the identical checksum.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from typing import Literal, NoReturn

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp

Method = Literal["ranked", "knapsack"]
Status = Literal["selected", "reserve", "excluded"]
OVERALL = "overall"
_DECIMALS = 9


@dataclass(frozen=True)
class Criterion:
    """An evaluation criterion: its weight, its maximum score and an optional minimum score."""

    code: str
    weight: float
    max_score: float
    threshold: float | None = None


@dataclass(frozen=True)
class Application:
    """An application with the jury's consensus score per criterion code."""

    id: str
    envelope: str
    requested: int | Decimal
    consensus: Mapping[str, float]
    rurality_class: str
    population_band: str
    submitted_at: str


@dataclass(frozen=True)
class Parameters:
    """Criteria, territorial coefficients, thresholds, envelope budgets (cents) and method."""

    criteria: tuple[Criterion, ...]
    envelopes: Mapping[str, int | Decimal]
    rurality_coefficients: Mapping[str, float] = field(default_factory=dict)
    band_coefficients: Mapping[str, float] = field(default_factory=dict)
    overall_threshold: float | None = None
    method: Method = "ranked"


@dataclass(frozen=True)
class ApplicationResult:
    """The outcome for one application; rank and reserve_position are per envelope."""

    id: str
    envelope: str
    requested: int
    weighted: float
    coefficient: float
    adjusted: float
    status: Status
    rank: int | None
    reserve_position: int | None
    reason: str | None


@dataclass(frozen=True)
class Promotion:
    """A reserve application promoted in phase 2, with the envelope's budget left after it."""

    id: str
    envelope: str
    requested: int
    reserve_position: int
    remaining: int


@dataclass(frozen=True)
class RankingResult:
    """Per-application outcomes (sorted by envelope then rank, excluded last), and the checksum."""

    parameters: Parameters
    applications: tuple[Application, ...]
    results: tuple[ApplicationResult, ...]
    budgets_left: Mapping[str, int]
    checksum: str

    def by_id(self, application_id: str) -> ApplicationResult:
        """The outcome of one application."""
        for r in self.results:
            if r.id == application_id:
                return r
        raise KeyError(application_id)

    def selected(self, envelope: str) -> list[str]:
        """Ids selected in an envelope, in rank order."""
        return [r.id for r in self.results if r.envelope == envelope and r.status == "selected"]

    def reserve(self, envelope: str) -> list[str]:
        """Ids on an envelope's reserve list, in order."""
        return [r.id for r in self.results if r.envelope == envelope and r.status == "reserve"]

    def canonical_json(self) -> str:
        """The canonical JSON that the checksum hashes."""
        return _canonical_json(self.parameters, self.applications, self.results)


def _cents(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int | Decimal):
        raise ValueError(f"{what}: amount must be an int or Decimal of cents, got {value!r}")
    if isinstance(value, Decimal) and (not value.is_finite() or value != value.to_integral_value()):
        raise ValueError(f"{what}: amount must be a whole number of cents, got {value!r}")
    cents = int(value)
    if cents < 0:
        raise ValueError(f"{what}: amount must not be negative, got {cents}")
    return cents


def _finite(value: object, what: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float | Decimal):
        raise ValueError(f"{what}: must be a number, got {value!r}")
    number = float(value)
    if not math.isfinite(number):
        raise ValueError(f"{what}: must be finite, got {value!r}")
    return number


def _timestamp(value: str, what: str) -> float:
    try:
        moment = datetime.fromisoformat(value)
    except (TypeError, ValueError):
        raise ValueError(f"{what}: submitted_at is not ISO 8601: {value!r}") from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()


def _check_parameters(p: Parameters) -> tuple[list[Criterion], dict[str, int]]:
    if p.method not in ("ranked", "knapsack"):
        raise ValueError(f"parameters: unknown method {p.method!r}")
    if not p.criteria:
        raise ValueError("parameters: no criteria")
    criteria = sorted(p.criteria, key=lambda c: c.code)
    seen: set[str] = set()
    for c in criteria:
        where = f"criterion {c.code!r}"
        if c.code in seen:
            raise ValueError(f"{where}: duplicate code")
        seen.add(c.code)
        if _finite(c.weight, f"{where} weight") < 0:
            raise ValueError(f"{where}: negative weight {c.weight}")
        if _finite(c.max_score, f"{where} max_score") <= 0:
            raise ValueError(f"{where}: max_score must be positive, got {c.max_score}")
        if c.threshold is not None and not 0 <= _finite(c.threshold, f"{where} threshold") <= (
            c.max_score
        ):
            raise ValueError(f"{where}: threshold {c.threshold} outside 0..{c.max_score}")
    if sum(c.weight for c in criteria) <= 0:
        raise ValueError("parameters: the weights sum to zero")
    if (
        p.overall_threshold is not None
        and not 0 <= _finite(p.overall_threshold, "overall_threshold") <= 100
    ):
        raise ValueError(f"parameters: overall_threshold {p.overall_threshold} outside 0..100")
    for table, name in ((p.rurality_coefficients, "rurality"), (p.band_coefficients, "band")):
        for key, value in table.items():
            if _finite(value, f"{name} coefficient {key!r}") < 0:
                raise ValueError(f"{name} coefficient {key!r}: negative value {value}")
    budgets = {e: _cents(b, f"envelope {e!r} budget") for e, b in p.envelopes.items()}
    return criteria, budgets


def rank(parameters: Parameters, applications: Iterable[Application]) -> RankingResult:
    """Score, exclude, rank and select; raises ValueError naming the faulty input and where."""
    criteria, budgets = _check_parameters(parameters)
    apps = sorted(applications, key=lambda a: a.id)
    n = len(apps)
    for a, b in zip(apps, apps[1:], strict=False):
        if a.id == b.id:
            raise ValueError(f"application {a.id!r}: duplicate id")
    codes = [c.code for c in criteria]
    code_set = set(codes)
    nan = math.nan
    rows: list[list[float]] = []
    requested = np.empty(n, dtype=np.int64)
    submitted = np.empty(n, dtype=np.float64)
    for i, a in enumerate(apps):
        where = f"application {a.id!r}"
        unknown = a.consensus.keys() - code_set
        if unknown:
            raise ValueError(f"{where}: unknown criterion {sorted(unknown)[0]!r} in consensus")
        if a.envelope not in budgets:
            raise ValueError(f"{where}: envelope {a.envelope!r} has no budget")
        rows.append([a.consensus.get(code, nan) for code in codes])
        requested[i] = _cents(a.requested, f"{where} requested")
        submitted[i] = _timestamp(a.submitted_at, where)
    k = len(codes)
    try:
        scores = np.array(rows, dtype=np.float64).reshape(n, k)
    except (TypeError, ValueError):
        scores = None
    if scores is None or np.isnan(scores).any() or np.isinf(scores).any():
        _explain_bad_scores(apps, codes)
    maxima = np.array([c.max_score for c in criteria])
    bad = (scores < 0) | (scores > maxima)
    if bad.any():
        i, j = np.argwhere(bad)[0]
        raise ValueError(
            f"application {apps[i].id!r}: score {scores[i, j]} on criterion {codes[j]!r} "
            f"outside 0..{maxima[j]}"
        )

    weights = np.array([c.weight for c in criteria])
    weighted = np.round((scores / maxima) @ weights * (100.0 / weights.sum()), _DECIMALS)
    rurality = parameters.rurality_coefficients
    band = parameters.band_coefficients
    coefficient = np.array(
        [
            float(rurality.get(a.rurality_class, 1.0)) * float(band.get(a.population_band, 1.0))
            for a in apps
        ]
    )
    adjusted = np.round(weighted * coefficient, _DECIMALS)

    reason: list[str | None] = [None] * n
    thresholds = np.array([nan if c.threshold is None else c.threshold for c in criteria])
    failing = scores < thresholds  # NaN thresholds compare False
    for i in map(int, np.flatnonzero(failing.any(axis=1))):
        reason[i] = codes[int(np.argmax(failing[i]))]
    if parameters.overall_threshold is not None:
        for i in map(int, np.flatnonzero(weighted < parameters.overall_threshold)):
            if reason[i] is None:
                reason[i] = OVERALL
    eligible = np.array([r is None for r in reason], dtype=bool)

    envelope_names = sorted(budgets)
    envelope_index = {e: j for j, e in enumerate(envelope_names)}
    envelope = np.array([envelope_index[a.envelope] for a in apps], dtype=np.int64)
    # lexsort: last key is primary. Apps are sorted by id, so the index breaks the final tie.
    order = np.lexsort((np.arange(n), submitted, requested, -weighted, -adjusted, envelope))
    order = order[eligible[order]]

    ranks = np.zeros(n, dtype=np.int64)
    selected = np.zeros(n, dtype=bool)
    budgets_left: dict[str, int] = {}
    for j, name in enumerate(envelope_names):
        members = order[envelope[order] == j]
        ranks[members] = np.arange(1, len(members) + 1)
        if parameters.method == "ranked":
            chosen = _select_ranked(requested[members], budgets[name])
        else:
            chosen = _select_knapsack(adjusted[members], requested[members], budgets[name])
        selected[members[chosen]] = True
        budgets_left[name] = budgets[name] - int(requested[members[chosen]].sum())

    results: list[ApplicationResult] = []
    columns = (requested, weighted, coefficient, adjusted)
    for j in range(len(envelope_names)):
        position = 0
        for i in order[envelope[order] == j]:
            if selected[i]:
                status: Status = "selected"
                slot = None
            else:
                status, position = "reserve", position + 1
                slot = position
            results.append(_result(apps[i], i, status, int(ranks[i]), slot, None, *columns))
    for i in map(int, np.flatnonzero(~eligible)):
        results.append(_result(apps[i], i, "excluded", None, None, reason[i], *columns))
    results.sort(key=lambda r: (r.envelope, r.status == "excluded", r.rank or 0, r.id))
    frozen_results = tuple(results)
    return RankingResult(
        parameters=parameters,
        applications=tuple(apps),
        results=frozen_results,
        budgets_left=budgets_left,
        checksum=hashlib.sha256(
            _canonical_json(parameters, tuple(apps), frozen_results).encode("utf-8")
        ).hexdigest(),
    )


def _result(
    app: Application,
    i: int,
    status: Status,
    rank_: int | None,
    reserve_position: int | None,
    reason: str | None,
    requested: np.ndarray,
    weighted: np.ndarray,
    coefficient: np.ndarray,
    adjusted: np.ndarray,
) -> ApplicationResult:
    return ApplicationResult(
        id=app.id,
        envelope=app.envelope,
        requested=int(requested[i]),
        weighted=float(weighted[i]),
        coefficient=float(coefficient[i]),
        adjusted=float(adjusted[i]),
        status=status,
        rank=rank_,
        reserve_position=reserve_position,
        reason=reason,
    )


def _explain_bad_scores(apps: list[Application], codes: list[str]) -> NoReturn:
    """Raise the ValueError for the first missing or non-numeric consensus score."""
    for a in apps:
        for code in codes:
            where = f"application {a.id!r} criterion {code!r}"
            if code not in a.consensus:
                raise ValueError(f"{where}: missing consensus score")
            _finite(a.consensus[code], f"{where} score")
    raise ValueError("consensus scores: not numeric")  # pragma: no cover - defensive


def _select_ranked(requested: np.ndarray, budget: int) -> np.ndarray:
    """Indices (into rank order) taken by skip-and-continue within the budget."""
    chosen: list[int] = []
    remaining = budget
    for i, amount in enumerate(requested.tolist()):
        if amount <= remaining:
            chosen.append(i)
            remaining -= amount
    return np.array(chosen, dtype=np.int64)


def _select_knapsack(adjusted: np.ndarray, requested: np.ndarray, budget: int) -> np.ndarray:
    """Indices (into rank order) of an exact 0/1 knapsack optimum, ties to better ranks."""
    m = len(adjusted)
    fits = np.flatnonzero(requested <= budget)
    if len(fits) == 0:
        return fits
    if int(requested[fits].sum()) <= budget:
        return fits
    value = adjusted[fits]
    cost = requested[fits].astype(np.float64)
    options = {"mip_rel_gap": 0.0, "presolve": True}
    capacity = LinearConstraint(cost[np.newaxis, :], -np.inf, float(budget))
    first = milp(
        -value,
        constraints=[capacity],
        integrality=np.ones(len(fits)),
        bounds=Bounds(0, 1),
        options=options,
    )
    if not first.success:
        raise RuntimeError(f"knapsack: HiGHS failed: {first.message}")
    best = float(value @ np.round(first.x))
    tolerance = 1e-9 * max(1.0, abs(best))
    keep_best = LinearConstraint(value[np.newaxis, :], best - tolerance, np.inf)
    preference = (m - fits).astype(np.float64)  # rank order: earlier index = better rank
    second = milp(
        -preference,
        constraints=[capacity, keep_best],
        integrality=np.ones(len(fits)),
        bounds=Bounds(0, 1),
        options=options,
    )
    x = second.x if second.success else first.x
    return fits[np.round(x) > 0.5]


def promote(result: RankingResult, freed: Mapping[str, int | Decimal]) -> tuple[Promotion, ...]:
    """Phase 2: walk each envelope's reserve in order, promoting every one that fits the freed
    budget (skip and continue). `freed` maps envelope to freed cents."""
    envelopes = {r.envelope for r in result.results} | set(result.budgets_left)
    promotions: list[Promotion] = []
    for name in sorted(freed):
        if name not in envelopes:
            raise ValueError(f"freed budget: unknown envelope {name!r}")
        remaining = _cents(freed[name], f"freed budget of envelope {name!r}")
        for r in result.results:
            if r.envelope == name and r.status == "reserve" and r.requested <= remaining:
                remaining -= r.requested
                assert r.reserve_position is not None
                promotions.append(Promotion(r.id, name, r.requested, r.reserve_position, remaining))
    return tuple(promotions)


def _canonical_json(
    parameters: Parameters,
    applications: tuple[Application, ...],
    results: tuple[ApplicationResult, ...],
) -> str:
    document = {
        "parameters": {
            "criteria": [
                [
                    c.code,
                    float(c.weight),
                    float(c.max_score),
                    None if c.threshold is None else float(c.threshold),
                ]
                for c in sorted(parameters.criteria, key=lambda c: c.code)
            ],
            "envelopes": {e: int(b) for e, b in parameters.envelopes.items()},
            "rurality_coefficients": {
                k: float(v) for k, v in parameters.rurality_coefficients.items()
            },
            "band_coefficients": {k: float(v) for k, v in parameters.band_coefficients.items()},
            "overall_threshold": None
            if parameters.overall_threshold is None
            else float(parameters.overall_threshold),
            "method": parameters.method,
        },
        "applications": [
            [
                a.id,
                a.envelope,
                int(a.requested),
                {k: float(v) for k, v in a.consensus.items()},
                a.rurality_class,
                a.population_band,
                a.submitted_at,
            ]
            for a in sorted(applications, key=lambda a: a.id)
        ],
        "results": [
            [
                r.id,
                r.envelope,
                r.requested,
                r.weighted,
                r.coefficient,
                r.adjusted,
                r.status,
                r.rank,
                r.reserve_position,
                r.reason,
            ]
            for r in sorted(results, key=lambda r: r.id)
        ],
    }
    return json.dumps(
        document, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )
