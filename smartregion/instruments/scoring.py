"""Scoring of answer sets against an instrument: pure functions, deterministic, no Django, no I/O.

Answers map question codes to values (see `Answer`): an option code for single choice and yes/no
(`"yes"`/`"no"`), a list of option codes for multiple choice, an int for scale, a number for number,
a mapping row code → int for matrix, a string for text. `"dont_know"` and `"not_applicable"` are
special values for the whole question (and for a matrix row). A missing key or None is unanswered.

Formulas (all documented here, so results pages can explain them):

* Each answered scored question gets a value v in [0, 1]:
  - single choice / yes-no: option score / max_option_score;
  - multiple choice: sum of the selected options' scores, capped at max_option_score, divided by it;
  - scale: (answer - min) / (max - min);
  - number: linear between min and max (clamped), or the score of the last band whose `from` is
    at most the answer, divided by max_option_score;
  - matrix: mean of the answered rows, each normalised like a scale; rows answered with a special
    value are left out; a matrix with no numeric row counts as don't know (or not applicable when
    every answered row is).
* Dimension score = 100 × Σ(weight × v) / Σ(weight) over answered questions of the dimension;
  "don't know", "not applicable" and questions hidden by their condition leave the denominator
  and are listed. No answered question → score None.
* Level = 1 + number of `level_thresholds` at or below the score (default 20/40/60/80:
  0–<20 → 1, 20–<40 → 2, 40–<60 → 3, 60–<80 → 4, 80–100 → 5).
* Overall score = mean of the dimension scores weighted by the dimensions' weights
  (`overall: weighted_mean`, the default) or unweighted (`overall: mean`), over scored dimensions.
* Coverage = answered / applicable, where applicable = visible scored questions not answered
  "not applicable"; "don't know" and unanswered questions are applicable but not answered, so
  coverage says how much of the score rests on actual answers.

Speed: `compile_instrument` turns the instrument into flat tuples and lookup tables once; `score`
and `score_many` then run one tight loop per answer set (see bench/bench_scoring.py).
"""

from __future__ import annotations

import math
from array import array
from bisect import bisect_right
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from .definition import (
    DONT_KNOW,
    NOT_APPLICABLE,
    TEXT_TYPES,
    AllOf,
    AnswerIs,
    AnswerRange,
    AnyOf,
    Condition,
    DimensionBelow,
    Instrument,
    Question,
    Recommendation,
)
from .validation import ValidationError

Answer = str | int | float | list[str] | dict[str, Any]
Answers = Mapping[str, Answer]

# Normalised values are in [0, 1]; these sentinels sit outside that range.
_DK = -1.0
_NA = -2.0
# Question kinds of the compiled loop.
_TABLE, _MULTI, _NUMBER, _MATRIX, _UNSCORED = range(5)
_TEXT_LIMITS = {"short_text": 300, "long_text": 10_000}

Visibility = Callable[[Answers, set[str]], bool]


# ---------------------------------------------------------------------------------------------
# Results
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class DimensionScore:
    code: str
    score: float | None
    level: int | None
    coverage: float | None
    answered: int
    applicable: int
    dont_know: tuple[str, ...]
    not_applicable: tuple[str, ...]


@dataclass(frozen=True)
class ScoreResult:
    dimensions: dict[str, DimensionScore]
    overall: float | None
    overall_level: int | None
    coverage: float | None
    hidden: frozenset[str]


# ---------------------------------------------------------------------------------------------
# Compilation
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CompiledInstrument:
    """The instrument as flat steps for the scoring loop.

    Each step is `(code, dimension index, weight, kind, table, spec, visible)`, in questionnaire
    order: scored questions, plus unscored questions that carry a condition (so hidden questions
    are known when a later condition refers to them).
    """

    instrument: Instrument
    dimension_codes: tuple[str, ...]
    dimension_weights: tuple[float, ...]
    thresholds: tuple[float, ...]
    steps: tuple[tuple[Any, ...], ...]
    visibility: dict[str, Visibility]


