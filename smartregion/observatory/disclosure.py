"""Statistical disclosure control of an edition's tables: primary and complementary suppression,
and the audit that proves no withheld figure can be recomputed from what is published.

Pure: no Django, no I/O (Polars, NumPy and SciPy's linear programming).

Primary suppression (reasons in the ``suppression`` column)
----------------------------------------------------------
- ``"respondents"``: a cell answered by fewer than ``min_cell`` (5) communes (an empty cell, with
  no respondent, too: it gets no complement, having no one to protect).
- ``"dominance"``: a cell of a *confidential* question (one whose individual answers are not
  public) where one category was chosen by all respondents but at most one
  (count ≥ n − 1; for a multiple-choice question, per option ticked). Means have no dominance
  rule; an option ticked by at most one respondent is not a dominance (the rule as specified).

The unit of suppression is the whole *cell*: question × base × breakdown, every category at once.
A single-choice cell's categories sum to its base, so withholding one category and publishing the
others would give it back; withholding them all leaves nothing to subtract from. The respondent
count of a withheld cell stays published (the CONTRACT keeps it), so it is a known in the audit.

Complementary suppression (``"complementary"``)
-----------------------------------------------
Published margins tie cells together, per question × base × category, for weighted totals
(estimate · population) and unweighted counts (unweighted · respondents) alike:
"all" = Σ provinces, "all" = Σ population classes; within a cell, for single-choice and yes/no
questions (substantive base), the categories sum to the base. A withheld cell is *disclosed* when
its value is determined by these equations from the published cells: its unit vector lies in the
row space of the constraint matrix restricted to the withheld unknowns (a rank test, which covers
every subtraction), or, for the unweighted counts, when the bounds 0 ≤ count ≤ respondents make
its interval a single value; a dominance cell is also disclosed when those bounds prove that one
category has at least n − 1 answers (exactly what the rule hides). A category that nobody or
everybody chose in the whole population ("all" published at 0 or 1) is not counted as disclosed
by bounds: "all" says it of every cell, and no suppression could hide it. The weighted totals
obey the same equations (exactly when no collapsed stratum straddles two provinces or classes,
approximately otherwise), so the same test covers them; bounds are checked on counts only.

Computation: the margins have a simple shape, so both tests have closed forms, used whenever they
apply (checked against the general methods in the tests): with "all" published, a withheld member
is linearly determined iff it is alone withheld in its margin, and its count's sharp bounds are
Fréchet's, [max(0, R − Σ other withheld respondents), min(n, R)] with R = "all" − the published
members. Otherwise (a cell withheld only in part for reliability, "all" withheld) the rank test
uses a thin SVD and the bounds SciPy's ``linprog`` (HiGHS).

Heuristic: while a disclosure-suppressed cell is disclosed, withhold one more cell of the same
margin (another province for a province, another class for a class, provinces or classes for
"all"), choosing first the cell that costs least: a cell already partly withheld for reliability
(``suppression`` "reliability", free to use: not confidential, so it may itself be recomputable),
then the fewest respondents, then the smallest population, then the code; "all" last. Cells
wholly withheld already (for reliability or otherwise) are unknowns and cost nothing. Each pass
adds one complement per disclosed cell whose margin got none in that pass, then tests again,
until no disclosure-suppressed cell is disclosed (at worst the whole table is withheld).
Only ``"respondents"`` and ``"dominance"`` cells are protected; reliability-withheld and
complementary cells may be recomputable (they are withheld for other reasons or to protect others).
Empty cells (no respondent) protect no one and are left out.

Trends. The independent trend publishes both estimates, so its row is withheld whenever either
cell is (any reason; the stronger reason is given). A panel trend row is withheld when fewer than
``min_cell`` communes answered both waves ("respondents") or when either wave's cell is withheld
for disclosure (its reason), then complementary suppression runs on the panel table (rank test on
the same margins; the differences of single-choice categories sum to 0).

Known limit: the respondents of both bases are published, so the number of non-substantive
answers of a cell (answered − substantive) is public even when its figures are withheld; the audit
treats each base's table on its own.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import polars as pl

RESPONDENTS = "respondents"
DOMINANCE = "dominance"
COMPLEMENTARY = "complementary"
RELIABILITY = "reliability"
DISCLOSURE = (RESPONDENTS, DOMINANCE)
WITHHELD_FOR_DISCLOSURE = (RESPONDENTS, DOMINANCE, COMPLEMENTARY)
_PRIORITY = {RESPONDENTS: 0, DOMINANCE: 1, COMPLEMENTARY: 2, RELIABILITY: 3}
EXCLUSIVE_TYPES = ("single_choice", "yes_no")

RESULT_FIGURES = (
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "unweighted",
    "unweighted_se",
    "df",
    "n_effective",
    "deff",
    "cv",
    "ci_width",
    "variance_fallback",
)
TREND_FIGURES = ("estimate_from", "estimate_to", "difference", "se", "ci_low", "ci_high", "df")
_CELL = ["question", "base", "breakdown"]
_TOLERANCE = 1e-7


# ---------------------------------------------------------------------------------------------
# One table: a question × base, its breakdowns × categories


@dataclass
class _Table:
    breakdowns: list[str]
    categories: list[str]
    respondents: np.ndarray  # per breakdown
    population: np.ndarray  # per breakdown
    counts: np.ndarray  # breakdowns × categories, NaN where withheld
    withheld: np.ndarray  # breakdowns × categories
    exclusive: bool
    protected: np.ndarray  # per breakdown: withheld for disclosure and to be protected
    dominant: np.ndarray  # breakdowns × categories: count ≥ n − 1 (known only to the publisher)
    bounded: bool = True  # unweighted counts in [0, n] (proportions); False: rank test only

    def equations(self) -> np.ndarray:
        """Rows of the constraint matrix over variables b × K + k (their right-hand sides are
        known from the published cells and the respondents)."""
        size = len(self.categories)
        rows = []
        lines = _lines(self.breakdowns)
        for k in range(size):
            for members in lines:
                row = np.zeros(self.counts.size)
                all_index = self.breakdowns.index("all")
                row[all_index * size + k] = 1.0
                for b in members:
                    row[b * size + k] = -1.0
                rows.append(row)
        if self.exclusive:
            for b in range(len(self.breakdowns)):
                row = np.zeros(self.counts.size)
                row[b * size : (b + 1) * size] = 1.0
                rows.append(row)
        return np.array(rows).reshape(len(rows), self.counts.size)


def _lines(breakdowns: list[str]) -> list[list[int]]:
    """The margins: provinces and population classes, each summing to "all"."""
    if "all" not in breakdowns:
        return []
    lines = []
    for prefix in ("province=", "population_class="):
        members = [i for i, b in enumerate(breakdowns) if b.startswith(prefix)]
        if members:
            lines.append(members)
    return lines


def _determined(matrix: np.ndarray, unknown: np.ndarray) -> np.ndarray:
    """For each unknown column, whether its value is a linear function of the knowns: its unit
    vector lies in the row space of the matrix restricted to the unknowns, i.e. the projection
    onto that row space (V_r V_rᵀ from a thin SVD) has 1 on its diagonal."""
    sub = matrix[:, unknown]
    sub = sub[np.abs(sub).sum(axis=1) > 0]
    if sub.shape[1] == 0:
        return np.zeros(0, dtype=bool)
    if sub.shape[0] == 0:
        return np.zeros(sub.shape[1], dtype=bool)
    _, singular, vt = np.linalg.svd(sub, full_matrices=False)
    rank = int((singular > 1e-9 * max(1.0, singular.max(initial=0.0))).sum())
    projection = (vt[:rank] ** 2).sum(axis=0)
    return projection > 1 - 1e-9


def _margin_determined(table: _Table) -> dict[int, bool] | None:
    """The rank test in closed form, when it is one (None otherwise: use the SVD).

    Per category, the equations are "all" − Σ members of each margin line. With "all" published,
    a withheld member is determined iff it is the only one withheld in its line; with "all"
    withheld, "all" is determined iff some line has nothing withheld, and a member iff it is the
    only one withheld in its line while another line has nothing withheld. For an exclusive
    question the cells' category sums add nothing when every withheld cell is withheld whole
    and there are at least two categories: any null vector u of one category's system gives
    x_bk = u_b·d_k with Σ d_k = 0, which keeps every category sum (partial cells: use the SVD)."""
    size = len(table.categories)
    partial = table.withheld.any(axis=1) & ~table.withheld.all(axis=1)
    if table.exclusive and (size < 2 or partial.any()):
        return None
    if "all" not in table.breakdowns:
        return {int(v): False for v in np.flatnonzero(table.withheld.reshape(-1))}
    all_index = table.breakdowns.index("all")
    lines = _lines(table.breakdowns)
    found = {}
    for k in range(size):
        hidden = [[b for b in line if table.withheld[b, k]] for line in lines]
        some_line_open = any(not h for h in hidden)
        if table.withheld[all_index, k]:
            found[all_index * size + k] = some_line_open
        for i, members in enumerate(hidden):
            other_open = any(not h for j, h in enumerate(hidden) if j != i)
            for b in members:
                alone = len(members) == 1
                known = alone and (not table.withheld[all_index, k] or other_open)
                found[b * size + k] = known
    return found


def _bounds(table: _Table, matrix: np.ndarray, unknown: np.ndarray, wanted: list[int]):
    """LP bounds (min, max) of the unweighted counts of the ``wanted`` variables, given the
    published counts, 0 ≤ count ≤ respondents and the equations."""
    from scipy.optimize import linprog  # noqa: PLC0415 - only audits need it

    known = ~unknown
    counts = table.counts.reshape(-1)
    rhs = -matrix[:, known] @ np.nan_to_num(counts[known])
    if table.exclusive:
        for b in range(len(table.breakdowns)):
            rhs[len(matrix) - len(table.breakdowns) + b] += table.respondents[b]
    sub = matrix[:, unknown]
    upper = np.repeat(table.respondents, len(table.categories))[unknown].astype(float)
    index = {v: i for i, v in enumerate(np.flatnonzero(unknown))}
    found = {}
    for variable in wanted:
        objective = np.zeros(sub.shape[1])
        objective[index[variable]] = 1.0
        ends = []
        for sign in (1.0, -1.0):
            result = linprog(
                sign * objective,
                A_eq=sub,
                b_eq=rhs,
                bounds=list(zip(np.zeros_like(upper), upper, strict=True)),
                method="highs",
            )
            ends.append(sign * result.fun if result.status == 0 else None)
        found[variable] = tuple(ends)
    return found


def _margin_bounds(
    table: _Table, all_index: int | None, wanted: list[int]
) -> dict[int, tuple[float, float]]:
    """The sharp bounds, without linear programming, of the variables whose margin is simple:
    "all" published and, for an exclusive question, every withheld cell of the margin withheld
    whole. The withheld cells of a margin then form a table with known row sums (respondents)
    and column sums (the category's "all" minus the published members), whose cells' sharp
    bounds are Fréchet's: [max(0, R − Σ other rows), min(n, R)]."""
    size = len(table.categories)
    if all_index is None or table.withheld[all_index].any():
        return {}
    found = {}
    wanted_by_cell: dict[int, list[int]] = {}
    for variable in wanted:
        wanted_by_cell.setdefault(variable // size, []).append(variable % size)
    for members in _lines(table.breakdowns):
        rows = np.array(members)
        hidden = rows[table.withheld[rows].any(axis=1)]
        if table.exclusive and not table.withheld[hidden].all():
            continue
        withheld = table.withheld[rows]
        published = np.where(withheld, 0.0, np.nan_to_num(table.counts[rows])).sum(axis=0)
        rest = table.counts[all_index] - published  # per category: Σ of the withheld members
        hidden_respondents = (withheld * table.respondents[rows, None]).sum(axis=0)
        for b in hidden:
            for k in wanted_by_cell.get(int(b), []):
                others = hidden_respondents[k] - table.respondents[b] * table.withheld[b, k]
                low = max(0.0, rest[k] - others)
                found[int(b) * size + k] = (low, min(table.respondents[b], rest[k]))
    return found


def exposures(table: _Table) -> list[tuple[int, int, str]]:
    """(breakdown, category, why) of every protected cell's category that the published table
    discloses: "determined" (linear algebra or bounds) or "dominance" (bounds prove n − 1)."""
    size = len(table.categories)
    if not table.protected.any():
        return []
    matrix = table.equations()
    unknown = table.withheld.reshape(-1).copy()
    linear = _margin_determined(table)
    if linear is None:
        columns = np.flatnonzero(unknown)
        linear = dict(zip(columns, _determined(matrix, unknown), strict=True))
    found = []
    wanted = []
    for b in np.flatnonzero(table.protected):
        for k in range(size):
            variable = b * size + k
            if linear[variable]:
                found.append((int(b), k, "determined"))
            elif table.bounded:
                wanted.append(variable)
    if not wanted:
        return found
    all_index = table.breakdowns.index("all") if "all" in table.breakdowns else None
    bounds = _margin_bounds(table, all_index, wanted)
    hard = [v for v in wanted if v not in bounds]
    if hard:
        bounds |= _bounds(table, matrix, unknown, hard)
    for variable, (low, high) in bounds.items():
        b, k = divmod(variable, size)
        n = table.respondents[b]
        if low is None or high is None:
            continue
        if high - low < 1 - _TOLERANCE and not _unanimous(table, all_index, k):
            found.append((int(b), k, "determined"))
        elif table.dominant[b, k] and low >= n - 1 - _TOLERANCE:
            found.append((int(b), k, "dominance"))
    return found


def _unanimous(table: _Table, all_index: int | None, k: int) -> bool:
    """A category nobody or everybody chose in the whole population: "all" already says it of
    every cell, so no suppression can hide it (group disclosure the threshold rule accepts)."""
    if all_index is None or table.withheld[all_index, k]:
        return False
    count = table.counts[all_index, k]
    return count <= _TOLERANCE or count >= table.respondents[all_index] - _TOLERANCE


def complement(table: _Table, *, linear_only: bool = False) -> list[int]:
    """Withhold cells until no protected cell is disclosed; the breakdowns added."""
    added: list[int] = []
    table.bounded = table.bounded and not linear_only
    while True:
        exposed = list(dict.fromkeys(b for b, _, _ in exposures(table)))
        if not exposed:
            return added
        # One complement per disclosed cell, then look again (several at once: a large table
        # with many small cells would otherwise take one linear-algebra pass per complement).
        chosen: list[int] = []
        for b in exposed:
            if any(c in _pool(table, b) for c in chosen):
                continue  # this round's complement may protect it already: look again first
            choice = _candidate(table, b)
            if choice is not None and choice not in chosen:
                chosen.append(choice)
                table.withheld[choice, :] = True
                table.counts[choice, :] = np.nan
        if not chosen:
            return added
        added += chosen


def _pool(table: _Table, exposed: int) -> list[int]:
    """The cells sharing a margin with ``exposed``."""
    lines = _lines(table.breakdowns)
    if table.breakdowns[exposed] == "all":
        return [b for line in lines for b in line]
    pool = [b for line in lines if exposed in line for b in line if b != exposed]
    return [*pool, table.breakdowns.index("all")]


def _candidate(table: _Table, exposed: int) -> int | None:
    pool = _pool(table, exposed)
    open_cells = [b for b in pool if not table.withheld[b].all()]
    if not open_cells:
        open_cells = [b for b in range(len(table.breakdowns)) if not table.withheld[b].all()]
    if not open_cells:
        return None

    def cost(b: int) -> tuple:
        return (
            table.breakdowns[b] == "all",
            -int(table.withheld[b].sum()),
            int(table.respondents[b]),
            int(table.population[b]),
            table.breakdowns[b],
        )

    return min(open_cells, key=cost)


# ---------------------------------------------------------------------------------------------
# Results of a wave


def _with_contract_columns(results: pl.DataFrame) -> pl.DataFrame:
    """The CONTRACT's ``flag`` and ``suppression``, when the engine does not give them yet."""
    if "flag" not in results.columns:
        results = results.with_columns(flag=pl.lit("reliable"))
    if "suppression" not in results.columns:
        results = results.with_columns(suppression=pl.lit(None, pl.String))
    return results


def _confidential(questions: Mapping[str, Any]) -> list[str]:
    return [code for code, q in questions.items() if getattr(q, "confidential", False)]


def _exclusive(questions: Mapping[str, Any]) -> set[str]:
    return {code for code, q in questions.items() if getattr(q, "type", "") in EXCLUSIVE_TYPES}


def primary(results: pl.DataFrame, questions: Mapping[str, Any], min_cell: int) -> pl.DataFrame:
    """``suppression`` set to "respondents" or "dominance" on every category of the cells the
    primary rules withhold (before any figure is nulled for them)."""
    results = _with_contract_columns(results)
    count = (pl.col("unweighted") * pl.col("respondents")).round(6)
    dominated = (
        pl.col("question").is_in(_confidential(questions))
        & (pl.col("kind") == "proportion")
        & (pl.col("respondents") >= 1)
        & (count >= pl.col("respondents") - 1)
    )
    few = pl.col("respondents") < min_cell
    return results.with_columns(
        _dominated=dominated.fill_null(False).any().over(_CELL),
    ).with_columns(
        suppression=pl.when(few)
        .then(pl.lit(RESPONDENTS))
        .when(pl.col("_dominated"))
        .then(pl.lit(DOMINANCE))
        .otherwise("suppression"),
        _dominant=dominated.fill_null(False),
    )


def _tables(
    results: pl.DataFrame, exclusive: set[str], *, value: str, protected: pl.Expr
) -> Iterable[tuple[tuple[str, str], pl.DataFrame, _Table]]:
    marked = results.with_columns(_protected=protected.any().over(_CELL))
    needing = marked.filter(pl.col("_protected")).select("question", "base").unique()
    for (question, base), rows in marked.join(needing, on=["question", "base"]).group_by(
        "question", "base", maintain_order=True
    ):
        yield (question, base), rows, _table(rows, question, base, exclusive, value)


def _table(rows: pl.DataFrame, question: str, base: str, exclusive: set[str], value: str) -> _Table:
    breakdowns = list(dict.fromkeys(rows.get_column("breakdown").to_list()))
    categories = list(dict.fromkeys(rows.get_column("category").to_list()))
    bi = {b: i for i, b in enumerate(breakdowns)}
    ki = {k: i for i, k in enumerate(categories)}
    shape = (len(breakdowns), len(categories))
    counts = np.full(shape, np.nan)
    withheld = np.ones(shape, dtype=bool)
    dominant = np.zeros(shape, dtype=bool)
    respondents = np.zeros(len(breakdowns))
    population = np.zeros(len(breakdowns))
    protected = np.zeros(len(breakdowns), dtype=bool)
    columns = ["breakdown", "category", "respondents", value, "_hidden", "_protected", "_dominant"]
    columns += ["population"] if "population" in rows.columns else []
    for row in rows.select(columns).iter_rows(named=True):
        b, k = bi[row["breakdown"]], ki[row["category"]]
        respondents[b] = row["respondents"] or 0
        population[b] = row.get("population") or 0
        protected[b] |= bool(row["_protected"]) and respondents[b] > 0
        dominant[b, k] = bool(row["_dominant"])
        if not row["_hidden"] and row[value] is not None:
            withheld[b, k] = False
            counts[b, k] = round(row[value] * respondents[b], 6)
    kind = rows.get_column("kind")[0]
    return _Table(
        breakdowns,
        categories,
        respondents,
        population,
        counts,
        withheld,
        exclusive=question in exclusive and base == "substantive",
        protected=protected,
        dominant=dominant,
        bounded=kind == "proportion",
    )


def protect(results: pl.DataFrame, questions: Mapping[str, Any], *, min_cell: int) -> pl.DataFrame:
    """A wave's results with primary and complementary suppression applied: ``suppression``
    gives the reason, ``suppressed`` is true and the figures are null for every withheld cell."""
    marked = primary(results, questions, min_cell)
    marked = marked.with_columns(
        _hidden=pl.col("suppression").is_not_null() | pl.col("suppressed").fill_null(False)
    )
    added = []
    disclosure = pl.col("suppression").is_in(list(DISCLOSURE))
    exclusive = _exclusive(questions)
    for (question, base), _, table in _tables(
        marked, exclusive, value="unweighted", protected=disclosure
    ):
        added += [(question, base, table.breakdowns[b]) for b in complement(table)]
    return _apply(marked, added, RESULT_FIGURES)


def _apply(
    marked: pl.DataFrame, added: list[tuple[str, str, str]], figures: Iterable[str]
) -> pl.DataFrame:
    extra = pl.DataFrame(
        added,
        schema={"question": pl.String, "base": pl.String, "breakdown": pl.String},
        orient="row",
    ).with_columns(_complement=pl.lit(True))
    marked = marked.join(extra, on=_CELL, how="left")
    disclosure = pl.col("suppression").is_in(list(DISCLOSURE)).fill_null(False)
    reason = (
        pl.when(disclosure)
        .then("suppression")
        .when(pl.col("_complement").fill_null(False))
        .then(pl.lit(COMPLEMENTARY))
        .otherwise("suppression")
    )
    marked = marked.with_columns(suppression=reason)
    hidden = pl.col("suppression").is_not_null() | pl.col("suppressed").fill_null(False)
    present = [c for c in figures if c in marked.columns]
    return marked.with_columns(
        [pl.when(~hidden).then(pl.col(c)).alias(c) for c in present],
        suppressed=hidden,
    ).drop([c for c in marked.columns if c.startswith("_")])


# ---------------------------------------------------------------------------------------------
# Trends


def _stronger(*reasons: pl.Expr) -> pl.Expr:
    ranks = [r.replace_strict(_PRIORITY, default=None, return_dtype=pl.Int64) for r in reasons]
    best = pl.min_horizontal(ranks)
    names = {v: k for k, v in _PRIORITY.items()}
    return best.replace_strict(names, default=None, return_dtype=pl.String)


def protect_trends(
    trends: pl.DataFrame,
    results_from: pl.DataFrame,
    results_to: pl.DataFrame,
    questions: Mapping[str, Any],
    *,
    min_cell: int,
) -> pl.DataFrame:
    """Trend rows withheld with their cells (see the module docstring), with ``suppression``."""
    keys = ["question", "base", "category", "breakdown"]
    cells = results_to.select(*keys, _to=pl.col("suppression")).join(
        results_from.select(*keys, _from=pl.col("suppression")), on=keys, how="full", coalesce=True
    )
    marked = trends.join(cells, on=keys, how="left")
    independent = pl.col("comparison") == "independent"
    few = (pl.col("comparison") == "panel") & (pl.col("respondents_to") < min_cell)
    withheld_cell = [
        pl.when(pl.col(c).is_in(list(WITHHELD_FOR_DISCLOSURE))).then(pl.col(c))
        for c in ("_to", "_from")
    ]
    own = pl.when(pl.col("suppressed").fill_null(False)).then(pl.lit(RELIABILITY))
    if "suppression" in trends.columns:
        own = pl.col("suppression")
    marked = marked.with_columns(
        suppression=pl.when(independent)
        .then(_stronger(pl.col("_to"), pl.col("_from"), own))
        .when(few)
        .then(pl.lit(RESPONDENTS))
        .otherwise(_stronger(*withheld_cell, own))
    )
    added = []
    panel = marked.filter(pl.col("comparison") == "panel").with_columns(
        _hidden=pl.col("suppression").is_not_null() | pl.col("suppressed").fill_null(False),
        _dominant=pl.lit(False),
        kind=pl.lit("difference"),
        respondents=pl.col("respondents_to"),
    )
    protected = pl.col("suppression").is_in(list(WITHHELD_FOR_DISCLOSURE)).fill_null(False)
    for (question, base), _, table in _tables(
        panel, _exclusive(questions), value="difference", protected=protected
    ):
        table.bounded = False
        added += [(question, base, table.breakdowns[b]) for b in complement(table)]
    extra = pl.DataFrame(
        added,
        schema={"question": pl.String, "base": pl.String, "breakdown": pl.String},
        orient="row",
    ).with_columns(_complement=pl.lit(True), comparison=pl.lit("panel"))
    marked = marked.join(extra, on=[*_CELL, "comparison"], how="left").with_columns(
        suppression=pl.when(
            pl.col("suppression").is_null() & pl.col("_complement").fill_null(False)
        )
        .then(pl.lit(COMPLEMENTARY))
        .otherwise("suppression")
    )
    hidden = pl.col("suppression").is_not_null() | pl.col("suppressed").fill_null(False)
    return marked.with_columns(
        [pl.when(~hidden).then(pl.col(c)).alias(c) for c in TREND_FIGURES],
        suppressed=hidden,
    ).drop([c for c in marked.columns if c.startswith("_")])


# ---------------------------------------------------------------------------------------------
# The audit: what an attacker recomputes from the published tables


def audit(
    results: pl.DataFrame | list[dict],
    trends: pl.DataFrame | list[dict] | None = None,
    questions: Mapping[str, Any] | None = None,
) -> list[dict[str, Any]]:
    """Every disclosure-suppressed figure that the published tables give back, as problems
    {table, question, base, breakdown, category, problem}; empty when the edition is safe.

    Works on the published rows only (an edition's JSON records or the engine's frames). Without
    ``questions``, a question × base is taken as exclusive when its published cells' categories
    sum to 1 (the stricter assumption)."""
    results = _frame(results)
    if "suppression" not in results.columns:  # an edition published before disclosure control
        results = results.with_columns(
            suppression=pl.when(pl.col("suppressed")).then(pl.lit(RESPONDENTS))
        )
    problems = []
    exclusive = set(_exclusive(questions)) if questions else _exclusive_from(results)
    marked = results.with_columns(
        _hidden=pl.col("estimate").is_null() | pl.col("suppressed").fill_null(False),
        _dominant=pl.lit(False),
    )
    protected = pl.col("suppression").is_in(list(DISCLOSURE)).fill_null(False)
    problems += _audit_tables("results", marked, exclusive, "unweighted", protected)
    problems += _published_disclosed(results)
    if trends is not None and len(trends):
        problems += _audit_trends(_frame(trends), results, exclusive)
    return problems


def _frame(rows: pl.DataFrame | list[dict]) -> pl.DataFrame:
    if isinstance(rows, pl.DataFrame):
        return rows
    return pl.DataFrame(rows, infer_schema_length=None)


def _exclusive_from(results: pl.DataFrame) -> set[str]:
    sums = (
        results.filter((pl.col("base") == "substantive") & (pl.col("kind") == "proportion"))
        .filter(pl.col("unweighted").is_not_null())
        .group_by("question", "breakdown")
        .agg(total=pl.col("unweighted").sum())
        .group_by("question")
        .agg(ones=((pl.col("total") - 1).abs() < 1e-6).all())
    )
    return set(sums.filter("ones").get_column("question").to_list())


def _audit_tables(
    name: str,
    marked: pl.DataFrame,
    exclusive: set[str],
    value: str,
    protected: pl.Expr,
    *,
    bounded: bool = True,
) -> list[dict[str, Any]]:
    """Every exposure of a protected cell in the tables of ``marked``; ``bounded`` False for
    differences, which the bounds 0 ≤ count ≤ respondents do not constrain (rank test only)."""
    problems = []
    for (question, base), _, table in _tables(marked, exclusive, value=value, protected=protected):
        if not bounded:
            table.bounded = False
        for b, k, why in exposures(table):
            problems.append(
                {
                    "table": name,
                    "question": question,
                    "base": base,
                    "breakdown": table.breakdowns[b],
                    "category": table.categories[k],
                    "problem": why,
                }
            )
    return problems


def _published_disclosed(results: pl.DataFrame) -> list[dict[str, Any]]:
    """A cell whose suppression says withheld but that still shows a figure."""
    leaked = results.filter(
        pl.col("suppression").is_in(list(WITHHELD_FOR_DISCLOSURE))
        & (pl.col("estimate").is_not_null() | pl.col("unweighted").is_not_null())
    )
    return [
        {
            **{k: row[k] for k in ("question", "base", "breakdown", "category")},
            "table": "results",
            "problem": "published",
        }
        for row in leaked.iter_rows(named=True)
    ]


def _audit_trends(
    trends: pl.DataFrame, results: pl.DataFrame, exclusive: set[str]
) -> list[dict[str, Any]]:
    keys = ["question", "base", "category", "breakdown"]
    cells = results.select(*keys, _cell=pl.col("suppression"))
    joined = trends.join(cells, on=keys, how="left")
    cell_withheld = pl.col("_cell").is_in(list(WITHHELD_FOR_DISCLOSURE)).fill_null(False)
    shown = pl.col("difference").is_not_null() | pl.col("estimate_to").is_not_null()
    leaked = joined.filter(cell_withheld & shown)
    problems = [
        {
            **{k: row[k] for k in keys},
            "table": f"trends/{row['comparison']}",
            "problem": "published",
        }
        for row in leaked.iter_rows(named=True)
    ]
    panel = joined.filter(pl.col("comparison") == "panel").with_columns(
        _hidden=pl.col("difference").is_null(),
        _dominant=pl.lit(False),
        kind=pl.lit("difference"),
        respondents=pl.col("respondents_to"),
    )
    protected = pl.col("suppression").is_in(list(DISCLOSURE)).fill_null(False) | cell_withheld
    found = _audit_tables("trends/panel", panel, exclusive, "difference", protected, bounded=False)
    return problems + found


def subtraction_attack(results: pl.DataFrame | list[dict]) -> list[dict[str, Any]]:
    """The direct attack: every withheld cell that "all" minus the other provinces (or classes),
    or Σ provinces (or classes) for "all", gives back, with the value recomputed (unweighted
    counts and weighted totals). Reports withheld cells of any reason and empty ones (callers
    filter)."""
    results = _frame(results)
    found = []
    for (question, base, category), rows in results.group_by(
        "question", "base", "category", maintain_order=True
    ):
        by = {r["breakdown"]: r for r in rows.iter_rows(named=True)}
        if "all" not in by:
            continue
        for prefix in ("province=", "population_class="):
            members = [b for b in by if b.startswith(prefix)]
            hidden = [b for b in [*members, "all"] if by[b]["estimate"] is None]
            if len(hidden) != 1:
                continue
            target = hidden[0]
            sign = {b: -1.0 for b in members} | {"all": 1.0}
            if target == "all":  # all = Σ members; a member = all − Σ the other members
                sign = {b: -s for b, s in sign.items()}
            count = sum(
                s * by[b]["unweighted"] * by[b]["respondents"]
                for b, s in sign.items()
                if b != target
            )
            total = sum(
                s * by[b]["estimate"] * by[b]["population"] for b, s in sign.items() if b != target
            )
            row = by[target]
            found.append(
                {
                    "question": question,
                    "base": base,
                    "category": category,
                    "breakdown": target,
                    "suppression": row.get("suppression"),
                    "respondents": row["respondents"],
                    "unweighted": count / row["respondents"] if row["respondents"] else None,
                    "estimate": total / row["population"] if row["population"] else None,
                }
            )
    return found
