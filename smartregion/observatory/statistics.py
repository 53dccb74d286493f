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

Confidence intervals (``ci_method``), at ``confidence`` (default 0.95). With n respondents in the
cell, H strata after collapsing and df = n − H (the design degrees of freedom):
- ``"korn-graubard"`` (default) for proportions: the Clopper–Pearson interval at the effective
  sample size, with Korn & Graubard's degrees-of-freedom adjustment, as R
  ``survey::svyciprop(method = "beta")``: n* = p(1 − p)/v · (t_{n−1} / t_df)², bounds
  Beta⁻¹(α/2; n*p, n*(1 − p) + 1) and Beta⁻¹(1 − α/2; n*p + 1, n*(1 − p)) (0 at p = 0, 1 at
  p = 1). One departure, taken from the NCHS standard (which takes the design effect as 1 when it
  is below 1): v is the larger of the design variance and the variance of a simple random
  sample of n of the N communes, (1 − n/N) p(1 − p)/(n − 1). With 5 to 40 respondents per cell
  the stratum variances rest on 1 to 10 degrees of freedom each and are often far too small by
  chance; the floor restores the coverage (bench/bench_coverage.py, 1,000 replications of the
  barometer's response model on the 2020 frame at 46 % response, per cell: t intervals covered
  76–96 %, Korn–Graubard as in R 92–98 %, with the floor 95.7–99.4 %; at 25 % and 63 %
  response the lowest cell is at 95.4 % and 95.2 %).
- ``"wilson"`` for proportions: Wilson's score interval with n* = p(1 − p)/v (same floor) in
  place of n and t_df as the critical value.
- ``"t"``: estimate ± t(df) · SE, bounds of proportions clipped to [0, 1] (the figures before
  Korn–Graubard became the default); ``"normal"``: ± z · SE, clipped likewise; ``"logit"``: for
  proportions the t interval computed on logit(p) and transformed back (what samplics and Stata's
  ``svy: proportion`` do). These three give a zero-width interval when SE is 0.
- Means get the t interval with the design df whatever the method (Korn–Graubard and Wilson
  are intervals for proportions). Trends (differences between waves) get the symmetric t
  interval with Korn–Graubard, Wilson and logit, the normal one with ``"normal"``.

Zero variance in a sample. A cell whose design variance is 0 although not every commune of it
answered (a share of 0 or 1, or every stratum without within-stratum variance: 2 of 8 communes
answering alike) is not known exactly. With Korn–Graubard or Wilson it gets ``variance_fallback``
true and the simple-random-sampling variance above in place of 0 (for a proportion: SE
sqrt((1 − n/N) p(1 − p)/(n − 1)), interval at n* = (n − 1)/(1 − n/N) · (t_{n−1} / t_df)², so
"0 of 9" has a non-zero upper bound); for a mean, the unweighted within-domain variance
(1 − n/N) s²/n (still 0 when every answer is the same: then the interval is zero-width and the
cell is flagged). A census (every commune of the cell answered) keeps SE 0 and a zero-width
interval, which is the truth.

References: Korn E.L., Graubard B.I. (1998), "Confidence intervals for proportions with small
expected number of positive counts estimated from survey data", Survey Methodology 24(2),
193–201; Dean N., Pagano M. (2015), "Evaluating confidence interval methods for binomial
proportions in clustered surveys", Journal of Survey Statistics and Methodology 3(4), 484–503;
Wilson E.B. (1927), "Probable inference, the law of succession, and statistical inference",
JASA 22, 209–212; Clopper C.J., Pearson E.S. (1934), Biometrika 26, 404–413; Parker J.D. et al.
(2017), "National Center for Health Statistics data presentation standards for proportions",
Vital Health Stat 2(175).

Reliability (``RELIABILITY_RULE``, published with each edition). Every cell carries:
- ``deff``: design variance / variance of a simple random sample of the same n with the same
  finite population correction, (1 − n/N) S²/n, with S² = p(1 − p) n/(n − 1) for a share and the
  respondents' variance s² for a mean (1 under the fallback; null for a census);
- ``n_effective`` = n / deff (n for a census); ``cv`` = SE / estimate (null at 0);
  ``ci_width`` = ci_high − ci_low;
- ``flag``, after the NCHS standard for proportions with the finite population correction: the
  standard's effective sample size n / deff (deff taken as 1 when below 1) assumes sampling with
  replacement from a large population; sampling n of N communes is as precise as a
  with-replacement sample of n / (deff (1 − n/N)), and that is the size compared with 30 (in a
  province of 38 communes, 24 respondents with deff 1 count as 65; without the correction no
  province cell of the barometer could ever reach 30). A proportion is "unpublished" when its
  *planned* size n / (1 − n/N) (deff 1) is below 30: publication depends on how many of the
  cell's communes answered, never on the answers. NCHS also suppresses on the observed size
  and width; decided that way, a small cell is published exactly when its sample happened to
  give a narrow interval, and the published intervals covered as little as 64.7 % (a share near
  ½ in Luxembourg, published in 17 of 1,000 replications of bench/bench_coverage.py, seed 2020);
  with the planned size every published cell covers at least 95.5 % (10,000 replications, seed
  2020, 46 % response; 95.1 % with Wilson; at 25 % and 63 % response 95.8 % and 95.5 %,
  Wilson 94.6 % and 95.3 %). The observed size n / (max(deff, 1)(1 − n/N)) below 30, an
  interval 0.30 wide or more, or wider than 0.05 and than 130 % of min(p, 1 − p) (the relative
  width of p and of its complement), df < 8, CV > 0.30 or a variance zero in a sample make it
  "caution"; else "reliable". NCHS gives
  no rule for means: a mean is "unpublished" when its CV is above 0.50 or its observed size is
  below 5, "caution" when its CV is above 0.30, df < 8 or the variance was zero in a sample (the
  CV thresholds of the usual coefficient-of-variation rules, as the NCHS's former 30 % RSE
  rule); the coverage simulation covers shares only.
A cell flagged "unpublished" has its figures withheld (``suppression`` "reliability"), unless
``Options.withhold_unreliable`` is False; a cell with fewer than ``min_cell`` respondents is
withheld whatever its flag (``suppression`` "respondents").

