"""Validation of instrument definitions: one broken instrument per error class, exact messages."""

from __future__ import annotations

import pytest

from smartregion.instruments.definition import (
    Instrument,
    InstrumentInvalid,
    load_file,
    loads,
    parse,
    validate,
)

from .helpers import REAL_INSTRUMENT, minimal, option, question, texts


def problems(raw: object) -> list[tuple[str, str]]:
    return [tuple(error) for error in validate(raw)]


def test_validate_minimal_instrument_is_valid():
    assert problems(minimal()) == []


def test_validate_unknown_question_type():
    raw = minimal()
    question(raw)["type"] = "ranking"
    assert problems(raw) == [
        (
            "sections[0].questions[0].type",
            "unknown question type 'ranking' (expected one of: single_choice, multiple_choice, "
            "scale, number, yes_no, short_text, long_text, matrix)",
        ),
    ]


def test_validate_duplicate_codes_of_every_kind():
    raw = minimal()
    raw["dimensions"].append(dict(raw["dimensions"][0]))
    raw["sections"].append({"code": "s1", "text": texts("S"), "questions": [question(raw, 1)]})
    question(raw)["options"].append(option("a", 1))
    raw["recommendations"].append(dict(raw["recommendations"][0]))
    assert problems(raw) == [
        ("dimensions[1].code", "duplicate dimension code 'gov' (first used at dimensions[0])"),
        (
            "sections[0].questions[0].options[2].code",
            "duplicate option code 'a' (first used at sections[0].questions[0].options[0])",
        ),
        ("sections[1].code", "duplicate section code 's1' (first used at sections[0])"),
        (
            "sections[1].questions[0].code",
            "duplicate question code 'q2' (first used at sections[0].questions[1])",
        ),
        (
            "recommendations[1].code",
            "duplicate recommendation code 'r1' (first used at recommendations[0])",
        ),
    ]


def test_validate_missing_french_or_english_text():
    raw = minimal()
    del question(raw)["text"]["en"]
    question(raw)["options"][1]["text"] = {"en": "B", "fr": "  "}
    raw["dimensions"][0]["levels"][4] = {"fr": "Niveau 5", "de": "Stufe 5"}
    assert problems(raw) == [
        ("dimensions[0].levels[4].en", "English text is required"),
        ("sections[0].questions[0].text.en", "English text is required"),
        ("sections[0].questions[0].options[1].text.fr", "French text is required"),
    ]


def test_validate_option_score_out_of_range():
    raw = minimal()
    question(raw)["options"][1]["score"] = 1.5
    question(raw)["options"].append(option("c", -0.5))
    assert problems(raw) == [
        ("sections[0].questions[0].options[1].score", "score 1.5 is outside 0..1"),
        ("sections[0].questions[0].options[2].score", "score -0.5 is outside 0..1"),
        (
            "sections[0].questions[0].options",
            "option scores of a scored question must run from 0 to 1 (here 0 to 0)",
        ),
    ]


def test_validate_option_scores_follow_declared_maximum():
    raw = minimal()
    raw["scoring"] = {"max_option_score": 4}
    question(raw)["options"] = [option("a", 0), option("b", 4)]
    question(raw, 1)["scores"] = {"yes": 4, "no": 0}
    assert problems(raw) == []


def test_validate_condition_on_unknown_later_or_same_question():
    raw = minimal()
    question(raw)["show_if"] = {"question": "q2", "in": ["yes"]}
    question(raw, 1)["show_if"] = {
        "any": [{"question": "q2", "in": ["yes"]}, {"question": "q9", "in": ["x"]}]
    }
    assert problems(raw) == [
        (
            "sections[0].questions[0].show_if.question",
            "condition refers to question 'q2', which comes later",
        ),
        ("sections[0].questions[1].show_if.any[0].question", "a question cannot depend on itself"),
        (
            "sections[0].questions[1].show_if.any[1].question",
            "condition refers to unknown question 'q9'",
        ),
    ]


def test_validate_condition_value_not_an_option():
    raw = minimal()
    question(raw, 1)["show_if"] = {"question": "q1", "in": ["b", "zz", "dont_know"]}
    assert problems(raw) == [
        (
            "sections[0].questions[1].show_if.in[1]",
            "'zz' is not an answer of question 'q1' (expected one of: a, b)",
        ),
        (
            "sections[0].questions[1].show_if.in[2]",
            "'dont_know' is not an answer of question 'q1' (expected one of: a, b)",
        ),
    ]


def test_validate_weight_not_positive():
    raw = minimal()
    raw["dimensions"][0]["weight"] = 0
    question(raw)["weight"] = -2
    assert problems(raw) == [
        ("dimensions[0].weight", "weight must be greater than 0, got 0"),
        ("sections[0].questions[0].weight", "weight must be greater than 0, got -2"),
    ]


def test_validate_unknown_dimension_and_axis():
    raw = minimal()
    question(raw)["dimension"] = "gouv"
    question(raw)["axes"] = ["mobility", "energy"]
    raw["recommendations"][0]["dimension"] = "data"
    raw["recommendations"][0]["when"] = {"dimension": "data", "level_below": 3}
    assert problems(raw) == [
        ("sections[0].questions[0].dimension", "unknown dimension 'gouv' (declared: gov)"),
        ("sections[0].questions[0].axes[1]", "unknown axis 'energy' (declared: mobility)"),
        ("recommendations[0].dimension", "unknown dimension 'data' (declared: gov)"),
        ("recommendations[0].when.dimension", "unknown dimension 'data' (declared: gov)"),
    ]