def compile_instrument(instrument: Instrument) -> CompiledInstrument:
    """Compile once per instrument; the result is cached on the (frozen) instrument itself."""
    cached = vars(instrument).get("_compiled")
    if cached is not None:
        return cached
    dims = {d.code: i for i, d in enumerate(instrument.dimensions)}
    maximum = instrument.scoring.max_option_score
    visibility = {
        q.code: _compile_condition(q.show_if) for q in instrument.questions if q.show_if is not None
    }
    steps = tuple(
        _step(q, dims, maximum, visibility.get(q.code))
        for q in instrument.questions
        if q.scored or q.show_if is not None
    )
    weights = tuple(d.weight for d in instrument.dimensions)
    if instrument.scoring.overall == "mean":
        weights = tuple(1.0 for _ in weights)
    compiled = CompiledInstrument(
        instrument=instrument,
        dimension_codes=tuple(dims),
        dimension_weights=weights,
        thresholds=instrument.scoring.level_thresholds,
        steps=steps,
        visibility=visibility,
    )
    vars(instrument)["_compiled"] = compiled  # same trick as functools.cached_property
    return compiled


def _step(q: Question, dims: dict[str, int], maximum: float, visible: Any) -> tuple[Any, ...]:
    if not q.scored:
        return (q.code, -1, 0.0, _UNSCORED, None, None, visible)
    specials = _specials(q)
    dim = dims[q.dimension]  # type: ignore[index]
    if q.type in ("single_choice", "yes_no"):
        table = {o.code: (o.score or 0.0) / maximum for o in q.options} | specials
        return (q.code, dim, q.weight, _TABLE, table, None, visible)
    if q.type == "scale":
        return (q.code, dim, q.weight, _TABLE, _scale_table(q) | specials, None, visible)
    if q.type == "multiple_choice":
        table = {o.code: (o.score or 0.0) / maximum for o in q.options}
        return (q.code, dim, q.weight, _MULTI, table, specials, visible)
    if q.type == "number":
        return (q.code, dim, q.weight, _NUMBER, specials, _number_spec(q, maximum), visible)
    rows = tuple(r.code for r in q.rows)
    return (q.code, dim, q.weight, _MATRIX, _scale_table(q) | specials, rows, visible)


def _specials(q: Question) -> dict[str, float]:
    specials = {}
    if q.allow_dont_know:
        specials[DONT_KNOW] = _DK
    if q.allow_not_applicable:
        specials[NOT_APPLICABLE] = _NA
    return specials


def _scale_table(q: Question) -> dict[Any, float]:
    assert q.scale is not None
    low, high = q.scale.min, q.scale.max
    return {value: (value - low) / (high - low) for value in range(low, high + 1)}


def _number_spec(q: Question, maximum: float) -> tuple[Any, ...]:
    """(starts, scores) for bands, or (min, max) for linear normalisation."""
    assert q.number is not None
    if q.number.bands:
        starts = tuple(b.start for b in q.number.bands)
        scores = tuple(b.score / maximum for b in q.number.bands)
        return (True, starts, scores)
    return (False, q.number.min, q.number.max)


def _compile_condition(condition: Condition) -> Visibility:
    """A closure `(answers, hidden) -> bool`; a hidden or unanswered question satisfies nothing."""
    if isinstance(condition, AllOf):
        parts = tuple(_compile_condition(c) for c in condition.conditions)
        return lambda answers, hidden: all(part(answers, hidden) for part in parts)
    if isinstance(condition, AnyOf):
        parts = tuple(_compile_condition(c) for c in condition.conditions)
        return lambda answers, hidden: any(part(answers, hidden) for part in parts)
    if isinstance(condition, AnswerIs | AnswerRange):
        return _answer_is(condition)
    raise TypeError(f"{type(condition).__name__} cannot decide whether a question is shown")


def _answer_is(condition: AnswerIs | AnswerRange) -> Visibility:
    """The condition on one question's answer, as a visibility closure."""
    code, test = condition.question, _answer_test(condition)

    def check(answers: Answers, hidden: set[str]) -> bool:
        return code not in hidden and test(answers.get(code))

    return check