"Don't know" and "not applicable" (``non_substantive`` codes) are separate categories: substantive
categories are proportions of the communes that gave a substantive answer (base "substantive"),
the non-substantive codes are proportions of all communes that answered the question (base
"answered"). For the substantive shares a "don't know" is thus treated like item non-response
(its stratum's substantive answers stand for it), so they keep a sampling error even when every
commune answered. A multiple-choice respondent who ticks options *and* "don't know" counts as
substantive. Numeric questions (``number``, ``scale``) give a mean over substantive answers.

Collapsing strata. A stratum is *short* when n_h < ``min_weighting_cell`` (5) and n_h < N_h (a
stratum whose every commune answered is a census and needs no variance, even with one commune).
Why 5: the weight N_g/n_g of a cell is only as stable as its n_g, and its variance estimate has
n_g − 1 degrees of freedom. Kalton & Flores-Cervantes ("Weighting methods", Journal of Official
Statistics 19(2), 2003) recall the usual rule of collapsing weighting cells below 20–30
respondents in large surveys, so that no adjustment factor rests on a handful of units. A
Walloon wave has about 80–130 respondents in 25 strata (261 communes): a minimum of 20 would
leave 4–6 cells and erase the size classes the barometer reports on; 5 keeps every cell's
variance on at least 4 degrees of freedom, bounds a cell's weight at N_g/5 and still keeps most
strata apart (the former minimum of 2 let weights reach 14 on 1-df cells). At Europe scale
(~400 communes a province) few strata are short at all. Short strata are merged, per question
and per breakdown, never dropped, into the most similar neighbouring stratum:
1. within a province, a short group merges with a group of the *adjacent* population class
   (the class just below or just above its classes), the lowest short class first, choosing the
   neighbour whose communes are closest in size: the smaller |difference of the mean
   ln(1 + inhabitants)| of their communes (from the frame's population column); a tie, or a
   frame without populations, goes to the smaller class. Repeat until no group is short or none
   has an adjacent class;
2. a group still short (a whole province, or a class with no adjacent class in its province)
   merges with the group, anywhere, that (a) is closest in class (overlapping classes first, so
   the same class in another province), (b) lies in another province, (c) is closest in mean
   ln(1 + inhabitants), (d) is closest in number of communes N, (e) comes first by province then
   class; until no group is short or one remains.
So small communes are never pooled with a city class over 50,000 while an adjacent class or the
same class in another province exists. The similarity uses the communes' size, the auxiliary
variable that defines the strata, not the answers: a collapse chosen by response profile would
differ from question to question and let the outcome choose its own weights.
A merged group is one stratum: N_g, n_g and the pooled s_g² of its respondents.

Weighting. By default the weights are the post-stratified N_g / n_g of the collapsed cells and
the estimator above is exact for them. ``Options.rake`` rakes them (iterative proportional
fitting) to the province and population-class margins of the breakdown's frame, and for a
question ``about_inhabitants`` also to its total inhabitants; ``Options.trim`` = k caps them at
k × the median weight, redistributed and iterated with raking. The estimate is then the ratio
Σ w·y / Σ w and its variance the linearised (Taylor) variance over the collapsed cells as
strata, with the correction 1 − n_g/N_g; degrees of freedom stay n − H. Independent trends use
these estimates; panel trends (within-commune differences) keep the post-stratified weights.
Details, tolerances and references: module ``weighting``, which also writes an edition's
weighting report.

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

Suppression (statistical disclosure control, ``disclosure`` module): ``suppression`` says why a
cell's figures are withheld and ``suppressed`` is true for every withheld cell; withheld cells keep
their respondents and population. Primary: a cell (question × base × breakdown, all its
categories at once, so that no category is the others' complement) with fewer than ``min_cell``
(5) respondents ("respondents"), or, for a confidential question (answers not public), where one
category was chosen by all respondents but at most one ("dominance"). Complementary: more cells of
the same margins ("all" = Σ provinces = Σ classes) are withheld ("complementary") until no
primary cell can be recomputed from the published figures, by subtraction or any linear
combination, nor pinned down by the bounds 0 ≤ count ≤ respondents; cells already withheld for
reliability are used first. A trend is withheld when one of its cells is (the panel also when
fewer than ``min_cell`` communes answered both waves, and with complements of its own).
``disclosure.audit`` checks a published edition.
A cell flagged "unpublished" by the reliability rule is withheld too ("reliability"): it is not
confidential, and complementary suppression may use it but does not protect it.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from functools import lru_cache
from statistics import NormalDist

import numpy as np
import polars as pl

from smartregion.observatory import disclosure

from .reliability import RELIABILITY_RULE as RELIABILITY_RULE
from .reliability import clopper_pearson, flag_expression, korn_graubard_n, wilson

SINGLE_CHOICE = "single_choice"
YES_NO = "yes_no"
MULTIPLE_CHOICE = "multiple_choice"
SCALE = "scale"
NUMBER = "number"
QUESTION_TYPES = (SINGLE_CHOICE, YES_NO, MULTIPLE_CHOICE, SCALE, NUMBER)
NUMERIC_TYPES = (SCALE, NUMBER)
NON_SUBSTANTIVE = ("dont_know", "not_applicable")
CI_METHODS = ("korn-graubard", "wilson", "t", "normal", "logit")
PROPORTION_METHODS = ("korn-graubard", "wilson")  # methods that change proportions' intervals

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
    "n_effective",
    "deff",
    "cv",
    "ci_width",
    "variance_fallback",
    "flag",
    "suppression",
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
    "suppression",
]
_KEYS = ["question", "base", "category"]
_PANEL_CHUNK = 8  # questions per chunk of the panel joins


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
    confidential: bool = False
    """Individual answers are not public: the dominance rule applies (see ``disclosure``)."""
    about_inhabitants: bool = False
    """The question is about inhabitants rather than communes: with ``Options.rake`` its weights
    are also raked to the frame's total inhabitants."""

    @property
    def numeric(self) -> bool:
        return self.type in NUMERIC_TYPES


@dataclass(frozen=True)
class Options:
    confidence: float = 0.95
    ci_method: str = "korn-graubard"
    min_cell: int = 5
    min_weighting_cell: int = 5
    """Fewest respondents of a weighting cell (collapsed stratum) that is not a census."""
    min_stratum: int | None = None
    """Former name of ``min_weighting_cell``: when given, it wins (compatibility)."""
    rake: bool = False
    """Rake the post-stratified weights to province and population-class margins (and to the
    inhabitants for questions ``about_inhabitants``); see "Weighting"."""
    trim: float | None = None
    """Cap weights at ``trim`` × the median weight (redistributed, iterated with raking)."""
    non_substantive: tuple[str, ...] = NON_SUBSTANTIVE
    class_order: tuple[str, ...] | None = None
    """Population classes from smallest to largest (adjacency for collapsing); default: by the
    frame's smallest population in each class when it has a population column, else sorted."""
    withhold_unreliable: bool = True
    """Withhold the figures of cells flagged "unpublished" (suppression "reliability"); False
    keeps them (with their flag), e.g. to compare with another library."""

    def __post_init__(self) -> None:
        if not 0 < self.confidence < 1:
            raise ValueError(f"confidence must be between 0 and 1, not {self.confidence}")
        if self.ci_method not in CI_METHODS:
            raise ValueError(f"ci_method must be one of {CI_METHODS}, not {self.ci_method!r}")
        if self.min_cell < 1 or self.weighting_cell < 2:
            raise ValueError("min_cell must be at least 1 and min_weighting_cell at least 2")
        if self.trim is not None and not self.trim > 1:
            raise ValueError(f"trim must be above 1 (a multiple of the median), not {self.trim}")

    @property
    def weighting_cell(self) -> int:
        return self.min_weighting_cell if self.min_stratum is None else self.min_stratum

    @property
    def weighted(self) -> bool:
        """Whether weights go beyond post-stratification (raking or trimming)."""
        return self.rake or self.trim is not None


@dataclass(frozen=True)
class StratumCount:
    """One stratum as the collapse rule sees it: ``population`` is its number of communes N_h,
    ``log_inhabitants`` the mean of ln(1 + inhabitants) over its communes (None when unknown)."""

    province: str
    class_rank: int
    population: int
    respondents: int
    log_inhabitants: float | None = None


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
    last_rank: int = -1
    log_sum: float = 0.0  # Σ N_h · mean log inhabitants, over the members whose size is known
    log_weight: int = 0  # Σ N_h over those members

    @classmethod
    def of(cls, index: int, stratum: StratumCount) -> _Group:
        log_inhabitants = stratum.log_inhabitants
        known = log_inhabitants is not None
        return cls(
            [index],
            stratum.province,
            stratum.class_rank,
            stratum.population,
            stratum.respondents,
            {stratum.province},
            stratum.class_rank,
            stratum.population * log_inhabitants if log_inhabitants is not None else 0.0,
            stratum.population if known else 0,
        )

    def absorb(self, other: _Group) -> None:
        self.members += other.members
        self.population += other.population
        self.respondents += other.respondents
        self.first_rank = min(self.first_rank, other.first_rank)
        self.last_rank = max(self.last_rank, other.last_rank)
        self.provinces |= other.provinces
        self.log_sum += other.log_sum
        self.log_weight += other.log_weight

    def size_distance(self, other: _Group) -> float:
        """|difference of mean ln(1 + inhabitants)|; +inf when either is unknown."""
        if not (self.log_weight and other.log_weight):
            return math.inf
        return abs(self.log_sum / self.log_weight - other.log_sum / other.log_weight)

    def rank_gap(self, other: _Group) -> int:
        """0 when the class ranges overlap, else how many classes lie between them plus one."""
        return max(0, other.first_rank - self.last_rank, self.first_rank - other.last_rank)


def _short(group: _Group, min_respondents: int) -> bool:
    return group.respondents < min_respondents and group.respondents < group.population


def collapse_strata(strata: Sequence[StratumCount], *, min_respondents: int = 5) -> list[int]:
    """The group of each stratum after the collapse rule (module docstring, "Collapsing strata").

    Returns, for each stratum, the index of the first stratum of its group, so strata that share
    a value form one stratum for estimation.
    """
    provinces: dict[str, list[int]] = {}
    for i in sorted(range(len(strata)), key=lambda i: (strata[i].province, strata[i].class_rank)):
        provinces.setdefault(strata[i].province, []).append(i)
    groups: list[_Group] = []
    for province in sorted(provinces):
        members = provinces[province]
        pattern = tuple(_pattern(strata[i]) for i in members)
        for local in _collapse_province(pattern, min_respondents):
            group = _Group.of(members[local[0]], strata[members[local[0]]])
            for j in local[1:]:
                group.absorb(_Group.of(members[j], strata[members[j]]))
            groups.append(group)
    _collapse_across_provinces(groups, min_respondents)
    labels = [0] * len(strata)
    for group in groups:
        first = min(group.members)
        for member in group.members:
            labels[member] = first
    return labels


def _pattern(stratum: StratumCount) -> tuple[int, int, int, float | None]:
    return (stratum.class_rank, stratum.population, stratum.respondents, stratum.log_inhabitants)


@lru_cache(maxsize=65536)
def _across_labels(
    pattern: tuple[tuple[str, int, int, int, int, float, int], ...], min_respondents: int
) -> tuple[int, ...]:
    """Step 2 on groups given as (province, first rank, N, n, last rank, log sum, log weight)
    in province, class order: for each position, the first position of its final group."""
    groups = [
        _Group([i], p, first, size, n, {p}, last, total, weight)
        for i, (p, first, size, n, last, total, weight) in enumerate(pattern)
    ]
    _collapse_across_provinces(groups, min_respondents)
    labels = [0] * len(pattern)
    for group in groups:
        for member in group.members:
            labels[member] = min(group.members)
    return tuple(labels)


@lru_cache(maxsize=65536)
def _province_labels(
    pattern: tuple[tuple[int, int, int, float | None], ...], min_respondents: int
) -> tuple[int, ...]:
    """For each position of a province's pattern, the first position of its group."""
    labels = [0] * len(pattern)
    for local in _collapse_province(pattern, min_respondents):
        for j in local:
            labels[j] = local[0]
    return tuple(labels)


@lru_cache(maxsize=65536)
def _collapse_province(
    pattern: tuple[tuple[int, int, int, float | None], ...], min_respondents: int
) -> tuple[tuple[int, ...], ...]:
    """Step 1 for one province, its strata in class order given as (rank, N, n, log size):
    the groups as tuples of positions. Cached: provinces repeat their pattern across questions
    and breakdowns (the "all" breakdown and the province's own)."""
    groups = [
        _Group.of(i, StratumCount("", rank, size, n, log))
        for i, (rank, size, n, log) in enumerate(pattern)
    ]
    while True:
        short = next(
            (
                i
                for i, g in enumerate(groups)
                if _short(g, min_respondents) and _adjacent(groups, i)
            ),
            None,
        )
        if short is None:
            break
        target = min(
            _adjacent(groups, short),
            key=lambda j: (groups[short].size_distance(groups[j]), groups[j].first_rank),
        )
        low, high = sorted((short, target))
        groups[low].absorb(groups.pop(high))
    return tuple(tuple(sorted(g.members)) for g in groups)


def _adjacent(groups: list[_Group], i: int) -> list[int]:
    """The neighbouring groups of the same province whose class is next to group i's."""
    return [
        j for j in (i - 1, i + 1) if 0 <= j < len(groups) and groups[i].rank_gap(groups[j]) == 1
    ]


def _collapse_across_provinces(groups: list[_Group], min_respondents: int) -> None:
    """Step 2, in place on ``groups`` (in province, class order): a plain scan for a few
    groups, NumPy over the live groups for many (a class breakdown of 250 provinces)."""
    if len(groups) <= _FEW_GROUPS:
        _collapse_across_few(groups, min_respondents)
    else:
        _collapse_across_many(groups, min_respondents)


_FEW_GROUPS = 40


def _collapse_across_few(groups: list[_Group], min_respondents: int) -> None:
    while len(groups) > 1:
        short = next((i for i, g in enumerate(groups) if _short(g, min_respondents)), None)
        if short is None:
            return
        group = groups[short]
        target = min(
            (j for j in range(len(groups)) if j != short),
            key=lambda j: (
                group.rank_gap(groups[j]),
                bool(group.provinces & groups[j].provinces),
                group.size_distance(groups[j]),
                abs(groups[j].population - group.population),
                j,
            ),
        )
        low, high = sorted((short, target))
        groups[low].absorb(groups.pop(high))


def _collapse_across_many(groups: list[_Group], min_respondents: int) -> None:
    count = len(groups)
    first = np.array([g.first_rank for g in groups])
    last = np.array([g.last_rank for g in groups])
    size = np.array([g.population for g in groups], dtype=np.float64)
    answered = np.array([g.respondents for g in groups], dtype=np.float64)
    log_sum = np.array([g.log_sum for g in groups], dtype=np.float64)
    log_weight = np.array([g.log_weight for g in groups], dtype=np.float64)
    alive = np.ones(count, dtype=bool)
    holders: dict[str, set[int]] = {}
    for i, group in enumerate(groups):
        for province in group.provinces:
            holders.setdefault(province, set()).add(i)
    while alive.sum() > 1:
        shorts = np.flatnonzero(alive & (answered < min_respondents) & (answered < size))
        if shorts.size == 0:
            break
        short = int(shorts[0])
        pool = np.flatnonzero(alive)
        pool = pool[pool != short]
        gap = np.maximum(0, np.maximum(first[pool] - last[short], first[short] - last[pool]))
        pool = pool[gap == gap.min()]
        sharing = np.zeros(count, dtype=bool)
        sharing[list(set().union(*(holders[p] for p in groups[short].provinces)))] = True
        foreign = ~sharing[pool]
        if foreign.any():
            pool = pool[foreign]
        if log_weight[short] > 0:
            known = log_weight[pool] > 0
            mean = np.divide(log_sum[pool], log_weight[pool], where=known, out=np.zeros(pool.size))
            distance = np.where(known, np.abs(mean - log_sum[short] / log_weight[short]), np.inf)
            pool = pool[distance == distance.min()]
        closeness = np.abs(size[pool] - size[short])
        target = int(pool[closeness == closeness.min()][0])
        low, high = sorted((short, target))
        groups[low].absorb(groups[high])
        alive[high] = False
        for province in groups[high].provinces:
            holders[province].discard(high)
            holders[province].add(low)
        first[low], last[low] = groups[low].first_rank, groups[low].last_rank
        size[low], answered[low] = groups[low].population, groups[low].respondents
        log_sum[low], log_weight[low] = groups[low].log_sum, groups[low].log_weight
    groups[:] = [groups[i] for i in np.flatnonzero(alive)]


# ---------------------------------------------------------------------------------------------
# Quantiles (Student's t in closed form for integer degrees of freedom; SciPy only for the beta
# quantiles of Korn–Graubard, in ``reliability``)


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
    size = (
        (pl.col("population").cast(pl.Float64) + 1).log().mean()
        if "population" in frame.columns
        else pl.lit(None, pl.Float64)
    )
    strata = (
        frame.group_by("province", "population_class")
        .agg(N=pl.len(), log_inhabitants=size)
        .join(ranks, on="population_class")
        .sort("province", "class_rank")
        .with_row_index("stratum")
    )
    inhabitants = (
        [pl.col("population").cast(pl.Float64).alias("inhabitants")]
        if "population" in frame.columns
        else [pl.lit(None, pl.Float64).alias("inhabitants")]
    )
    units = (
        frame.select("refnis", "province", "population_class", *inhabitants)
        .with_row_index("unit")
        .join(
            strata.select("province", "population_class", "stratum"),
            on=["province", "population_class"],
        )
        .select("refnis", "unit", "stratum", "inhabitants")
        .sort("unit")
    )
    return strata, units


def _prepare(
    frame: pl.DataFrame,
    responses: pl.DataFrame,
    questions: Mapping[str, Question] | None,
    options: Options,
    *,
    checked: bool = False,
) -> _Wave:
    strata, units = _prepare_frame(frame, options)
    # Question codes, bases and categories are Categorical inside the engine (joins and
    # group-bys on integers); _estimate_cells gives strings back.
    answers = _distinct_answers(responses, units)
    questions = dict(questions) if questions else infer_questions(answers, options.non_substantive)
    unknown = answers.filter(pl.col("unit").is_null()).get_column("refnis").unique()
    if unknown.len():
        raise ValueError(
            f"responses for communes not in the frame: {sorted(unknown.to_list())[:10]}"
        )
    types = pl.DataFrame(
        {"question": list(questions), "type": [q.type for q in questions.values()]},
        schema={"question": pl.Categorical, "type": pl.String},
    )
    answers = answers.join(types, on="question", how="inner")
    if not checked:
        _check_answers(answers, questions, options)
    special = pl.col("value").is_in(list(options.non_substantive))
    numeric = pl.col("type").is_in(list(NUMERIC_TYPES))
    # After _check_answers a single-answer question has one row per commune: only multiple-
    # choice rows need de-duplicating.
    several = pl.col("type") == MULTIPLE_CHOICE

    def distinct(table: pl.DataFrame) -> pl.DataFrame:
        return pl.concat(
            [
                table.filter(~several).select("question", "unit"),
                table.filter(several).select("question", "unit").unique(),
            ]
        )

    substantive_units = distinct(answers.filter(~special))
    answered_units = distinct(answers)
    bases = pl.concat(
        [
            substantive_units.with_columns(base=pl.lit(SUBSTANTIVE, pl.Categorical)),
            answered_units.with_columns(base=pl.lit(ANSWERED, pl.Categorical)),
        ]
    ).select("question", "base", "unit")
    selections = pl.concat(
        [
            answers.filter(~special & ~numeric).select(
                "question",
                base=pl.lit(SUBSTANTIVE, pl.Categorical),
                category=pl.col("value").cast(pl.Categorical),
                unit="unit",
            ),
            answers.filter(special)
            .join(substantive_units, on=["question", "unit"], how="anti")
            .select(
                "question",
                base=pl.lit(ANSWERED, pl.Categorical),
                category=pl.col("value").cast(pl.Categorical),
                unit="unit",
            ),
        ]
    )
    values = answers.filter(~special & numeric).select(
        "question", "unit", y=pl.col("value").cast(pl.Float64)
    )
    categories = _categories(answers, questions, options)
    return _Wave(strata, units, bases, selections, values, categories, questions)


def _distinct_answers(responses: pl.DataFrame, units: pl.DataFrame) -> pl.DataFrame:
    """refnis, question (Categorical), value, unit (null outside the frame): the distinct
    answers. Only the rows whose (question, unit) pair repeats can be repeated answers, so only
    they go through the unique() over strings (one integer key for the others)."""
    answers = (
        responses.lazy()
        .select(
            pl.col("refnis").cast(pl.String),
            pl.col("question").cast(pl.String).cast(pl.Categorical),
            pl.col("value").cast(pl.String),
        )
        .join(units.lazy().select("refnis", "unit"), on="refnis", how="left")
    )
    pair = pl.col("question").to_physical().cast(pl.UInt64) * 2**32 + pl.col("unit").cast(pl.UInt64)
    answers = answers.with_columns(_pair=pair).with_columns(
        _repeats=pl.col("_pair").is_duplicated()
    )
    return (
        pl.concat(
            [
                answers.filter(~pl.col("_repeats")),
                answers.filter("_repeats").unique(["_pair", "refnis", "value"]),
            ]
        )
        .drop("_pair", "_repeats")
        .collect()
    )


def _check_answers(
    answers: pl.DataFrame, questions: Mapping[str, Question], options: Options
) -> None:
    special = list(options.non_substantive)
    # (question, unit) as one integer: the question's categorical code and the unit id.
    pair = pl.col("question").to_physical().cast(pl.UInt64) * 2**32 + pl.col("unit").cast(pl.UInt64)
    several = answers.filter((pl.col("type") != MULTIPLE_CHOICE) & pair.is_duplicated())
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
        schema={"question": pl.Categorical, "value": pl.String},
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
        schema={"question": pl.Categorical, "_min": pl.Float64, "_max": pl.Float64},
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
            "question": pl.Categorical,
            "base": pl.Categorical,
            "category": pl.Categorical,
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
    ).with_columns(pl.col("breakdown").cast(pl.Categorical))


def _group_mapping(
    strata: pl.DataFrame,
    counts: pl.DataFrame,
    domains: pl.DataFrame,
    bases: pl.DataFrame,
    options: Options,
) -> pl.DataFrame:
    """(breakdown, question, base, stratum, group, N, n): each stratum's group after collapsing,
    for every (question, base) of ``bases``.

    Vectorised around the rule: step 1 runs in Python only for the provinces that have a short
    stratum (cached by pattern), step 2 only for the (breakdown, question, base) that still have
    a short group; everything else keeps group = stratum."""
    bases = bases.select("question", "base").unique()
    log = (
        pl.col("log_inhabitants")
        if "log_inhabitants" in strata.columns
        else pl.lit(None, pl.Float64).alias("log_inhabitants")
    )
    grid = (
        domains.join(strata.select("stratum", "N", "province", "class_rank", log), on="stratum")
        .join(bases, how="cross")
        .join(counts, on=["question", "base", "stratum"], how="left")
        .with_columns(n=pl.col("n").fill_null(0))
    )
    minimum = options.weighting_cell
    keys = ["breakdown", "question", "base"]
    short = (pl.col("n") < minimum) & (pl.col("n") < pl.col("N"))
    touched = grid.filter(short).select(keys).unique()
    fine = grid.join(touched, on=keys, how="anti").with_columns(group=pl.col("stratum"))
    todo = grid.join(touched, on=keys, how="semi")
    if todo.height:
        todo = _collapse_within_provinces(todo, keys, minimum)
        todo = _collapse_groups_across_provinces(todo, keys, minimum)
        fine = pl.concat([fine, todo.select(fine.columns)])
    return fine.select(*keys, "stratum", "group", "N", "n")


def _collapse_within_provinces(grid: pl.DataFrame, keys: list[str], minimum: int) -> pl.DataFrame:
    short = (pl.col("n") < minimum) & (pl.col("n") < pl.col("N"))
    where = [*keys, "province"]
    needs = grid.filter(short).select(where).unique()
    fine = grid.join(needs, on=where, how="anti").with_columns(group=pl.col("stratum"))
    todo = grid.join(needs, on=where, how="semi")
    if todo.height == 0:
        return fine
    rows = (
        todo.sort("class_rank")
        .group_by(where)
        .agg("stratum", "class_rank", "N", "n", "log_inhabitants")
    )
    labelled: list[int] = []
    for members, ranks, sizes, counts, logs in rows.select(
        "stratum", "class_rank", "N", "n", "log_inhabitants"
    ).iter_rows():
        local = _province_labels(tuple(zip(ranks, sizes, counts, logs, strict=True)), minimum)
        labelled += [members[j] for j in local]
    labels = (
        rows.select(*where, "stratum")
        .explode("stratum")
        .with_columns(group=pl.Series(labelled, dtype=pl.UInt32))
    )
    collapsed = todo.join(labels, on=[*where, "stratum"])
    return pl.concat([fine, collapsed.select(fine.columns)])


def _collapse_groups_across_provinces(
    grid: pl.DataFrame, keys: list[str], minimum: int
) -> pl.DataFrame:
    known = pl.col("log_inhabitants").is_not_null()
    groups = grid.group_by(*keys, "group").agg(
        province=pl.col("province").first(),
        first_rank=pl.col("class_rank").min(),
        last_rank=pl.col("class_rank").max(),
        N_g=pl.col("N").sum(),
        n_g=pl.col("n").sum(),
        log_sum=(pl.col("N") * pl.col("log_inhabitants")).filter(known).sum(),
        log_weight=pl.col("N").filter(known).sum(),
    )
    short = (pl.col("n_g") < minimum) & (pl.col("n_g") < pl.col("N_g"))
    needs = (
        groups.group_by(keys)
        .agg(short=short.any(), count=pl.len())
        .filter(pl.col("short") & (pl.col("count") > 1))
        .select(keys)
    )
    if needs.height == 0:
        return grid
    fields = ["group", "province", "first_rank", "N_g", "n_g", "last_rank", "log_sum"]
    todo = (
        groups.join(needs, on=keys, how="semi")
        .sort(*keys, "province", "first_rank")
        .group_by(keys, maintain_order=True)
        .agg(*fields, "log_weight")
    )
    finals: list[int] = []
    for row in todo.iter_rows():
        lists = row[len(keys) :]
        pattern = tuple(zip(*lists[1:], strict=True))
        finals += [lists[0][j] for j in _across_labels(pattern, minimum)]
    relabel = (
        todo.select(*keys, "group")
        .explode("group")
        .with_columns(_final=pl.Series(finals, dtype=pl.UInt32))
    )
    return (
        grid.join(relabel, on=[*keys, "group"], how="left")
        .with_columns(group=pl.coalesce("_final", "group"))
        .drop("_final")
    )


def _pooled(table: pl.LazyFrame, by: list[str], *also: pl.Expr) -> pl.LazyFrame:
    """Pooled n, mean and m2 of the strata of each ``by`` group (Chan et al.), with the
    aggregations ``also``. The pooled mean reaches the rows as a window, so the group_by runs
    plain sums only (an aggregate inside a per-row expression would be evaluated group by
    group, which takes seconds over a million groups)."""
    n, mean = pl.col("n"), pl.col("mean")
    pooled = (n * mean).sum().over(by) / n.sum().over(by)
    return (
        table.with_columns(_spread=pl.col("m2") + n * (mean - pooled) ** 2)
        .group_by(by)
        .agg(
            n.sum().alias("n"),
            ((n * mean).sum() / n.sum()).alias("mean"),
            pl.col("_spread").sum().alias("m2"),
            *also,
        )
    )


def _estimate_cells(
    stats: pl.DataFrame,
    mapping: pl.DataFrame,
    categories: pl.DataFrame,
    weighted: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """One row per breakdown × question × base × category: the stratified estimate and its
    variance, the unweighted figures, respondents n, population N, strata H. ``weighted``
    (``_weighted_estimates``) replaces the estimate and variance when weights are adjusted."""
    keys = ["breakdown", "question", "base"]
    # One lazy query, collected once (common subplans such as ``groups`` are computed once).
    mapping_lazy = mapping.lazy()
    groups = mapping_lazy.group_by(*keys, "group").agg(N_g=pl.col("N").sum(), n_g=pl.col("n").sum())
    domain = groups.group_by(keys).agg(
        population=pl.col("N_g").sum(),
        respondents=pl.col("n_g").sum(),
        strata=pl.len(),
        empty_groups=(pl.col("n_g") == 0).sum(),
    )
    joined = stats.lazy().join(
        mapping_lazy.select(*keys, "stratum", "group"), on=["question", "base", "stratum"]
    )
    pooled = (
        _pooled(joined, [*keys, "category", "group"])
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
        _pooled(
            pooled.with_columns(contribution=contribution, _share_mean=share * pl.col("mean")),
            [*keys, "category"],
            pl.col("_share_mean").sum().alias("estimate"),
            pl.col("contribution").sum().alias("variance"),
            pl.col("contribution").null_count().alias("_undefined"),
        )
        .with_columns(variance=pl.when(pl.col("_undefined") == 0).then("variance"))
        .drop("_undefined")
        .rename({"mean": "unweighted", "n": "_n"})
    )
    if weighted is not None:
        cells = cells.drop("estimate", "variance").join(
            weighted.lazy(), on=[*keys, "category"], how="left"
        )
    grid = (
        categories.lazy()
        .join(domain, on=["question", "base"])
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
        .with_columns(pl.col("breakdown", "question", "base", "category").cast(pl.String))
        .collect()
    )
    return grid


def _adjusted_weights(wave: _Wave, mapping: pl.DataFrame, options: Options) -> pl.DataFrame:
    """(breakdown, question, base, unit, group, weight): each respondent's raked and/or trimmed
    weight (module ``weighting``), with inhabitants for the questions about inhabitants."""
    from smartregion.observatory import weighting  # noqa: PLC0415 (weighting imports statistics)

    keys = ["breakdown", "question", "base"]
    cells = mapping.join(
        wave.strata.select("stratum", "province", "population_class"), on="stratum"
    )
    groups = mapping.group_by(*keys, "group").agg(N_g=pl.col("N").sum(), n_g=pl.col("n").sum())
    units = (
        wave.bases.join(wave.units.select("unit", "stratum", "inhabitants"), on="unit")
        .join(
            cells.select(*keys, "stratum", "group", "province", "population_class"),
            on=["question", "base", "stratum"],
        )
        .join(groups, on=[*keys, "group"])
        .with_columns(weight=pl.col("N_g") / pl.col("n_g"))
        .drop("N_g", "n_g", "stratum")
    )
    targets = weighting.margins(cells, keys)
    about = [code for code, q in wave.questions.items() if q.about_inhabitants]
    parts = []
    for chosen, by_inhabitants in (
        (~pl.col("question").is_in(about), False),
        (pl.col("question").is_in(about), True),
    ):
        part = units.filter(chosen)
        if part.height == 0:
            continue
        totals = None
        if by_inhabitants and options.rake:
            totals = (
                mapping.select(*keys, "stratum")
                .unique()
                .join(wave.units.select("stratum", "inhabitants"), on="stratum")
                .group_by(keys)
                .agg(inhabitants_total=pl.col("inhabitants").sum())
                .filter(pl.col("inhabitants_total") > 0)
            )
        parts.append(
            weighting.adjust(
                part,
                keys,
                rake=options.rake,
                trim=options.trim,
                targets=targets,
                inhabitants=totals,
            ).select(*keys, "unit", "group", "weight", "trimmed")
        )
    return pl.concat(parts)


def _weighted_estimates(wave: _Wave, mapping: pl.DataFrame, options: Options) -> pl.DataFrame:
    """(breakdown, question, base, category, estimate, variance): the ratio Σwy/Σw and its
    linearised variance over the weighting cells (module ``weighting``), from per-cell sums
    A = Σw, B = Σw², C = Σwy, D = Σw²y, E = Σw²y²."""
    keys = ["breakdown", "question", "base"]
    weights = _adjusted_weights(wave, mapping, options)
    totals = weights.group_by(*keys, "group").agg(
        A=pl.col("weight").sum(), B=(pl.col("weight") ** 2).sum()
    )
    w, w2 = pl.col("weight"), pl.col("weight") ** 2
    chosen = (
        wave.selections.join(weights, on=["question", "base", "unit"])
        .group_by(*keys, "category", "group")
        .agg(C=w.sum(), D=w2.sum(), E=w2.sum())
    )
    y = pl.col("y")
    numeric = (
        wave.values.with_columns(
            base=pl.lit(SUBSTANTIVE, pl.Categorical), category=pl.lit(MEAN_CATEGORY, pl.Categorical)
        )
        .join(weights, on=["question", "base", "unit"])
        .group_by(*keys, "category", "group")
        .agg(C=(w * y).sum(), D=(w2 * y).sum(), E=(w2 * y * y).sum())
    )
    groups = mapping.group_by(*keys, "group").agg(N_g=pl.col("N").sum(), n_g=pl.col("n").sum())
    sums = (
        wave.categories.select("question", "base", "category")
        .join(totals, on=["question", "base"])
        .join(pl.concat([chosen, numeric]), on=[*keys, "category", "group"], how="left")
        .with_columns(pl.col("C", "D", "E").fill_null(0.0))
        .join(groups, on=[*keys, "group"])
    )
    cell = [*keys, "category"]
    W = pl.col("A").sum().over(cell)
    R = pl.col("C").sum().over(cell) / W
    su = (pl.col("C") - R * pl.col("A")) / W
    su2 = (pl.col("E") - 2 * R * pl.col("D") + R**2 * pl.col("B")) / W**2
    n_g, N_g = pl.col("n_g"), pl.col("N_g")
    contribution = (
        pl.when(n_g == N_g)
        .then(0.0)
        .when(n_g >= 2)
        .then((1 - n_g / N_g) * n_g / (n_g - 1) * (su2 - su**2 / n_g))
        .otherwise(None)
    )
    return (
        sums.with_columns(estimate=R, contribution=contribution)
        .group_by(cell)
        .agg(
            estimate=pl.col("estimate").first(),
            variance=pl.when(pl.col("contribution").is_null().any())
            .then(None)
            .otherwise(pl.col("contribution").sum().clip(lower_bound=0)),
        )
    )


def _finish(
    cells: pl.DataFrame, options: Options, *, label: str, bounds: tuple[float, float] = (0.0, 1.0)
) -> pl.DataFrame:
    """Standard errors, confidence intervals, reliability, suppression; the published columns.

    Reliability (and the variance fallback) concern estimates of shares and means, not the
    differences of a panel trend (``bounds`` other than [0, 1])."""
    levels = bounds == (0.0, 1.0)
    cells = cells.with_columns(
        se=pl.col("variance").clip(lower_bound=0).sqrt(),
        unweighted_se=pl.col("unweighted_var").clip(lower_bound=0).sqrt(),
        df=(pl.col("respondents") - pl.col("strata")).cast(pl.Int64),
    )
    cells = _with_fallback(cells, options, active=levels)
    cells = _with_intervals(cells, options, value="estimate", bounds=bounds)
    if levels:
        cells = _with_reliability(cells)
    hidden = pl.col("respondents") < options.min_cell
    unreliable = pl.col("flag") == "unpublished" if levels else pl.lit(False)
    suppression = (
        pl.when(hidden)
        .then(pl.lit("respondents"))
        .when(unreliable & options.withhold_unreliable)
        .then(pl.lit("reliability"))
        .otherwise(pl.lit(None, pl.String))
    )
    cells = cells.with_columns(suppression=suppression)
    withheld = pl.col("suppression").is_not_null()
    # The figures of a wave's cells are nulled by disclosure control (``disclosure.protect``),
    # which needs the counts of cells withheld for reliability to apply the dominance rule;
    # the panel's differences are nulled here.
    nulled = withheld if not levels else pl.lit(False)
    figures = ["estimate", "se", "ci_low", "ci_high", "unweighted", "unweighted_se", "df"]
    if levels:
        figures += ["n_effective", "deff", "cv", "ci_width", "variance_fallback"]
    return (
        cells.with_columns(
            suppressed=withheld,
            method=pl.lit(f"{label}/{options.ci_method}"),
            population=pl.col("population").cast(pl.Int64),
            respondents=pl.col("respondents").cast(pl.Int64),
            strata=pl.col("strata").cast(pl.Int64),
        )
        .with_columns([pl.when(~nulled).then(pl.col(c)).alias(c) for c in figures])
        .drop("_zero")
    )


def _with_fallback(cells: pl.DataFrame, options: Options, *, active: bool) -> pl.DataFrame:
    """``_zero``: the design variance is 0 in a sample (not a census); with Korn–Graubard or
    Wilson such a cell gets the documented fallback (``variance_fallback``): for a mean the
    unweighted within-domain variance, for a proportion the simple-random-sampling variance
    (1 − n/N) p(1 − p)/n, whose interval is then Clopper–Pearson with n/(1 − n/N)."""
    n, population = pl.col("respondents"), pl.col("population")
    zero = (
        (pl.col("variance") == 0)
        & (n < population)
        & pl.col("estimate").is_not_null()
        & pl.lit(active)
    )
    fallback = zero & pl.lit(options.ci_method in PROPORTION_METHODS)
    p = pl.col("estimate")
    srs = (1 - n / population) * p * (1 - p) / (n - 1)
    replaced = pl.when(pl.col("kind") == "proportion").then(srs).otherwise("unweighted_var")
    return cells.with_columns(
        _zero=zero.fill_null(False),
        variance_fallback=fallback.fill_null(False),
        se=pl.when(fallback).then(replaced.clip(lower_bound=0).sqrt()).otherwise("se"),
    )


def _quantiles(cells: pl.DataFrame, options: Options, df: pl.Expr, name: str) -> pl.DataFrame:
    """Join the t quantile of the degrees of freedom ``df`` as column ``name``."""
    cells = cells.with_columns(_dfq=df.cast(pl.Int64))
    dfs = cells.get_column("_dfq").unique().drop_nulls().to_list()
    quantiles = pl.DataFrame(
        {"_dfq": dfs, name: [_quantile(options, d) for d in dfs]},
        schema={"_dfq": pl.Int64, name: pl.Float64},
    )
    return cells.join(quantiles, on="_dfq", how="left").drop("_dfq")


def _with_intervals(
    cells: pl.DataFrame, options: Options, *, value: str, bounds: tuple[float, float]
) -> pl.DataFrame:
    """ci_low, ci_high from ``value``, se and df (and kind: proportions are clipped to bounds);
    Korn–Graubard or Wilson for proportions, t for the rest (see the module docstring)."""
    if options.ci_method == "normal":
        cells = cells.with_columns(_q=pl.lit(_quantile(options, None)))
    else:
        cells = _quantiles(cells, options, pl.col("df"), "_q")
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
    cells = cells.with_columns(ci_low=low, ci_high=high)
    if options.ci_method in PROPORTION_METHODS and bounds == (0.0, 1.0):
        cells = _proportion_intervals(cells, options)
    return cells.drop("_q")


def _proportion_intervals(cells: pl.DataFrame, options: Options) -> pl.DataFrame:
    """Korn–Graubard (Clopper–Pearson at the df-adjusted effective n) or Wilson (score interval
    at n_eff = p(1 − p)/variance, critical value t_df) for the proportions with a variance; a
    census keeps its zero-width interval, the fallback uses n/(1 − n/N) (see ``_with_fallback``)."""
    cells = _quantiles(cells, options, pl.col("respondents") - 1, "_qn")
    wanted = (
        (pl.col("kind") == "proportion")
        & pl.col("estimate").is_not_null()
        & pl.col("se").is_not_null()
    )
    columns = ["estimate", "se", "respondents", "population", "_q", "_qn", "variance_fallback"]
    picked = cells.select(*columns, _wanted=wanted.fill_null(False))
    arrays = {c: picked.get_column(c).cast(pl.Float64).to_numpy() for c in columns}
    use = picked.get_column("_wanted").to_numpy()
    p, se, n, N = (arrays[c] for c in ("estimate", "se", "respondents", "population"))
    census = n >= N
    fallback = arrays["variance_fallback"] == 1
    with np.errstate(invalid="ignore", divide="ignore"):
        # the variance of a simple random sample of n of N (deff 1): the floor of the variance
        srs = np.where(n > 1, (1 - n / N) * p * (1 - p) / (n - 1), np.nan)
        floor_n = np.where(n > 1, (n - 1) / (1 - n / N), 0.0)  # p(1 − p) / srs, also at p = 0, 1
    floored = fallback | (se**2 < srs)
    variance = np.where(floored, srs, se**2)
    q = np.nan_to_num(arrays["_q"], nan=np.inf)
    if options.ci_method == "korn-graubard":
        qn = np.nan_to_num(arrays["_qn"], nan=np.inf)
        ratio = korn_graubard_n(np.full_like(p, 0.5), np.full_like(p, 0.25), qn, q)
        with np.errstate(invalid="ignore", divide="ignore"):
            n_eff = np.where(floored, floor_n, p * (1 - p) / variance) * ratio
        low, high = clopper_pearson(p, np.nan_to_num(n_eff, nan=0.0), 1 - options.confidence)
    else:
        with np.errstate(invalid="ignore", divide="ignore"):
            n_eff = np.where(floored, floor_n, p * (1 - p) / variance)
        low, high = wilson(p, np.nan_to_num(n_eff, nan=0.0), q)
    exact = census | ((se == 0) & ~fallback)
    low = np.where(exact, p, low)
    high = np.where(exact, p, high)
    old_low = cells.get_column("ci_low").to_numpy()
    old_high = cells.get_column("ci_high").to_numpy()
    return cells.with_columns(
        ci_low=pl.Series(np.where(use, low, old_low), dtype=pl.Float64).fill_nan(None),
        ci_high=pl.Series(np.where(use, high, old_high), dtype=pl.Float64).fill_nan(None),
    ).drop("_qn")


def _with_reliability(cells: pl.DataFrame) -> pl.DataFrame:
    """n_effective, deff, cv, ci_width and the flag (``RELIABILITY_RULE``, module docstring)."""
    n = pl.col("respondents").cast(pl.Float64)
    population = pl.col("population").cast(pl.Float64)
    p, se = pl.col("estimate"), pl.col("se")
    proportion = pl.col("kind") == "proportion"
    census = n >= population
    spread = pl.when(proportion).then(p * (1 - p) * n / (n - 1)).otherwise(pl.col("m2") / (n - 1))
    srs = (1 - n / population) * spread / n
    deff = (
        pl.when(census | (n < 2))
        .then(None)
        .when(pl.col("variance_fallback"))
        .then(1.0)
        .when(srs > 0)
        .then(se**2 / srs)
    )
    cells = cells.with_columns(deff=deff.cast(pl.Float64))
    n_effective = (
        pl.when(census).then(n).when(pl.col("deff") > 0).then(n / pl.col("deff")).otherwise(None)
    )
    cells = cells.with_columns(
        n_effective=n_effective.cast(pl.Float64),
        cv=pl.when(p != 0).then(se / p.abs()).cast(pl.Float64),
        ci_width=(pl.col("ci_high") - pl.col("ci_low")).cast(pl.Float64),
    )
    # NCHS takes deff as 1 when it is below 1; with the FPC, n / (deff (1 − n/N)) is the size of a
    # with-replacement sample as precise as this one (the FPC adaptation of the rule)
    floored = pl.max_horizontal(pl.col("deff"), pl.lit(1.0))
    with_fpc = pl.when(census).then(float("inf")).otherwise(n / floored / (1 - n / population))
    # the same with deff 1: what the cell's respondents and communes allow, whatever the answers
    planned = pl.when(census).then(float("inf")).otherwise(n / (1 - n / population))
    flag = flag_expression(
        proportion=proportion,
        estimate=p,
        width=pl.col("ci_width"),
        cv=pl.col("cv"),
        effective_n=with_fpc,
        planned_effective_n=planned,
        df=pl.col("df"),
        census=census,
        warned=pl.col("_zero"),
    )
    return cells.with_columns(flag=flag)


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
    weighted = _weighted_estimates(wave, mapping, options) if options.weighted else None
    cells = _estimate_cells(stats, mapping, wave.categories, weighted)
    results = _finish(cells, options, label="stratified")
    results = disclosure.protect(results, wave.questions, min_cell=options.min_cell)
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
    """refnis, group (collapsed stratum, named by its first stratum), weight N_g / n_g (raked
    and/or trimmed with ``Options.rake``/``trim``) and finite population correction
    1 − n_g / N_g of each respondent to a question in a breakdown. The weights sum to the
    breakdown's N when anyone in it answered."""
    options = options or Options()
    wave = _prepare(frame, responses, questions, options)
    counts, _ = _stratum_stats(
        wave.bases, wave.selections, wave.values, wave.categories, wave.units
    )
    counts = counts.filter((pl.col("question") == question) & (pl.col("base") == base))
    domains = _domains(wave.strata).filter(pl.col("breakdown") == breakdown)
    wanted = pl.DataFrame(
        {"question": [question], "base": [base]},
        schema={"question": pl.Categorical, "base": pl.Categorical},
    )
    mapping = _group_mapping(wave.strata, counts, domains, wanted, options)
    groups = mapping.group_by("group").agg(N_g=pl.col("N").sum(), n_g=pl.col("n").sum())
    table = (
        wave.bases.filter((pl.col("question") == question) & (pl.col("base") == base))
        .join(wave.units, on="unit")
        .join(mapping.select("stratum", "group"), on="stratum")
        .join(groups, on="group")
        .with_columns(weight=pl.col("N_g") / pl.col("n_g"))
    )
    if options.weighted:
        adjusted = _adjusted_weights(wave, mapping, options).select("unit", "weight")
        table = table.drop("weight").join(adjusted, on="unit")
    return table.select("refnis", "group", "weight", fpc=1 - pl.col("n_g") / pl.col("N_g")).sort(
        "refnis"
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
    return edition_of_waves(wave_from, wave_to, options)


def prepare_wave(
    frame: pl.DataFrame,
    responses: pl.DataFrame,
    questions: Mapping[str, Question] | None = None,
    options: Options | None = None,
    *,
    checked: bool = False,
) -> _Wave:
    """A wave in the engine's shape (integer-coded, checked): once it is made, the raw answer
    table is no longer needed (callers holding large tables may drop it). ``checked``: the
    answers were read by ``frames.read_responses`` with these questions (or the types were
    inferred from them), whose checks include the engine's (single answers, numbers, bounds,
    listed categories), so the engine does not repeat them."""
    return _prepare(frame, responses, questions, options or Options(), checked=checked)


def estimate_prepared(wave: _Wave, options: Options | None = None) -> pl.DataFrame:
    """``estimate`` on a wave made by ``prepare_wave``."""
    return _estimate_wave(wave, options or Options())


def edition_of_waves(wave_from: _Wave, wave_to: _Wave, options: Options | None = None) -> Edition:
    """``estimate_edition`` on two waves made by ``prepare_wave``."""
    options = options or Options()
    results_from = _estimate_wave(wave_from, options)
    results_to = _estimate_wave(wave_to, options)
    shared = _shared_categories(wave_from, wave_to)
    panel = _panel_trends(wave_from, wave_to, shared, options)
    shared = shared.with_columns(pl.col(_KEYS).cast(pl.String))
    independent = _independent_trends(results_from, results_to, shared, options)
    # "suppression" may not exist yet: disclosure control adds (or completes) it.
    trends = pl.concat(
        [t.select(c for c in TREND_COLUMNS if c in t.columns) for t in (independent, panel)],
        how="diagonal_relaxed",
    )
    trends = disclosure.protect_trends(
        trends, results_from, results_to, wave_to.questions, min_cell=options.min_cell
    )
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
    """Differences get the symmetric t interval with Korn–Graubard, Wilson or logit (normal
    stays normal)."""
    if options.ci_method == "normal" or options.ci_method == "t":
        return options
    return replace(options, ci_method="t")


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

    # Question by question (in chunks): the joins of the two waves' bases and selections never
    # hold every (question, unit) pair at once; counts and stats are per question anyway.
    questions = shared.get_column("question").unique().sort().to_list()
    parts = []
    for start in range(0, len(questions), _PANEL_CHUNK):
        chunk = pl.Series(questions[start : start + _PANEL_CHUNK], dtype=pl.Categorical)
        wanted = pl.col("question").is_in(chunk.implode())
        bases = in_to_ids(wave_from.bases.filter(wanted)).join(
            wave_to.bases.filter(wanted), on=["question", "base", "unit"]
        )
        selections_from = in_to_ids(wave_from.selections.filter(wanted)).join(
            bases, on=["question", "base", "unit"], how="semi"
        )
        selections_to = wave_to.selections.filter(wanted).join(
            bases, on=["question", "base", "unit"], how="semi"
        )
        parts.append(
            _panel_stats(
                bases,
                selections_from,
                selections_to,
                wave_from.values.filter(wanted),
                wave_to.values.filter(wanted),
                shared.filter(wanted),
                units,
                to_units,
            )
        )
        del bases, selections_from, selections_to
    if parts:
        counts = pl.concat([c for c, _ in parts])
        stats = pl.concat([s for _, s in parts])
    else:
        empty = wave_to.bases.head(0)
        counts, stats = _panel_stats(
            empty,
            wave_from.selections.head(0),
            wave_to.selections.head(0),
            wave_from.values.head(0),
            wave_to.values.head(0),
            shared.head(0),
            units,
            to_units,
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
    values_from: pl.DataFrame,
    values_to: pl.DataFrame,
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
        values_from.rename({"unit": "unit_from", "y": "y_from"})
        .join(to_units, on="unit_from")
        .join(values_to, on=["question", "unit"])
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