def test_validate_missing_required_keys():
    raw = minimal()
    del raw["slug"]
    del question(raw)["options"]
    del raw["recommendations"][0]["when"]
    assert problems(raw) == [
        ("slug", "required key is missing"),
        ("sections[0].questions[0].options", "required key is missing"),
        ("recommendations[0].when", "required key is missing"),
    ]


def test_validate_wrong_value_types():
    raw = minimal()
    raw["dimensions"] = {"gov": {}}
    raw["title"] = "Mini"
    question(raw, 1)["required"] = "yes"
    raw["recommendations"][0]["priority"] = "high"
    assert problems(raw) == [
        ("title", "must be a mapping, not a string"),
        ("dimensions", "must be a list, not a mapping"),
        ("sections[0].questions[0].dimension", "unknown dimension 'gov' (declared: none)"),
        ("sections[0].questions[1].required", "must be a boolean, not a string"),
        ("sections[0].questions[1].dimension", "unknown dimension 'gov' (declared: none)"),
        ("recommendations[0].dimension", "unknown dimension 'gov' (declared: none)"),
        ("recommendations[0].priority", "must be an integer, not a string"),
        ("recommendations[0].when.dimension", "unknown dimension 'gov' (declared: none)"),
    ]


def test_validate_number_scale_and_matrix_shapes():
    raw = minimal()
    question(raw, 1).update(type="number", number={"min": 10, "max": 2})
    raw["sections"][0]["questions"] += [
        {"code": "q3", "type": "scale", "text": texts("Q3"), "scale": {"min": 5, "max": 5}},
        {
            "code": "q4",
            "type": "matrix",
            "text": texts("Q4"),
            "rows": [],
            "scale": {"min": 0, "max": 4},
        },
    ]
    assert problems(raw) == [
        ("sections[0].questions[1].number", "min (10) is greater than max (2)"),
        ("sections[0].questions[2].scale", "scale min (5) must be less than max (5)"),
        ("sections[0].questions[3].rows", "a matrix question needs at least one row"),
    ]


def test_validate_unknown_key_and_text_question_with_dimension():
    raw = minimal()
    question(raw)["wieght"] = 2
    raw["sections"][0]["questions"].append(
        {"code": "q3", "type": "long_text", "text": texts("Q3"), "dimension": "gov"}
    )
    assert [path for path, _ in problems(raw)] == [
        "sections[0].questions[0].wieght",
        "sections[0].questions[2].dimension",
    ]
    assert problems(raw)[1][1] == "text questions are never scored: remove the dimension"


def test_validate_recommendation_rule_on_answers():
    raw = minimal()
    raw["recommendations"][0]["when"] = {
        "all": [
            {"answer": {"question": "q2", "in": ["no", "maybe"]}},
            {"answer": {"question": "q7", "in": ["a"]}},
        ]
    }
    assert problems(raw) == [
        (
            "recommendations[0].when.all[0].answer.in[1]",
            "'maybe' is not an answer of question 'q2' (expected one of: yes, no)",
        ),
        (
            "recommendations[0].when.all[1].answer.question",
            "condition refers to unknown question 'q7'",
        ),
    ]


def test_validate_non_mapping_document():
    assert problems(["not", "a", "mapping"]) == [("", "must be a mapping, not a list")]


def test_parse_raises_with_every_error():
    raw = minimal()
    question(raw)["type"] = "ranking"
    raw["dimensions"][0]["weight"] = -1
    with pytest.raises(InstrumentInvalid) as caught:
        parse(raw)
    assert [e.path for e in caught.value.errors] == [
        "dimensions[0].weight",
        "sections[0].questions[0].type",
    ]


def test_loads_keeps_yes_and_no_as_strings():
    raw = loads("in: [yes, no, on]\nflag: true\nversion: 2026")
    assert raw == {"in": ["yes", "no", "on"], "flag": True, "version": 2026}


def test_parse_builds_yes_no_options_and_defaults():
    raw = minimal()
    raw["version"] = 3
    raw["defaults"] = {"allow_dont_know": True}
    instrument = parse(raw)
    q2 = instrument.question("q2")
    assert instrument.version == "3"
    assert [(o.code, o.score) for o in q2.options] == [("yes", 1.0), ("no", 0.0)]
    assert q2.allow_dont_know is True and q2.allow_not_applicable is False


def test_text_falls_back_to_french():
    instrument = parse(minimal())
    q1 = instrument.question("q1")
    assert Instrument.text(q1, "en") == "Q1 (en)"
    assert instrument.text(q1, "de") == "Q1 (fr)"
    assert instrument.text({"fr": "Bonjour", "nl": "Hallo"}, "nl") == "Hallo"


def test_real_instrument_is_valid_and_sized_as_specified():
    raw = load_file(REAL_INSTRUMENT)
    assert problems(raw) == []
    instrument = parse(raw)
    assert (instrument.slug, instrument.version) == ("smartregion-maturity", "2026")
    assert 40 <= len(instrument.questions) <= 70
    assert [d.code for d in instrument.dimensions] == [
        "gov",
        "org",
        "plan",
        "eval",
        "data",
        "innov",
        "sust",
    ]
    assert all(len(d.levels) == 5 and len(d.criteria) == 4 for d in instrument.dimensions)
    assert 30 <= len(instrument.recommendations) <= 40
    assert {a.code for a in instrument.axes} == {
        "economy",
        "people",
        "governance",
        "mobility",
        "environment",
        "living",
    }