def _answer_test(condition: AnswerIs | AnswerRange) -> Callable[[Any], bool]:
    """A test of one answer value; an unanswered question satisfies nothing, not even not_in."""
    if isinstance(condition, AnswerRange):
        low, high = condition.at_least, condition.at_most
        return lambda answer: (
            _is_number(answer)
            and (low is None or answer >= low)
            and (high is None or answer <= high)
        )
    values, negate = condition.values, condition.negate

    def test(answer: Any) -> bool:
        if type(answer) is str:
            return (answer in values) != negate
        if type(answer) is list and answer:
            return any(value in values for value in answer) != negate
        return False

    return test


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


# ---------------------------------------------------------------------------------------------
# The scoring loop
# ---------------------------------------------------------------------------------------------


def _value(kind: int, table: Any, spec: Any, answer: Any) -> float | None:
    """Normalised value of one answer, a special sentinel, or None when unusable."""
    if kind == _TABLE:
        try:
            return table.get(answer)
        except TypeError:  # an unhashable (invalid) answer
            return None
    if type(answer) is str:
        return (spec if kind == _MULTI else table).get(answer)
    if kind == _MULTI:
        if type(answer) is not list or not answer:
            return None
        total = 0.0
        for code in answer:
            total += table.get(code, 0.0)
        return total if total < 1.0 else 1.0
    if kind == _NUMBER:
        return _number_value(spec, answer) if _is_number(answer) else None
    return _matrix_value(table, spec, answer) if type(answer) is dict else None


def _number_value(spec: tuple[Any, ...], answer: float) -> float:
    banded, first, second = spec
    if banded:
        index = bisect_right(first, answer) - 1
        return second[index] if index >= 0 else 0.0
    clamped = min(max(answer, first), second)
    return (clamped - first) / (second - first) if second > first else 1.0


def _matrix_value(table: dict[Any, float], rows: tuple[str, ...], answer: dict) -> float | None:
    total, count, special = 0.0, 0, None
    for row in rows:
        value = answer.get(row)
        try:
            v = table.get(value)
        except TypeError:
            v = None
        if v is None:
            continue
        if v >= 0.0:
            total += v
            count += 1
        elif special != _DK:
            special = v
    return total / count if count else special


def _tally(compiled: CompiledInstrument, answers: Answers, detail: bool) -> tuple[Any, ...]:
    """Per dimension: Σ weight·v, Σ weight, answered, applicable (+ lists when `detail`)."""
    size = len(compiled.dimension_codes)
    num, den = [0.0] * size, [0.0] * size
    answered, applicable = [0] * size, [0] * size
    dont_know: list[list[str]] = [[] for _ in range(size)] if detail else []
    not_applicable: list[list[str]] = [[] for _ in range(size)] if detail else []
    hidden: set[str] = set()
    get = answers.get
    for code, dim, weight, kind, table, spec, visible in compiled.steps:
        if visible is not None and not visible(answers, hidden):
            hidden.add(code)
            if detail and dim >= 0:
                not_applicable[dim].append(code)
            continue
        if kind == _UNSCORED:
            continue
        answer = get(code)
        v = None if answer is None else _value(kind, table, spec, answer)
        if v is None or v >= 0.0:
            applicable[dim] += 1
            if v is not None:
                answered[dim] += 1
                num[dim] += weight * v
                den[dim] += weight
        elif v == _NA:
            if detail:
                not_applicable[dim].append(code)
        else:
            applicable[dim] += 1
            if detail:
                dont_know[dim].append(code)
    return num, den, answered, applicable, dont_know, not_applicable, hidden


def _level(thresholds: Sequence[float], score: float | None) -> int | None:
    # Rounding first keeps 79.99999999999999 (float noise on an exact 80) at level 5.
    return None if score is None else 1 + bisect_right(thresholds, round(score, 9))


def _overall(weights: Sequence[float], scores: Sequence[float | None]) -> float | None:
    total = weight_sum = 0.0
    for weight, value in zip(weights, scores, strict=True):
        if value is not None:
            total += weight * value
            weight_sum += weight
    return total / weight_sum if weight_sum else None


