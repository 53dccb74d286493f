"""Shared diagnostic test fixtures: the real instrument, a Namur draft, complete answers."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.conf import settings

from smartregion.accounts.models import User
from smartregion.diagnostic.models import Diagnostic, DiagnosticAnswer
from smartregion.diagnostic.services import diagnostic_start
from smartregion.instruments.definition import Instrument, Question
from smartregion.instruments.models import InstrumentVersion
from smartregion.instruments.scoring import hidden_questions
from smartregion.instruments.services import instrument_version_load
from smartregion.territory.models import Municipality

REAL_INSTRUMENT = Path(settings.BASE_DIR) / "instruments" / "smartregion-maturity" / "2026.yaml"


_LOADED: dict[str, object] = {}


@pytest.fixture
def instrument_version(db) -> InstrumentVersion:
    """The real Smart Region maturity instrument, loaded as the current version.

    The first test loads it through the service (reading and validating the YAML takes ~0.4 s);
    later tests insert the same row directly.
    """
    if not _LOADED:
        version = instrument_version_load(path=REAL_INSTRUMENT)
        fields = ("slug", "version", "definition", "checksum", "title_fr", "title_en")
        _LOADED.update({name: getattr(version, name) for name in fields})
        return version
    return InstrumentVersion.objects.create(**_LOADED)


@pytest.fixture
def instrument(instrument_version) -> Instrument:
    return instrument_version.instrument


@pytest.fixture
def draft(instrument_version, namur: Municipality, manager: User) -> Diagnostic:
    """Namur's draft diagnostic, started by its manager, without answers."""
    return diagnostic_start(municipality=namur, user=manager)


def best_answer(question: Question) -> Any:
    """The highest-scoring valid answer to one question (the first option for unscored ones)."""
    if question.type in ("single_choice", "multiple_choice"):
        scored = [o for o in question.options if o.score is not None]
        best = max(scored, key=lambda o: o.score) if scored else question.options[0]
        return [best.code] if question.type == "multiple_choice" else best.code
    if question.type == "yes_no":
        return "yes"
    if question.type == "scale":
        return question.scale.max
    if question.type == "matrix":
        return {row.code: question.scale.max for row in question.rows}
    if question.type == "number":
        spec = question.number
        return spec.max if spec.max is not None else (spec.min or 0) + 1
    return "Réponse de test"


def complete_answers(instrument: Instrument) -> dict[str, Any]:
    """Best answers to every question that is visible once earlier answers are given."""
    answers: dict[str, Any] = {}
    for question in instrument.questions:
        if question.code not in hidden_questions(instrument, answers):
            answers[question.code] = best_answer(question)
    return answers


def answers_store(diagnostic: Diagnostic, answers: dict[str, Any], user: User | None) -> None:
    """Write answers directly (revision 1), bypassing the service, to arrange a test quickly."""
    DiagnosticAnswer.objects.bulk_create(
        DiagnosticAnswer(diagnostic=diagnostic, question_code=code, value=value, updated_by=user)
        for code, value in answers.items()
    )
