"""Survey estimates for the barometer: stratified estimators with finite population correction.

Pure: no Django, no I/O. Polars rather than NumPy because the work is group-bys and joins over
long-format answers (one row per commune × question × selected option): Polars does them in
native, multi-threaded code without us factorising keys by hand, and scales from 261 communes to
100,000 municipalities without changing the code.

Method (also the methodology note of an edition)
------------------------------------------------
Population: the communes of the frame (N). Strata h: province × population class (N_h communes).
Respondents to a question inside a stratum are treated as a simple random sample of the stratum's
communes (n_h = communes that answered *that* question: item non-response is handled per question).
Each respondent weighs w_h = N_h / n_h (post-stratified weight; the weights of a question sum to N).

For a mean, or a proportion (the mean of a 0/1 indicator):

    estimate = Σ_h (N_h / N) ȳ_h
    variance = Σ_h (N_h / N)² (1 − n_h / N_h) s_h² / n_h

This is the stratified simple-random-sampling estimator with known stratum sizes; post-
stratification is treated conditionally on the achieved n_h (the usual approximation). The factor
(1 − n_h / N_h) is the finite population correction: a census (every commune answers) has SE 0.

Confidence intervals (``ci_method``), at ``confidence`` (default 0.95):
- ``"t"`` (default): estimate ± t(df) · SE, Student t with df = n − H (respondents minus strata
  after collapsing), the usual design degrees of freedom; bounds of proportions are clipped to
  [0, 1].
- ``"normal"``: estimate ± z · SE, clipped likewise.
- ``"logit"``: for proportions, the t interval computed on logit(p) and transformed back (always
  inside [0, 1]; what samplics and Stata's ``svy: proportion`` do); for means the t interval.
A proportion estimated at exactly 0 or 1 has SE 0 and a zero-width interval with every method:
report it with its respondent count.

"Don't know" and "not applicable" (``non_substantive`` codes) are separate categories: substantive
categories are proportions of the communes that gave a substantive answer (base "substantive"),
the non-substantive codes are proportions of all communes that answered the question (base
"answered"). For the substantive shares a "don't know" is thus treated like item non-response
(its stratum's substantive answers stand for it), so they keep a sampling error even when every
commune answered. A multiple-choice respondent who ticks options *and* "don't know" counts as
substantive. Numeric questions (``number``, ``scale``) give a mean over substantive answers.

Collapsing strata. A stratum is *short* when n_h < ``min_stratum`` (2) and n_h < N_h (a stratum
whose every commune answered is a census and needs no variance, even with one commune). Short
strata are merged, per question and per breakdown, never dropped:
1. within a province, a short group merges with an adjacent population class group (the one with
   fewer communes in the frame; on a tie, the smaller class), the lowest short class first, until
   no group is short or the province is a single group;
2. a province still short as a whole merges with the group, in another province, that has the
   fewest communes (ties: lowest province then class), until no group is short or one remains.
A merged group is one stratum: N_g, n_g and the pooled s_g² of its respondents.

Breakdowns (domains) "province=P" and "population_class=C" are estimated within the domain from
the strata inside it (they are unions of strata), the collapse being applied inside the domain.
Unweighted figures sit alongside: the respondents' plain share or mean, with
SE = sqrt((1 − n/N) s²/n) over the domain's n respondents and N communes.

Trends between two waves on shared questions and categories:
- "independent": difference of the two estimates, SE = sqrt(SE₁² + SE₂²) (two independent
  samples), t with df = min(df₁, df₂);
- "panel": the communes that answered the question in both waves (present in both frames); the
  stratified estimator above applied to the within-commune differences d = y₂ − y₁, strata from
  the second wave's frame restricted to the communes of both frames.

Suppression: a cell (question × category × breakdown) with fewer than ``min_cell`` (5)
respondents is flagged ``suppressed`` and its figures are null; a trend is suppressed when one of
its cells is (or, for the panel, when fewer than ``min_cell`` communes answered both waves).
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from statistics import NormalDist

import numpy as np
import polars as pl

SINGLE_CHOICE = "single_choice"
YES_NO = "yes_no"
MULTIPLE_CHOICE = "multiple_choice"
SCALE = "scale"
NUMBER = "number"
QUESTION_TYPES = (SINGLE_CHOICE, YES_NO, MULTIPLE_CHOICE, SCALE, NUMBER)
NUMERIC_TYPES = (SCALE, NUMBER)
NON_SUBSTANTIVE = ("dont_know", "not_applicable")
CI_METHODS = ("t", "normal", "logit")

SUBSTANTIVE = "substantive"
ANSWERED = "answered"
MEAN_CATEGORY = "mean"
ALL = "all"

RESULT_COLUMNS = [
    "question",
    "category",
    "breakdown",
    "base",
    "kind",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "respondents",
    "population",
    "unweighted",
    "unweighted_se",
    "suppressed",
    "strata",
    "df",
    "method",
]
TREND_COLUMNS = [
    "question",
    "category",
    "breakdown",
    "base",
    "kind",
    "comparison",
    "estimate_from",
    "estimate_to",
    "difference",
    "se",
    "ci_low",
    "ci_high",
    "respondents_from",
    "respondents_to",
    "suppressed",
    "df",
    "method",
]
_KEYS = ["question", "base", "category"]


@dataclass(frozen=True)
class Question:
    """What the engine needs to know of a question: its type and, optionally, its categories.

    ``categories`` lists every allowed value (options and non-substantive codes) in display
    order; empty means "the values observed", sorted. ``minimum`` and ``maximum`` bound the
    answers of a scale or a number (inclusive; None: unbounded).
    """

    code: str
    type: str
    categories: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None

    @property
    def numeric(self) -> bool:
        return self.type in NUMERIC_TYPES


@dataclass(frozen=True)
class Options:
    confidence: float = 0.95
    ci_method: str = "t"
    min_cell: int = 5
    min_stratum: int = 2
    non_substantive: tuple[str, ...] = NON_SUBSTANTIVE
    class_order: tuple[str, ...] | None = None
    """Population classes from smallest to largest (adjacency for collapsing); default: by the
    frame's smallest population in each class when it has a population column, else sorted."""

    def __post_init__(self) -> None:
        if not 0 < self.confidence < 1:
            raise ValueError(f"confidence must be between 0 and 1, not {self.confidence}")
        if self.ci_method not in CI_METHODS:
            raise ValueError(f"ci_method must be one of {CI_METHODS}, not {self.ci_method!r}")
        if self.min_cell < 1 or self.min_stratum < 2:
            raise ValueError("min_cell must be at least 1 and min_stratum at least 2")


