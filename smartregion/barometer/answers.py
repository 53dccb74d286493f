"""Plausible synthetic answer sets for demonstration waves and load tests. Pure: no Django.

A commune's `lean` (0 = little engaged, 1 = very engaged) tilts every choice towards later
options (options are written from least to most engaged), so answers hang together across
questions and drift over time when the lean grows from one wave to the next.
"""

from __future__ import annotations

import random
from typing import Any

from smartregion.instruments.definition import Instrument, Question
from smartregion.instruments.scoring import hidden_questions

TEXTS = ("Voir la délibération du conseil communal.", "Projet mené avec l’intercommunale.")


def _index(rng: random.Random, count: int, lean: float) -> int:
    position = min(max(rng.gauss(lean, 0.25), 0.0), 0.999)
    return int(position * count)


def _ordered_options(question: Question) -> list[str]:
    exclusive = {o.code for o in question.options if getattr(o, "exclusive", False)}
    return [o.code for o in question.options if o.code not in exclusive]


def answer_for(question: Question, rng: random.Random, lean: float) -> Any:
    """One valid answer; "don't know" now and then where the question allows it."""
    if question.allow_dont_know and rng.random() < 0.04:
        return "dont_know"
    if question.type in ("single_choice", "yes_no"):
        codes = [o.code for o in question.options]
        return codes[_index(rng, len(codes), lean)]
    if question.type == "multiple_choice":
        codes = _ordered_options(question) or [question.options[0].code]
        chosen = [code for code in codes if rng.random() < 0.15 + 0.6 * lean]
        return chosen or [codes[_index(rng, len(codes), lean)]]
    if question.type == "scale":
        low, high = question.scale.min, question.scale.max
        return low + _index(rng, high - low + 1, lean)
    if question.type == "matrix":
        low, high = question.scale.min, question.scale.max
        return {row.code: low + _index(rng, high - low + 1, lean) for row in question.rows}
    if question.type == "number":
        low = question.number.min if question.number.min is not None else 0
        high = question.number.max if question.number.max is not None else low + 10
        value = low + (high - low) * min(max(rng.gauss(lean, 0.2), 0.0), 1.0) * 0.5
        return round(value) if getattr(question.number, "integer", False) else round(value, 1)
    return rng.choice(TEXTS) if rng.random() < 0.3 else None


def random_answers(instrument: Instrument, rng: random.Random, lean: float) -> dict[str, Any]:
    """A complete answer set: every visible required question, some optional ones."""
    answers: dict[str, Any] = {}
    for question in instrument.questions:
        if question.code in hidden_questions(instrument, answers):
            continue
        if not question.required and rng.random() < 0.3:
            continue
        value = answer_for(question, rng, lean)
        if value is not None:
            answers[question.code] = value
    return answers