def score(instrument: Instrument | CompiledInstrument, answers: Answers) -> ScoreResult:
    """Scores, levels, coverage and the don't know / not applicable lists of one answer set.

    Answers should have passed `validate_answers`; values it would reject are treated as
    unanswered rather than raising, so a stale answer can never break a results page.
    """
    compiled = _compiled(instrument)
    num, den, answered, applicable, dont_know, not_applicable, hidden = _tally(
        compiled, answers, detail=True
    )
    dims = {}
    for i, code in enumerate(compiled.dimension_codes):
        value = 100.0 * num[i] / den[i] if den[i] else None
        dims[code] = DimensionScore(
            code=code,
            score=value,
            level=_level(compiled.thresholds, value),
            coverage=answered[i] / applicable[i] if applicable[i] else None,
            answered=answered[i],
            applicable=applicable[i],
            dont_know=tuple(dont_know[i]),
            not_applicable=tuple(not_applicable[i]),
        )
    overall = _overall(compiled.dimension_weights, [d.score for d in dims.values()])
    total_applicable = sum(applicable)
    return ScoreResult(
        dimensions=dims,
        overall=overall,
        overall_level=_level(compiled.thresholds, overall),
        coverage=sum(answered) / total_applicable if total_applicable else None,
        hidden=frozenset(hidden),
    )


def score_many(
    instrument: Instrument | CompiledInstrument, answer_sets: Sequence[Answers]
) -> np.ndarray:
    """Scores of many answer sets at once: the fast path for statistics and benchmarks.

    Returns an array of shape (len(answer_sets), dimensions + 1): dimension scores in the
    instrument's order, then the overall score; NaN where `score` gives None. The numbers equal
    `score`'s. Steps: one pass over the answer sets turns answers into floats (choice and scale
    answers through C-level `map(dict.get, …)`, the few list/number/matrix answers in Python);
    then conditions and sums run column-wise in NumPy.
    """
    compiled = _compiled(instrument)
    plan = _batch_plan(compiled)
    values, leaves = _extract(plan, answer_sets)
    num = np.zeros((len(compiled.dimension_codes), len(answer_sets)))
    den = np.zeros_like(num)
    hidden: dict[str, np.ndarray] = {}
    for code, dim, weight, column, visibility in plan.steps:
        usable = values[:, column] >= 0.0 if column >= 0 else None
        if visibility is not None:
            shown = _visible_many(visibility, leaves, hidden)
            hidden[code] = ~shown
            usable = None if usable is None else usable & shown
        if usable is not None:
            num[dim] += np.where(usable, values[:, column] * weight, 0.0)
            den[dim] += usable * weight
    return _scores_many(compiled, num, den)


@dataclass(frozen=True)
class _BatchPlan:
    """Where each answer goes in the float matrices built by `_extract`.

    Columns of `values`: first the table questions (looked up in C), then the others. Columns of
    `leaves`: first the condition leaves answerable by a table lookup, then those needing Python.
    A step is `(code, dimension, weight, values column or -1, visibility tree or None)`.
    """

    table_codes: tuple[str, ...]
    tables: tuple[dict[Any, float], ...]
    other_codes: tuple[str, ...]
    others: tuple[tuple[int, Any, Any], ...]
    leaf_codes: tuple[str, ...]
    leaf_tables: tuple[dict[Any, float], ...]
    leaf_tests: tuple[Callable[[Any], bool], ...]
    python_leaf_codes: tuple[str, ...]
    python_leaves: tuple[Callable[[Any], bool], ...]
    steps: tuple[tuple[Any, ...], ...]


def _batch_plan(compiled: CompiledInstrument) -> _BatchPlan:
    cached = vars(compiled).get("_batch_plan")
    if cached is not None:
        return cached
    scored = [step for step in compiled.steps if step[3] != _UNSCORED]
    table_steps = [step for step in scored if step[3] == _TABLE]
    other_steps = [step for step in scored if step[3] != _TABLE]
    columns = {step[0]: i for i, step in enumerate(table_steps + other_steps)}
    leaves: list[Condition] = []
    trees = {
        code: _leaf_tree(compiled.instrument.question(code).show_if, leaves)
        for code in compiled.visibility
    }
    fast = [leaf for leaf in leaves if _table_leaf(compiled, leaf)]
    slow = [leaf for leaf in leaves if not _table_leaf(compiled, leaf)]
    order = {id(leaf): i for i, leaf in enumerate(fast + slow)}
    plan = _BatchPlan(
        table_codes=tuple(step[0] for step in table_steps),
        tables=tuple(step[4] for step in table_steps),
        other_codes=tuple(step[0] for step in other_steps),
        others=tuple((step[3], step[4], step[5]) for step in other_steps),
        leaf_codes=tuple(leaf.question for leaf in fast),  # type: ignore[union-attr]
        leaf_tables=tuple(dict.fromkeys(leaf.values, 1.0) for leaf in fast),  # type: ignore[union-attr]
        leaf_tests=tuple(_answer_test(leaf) for leaf in fast),  # type: ignore[arg-type]
        python_leaf_codes=tuple(leaf.question for leaf in slow),  # type: ignore[union-attr]
        python_leaves=tuple(_answer_test(leaf) for leaf in slow),  # type: ignore[arg-type]
        steps=tuple(
            (code, dim, weight, columns.get(code, -1), _renumber(trees.get(code), order))
            for code, dim, weight, *_ in compiled.steps
        ),
    )
    vars(compiled)["_batch_plan"] = plan
    return plan