@dataclass(frozen=True)
class StratumCount:
    """One stratum as the collapse rule sees it."""

    province: str
    class_rank: int
    population: int
    respondents: int


# ---------------------------------------------------------------------------------------------
# Collapsing


@dataclass
class _Group:
    members: list[int]
    province: str
    first_rank: int
    population: int
    respondents: int
    provinces: set[str] = field(default_factory=set)

    def absorb(self, other: _Group) -> None:
        self.members += other.members
        self.population += other.population
        self.respondents += other.respondents
        self.first_rank = min(self.first_rank, other.first_rank)
        self.provinces |= other.provinces


def _short(group: _Group, min_respondents: int) -> bool:
    return group.respondents < min_respondents and group.respondents < group.population


def collapse_strata(strata: Sequence[StratumCount], *, min_respondents: int = 2) -> list[int]:
    """The group of each stratum after the collapse rule (see the module docstring).

    Returns, for each stratum, the index of the first stratum of its group, so strata that share
    a value form one stratum for estimation.
    """
    provinces: dict[str, list[_Group]] = {}
    order = sorted(range(len(strata)), key=lambda i: (strata[i].province, strata[i].class_rank))
    for i in order:
        s = strata[i]
        provinces.setdefault(s.province, []).append(
            _Group([i], s.province, s.class_rank, s.population, s.respondents, {s.province})
        )
    for groups in provinces.values():
        _collapse_within_province(groups, min_respondents)
    groups = [g for p in sorted(provinces) for g in provinces[p]]
    _collapse_across_provinces(groups, min_respondents)
    labels = [0] * len(strata)
    for group in groups:
        first = min(group.members)
        for member in group.members:
            labels[member] = first
    return labels


def _collapse_within_province(groups: list[_Group], min_respondents: int) -> None:
    while len(groups) > 1:
        short = next((i for i, g in enumerate(groups) if _short(g, min_respondents)), None)
        if short is None:
            return
        neighbours = [j for j in (short - 1, short + 1) if 0 <= j < len(groups)]
        target = min(neighbours, key=lambda j: (groups[j].population, j))
        low, high = sorted((short, target))
        groups[low].absorb(groups.pop(high))


def _collapse_across_provinces(groups: list[_Group], min_respondents: int) -> None:
    while len(groups) > 1:
        short = next((i for i, g in enumerate(groups) if _short(g, min_respondents)), None)
        if short is None:
            return
        others = [
            j
            for j, g in enumerate(groups)
            if j != short and not (g.provinces & groups[short].provinces)
        ] or [j for j in range(len(groups)) if j != short]
        target = min(others, key=lambda j: (groups[j].population, j))
        low, high = sorted((short, target))
        groups[low].absorb(groups.pop(high))


# ---------------------------------------------------------------------------------------------
# Quantiles (no SciPy at run time: integer degrees of freedom have a closed-form t distribution)


@lru_cache(maxsize=4096)
def t_quantile(probability: float, df: int) -> float:
    """The ``probability`` quantile (> 0.5) of Student's t with ``df`` degrees of freedom.

    Exact up to 300 df: the closed form of the distribution for an integer df (Abramowitz &
    Stegun 26.7.3–4), inverted by bisection (df ≤ 10) or Newton's method from the Cornish–Fisher
    value; beyond, the Cornish–Fisher expansion (A&S 26.7.5), whose relative error is then below
    1e-12.
    """
    if df < 1:
        return math.inf
    z = NormalDist().inv_cdf(probability)
    if df > 300:
        return _cornish_fisher(z, df)
    target = 2 * probability - 1  # P(|T| < t)
    if df > 10:
        return _newton_t(target, df, _cornish_fisher(z, df))
    low, high = 0.0, math.pi / 2
    for _ in range(80):
        middle = (low + high) / 2
        if _t_central_mass(middle, df) < target:
            low = middle
        else:
            high = middle
    return math.sqrt(df) * math.tan((low + high) / 2)


def _newton_t(target: float, df: int, start: float) -> float:
    log_scale = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    t = start
    for _ in range(30):
        mass = _t_central_mass(math.atan(t / math.sqrt(df)), df)
        density = math.exp(log_scale - (df + 1) / 2 * math.log1p(t * t / df))
        step = (mass - target) / (2 * density)
        t -= step
        if abs(step) <= 1e-15 * t:
            break
    return t


def _t_central_mass(theta: float, df: int) -> float:
    """P(|T| < sqrt(df)·tan θ) for an integer df."""
    cos2 = math.cos(theta) ** 2
    series = 1.0 + float(np.cumprod(cos2 * _series_ratios(df)).sum())
    if df % 2 == 1:
        if df == 1:
            return 2 * theta / math.pi
        return (2 / math.pi) * (theta + math.sin(theta) * math.cos(theta) * series)
    return math.sin(theta) * series


