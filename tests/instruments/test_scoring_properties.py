"""Property tests of scoring on the real instrument and the tiny one."""

from __future__ import annotations

import math
import random
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from smartregion.instruments.definition import (
    DONT_KNOW,
    NOT_APPLICABLE,
    Instrument,
    Question,
    iter_conditions,
    load_file,
    parse,
)
from smartregion.instruments.scoring import score, score_many, validate_answers

from .helpers import FILES, REAL_INSTRUMENT

REAL = parse(load_file(REAL_INSTRUMENT))
TINY = parse(load_file(FILES / "tiny.yaml"))
INSTRUMENTS = st.sampled_from([REAL, TINY])


def answer_strategy(q: Question) -> st.SearchStrategy[Any]:
    """Valid answers to one question, special values included where allowed."""
    specials = [DONT_KNOW] * q.allow_dont_know + [NOT_APPLICABLE] * q.allow_not_applicable
    if q.type in ("single_choice", "yes_no"):
        base = st.sampled_from([o.code for o in q.options])
    elif q.type == "multiple_choice":
        combinable = [o.code for o in q.options if not o.exclusive]
        exclusive = [[o.code] for o in q.options if o.exclusive]
        base = st.lists(st.sampled_from(combinable), min_size=1, unique=True)
        base = base | st.sampled_from(exclusive) if exclusive else base
    elif q.type == "scale":
        base = st.integers(q.scale.min, q.scale.max)
    elif q.type == "number":
        base = st.floats(q.number.min, q.number.max, allow_nan=False)
        base = st.integers(int(q.number.min), int(q.number.max)) if q.number.integer else base
    elif q.type == "matrix":
        base = st.fixed_dictionaries(
            {r.code: st.integers(q.scale.min, q.scale.max) for r in q.rows}
        )
    else:
        base = st.text(max_size=20)
    return (
        base | st.sampled_from(specials)
        if specials and q.type not in ("short_text", "long_text")
        else base
    )


@st.composite
def answer_sets(draw: st.DrawFn, instrument: Instrument) -> dict[str, Any]:
    """Valid answer sets: each question answered or skipped; hidden questions left empty."""
    answers: dict[str, Any] = {}
    for q in instrument.questions:
        if draw(st.booleans()):
            answers[q.code] = draw(answer_strategy(q))
    hidden = score(instrument, answers).hidden
    return {code: value for code, value in answers.items() if code not in hidden}


@st.composite
def instrument_and_answers(draw: st.DrawFn) -> tuple[Instrument, dict[str, Any]]:
    instrument = draw(INSTRUMENTS)
    return instrument, draw(answer_sets(instrument))


def scores(instrument: Instrument, answers: dict[str, Any]) -> list[float | None]:
    result = score(instrument, answers)
    return [d.score for d in result.dimensions.values()] + [result.overall]


def condition_sources(instrument: Instrument) -> set[str]:
    return {
        leaf.question  # type: ignore[union-attr]
        for q in instrument.questions
        for leaf in iter_conditions(q.show_if)
    }


def normalised(q: Question, answer: Any) -> float:
    """The value of an answer to a single-choice, yes/no or scale question, for ordering."""
    if q.type == "scale":
        return answer
    return q.option(answer).score  # type: ignore[union-attr]


@settings(max_examples=150, deadline=None)
@given(instrument_and_answers())
def test_generated_answers_are_valid(case):
    instrument, answers = case
    assert validate_answers(instrument, answers) == []


@settings(max_examples=200, deadline=None)
@given(instrument_and_answers())
def test_scores_and_levels_stay_in_bounds(case):
    instrument, answers = case
    result = score(instrument, answers)
    for dim in [*result.dimensions.values()]:
        assert dim.score is None or 0.0 <= dim.score <= 100.0
        assert dim.level is None or 1 <= dim.level <= 5
        assert dim.coverage is None or 0.0 <= dim.coverage <= 1.0
    assert result.overall is None or 0.0 <= result.overall <= 100.0
    assert result.overall_level is None or 1 <= result.overall_level <= 5