def _leaf_tree(condition: Any, leaves: list[Condition]) -> Any:
    """The condition as nested ("all"|"any", parts) tuples whose leaves are Condition objects."""
    if isinstance(condition, AllOf | AnyOf):
        kind = "all" if isinstance(condition, AllOf) else "any"
        return (kind, tuple(_leaf_tree(c, leaves) for c in condition.conditions))
    leaves.append(condition)
    return condition


def _renumber(tree: Any, order: dict[int, int]) -> Any:
    """Replace leaves by ("leaf", column, source question code)."""
    if tree is None:
        return None
    if isinstance(tree, tuple):
        return (tree[0], tuple(_renumber(part, order) for part in tree[1]))
    return ("leaf", order[id(tree)], tree.question)


def _table_leaf(compiled: CompiledInstrument, leaf: Condition) -> bool:
    """An `in` test on a single-choice or yes/no answer is a plain dictionary lookup."""
    if not isinstance(leaf, AnswerIs) or leaf.negate:
        return False
    return compiled.instrument.question(leaf.question).type in ("single_choice", "yes_no")


def _extract(plan: _BatchPlan, answer_sets: Sequence[Answers]) -> tuple[np.ndarray, np.ndarray]:
    """Float matrices of normalised values (NaN: unusable) and of condition-leaf results."""
    values, leaves = array("d"), array("d")
    nans = (math.nan,) * len(plan.tables)
    zeros = (0.0,) * len(plan.leaf_tables)
    lookup = dict.get
    for answers in answer_sets:
        get = answers.get
        start, leaf_start = len(values), len(leaves)
        try:
            values.extend(map(lookup, plan.tables, map(get, plan.table_codes), nans))
            leaves.extend(map(lookup, plan.leaf_tables, map(get, plan.leaf_codes), zeros))
        except TypeError:  # an unhashable (invalid) answer: redo this set the careful way
            del values[start:], leaves[leaf_start:]
            _careful_row(plan, answers, values, leaves)
        for code, (kind, table, spec) in zip(plan.other_codes, plan.others, strict=True):
            answer = get(code)
            value = None if answer is None else _value(kind, table, spec, answer)
            values.append(math.nan if value is None else value)
        for code, test in zip(plan.python_leaf_codes, plan.python_leaves, strict=True):
            leaves.append(1.0 if test(get(code)) else 0.0)
    width = len(plan.tables) + len(plan.others)
    depth = len(plan.leaf_tables) + len(plan.python_leaves)
    return _matrix(values, width), _matrix(leaves, depth)


def _careful_row(plan: _BatchPlan, answers: Answers, values: array, leaves: array) -> None:
    """Append one set's table values and table leaves without assuming hashable answers."""
    for code, table in zip(plan.table_codes, plan.tables, strict=True):
        value = _value(_TABLE, table, None, answers.get(code))
        values.append(math.nan if value is None else value)
    for code, test in zip(plan.leaf_codes, plan.leaf_tests, strict=True):
        leaves.append(1.0 if test(answers.get(code)) else 0.0)


def _matrix(buffer: array, width: int) -> np.ndarray:
    flat = np.frombuffer(buffer, dtype=float) if len(buffer) else np.zeros(0)
    return flat.reshape(-1, width) if width else np.zeros((0, 0))