@lru_cache(maxsize=1024)
def _series_ratios(df: int) -> np.ndarray:
    if df % 2 == 1:
        k = np.arange(1, (df - 1) // 2, dtype=np.float64)
        return (2 * k) / (2 * k + 1)
    k = np.arange(1, df // 2, dtype=np.float64)
    return (2 * k - 1) / (2 * k)


def _cornish_fisher(z: float, df: int) -> float:
    g1 = (z**3 + z) / 4
    g2 = (5 * z**5 + 16 * z**3 + 3 * z) / 96
    g3 = (3 * z**7 + 19 * z**5 + 17 * z**3 - 15 * z) / 384
    g4 = (79 * z**9 + 776 * z**7 + 1482 * z**5 - 1920 * z**3 - 945 * z) / 92160
    return z + g1 / df + g2 / df**2 + g3 / df**3 + g4 / df**4


def _quantile(options: Options, df: int | None) -> float:
    probability = 1 - (1 - options.confidence) / 2
    if options.ci_method == "normal":
        return NormalDist().inv_cdf(probability)
    if df is None or df < 1:
        return math.inf
    return t_quantile(probability, df)


# ---------------------------------------------------------------------------------------------
# Preparing a wave


@dataclass(frozen=True)
class _Wave:
    """A wave in the engine's shape: integer unit and stratum ids, answers split by base."""

    strata: pl.DataFrame  # stratum, province, population_class, class_rank, N
    units: pl.DataFrame  # refnis, unit, stratum
    bases: pl.DataFrame  # question, base, unit  (who is in each base)
    selections: pl.DataFrame  # question, base, category, unit  (0/1 indicators that are 1)
    values: pl.DataFrame  # question, unit, y  (numeric substantive answers)
    categories: pl.DataFrame  # question, base, category, kind, position
    questions: dict[str, Question]


def infer_questions(
    responses: pl.DataFrame, non_substantive: Iterable[str] = NON_SUBSTANTIVE
) -> dict[str, Question]:
    """Types from the answers: all substantive values numeric → ``number``; otherwise a choice,
    ``multiple_choice`` when some commune gave several values, else ``single_choice``."""
    special = list(non_substantive)
    summary = (
        responses.group_by("question")
        .agg(
            numeric=pl.col("value")
            .filter(~pl.col("value").is_in(special))
            .cast(pl.Float64, strict=False)
            .is_not_null()
            .all(),
            substantive=(~pl.col("value").is_in(special)).sum(),
            multiple=pl.col("refnis").is_duplicated().any(),
        )
        .sort("question")
    )
    inferred = {}
    for question, numeric, substantive, multiple in summary.iter_rows():
        if multiple:
            kind = MULTIPLE_CHOICE
        elif numeric and substantive > 0:
            kind = NUMBER
        else:
            kind = SINGLE_CHOICE
        inferred[question] = Question(question, kind)
    return inferred


def _class_order(frame: pl.DataFrame, options: Options) -> list[str]:
    present = frame.get_column("population_class").unique().to_list()
    if options.class_order is not None:
        unknown = sorted(set(present) - set(options.class_order))
        if unknown:
            raise ValueError(f"population classes missing from class_order: {unknown}")
        return list(options.class_order)
    if "population" in frame.columns:
        smallest = (
            frame.group_by("population_class")
            .agg(pl.col("population").min())
            .sort("population", "population_class")
        )
        return smallest.get_column("population_class").to_list()
    return sorted(present)


def _prepare_frame(frame: pl.DataFrame, options: Options) -> tuple[pl.DataFrame, pl.DataFrame]:
    missing = {"refnis", "province", "population_class"} - set(frame.columns)
    if missing:
        raise ValueError(f"frame lacks columns {sorted(missing)}")
    frame = frame.with_columns(pl.col("refnis", "province", "population_class").cast(pl.String))
    duplicated = frame.filter(pl.col("refnis").is_duplicated()).get_column("refnis").unique()
    if duplicated.len():
        raise ValueError(f"frame lists communes twice: {sorted(duplicated.to_list())[:10]}")
    ranks = pl.DataFrame(
        {"population_class": _class_order(frame, options)},
        schema={"population_class": pl.String},
    ).with_row_index("class_rank")
    strata = (
        frame.group_by("province", "population_class")
        .agg(N=pl.len())
        .join(ranks, on="population_class")
        .sort("province", "class_rank")
        .with_row_index("stratum")
    )
    units = (
        frame.select("refnis", "province", "population_class")
        .with_row_index("unit")
        .join(
            strata.select("province", "population_class", "stratum"),
            on=["province", "population_class"],
        )
        .select("refnis", "unit", "stratum")
        .sort("unit")
    )
    return strata, units


def _prepare(
    frame: pl.DataFrame,
    responses: pl.DataFrame,
    questions: Mapping[str, Question] | None,
    options: Options,
) -> _Wave:
    strata, units = _prepare_frame(frame, options)
    responses = responses.select(pl.col("refnis", "question", "value").cast(pl.String)).unique()
    questions = (
        dict(questions) if questions else infer_questions(responses, options.non_substantive)
    )
    answers = responses.join(units.select("refnis", "unit"), on="refnis", how="left")
    unknown = answers.filter(pl.col("unit").is_null()).get_column("refnis").unique()
    if unknown.len():
        raise ValueError(
            f"responses for communes not in the frame: {sorted(unknown.to_list())[:10]}"
        )
    types = pl.DataFrame(
        {"question": list(questions), "type": [q.type for q in questions.values()]},
        schema={"question": pl.String, "type": pl.String},
    )
    answers = answers.join(types, on="question", how="inner")
    _check_answers(answers, questions, options)
    special = pl.col("value").is_in(list(options.non_substantive))
    numeric = pl.col("type").is_in(list(NUMERIC_TYPES))
    substantive_units = answers.filter(~special).select("question", "unit").unique()
    answered_units = answers.select("question", "unit").unique()
    bases = pl.concat(
        [
            substantive_units.with_columns(base=pl.lit(SUBSTANTIVE)),
            answered_units.with_columns(base=pl.lit(ANSWERED)),
        ]
    ).select("question", "base", "unit")
    selections = pl.concat(
        [
            answers.filter(~special & ~numeric).select(
                "question", base=pl.lit(SUBSTANTIVE), category="value", unit="unit"
            ),
            answers.filter(special)
            .join(substantive_units, on=["question", "unit"], how="anti")
            .select("question", base=pl.lit(ANSWERED), category="value", unit="unit"),
        ]
    )
    values = answers.filter(~special & numeric).select(
        "question", "unit", y=pl.col("value").cast(pl.Float64)
    )
    categories = _categories(answers, questions, options)
    return _Wave(strata, units, bases, selections, values, categories, questions)


def _check_answers(
    answers: pl.DataFrame, questions: Mapping[str, Question], options: Options
) -> None:
    special = list(options.non_substantive)
    several = answers.filter(
        (pl.col("type") != MULTIPLE_CHOICE) & pl.struct("question", "unit").is_duplicated()
    )
    if several.height:
        pairs = several.select("question", "refnis").unique().sort("question", "refnis").rows()
        raise ValueError(f"several answers to a single-answer question: {pairs[:10]}")
    bad_numbers = answers.filter(
        pl.col("type").is_in(list(NUMERIC_TYPES))
        & ~pl.col("value").is_in(special)
        & pl.col("value").cast(pl.Float64, strict=False).is_null()
    )
    if bad_numbers.height:
        rows = bad_numbers.select("question", "refnis", "value").sort("question", "refnis").rows()
        raise ValueError(f"non-numeric answers to numeric questions: {rows[:10]}")
    _check_bounds(answers, questions, special)
    listed = [q for q in questions.values() if q.categories and not q.numeric]
    allowed = pl.DataFrame(
        [(q.code, c) for q in listed for c in (*q.categories, *special)],
        schema={"question": pl.String, "value": pl.String},
        orient="row",
    )
    unknown = (
        answers.filter(pl.col("question").is_in([q.code for q in listed]))
        .join(allowed, on=["question", "value"], how="anti")
        .select("question", "value")
        .unique()
        .sort("question", "value")
    )
    if unknown.height:
        raise ValueError(f"answers outside the listed categories: {unknown.rows()[:10]}")


def _check_bounds(
    answers: pl.DataFrame, questions: Mapping[str, Question], special: list[str]
) -> None:
    bounded = [
        (q.code, q.minimum, q.maximum)
        for q in questions.values()
        if q.numeric and (q.minimum is not None or q.maximum is not None)
    ]
    if not bounded:
        return
    bounds = pl.DataFrame(
        bounded,
        schema={"question": pl.String, "_min": pl.Float64, "_max": pl.Float64},
        orient="row",
    )
    y = pl.col("value").cast(pl.Float64, strict=False)
    outside = (
        answers.filter(~pl.col("value").is_in(special))
        .join(bounds, on="question")
        .filter((y < pl.col("_min")).fill_null(False) | (y > pl.col("_max")).fill_null(False))
    )
    if outside.height:
        rows = outside.select("question", "refnis", "value").sort("question", "refnis").rows()
        raise ValueError(f"answers outside the bounds of their question: {rows[:10]}")


def _categories(
    answers: pl.DataFrame, questions: Mapping[str, Question], options: Options
) -> pl.DataFrame:
    observed: dict[str, set[str]] = {}
    special = pl.col("value").is_in(list(options.non_substantive))
    choices = answers.filter(~pl.col("type").is_in(list(NUMERIC_TYPES)) | special)
    for question, value in choices.select("question", "value").unique().iter_rows():
        observed.setdefault(question, set()).add(value)  # numbers: only their specials matter
    rows = []
    for question in questions.values():
        seen = observed.get(question.code, set())
        listed = list(question.categories) or sorted(seen)
        specials = [c for c in options.non_substantive if c in seen or c in question.categories]
        if question.numeric:
            rows.append((question.code, SUBSTANTIVE, MEAN_CATEGORY, "mean", 0))
        else:
            substantive = [c for c in listed if c not in options.non_substantive]
            rows += [
                (question.code, SUBSTANTIVE, c, "proportion", i) for i, c in enumerate(substantive)
            ]
        rows += [
            (question.code, ANSWERED, c, "proportion", 100 + i) for i, c in enumerate(specials)
        ]
    return pl.DataFrame(
        rows,
        schema={
            "question": pl.String,
            "base": pl.String,
            "category": pl.String,
            "kind": pl.String,
            "position": pl.Int64,
        },
        orient="row",
    )


# ---------------------------------------------------------------------------------------------
# Stratum statistics: n, mean and sum of squared deviations (m2) per question × base × category


def _stratum_stats(
    bases: pl.DataFrame,
    selections: pl.DataFrame,
    values: pl.DataFrame,
    categories: pl.DataFrame,
    units: pl.DataFrame,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(counts per question × base × stratum, stats per question × base × category × stratum)."""
    strata_of = units.select("unit", "stratum")
    counts = (
        bases.join(strata_of, on="unit").group_by("question", "base", "stratum").agg(n=pl.len())
    )
    chosen = (
        selections.join(strata_of, on="unit")
        .group_by("question", "base", "category", "stratum")
        .agg(c=pl.len())
    )
    proportions = (
        categories.filter(pl.col("kind") == "proportion")
        .select(_KEYS)
        .join(counts, on=["question", "base"])
        .join(chosen, on=[*_KEYS, "stratum"], how="left")
        .with_columns(c=pl.col("c").fill_null(0).cast(pl.Float64))
        .select(
            *_KEYS,
            "stratum",
            "n",
            mean=pl.col("c") / pl.col("n"),
            m2=pl.col("c") - pl.col("c") ** 2 / pl.col("n"),
        )
    )
    means = (
        values.join(strata_of, on="unit")
        .group_by("question", "stratum")
        .agg(
            n=pl.len(),
            mean=pl.col("y").mean(),
            m2=((pl.col("y") - pl.col("y").mean()) ** 2).sum(),
        )
        .select(
            "question",
            base=pl.lit(SUBSTANTIVE),
            category=pl.lit(MEAN_CATEGORY),
            stratum="stratum",
            n="n",
            mean="mean",
            m2="m2",
        )
    )
    stats = pl.concat([proportions, means.cast(proportions.schema)])
    return counts, stats


# ---------------------------------------------------------------------------------------------
# Domains, collapse mapping and the estimator


def _domains(strata: pl.DataFrame) -> pl.DataFrame:
    """(breakdown, stratum) for "all", each province and each population class."""
    return pl.concat(
        [
            strata.select(breakdown=pl.lit(ALL), stratum="stratum"),
            strata.select(breakdown=pl.format("province={}", "province"), stratum="stratum"),
            strata.select(
                breakdown=pl.format("population_class={}", "population_class"), stratum="stratum"
            ),
        ]
    )


def _group_mapping(
    strata: pl.DataFrame,
    counts: pl.DataFrame,
    domains: pl.DataFrame,
    bases: pl.DataFrame,
    options: Options,
) -> pl.DataFrame:
    """(breakdown, question, base, stratum, group, N, n): each stratum's group after collapsing,
    for every (question, base) of ``bases``."""
    bases = bases.select("question", "base").unique()
    grid = (
        domains.join(strata.select("stratum", "N"), on="stratum")
        .join(bases, how="cross")
        .join(counts, on=["question", "base", "stratum"], how="left")
        .with_columns(n=pl.col("n").fill_null(0))
    )
    keys = ["breakdown", "question", "base"]
    short = (pl.col("n") < options.min_stratum) & (pl.col("n") < pl.col("N"))
    needs = grid.filter(short).select(keys).unique()
    fine = grid.join(needs, on=keys, how="anti").with_columns(group=pl.col("stratum"))
    todo = grid.join(needs, on=keys, how="semi")
    if todo.height == 0:
        return fine
    info = {
        row[0]: row[1:]
        for row in strata.select("stratum", "province", "class_rank", "N").iter_rows()
    }
    cache: dict[tuple[tuple[int, ...], tuple[int, ...]], list[int]] = {}
    columns: dict[str, list] = {k: [] for k in (*keys, "stratum", "group")}
    rows = todo.sort("stratum").group_by(keys, maintain_order=True).agg("stratum", "n")
    for breakdown, question, base, members, respondents in rows.iter_rows():
        key = (tuple(members), tuple(respondents))
        if key not in cache:
            counted = [
                StratumCount(info[s][0], info[s][1], info[s][2], n)
                for s, n in zip(members, respondents, strict=True)
            ]
            groups = collapse_strata(counted, min_respondents=options.min_stratum)
            cache[key] = [members[g] for g in groups]
        size = len(members)
        columns["breakdown"] += [breakdown] * size
        columns["question"] += [question] * size
        columns["base"] += [base] * size
        columns["stratum"] += members
        columns["group"] += cache[key]
    labels = pl.DataFrame(columns, schema_overrides={"stratum": pl.UInt32, "group": pl.UInt32})
    collapsed = todo.join(labels, on=[*keys, "stratum"])
    return pl.concat([fine, collapsed.select(fine.columns)])


def _merge(n: str = "n", mean: str = "mean", m2: str = "m2") -> list[pl.Expr]:
    """Pooled n, mean and m2 of several strata (Chan et al.), for a group_by over ``keys``."""
    pooled = (pl.col(n) * pl.col(mean)).sum() / pl.col(n).sum()
    return [
        pl.col(n).sum().alias("n"),
        pooled.alias("mean"),
        (pl.col(m2) + pl.col(n) * (pl.col(mean) - pooled) ** 2).sum().alias("m2"),
    ]


def _estimate_cells(
    stats: pl.DataFrame, mapping: pl.DataFrame, categories: pl.DataFrame
) -> pl.DataFrame:
    """One row per breakdown × question × base × category: the stratified estimate and its
    variance, the unweighted figures, respondents n, population N, strata H."""
    keys = ["breakdown", "question", "base"]
    groups = mapping.group_by(*keys, "group").agg(N_g=pl.col("N").sum(), n_g=pl.col("n").sum())
    domain = groups.group_by(keys).agg(
        population=pl.col("N_g").sum(),
        respondents=pl.col("n_g").sum(),
        strata=pl.len(),
        empty_groups=(pl.col("n_g") == 0).sum(),
    )
    pooled = (
        stats.join(mapping.select(*keys, "stratum", "group"), on=["question", "base", "stratum"])
        .group_by(*keys, "category", "group")
        .agg(_merge())
        .join(groups, on=[*keys, "group"])
        .join(domain.select(*keys, "population"), on=keys)
    )
    share = pl.col("N_g") / pl.col("population")
    s2 = pl.col("m2") / (pl.col("n") - 1)
    contribution = (
        pl.when(pl.col("n") == pl.col("N_g"))
        .then(0.0)
        .when(pl.col("n") >= 2)
        .then(share**2 * (1 - pl.col("n") / pl.col("N_g")) * s2 / pl.col("n"))
        .otherwise(None)
    )
    cells = (
        pooled.with_columns(contribution=contribution)
        .group_by(*keys, "category")
        .agg(
            *_merge(),
            estimate=(share * pl.col("mean")).sum(),
            variance=pl.when(pl.col("contribution").is_null().any())
            .then(None)
            .otherwise(pl.col("contribution").sum()),
        )
        .rename({"mean": "unweighted", "n": "_n"})
    )
    grid = (
        categories.join(domain, on=["question", "base"])
        .join(cells, on=[*keys, "category"], how="left")
        .with_columns(
            estimate=pl.when(pl.col("empty_groups") == 0).then("estimate"),
            variance=pl.when(pl.col("empty_groups") == 0).then("variance"),
            unweighted_var=pl.when(pl.col("respondents") >= 2).then(
                (1 - pl.col("respondents") / pl.col("population"))
                * pl.col("m2")
                / (pl.col("respondents") - 1)
                / pl.col("respondents")
            ),
        )
    )
    return grid


def _finish(
    cells: pl.DataFrame, options: Options, *, label: str, bounds: tuple[float, float] = (0.0, 1.0)
) -> pl.DataFrame:
    """Standard errors, confidence intervals, suppression; the published columns."""
    cells = cells.with_columns(
        se=pl.col("variance").clip(lower_bound=0).sqrt(),
        unweighted_se=pl.col("unweighted_var").clip(lower_bound=0).sqrt(),
        df=(pl.col("respondents") - pl.col("strata")).cast(pl.Int64),
    )
    cells = _with_intervals(cells, options, value="estimate", bounds=bounds)
    hidden = pl.col("respondents") < options.min_cell
    figures = ["estimate", "se", "ci_low", "ci_high", "unweighted", "unweighted_se"]
    return (
        cells.with_columns(
            suppressed=hidden,
            method=pl.lit(f"{label}/{options.ci_method}"),
            population=pl.col("population").cast(pl.Int64),
            respondents=pl.col("respondents").cast(pl.Int64),
            strata=pl.col("strata").cast(pl.Int64),
        )
        .with_columns([pl.when(~hidden).then(pl.col(c)).alias(c) for c in figures])
        .with_columns(df=pl.when(~hidden).then(pl.col("df")))
    )


def _with_intervals(
    cells: pl.DataFrame, options: Options, *, value: str, bounds: tuple[float, float]
) -> pl.DataFrame:
    """ci_low, ci_high from ``value``, se and df (and kind: proportions are clipped to bounds)."""
    if options.ci_method == "normal":
        cells = cells.with_columns(_q=pl.lit(_quantile(options, None)))
    else:
        dfs = cells.get_column("df").unique().drop_nulls().to_list()
        quantiles = pl.DataFrame(
            {"df": dfs, "_q": [_quantile(options, df) for df in dfs]},
            schema={"df": pl.Int64, "_q": pl.Float64},
        )
        cells = cells.join(quantiles, on="df", how="left")
    est, se, q = pl.col(value), pl.col("se"), pl.col("_q")
    proportion = pl.col("kind") == "proportion"
    half = pl.when(se == 0).then(0.0).otherwise(q * se)
    low, high = est - half, est + half
    if options.ci_method == "logit" and bounds == (0.0, 1.0):
        inside = (est > 0) & (est < 1)
        logit = (est / (1 - est)).log()
        spread = pl.when(se == 0).then(0.0).otherwise(q * se / (est * (1 - est)))
        logit_low = 1 / (1 + (-(logit - spread)).exp())
        logit_high = 1 / (1 + (-(logit + spread)).exp())
        low = pl.when(proportion & inside).then(logit_low).otherwise(low)
        high = pl.when(proportion & inside).then(logit_high).otherwise(high)
    low = pl.when(proportion).then(low.clip(lower_bound=bounds[0])).otherwise(low)
    high = pl.when(proportion).then(high.clip(upper_bound=bounds[1])).otherwise(high)
    return cells.with_columns(ci_low=low, ci_high=high).drop("_q")


def _order(table: pl.DataFrame, strata: pl.DataFrame, *then: str) -> pl.DataFrame:
    """Questions in code order, breakdowns all → provinces → classes (smallest first)."""
    provinces = strata.select(breakdown=pl.format("province={}", "province")).unique()
    classes = (
        strata.group_by("population_class")
        .agg(rank=pl.col("class_rank").first())
        .select(breakdown=pl.format("population_class={}", "population_class"), rank="rank")
    )
    rank = (
        pl.DataFrame(
            {"breakdown": [ALL], "_rank": [0]}, schema={"breakdown": pl.String, "_rank": pl.Int64}
        )
        .vstack(
            provinces.sort("breakdown").select(
                "breakdown", _rank=pl.int_range(1, pl.len() + 1).cast(pl.Int64)
            )
        )
        .vstack(classes.select("breakdown", _rank=(pl.col("rank") + 10_000_000).cast(pl.Int64)))
    )
    return (
        table.join(rank, on="breakdown", how="left")
        .sort("question", "_rank", "position", *then)
        .drop("_rank")
    )


# ---------------------------------------------------------------------------------------------
# Public functions


def estimate(
    frame: pl.DataFrame,
    responses: pl.DataFrame,
    questions: Mapping[str, Question] | None = None,
    options: Options | None = None,
) -> pl.DataFrame:
    """Estimates of every question × category × breakdown for one wave (``RESULT_COLUMNS``).

    ``frame``: refnis, province, population_class (and optionally population) of every commune of
    the population; ``responses``: refnis, question, value (one row per selected option of a
    multiple-choice question). Questions without metadata get an inferred type.
    """
    options = options or Options()
    wave = _prepare(frame, responses, questions, options)
    return _estimate_wave(wave, options)


def _estimate_wave(wave: _Wave, options: Options) -> pl.DataFrame:
    counts, stats = _stratum_stats(
        wave.bases, wave.selections, wave.values, wave.categories, wave.units
    )
    mapping = _group_mapping(wave.strata, counts, _domains(wave.strata), wave.categories, options)
    cells = _estimate_cells(stats, mapping, wave.categories)
    results = _finish(cells, options, label="stratified")
    return _order(results, wave.strata).select(RESULT_COLUMNS)


def respondent_weights(
    frame: pl.DataFrame,
    responses: pl.DataFrame,
    question: str,
    questions: Mapping[str, Question] | None = None,
    options: Options | None = None,
    *,
    base: str = SUBSTANTIVE,
    breakdown: str = ALL,
) -> pl.DataFrame:
    """refnis, group (collapsed stratum, named by its first stratum) and weight N_g / n_g of each
    respondent to a question in a breakdown. The weights sum to the breakdown's N when anyone
    in it answered."""
    options = options or Options()
    wave = _prepare(frame, responses, questions, options)
    counts, _ = _stratum_stats(
        wave.bases, wave.selections, wave.values, wave.categories, wave.units
    )
    counts = counts.filter((pl.col("question") == question) & (pl.col("base") == base))
    domains = _domains(wave.strata).filter(pl.col("breakdown") == breakdown)
    wanted = pl.DataFrame({"question": [question], "base": [base]})
    mapping = _group_mapping(wave.strata, counts, domains, wanted, options)
    groups = mapping.group_by("group").agg(N_g=pl.col("N").sum(), n_g=pl.col("n").sum())
    return (
        wave.bases.filter((pl.col("question") == question) & (pl.col("base") == base))
        .join(wave.units, on="unit")
        .join(mapping.select("stratum", "group"), on="stratum")
        .join(groups, on="group")
        .select("refnis", "group", weight=pl.col("N_g") / pl.col("n_g"))
        .sort("refnis")
    )


def estimate_trends(
    frame_from: pl.DataFrame,
    responses_from: pl.DataFrame,
    frame_to: pl.DataFrame,
    responses_to: pl.DataFrame,
    questions: Mapping[str, Question] | None = None,
    options: Options | None = None,
) -> pl.DataFrame:
    """Differences between two waves on shared questions and categories (``TREND_COLUMNS``):
    one "independent" row and one "panel" row per question × category × breakdown."""
    return estimate_edition(
        frame_from, responses_from, frame_to, responses_to, questions, options
    ).trends


@dataclass(frozen=True)
class Edition:
    results_from: pl.DataFrame
    results_to: pl.DataFrame
    trends: pl.DataFrame


def estimate_edition(
    frame_from: pl.DataFrame,
    responses_from: pl.DataFrame,
    frame_to: pl.DataFrame,
    responses_to: pl.DataFrame,
    questions: Mapping[str, Question] | None = None,
    options: Options | None = None,
) -> Edition:
    """Both waves' estimates and the trends between them, each wave prepared once."""
    options = options or Options()
    wave_from = _prepare(frame_from, responses_from, questions, options)
    wave_to = _prepare(frame_to, responses_to, questions, options)
    results_from = _estimate_wave(wave_from, options)
    results_to = _estimate_wave(wave_to, options)
    shared = _shared_categories(wave_from, wave_to)
    independent = _independent_trends(results_from, results_to, shared, options)
    panel = _panel_trends(wave_from, wave_to, shared, options)
    trends = pl.concat([independent.select(TREND_COLUMNS), panel.select(TREND_COLUMNS)])
    positioned = trends.join(shared.select(*_KEYS, "position"), on=_KEYS)
    ordered = _order(positioned, wave_to.strata, "comparison").select(TREND_COLUMNS)
    return Edition(results_from, results_to, ordered)


def _shared_categories(wave_from: _Wave, wave_to: _Wave) -> pl.DataFrame:
    """Categories of the questions answered in both waves, with the same type."""
    answered = set(wave_from.bases["question"].unique()) & set(wave_to.bases["question"].unique())
    same_type = [
        code
        for code, question in wave_to.questions.items()
        if code in answered
        and code in wave_from.questions
        and wave_from.questions[code].type == question.type
    ]
    return wave_to.categories.filter(pl.col("question").is_in(same_type)).join(
        wave_from.categories.select(_KEYS), on=_KEYS, how="semi"
    )


def _independent_trends(
    results_from: pl.DataFrame, results_to: pl.DataFrame, shared: pl.DataFrame, options: Options
) -> pl.DataFrame:
    keys = [*_KEYS, "breakdown"]
    picked = ["estimate", "se", "respondents", "suppressed", "df"]
    joined = (
        results_to.join(shared.select(_KEYS), on=_KEYS, how="semi")
        .select(*keys, "kind", *picked)
        .join(results_from.select(*keys, *picked), on=keys, suffix="_from")
        .rename({c: f"{c}_to" for c in picked})
    )
    suppressed = pl.col("suppressed_from") | pl.col("suppressed_to")
    trends = joined.with_columns(
        comparison=pl.lit("independent"),
        estimate_from=pl.col("estimate_from"),
        estimate_to=pl.col("estimate_to"),
        difference=pl.col("estimate_to") - pl.col("estimate_from"),
        se=(pl.col("se_from") ** 2 + pl.col("se_to") ** 2).sqrt(),
        df=pl.min_horizontal("df_from", "df_to"),
        suppressed=suppressed,
        method=pl.lit(f"independent/{_symmetric(options).ci_method}"),
    )
    return _trend_intervals(trends, options)


def _symmetric(options: Options) -> Options:
    """Differences get the symmetric interval whatever the method (no logit)."""
    if options.ci_method != "logit":
        return options
    return Options(confidence=options.confidence, ci_method="t", min_cell=options.min_cell)


def _trend_intervals(trends: pl.DataFrame, options: Options) -> pl.DataFrame:
    trends = _with_intervals(trends, _symmetric(options), value="difference", bounds=(-1.0, 1.0))
    hidden = pl.col("suppressed")
    figures = ["estimate_from", "estimate_to", "difference", "se", "ci_low", "ci_high", "df"]
    return trends.with_columns([pl.when(~hidden).then(pl.col(c)).alias(c) for c in figures])


def _panel_trends(
    wave_from: _Wave, wave_to: _Wave, shared: pl.DataFrame, options: Options
) -> pl.DataFrame:
    """The stratified estimator on within-commune differences of the communes in both waves."""
    both = wave_from.units.select("refnis", unit_from="unit").join(wave_to.units, on="refnis")
    strata_in_both = both.group_by("stratum").agg(N=pl.len())
    strata = wave_to.strata.drop("N").join(strata_in_both, on="stratum")
    units = both.select("refnis", "unit", "stratum")
    to_units = both.select(unit_from="unit_from", unit="unit")

    def in_to_ids(table: pl.DataFrame) -> pl.DataFrame:
        return table.rename({"unit": "unit_from"}).join(to_units, on="unit_from").drop("unit_from")

    questions = shared.get_column("question").unique()
    bases = (
        in_to_ids(wave_from.bases)
        .join(wave_to.bases, on=["question", "base", "unit"])
        .filter(pl.col("question").is_in(questions.implode()))
    )
    selections_from = in_to_ids(wave_from.selections).join(
        bases, on=["question", "base", "unit"], how="semi"
    )
    selections_to = wave_to.selections.join(bases, on=["question", "base", "unit"], how="semi")
    counts, stats = _panel_stats(
        bases, selections_from, selections_to, wave_from, wave_to, shared, units, to_units
    )
    mapping = _group_mapping(strata, counts, _domains(strata), shared, options)
    cells = _estimate_cells(stats, mapping, shared)
    finished = _finish(cells, _symmetric(options), label="panel", bounds=(-1.0, 1.0))
    return finished.with_columns(
        comparison=pl.lit("panel"),
        estimate_from=pl.lit(None, pl.Float64),
        estimate_to=pl.lit(None, pl.Float64),
        difference="estimate",
        respondents_from="respondents",
        respondents_to="respondents",
    )


def _panel_stats(
    bases: pl.DataFrame,
    selections_from: pl.DataFrame,
    selections_to: pl.DataFrame,
    wave_from: _Wave,
    wave_to: _Wave,
    shared: pl.DataFrame,
    units: pl.DataFrame,
    to_units: pl.DataFrame,
) -> tuple[pl.DataFrame, pl.DataFrame]:
    strata_of = units.select("unit", "stratum")
    counts = (
        bases.join(strata_of, on="unit").group_by("question", "base", "stratum").agg(n=pl.len())
    )
    keyed = [*_KEYS, "stratum"]

    def tally(table: pl.DataFrame, name: str) -> pl.DataFrame:
        return table.join(strata_of, on="unit").group_by(keyed).agg(pl.len().alias(name))

    both = selections_from.join(selections_to, on=[*_KEYS, "unit"])
    proportions = (
        shared.filter(pl.col("kind") == "proportion")
        .select(_KEYS)
        .join(counts, on=["question", "base"])
        .join(tally(selections_from, "c1"), on=keyed, how="left")
        .join(tally(selections_to, "c2"), on=keyed, how="left")
        .join(tally(both, "cb"), on=keyed, how="left")
        .with_columns(pl.col("c1", "c2", "cb").fill_null(0).cast(pl.Float64))
        .with_columns(
            sum_d=pl.col("c2") - pl.col("c1"), sum_d2=pl.col("c1") + pl.col("c2") - 2 * pl.col("cb")
        )
        .select(
            *keyed,
            "n",
            mean=pl.col("sum_d") / pl.col("n"),
            m2=pl.col("sum_d2") - pl.col("sum_d") ** 2 / pl.col("n"),
        )
    )
    numeric_questions = shared.filter(pl.col("kind") == "mean").get_column("question").implode()
    differences = (
        wave_from.values.rename({"unit": "unit_from", "y": "y_from"})
        .join(to_units, on="unit_from")
        .join(wave_to.values, on=["question", "unit"])
        .filter(pl.col("question").is_in(numeric_questions))
        .join(strata_of, on="unit")
        .with_columns(d=pl.col("y") - pl.col("y_from"))
        .group_by("question", "stratum")
        .agg(
            n=pl.len(), mean=pl.col("d").mean(), m2=((pl.col("d") - pl.col("d").mean()) ** 2).sum()
        )
        .select(
            "question",
            base=pl.lit(SUBSTANTIVE),
            category=pl.lit(MEAN_CATEGORY),
            stratum="stratum",
            n="n",
            mean="mean",
            m2="m2",
        )
    )
    return counts, pl.concat([proportions, differences.cast(proportions.schema)])