@settings(max_examples=200, deadline=None)
@given(instrument_and_answers(), st.data())
def test_a_better_answer_never_lowers_a_score(case, data):
    """For questions no condition depends on (changing those shows or hides other questions)."""
    instrument, answers = case
    sources = condition_sources(instrument)
    candidates = [
        q
        for q in instrument.questions
        if q.scored
        and q.type in ("single_choice", "yes_no", "scale")
        and q.code not in sources
        and q.code not in score(instrument, answers).hidden
    ]
    q = data.draw(st.sampled_from(candidates))
    first, second = data.draw(answer_strategy(q)), data.draw(answer_strategy(q))
    if first in (DONT_KNOW, NOT_APPLICABLE) or second in (DONT_KNOW, NOT_APPLICABLE):
        return
    worse, better = sorted([first, second], key=lambda a: normalised(q, a))
    low = score(instrument, answers | {q.code: worse})
    high = score(instrument, answers | {q.code: better})
    assert high.dimensions[q.dimension].score >= low.dimensions[q.dimension].score - 1e-9
    assert high.overall >= low.overall - 1e-9


@settings(max_examples=100, deadline=None)
@given(instrument_and_answers(), st.randoms())
def test_answer_order_does_not_matter(case, rnd):
    instrument, answers = case
    items = list(answers.items())
    rnd.shuffle(items)
    assert score(instrument, dict(items)) == score(instrument, answers)


@settings(max_examples=150, deadline=None)
@given(instrument_and_answers(), st.data())
def test_dont_know_and_not_applicable_leave_the_denominator(case, data):
    """Answering don't know (or n/a) scores exactly like leaving the question out."""
    instrument, answers = case
    hidden = score(instrument, answers).hidden
    allowed = [
        q
        for q in instrument.questions
        if q.scored
        and (q.allow_dont_know or q.allow_not_applicable)
        and q.code not in hidden
        and q.code not in condition_sources(instrument)
    ]
    q = data.draw(st.sampled_from(allowed))
    special = DONT_KNOW if q.allow_dont_know else NOT_APPLICABLE
    without = {code: value for code, value in answers.items() if code != q.code}
    result = score(instrument, without | {q.code: special})
    assert scores(instrument, without | {q.code: special}) == scores(instrument, without)
    listed = result.dimensions[q.dimension]
    assert q.code in (listed.dont_know if special == DONT_KNOW else listed.not_applicable)


@settings(max_examples=60, deadline=None)
@given(st.lists(instrument_and_answers(), min_size=1, max_size=8))
def test_score_many_equals_score(cases):
    for instrument, answers in cases:
        (row,) = score_many(instrument, [answers])
        expected = scores(instrument, answers)
        for value, want in zip(row, expected, strict=True):
            assert (want is None and math.isnan(value)) or math.isclose(value, want, abs_tol=1e-9)


def extreme_answers(instrument: Instrument, best: bool) -> dict[str, Any]:
    """Every question answered at its best (or worst) with no special value."""
    pick = max if best else min
    answers: dict[str, Any] = {}
    for q in instrument.questions:
        if q.type in ("single_choice", "yes_no"):
            answers[q.code] = pick(q.options, key=lambda o: o.score or 0).code
        elif q.type == "multiple_choice":
            combinable = [o.code for o in q.options if not o.exclusive]
            worst = min(q.options, key=lambda o: o.score or 0)
            answers[q.code] = combinable if best else [worst.code]
        elif q.type in ("scale", "matrix"):
            value = q.scale.max if best else q.scale.min
            answers[q.code] = {r.code: value for r in q.rows} if q.rows else value
        elif q.type == "number":
            bands = q.number.bands
            answers[q.code] = (bands[-1].start if bands else q.number.max) if best else 0
    return answers


def test_all_best_answers_reach_level_five_everywhere():
    for instrument in (REAL, TINY):
        answers = extreme_answers(instrument, best=True)
        result = score(instrument, answers)
        assert validate_answers(instrument, answers) == []
        assert {d.level for d in result.dimensions.values()} == {5}
        assert result.overall == 100.0 and result.overall_level == 5


def test_all_worst_answers_stay_at_level_one_everywhere():
    for instrument in (REAL, TINY):
        answers = extreme_answers(instrument, best=False)
        answers = {k: v for k, v in answers.items() if k not in score(instrument, answers).hidden}
        result = score(instrument, answers)
        assert validate_answers(instrument, answers) == []
        assert {d.level for d in result.dimensions.values()} == {1}
        assert result.overall == 0.0 and result.overall_level == 1


def test_scoring_is_deterministic_across_runs():
    rng = random.Random(7)
    sets = [extreme_answers(REAL, best=rng.random() < 0.5) for _ in range(5)]
    assert [score(REAL, a) for a in sets] == [score(REAL, a) for a in sets]
