"""The barometer instruments (instruments/smartregion-barometer/): valid, bilingual, comparable.

Trends between waves are computed on shared question codes, so the 2025 version must keep most of
2023's codes with the same meaning: same type, same option codes, same rows and scale.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.core.management import call_command

from smartregion.instruments.definition import (
    TEXT_TYPES,
    Instrument,
    Question,
    iter_conditions,
    load_file,
    parse,
    validate,
)
from smartregion.instruments.scoring import hidden_questions, validate_answers
from smartregion.instruments.services import instrument_version_load

from .helpers import ROOT

FOLDER = ROOT / "instruments" / "smartregion-barometer"
VERSIONS = ("2023", "2025")


def path(version: str) -> Path:
    return FOLDER / f"{version}.yaml"


def load(version: str) -> Instrument:
    return parse(load_file(path(version)))


def signature(q: Question) -> tuple:
    """What must stay identical for a code to be comparable between versions."""
    scale = (q.scale.min, q.scale.max) if q.scale else None
    number = (q.number.min, q.number.max, q.number.integer) if q.number else None
    return (
        q.type,
        tuple(o.code for o in q.options),
        tuple(r.code for r in q.rows),
        scale,
        number,
    )


@pytest.mark.parametrize("version", VERSIONS)
def test_barometer_file_validates(version):
    raw = load_file(path(version))
    assert [str(e) for e in validate(raw)] == []
    instrument = parse(raw)
    assert (instrument.slug, instrument.version) == ("smartregion-barometer", version)


@pytest.mark.parametrize("version", VERSIONS)
def test_barometer_cli_validate_succeeds(version, capsys):
    call_command("instrument", "validate", str(path(version)))
    assert f"{len(load(version).questions)} questions" in capsys.readouterr().out


@pytest.mark.parametrize("version", VERSIONS)
def test_barometer_question_count(version):
    assert 30 <= len(load(version).questions) <= 45


@pytest.mark.parametrize("version", VERSIONS)
def test_barometer_every_text_in_french_and_english(version):
    instrument = load(version)
    for lang in ("fr", "en"):
        assert instrument.title[lang].strip()
        for section in instrument.sections:
            assert section.text[lang].strip(), section.code
        for q in instrument.questions:
            assert q.text[lang].strip(), q.code
            if q.help:
                assert q.help[lang].strip(), q.code
            for option in q.options:
                assert option.text[lang].strip(), (q.code, option.code)
            for row in q.rows:
                assert row.text[lang].strip(), (q.code, row.code)


@pytest.mark.parametrize("version", VERSIONS)
def test_barometer_is_not_scored(version):
    """The single dimension is a placeholder the engine requires; nothing refers to it."""
    instrument = load(version)
    assert instrument.dimensions == ()
    assert not any(q.scored for q in instrument.questions)
    assert instrument.recommendations == ()


@pytest.mark.parametrize("version", VERSIONS)
def test_barometer_public_flags(version):
    questions = load(version).questions
    public = [q.code for q in questions if q.public]
    private = [q.code for q in questions if not q.public]
    assert len(public) >= 10
    assert len(private) >= 5
    for code in ("engaged", "strategy_formal", "priority_axes", "open_data", "partners"):
        assert code in public
    for code in ("progress_self", "budget_annual", "budget_own_share", "obstacles"):
        assert code in private
    for code in ("main_obstacle", "support_needs"):
        assert code in private
    assert all(not q.public for q in questions if q.type in TEXT_TYPES)
    assert all(not q.required for q in questions if q.type in TEXT_TYPES)


@pytest.mark.parametrize("version", VERSIONS)
def test_barometer_conditions_point_back_to_choice_questions(version):
    """The validator already refuses later or unknown targets; check the targets' types too."""
    instrument = load(version)
    seen: dict[str, Question] = {}
    for q in instrument.questions:
        for leaf in iter_conditions(q.show_if):
            assert leaf.question in seen, (q.code, leaf.question)
            assert seen[leaf.question].type in ("single_choice", "multiple_choice", "yes_no")
        seen[q.code] = q
    conditional = {q.code for q in instrument.questions if q.show_if is not None}
    assert {"strategy_document", "engaged_since", "team_fte", "open_data_portal"} <= conditional


def test_barometer_versions_share_most_codes_with_identical_meaning():
    old, new = load("2023"), load("2025")
    new_by_code = {q.code: q for q in new.questions}
    shared = [
        q.code
        for q in old.questions
        if q.code in new_by_code and signature(q) == signature(new_by_code[q.code])
    ]
    assert len(shared) / len(old.questions) >= 0.8
    changed = [
        q.code
        for q in old.questions
        if q.code in new_by_code and signature(q) != signature(new_by_code[q.code])
    ]
    assert changed == [], "a question whose options change needs a new code"


def test_barometer_2025_changes():
    old = {q.code for q in load("2023").questions}
    new = {q.code for q in load("2025").questions}
    assert old - new == {"concept_perception", "data_sensors"}
    assert new - old == {
        "concept_relevance",
        "energy_climate_data",
        "ai_use",
        "ai_rules",
        "cyber_incident",
        "cyber_measures",
    }


@pytest.mark.parametrize("version", VERSIONS)
def test_barometer_sample_answers_are_accepted(version):
    """A plausible commune's answers validate, and conditions hide what they should."""
    instrument = load(version)
    answers = {
        "resp_role": "director",
        "engaged": "no",
        "progress_self": 2,
        "strategy_formal": "no",
        "team": "nobody",
        "priority_axes": ["mobility", "environment"],
        "projects_stage": {"economy": 0, "mobility": 2, "living": "dont_know"},
        "projects_count": "none",
        "budget_annual": "none",
        "obstacles": ["funding", "expertise"],
        "main_obstacle": "funding",
        "open_data": "no",
        "participation_tools": ["none"],
        "partners": ["intermunicipal", "neighbours"],
    }
    assert validate_answers(instrument, answers) == []
    hidden = hidden_questions(instrument, answers)
    assert {
        "engaged_since",
        "initiator",
        "strategy_document",
        "team_fte",
        "budget_own_share",
        "open_data_portal",
        "participation_level",
    } <= hidden


@pytest.mark.django_db
def test_barometer_files_load_into_the_database():
    loaded = [instrument_version_load(path=path(version)) for version in VERSIONS]
    assert [(v.slug, v.version, v.load_status) for v in loaded] == [
        ("smartregion-barometer", "2023", "created"),
        ("smartregion-barometer", "2025", "created"),
    ]


def test_barometer_2025_has_every_text_in_german_and_dutch():
    """The shipped questionnaire lists de and nl, and the checks hold it to every text."""
    from smartregion.instruments.definition import load_file, validate

    raw = load_file(FOLDER / "2025.yaml")
    texts: list[dict] = []

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if "fr" in node and set(node) <= {"fr", "en", "de", "nl"}:
                texts.append(node)
                return
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(raw)
    assert raw["languages"] == ["fr", "en", "de", "nl"]
    assert len(texts) == 310
    assert [t for t in texts if not (t.get("de") and t.get("nl"))] == []
    assert validate(raw) == []


def test_a_listed_language_must_be_complete():
    from smartregion.instruments.definition import load_file, validate

    raw = load_file(FOLDER / "2025.yaml")
    del raw["sections"][0]["text"]["de"]

    assert [(e.path, e.code) for e in validate(raw)] == [("sections[0].text.de", "missing_text")]
