"""Plausible synthetic answer sets for demonstration waves and load tests. Pure: no Django.

A commune's `lean` (0 = little engaged, 1 = very engaged) tilts every ordered choice towards its
more engaged end, so answers hang together across questions and drift over time when the lean
grows from one wave to the next. The barometer's options are not written in one direction
("yes, in progress, no" but "unknown … well known"), and some have no order at all (roles,
obstacles), so the direction of each question is declared below; a question not listed runs
from least to most engaged.
"""

from __future__ import annotations

import random
from typing import Any

from smartregion.instruments.definition import Instrument, Question
from smartregion.instruments.scoring import hidden_questions

TEXTS = ("Voir la délibération du conseil communal.", "Projet mené avec l’intercommunale.")

# Options written from the most to the least engaged ("yes" first).
ENGAGED_FIRST = frozenset(
    {
        "concept_perception",
        "concept_relevance",
        "engaged",
        "progress_trend",
        "strategy_formal",
        "team",
        "projects_evaluation",
        "data_inventory",
        "dpo",
        "open_data",
        "ai_rules",
        "intermunicipal_projects",
    }
)
# Options with no engagement order: picked by these weights (uniformly when none are given),
# whatever the lean. Figures are loosely those of past barometers (e.g. funding and expertise are
# each cited by about half the communes).
NOMINAL: dict[str, dict[str, float]] = {
    "resp_role": {
        "mayor": 0.12,
        "alderman": 0.18,
        "director": 0.28,
        "smart_lead": 0.2,
        "it": 0.1,
        "other_staff": 0.1,
        "other": 0.02,
    },
    "main_obstacle": {
        "funding": 0.3,
        "expertise": 0.24,
        "time": 0.2,
        "political_priority": 0.08,
        "stakeholders": 0.06,
        "data_access": 0.03,
        "legal": 0.04,
        "digital_divide": 0.02,
        "technology": 0.02,
        "other": 0.01,
    },
    "obstacles": {
        "funding": 0.5,
        "expertise": 0.49,
        "time": 0.42,
        "political_priority": 0.18,
        "stakeholders": 0.22,
        "data_access": 0.15,
        "legal": 0.2,
        "digital_divide": 0.16,
        "technology": 0.12,
        "other": 0.03,
    },
    "concept_definition": {},
    "initiator": {},
    "team_attachment": {},
    "priority_axes": {},
    "support_needs": {},
    "cyber_incident": {"serious": 0.06, "minor": 0.2, "no": 0.74},
}
# Number questions whose allowed range is far wider than what communes plausibly answer.
NUMBER_RANGES: dict[str, tuple[float, float]] = {
    "team_fte": (0.2, 4.0),
    "budget_own_share": (20, 100),
}


def _index(rng: random.Random, count: int, lean: float) -> int:
    position = min(max(rng.gauss(lean, 0.25), 0.0), 0.999)
    return int(position * count)


def _ordered_options(question: Question) -> list[str]:
    exclusive = {o.code for o in question.options if getattr(o, "exclusive", False)}
    return [o.code for o in question.options if o.code not in exclusive]


def _nominal(question: Question, rng: random.Random) -> str:
    weights = NOMINAL.get(question.code) or {}
    codes = [o.code for o in question.options]
    return rng.choices(codes, weights=[weights.get(c, 1.0) for c in codes])[0]


def _multiple(question: Question, rng: random.Random, lean: float) -> list[str]:
    codes = _ordered_options(question) or [question.options[0].code]
    exclusive = [o.code for o in question.options if getattr(o, "exclusive", False)]
    if question.code in NOMINAL:
        weights = NOMINAL[question.code]
        chosen = [code for code in codes if rng.random() < weights.get(code, 0.35)]
        return chosen or [rng.choice(codes)]
    # "None of these" mostly from the least engaged communes.
    if exclusive and rng.random() < max(0.0, 0.45 - 0.6 * lean):
        return [exclusive[0]]
    chosen = [code for code in codes if rng.random() < 0.1 + 0.6 * lean]
    return chosen or [codes[_index(rng, len(codes), lean)]]


def _number(question: Question, rng: random.Random, lean: float, year: int | None) -> float:
    spec = question.number
    if question.code == "engaged_since" and year is not None:
        # The more engaged, the longer ago it started; never after the wave's year.
        return max(2010, min(year, year - round(rng.gauss(1 + 6 * lean, 1.5))))
    low = spec.min if spec.min is not None else 0
    high = spec.max if spec.max is not None else low + 10
    low, high = NUMBER_RANGES.get(question.code, (low, low + (high - low) * 0.5))
    value = low + (high - low) * min(max(rng.gauss(lean, 0.2), 0.0), 1.0)
    return round(value) if getattr(spec, "integer", False) else round(value, 1)


def answer_for(question: Question, rng: random.Random, lean: float, year: int | None = None) -> Any:
    """One valid answer; "don't know" now and then where the question allows it.

    `year` (the wave's) keeps dates plausible, e.g. "engaged since" is never later than the wave.
    """
    if question.allow_dont_know and rng.random() < 0.04:
        return "dont_know"
    if question.type in ("single_choice", "yes_no"):
        codes = [o.code for o in question.options]
        if question.code in NOMINAL:
            return _nominal(question, rng)
        index = _index(rng, len(codes), lean)
        return codes[len(codes) - 1 - index] if question.code in ENGAGED_FIRST else codes[index]
    if question.type == "multiple_choice":
        return _multiple(question, rng, lean)
    if question.type == "scale":
        low, high = question.scale.min, question.scale.max
        return low + _index(rng, high - low + 1, lean)
    if question.type == "matrix":
        low, high = question.scale.min, question.scale.max
        return {row.code: low + _index(rng, high - low + 1, lean) for row in question.rows}
    if question.type == "number":
        return _number(question, rng, lean, year)
    return rng.choice(TEXTS) if rng.random() < 0.3 else None


def random_answers(
    instrument: Instrument, rng: random.Random, lean: float, year: int | None = None
) -> dict[str, Any]:
    """A complete answer set: every visible required question, some optional ones.

    Every question gets an answer, then those hidden by the others are dropped (conditions only
    look at earlier questions, so one pass finds them all; one pass is also much faster).
    """
    answers: dict[str, Any] = {}
    for question in instrument.questions:
        if not question.required and rng.random() < 0.3:
            continue
        value = answer_for(question, rng, lean, year)
        if value is not None:
            answers[question.code] = value
    for code in hidden_questions(instrument, answers):
        answers.pop(code, None)
    return answers
