"""What the methodology page and the weighting report page of an edition show, read from its
frozen data: the options the statistics used (``data["statistics"]``), the weighting report
(``data["weighting"]``) and counts of the cells by reliability flag and reason for withholding.

A revision published before these were recorded has neither key: its pages say so rather than
guess, except for the interval method, which every result row names in its ``method`` column.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_

from smartregion.observatory import queries

CI_METHOD_NAMES = {
    "korn-graubard": N_("Korn–Graubard (Clopper–Pearson with effective sample size)"),
    "wilson": N_("Wilson score with effective sample size"),
    "t": N_("Student t"),
    "normal": N_("normal approximation"),
    "logit": N_("Student t on the logit scale"),
}
CI_METHODS = tuple(CI_METHOD_NAMES)
RULE_LABELS = {
    ("proportion", "unpublished", "min_planned_effective_n"): N_(
        "Shares: not published below this planned effective sample size (respondents / (1 −"
        " respondents / communes), whatever the answers)"
    ),
    ("proportion", "caution", "min_effective_n"): N_(
        "Shares: use with caution below this effective sample size"
    ),
    ("proportion", "caution", "max_ci_width"): N_(
        "Shares: use with caution when the interval is at least this wide (absolute)"
    ),
    ("proportion", "unpublished", "min_effective_n"): N_(
        "Shares: not published below this effective sample size"
    ),
    ("proportion", "unpublished", "max_ci_width"): N_(
        "Shares: not published when the interval is at least this wide (absolute)"
    ),
    ("proportion", "caution", "min_df"): N_(
        "Shares: use with caution below these design degrees of freedom"
    ),
    ("proportion", "caution", "max_cv"): N_(
        "Shares: use with caution above this coefficient of variation"
    ),
    ("proportion", "caution", "variance_fallback"): N_(
        "Shares: use with caution when the zero-variance fallback gave the interval"
    ),
    ("proportion", "caution", "relative_width_above_ci_width"): N_(
        "Shares: the relative width is judged when the interval is wider than this"
    ),
    ("proportion", "caution", "max_relative_ci_width"): N_(
        "Shares: use with caution when the interval is wider than this multiple of the share"
    ),
    ("proportion", "caution", "relative_width_of_complement"): N_(
        "Shares: the relative width is also judged against the complement (1 − share)"
    ),
    ("mean", "unpublished", "min_effective_n"): N_(
        "Means: not published below this effective sample size"
    ),
    ("mean", "unpublished", "max_cv"): N_(
        "Means: not published above this coefficient of variation"
    ),
    ("mean", "caution", "min_df"): N_(
        "Means: use with caution below these design degrees of freedom"
    ),
    ("mean", "caution", "max_cv"): N_(
        "Means: use with caution above this coefficient of variation"
    ),
    ("mean", "caution", "variance_fallback"): N_(
        "Means: use with caution when the zero-variance fallback gave the interval"
    ),
}
SUPPRESSION_REASONS = {
    "respondents": N_("fewer respondents than the minimum"),
    "dominance": N_("dominance (confidential question)"),
    "reliability": N_("not reliable enough to publish"),
    "complementary": N_("complementary suppression"),
}
FLAGS = {
    "reliable": N_("reliable"),
    "caution": N_("use with caution"),
    "unpublished": N_("not published"),
}


def ci_method_of(data: dict[str, Any]) -> str | None:
    """The interval method of the proportions: recorded with the options, else read from the
    ``method`` column (``estimator/method``) when every result row names the same one."""
    recorded = (data.get("statistics") or {}).get("ci_method")
    if recorded:
        return recorded
    named = {
        row["method"].rsplit("/", 1)[-1]
        for row in data.get("results", [])
        if row.get("method") and not row.get("suppressed")
    }
    return named.pop() if len(named) == 1 else None


@dataclass(frozen=True)
class RuleItem:
    key: str
    label: str
    value: Any


def reliability_rule(data: dict[str, Any]) -> list[RuleItem]:
    """The thresholds of the reliability rule exactly as recorded (``reliability.RELIABILITY_RULE``:
    kind → level → threshold), each with what it means; known ones in RULE_LABELS order, then
    any other by name (PostgreSQL's jsonb keeps no key order)."""
    rule = (data.get("statistics") or {}).get("reliability_rule") or {}
    found: dict[tuple[str, ...], Any] = {}
    for kind, levels in rule.items():
        if not isinstance(levels, dict):
            continue  # "source" and the effective-n formula are shown beside the table
        for level, thresholds in levels.items():
            if isinstance(thresholds, dict):
                for key, value in thresholds.items():
                    found[(kind, level, key)] = value
    known = list(RULE_LABELS)
    keys = sorted(found, key=lambda key: (known.index(key) if key in known else len(known), key))
    return [
        RuleItem(".".join(key), _(RULE_LABELS[key]) if key in RULE_LABELS else "", found[key])
        for key in keys
    ]


@dataclass(frozen=True)
class CellCounts:
    total: int
    published: int
    caution: int
    withheld: int
    reasons: list[tuple[str, int]]
    """(translated reason, cells) for each reason found, in the order of SUPPRESSION_REASONS."""


def cell_counts(data: dict[str, Any]) -> CellCounts:
    results = data.get("results", [])
    withheld = [row for row in results if row.get("suppressed")]
    found = Counter(row.get("suppression") or "respondents" for row in withheld)
    reasons = [
        (_(label), found[reason]) for reason, label in SUPPRESSION_REASONS.items() if found[reason]
    ]
    caution = sum(
        1 for row in results if not row.get("suppressed") and row.get("flag") == "caution"
    )
    return CellCounts(len(results), len(results) - len(withheld), caution, len(withheld), reasons)


EXAMPLE_COLUMNS = (
    "question", "category", "breakdown", "base", "kind", "estimate", "se", "ci_low", "ci_high",
    "respondents", "population", "strata", "df", "n_effective", "deff", "cv", "ci_width",
    "variance_fallback", "flag", "method",
)  # fmt: skip


def example_cell(data: dict[str, Any]) -> list[tuple[str, Any]]:
    """A published share of all communes, column by column, to follow the formulas on (the
    first such row of the results table; none when every share is withheld)."""
    row = next(
        (
            row
            for row in data.get("results", [])
            if row.get("kind") == "proportion"
            and row.get("breakdown") == "all"
            and not row.get("suppressed")
            and row.get("estimate") not in (None, 0, 1)
        ),
        None,
    )
    if row is None:
        return []
    return [(name, row[name]) for name in EXAMPLE_COLUMNS if name in row]


@dataclass(frozen=True)
class WeightingCell:
    label: str
    provinces: list[str]
    classes: list[str]
    population: int
    respondents: int
    weight: float | None
    weight_min: float | None
    weight_max: float | None
    pooled: bool


@dataclass(frozen=True)
class WeightingReport:
    raked: bool
    trim: float | None
    min_weighting_cell: int | None
    respondents: int | None
    population: int | None
    weights: dict[str, float]
    kish: float | None
    effective_respondents: float | None
    trimmed: int | None
    cells: list[WeightingCell]

    @property
    def pooled(self) -> int:
        return sum(1 for cell in self.cells if cell.pooled)


def weighting_report(data: dict[str, Any], language: str) -> WeightingReport | None:
    """The weighting report with group names in `language` (None before it was recorded)."""
    report = data.get("weighting")
    if not report:
        return None
    provinces = queries.group_labels(data, "province", language)
    classes = queries.group_labels(data, "population_class", language)
    cells = [_cell(cell, provinces, classes) for cell in report.get("cells", [])]
    return WeightingReport(
        raked=bool(report.get("raked")),
        trim=report.get("trim"),
        min_weighting_cell=report.get("min_weighting_cell"),
        respondents=report.get("respondents"),
        population=report.get("population"),
        weights=report.get("weights") or {},
        kish=report.get("kish"),
        effective_respondents=report.get("effective_respondents"),
        trimmed=report.get("trimmed"),
        cells=cells,
    )


def _cell(cell: dict[str, Any], provinces: dict, classes: dict) -> WeightingCell:
    population, respondents = cell.get("population") or 0, cell.get("respondents") or 0
    province_codes, class_codes = cell.get("provinces") or [], cell.get("classes") or []
    return WeightingCell(
        label=cell.get("label") or "",
        provinces=[provinces.get(code, code) for code in province_codes],
        classes=[classes.get(code, code) for code in class_codes],
        population=population,
        respondents=respondents,
        weight=population / respondents if respondents else None,
        weight_min=cell.get("weight_min"),
        weight_max=cell.get("weight_max"),
        pooled=len(province_codes) * len(class_codes) > 1,
    )