def _visible_many(tree: Any, leaves: np.ndarray, hidden: dict[str, np.ndarray]) -> np.ndarray:
    if tree[0] == "leaf":
        _, column, source = tree
        shown = leaves[:, column] > 0.0
        return shown & ~hidden[source] if source in hidden else shown
    parts = [_visible_many(part, leaves, hidden) for part in tree[1]]
    return (np.logical_and if tree[0] == "all" else np.logical_or).reduce(parts)


def _scores_many(compiled: CompiledInstrument, num: np.ndarray, den: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        scores = np.where(den > 0, 100.0 * num / den, math.nan)
        weights = np.array(compiled.dimension_weights)[:, None]
        scored = ~np.isnan(scores)
        weight_sum = (weights * scored).sum(axis=0)
        total = (weights * np.where(scored, scores, 0.0)).sum(axis=0)
        overall = np.where(weight_sum > 0, total / weight_sum, math.nan)
    return np.vstack([scores, overall]).T


def _compiled(instrument: Instrument | CompiledInstrument) -> CompiledInstrument:
    if isinstance(instrument, CompiledInstrument):
        return instrument
    return compile_instrument(instrument)


def hidden_questions(instrument: Instrument | CompiledInstrument, answers: Answers) -> set[str]:
    """Codes of the questions whose condition is not met by these answers."""
    compiled = _compiled(instrument)
    hidden: set[str] = set()
    for q in compiled.instrument.questions:
        visible = compiled.visibility.get(q.code)
        if visible is not None and not visible(answers, hidden):
            hidden.add(q.code)
    return hidden


# ---------------------------------------------------------------------------------------------
# Recommendations
# ---------------------------------------------------------------------------------------------


def triggered_recommendations(
    instrument: Instrument,
    result: ScoreResult,
    answers: Answers,
    targets: Mapping[str, int] | None = None,
) -> list[Recommendation]:
    """Recommendations whose rule holds, by priority (1 first), then by the dimension's gap.

    The gap is target level − level when targets are given, else 100 − score; ties go by code so
    the order is deterministic. A dimension rule on a dimension without a score never fires
    (nothing to judge on); answer rules ignore answers to hidden questions.
    """
    fired = [r for r in instrument.recommendations if _holds(r.when, result, answers)]
    return sorted(fired, key=lambda r: (r.priority, -_gap(r.dimension, result, targets), r.code))


def _gap(dimension: str, result: ScoreResult, targets: Mapping[str, int] | None) -> float:
    dim = result.dimensions[dimension]
    if targets is not None and dimension in targets:
        return float(targets[dimension] - (dim.level or 1))
    return 100.0 - dim.score if dim.score is not None else 0.0


def _holds(condition: Condition, result: ScoreResult, answers: Answers) -> bool:
    if isinstance(condition, AllOf):
        return all(_holds(c, result, answers) for c in condition.conditions)
    if isinstance(condition, AnyOf):
        return any(_holds(c, result, answers) for c in condition.conditions)
    if isinstance(condition, DimensionBelow):
        dim = result.dimensions[condition.dimension]
        if dim.score is None or dim.level is None:
            return False
        if condition.level_below is not None:
            return dim.level < condition.level_below
        return dim.score < (condition.score_below or 0.0)
    return _answer_is(condition)(answers, set(result.hidden))


# ---------------------------------------------------------------------------------------------
# Answer validation
# ---------------------------------------------------------------------------------------------


def validate_answers(instrument: Instrument, answers: Any) -> list[ValidationError]:
    """Every problem in an answer set (for the API's 422 and for saving answers one by one)."""
    if not isinstance(answers, Mapping):
        return [ValidationError("", "wrong_type", {"expected": "a mapping", "actual": "other"})]
    hidden = hidden_questions(instrument, answers)
    errors: list[ValidationError] = []
    for q in instrument.questions:
        answer = answers.get(q.code)
        if answer is None:
            continue
        if q.code in hidden:
            errors.append(ValidationError(q.code, "hidden_question"))
        else:
            errors.extend(_check_answer(q, answer))
    known = {q.code for q in instrument.questions}
    errors.extend(
        ValidationError(str(code), "unknown_question") for code in answers if code not in known
    )
    return errors


def _check_answer(q: Question, answer: Any) -> list[ValidationError]:
    special = _check_special(q, q.code, answer)
    if special is not None:
        return special
    if q.type in ("single_choice", "yes_no"):
        return _check_choice(q, answer)
    if q.type == "multiple_choice":
        return _check_multiple(q, answer)
    if q.type == "scale":
        return _check_scale(q, q.code, answer)
    if q.type == "number":
        return _check_number(q, answer)
    if q.type == "matrix":
        return _check_matrix(q, answer)
    return _check_text(q, answer)


def _error(path: str, code: str, **params: Any) -> list[ValidationError]:
    return [ValidationError(path, code, params)]


def _check_special(q: Question, path: str, answer: Any) -> list[ValidationError] | None:
    """[] when a permitted special value, errors when a forbidden one, None when not special."""
    if answer == DONT_KNOW and q.type not in TEXT_TYPES:
        return [] if q.allow_dont_know else _error(path, "dont_know_not_allowed")
    if answer == NOT_APPLICABLE and q.type not in TEXT_TYPES:
        return [] if q.allow_not_applicable else _error(path, "not_applicable_not_allowed")
    return None


def _type_error(q: Question, path: str, expected: str) -> list[ValidationError]:
    return _error(path, "answer_type", type=q.type.replace("_", " "), expected=expected)


def _check_choice(q: Question, answer: Any) -> list[ValidationError]:
    codes = [o.code for o in q.options]
    if not isinstance(answer, str):
        return _type_error(q, q.code, "an option code")
    if answer not in codes:
        return _error(q.code, "unknown_option", value=answer, allowed=", ".join(codes))
    return []


def _check_multiple(q: Question, answer: Any) -> list[ValidationError]:
    if not isinstance(answer, list) or not all(isinstance(a, str) for a in answer):
        return _type_error(q, q.code, "a list of option codes")
    codes = {o.code: o for o in q.options}
    errors: list[ValidationError] = []
    for i, code in enumerate(answer):
        path = f"{q.code}[{i}]"
        if code not in codes:
            allowed = ", ".join(codes)
            errors += _error(path, "unknown_option", value=code, allowed=allowed)
        elif code in answer[:i]:
            errors += _error(path, "duplicate_option", value=code)
        elif codes[code].exclusive and len(answer) > 1:
            errors += _error(path, "exclusive_option", value=code)
    return errors


def _check_scale(q: Question, path: str, answer: Any) -> list[ValidationError]:
    assert q.scale is not None
    if not isinstance(answer, int) or isinstance(answer, bool):
        return _type_error(q, path, "a whole number")
    if not q.scale.min <= answer <= q.scale.max:
        return _error(path, "out_of_range", value=answer, min=q.scale.min, max=q.scale.max)
    return []


def _check_number(q: Question, answer: Any) -> list[ValidationError]:
    assert q.number is not None
    spec = q.number
    if not _is_number(answer):
        return _type_error(q, q.code, "a number")
    if spec.integer and not float(answer).is_integer():
        return _error(q.code, "not_integer", value=answer)
    low = -math.inf if spec.min is None else spec.min
    high = math.inf if spec.max is None else spec.max
    if not low <= answer <= high:
        return _error(q.code, "out_of_range", value=answer, min=_fmt(low), max=_fmt(high))
    return []


def _fmt(value: float) -> str:
    return f"{value:g}"


def _check_matrix(q: Question, answer: Any) -> list[ValidationError]:
    if not isinstance(answer, dict):
        return _type_error(q, q.code, "a mapping of row codes to numbers")
    rows = {r.code for r in q.rows}
    errors: list[ValidationError] = []
    for row, value in answer.items():
        path = f"{q.code}.{row}"
        if row not in rows:
            errors += _error(path, "unknown_row", value=row)
        elif value is not None:
            special = _check_special(q, path, value)
            errors += special if special is not None else _check_scale(q, path, value)
    return errors


def _check_text(q: Question, answer: Any) -> list[ValidationError]:
    if not isinstance(answer, str):
        return _type_error(q, q.code, "a text")
    limit = _TEXT_LIMITS[q.type]
    return _error(q.code, "too_long", max=limit) if len(answer) > limit else []
