"""Scoring on a tiny instrument whose numbers are computed by hand (files/tiny.yaml)."""

from __future__ import annotations

import math

import pytest

from smartregion.instruments.definition import load_file, parse
from smartregion.instruments.progress import missing_required
from smartregion.instruments.scoring import (
    score,
    score_many,
    triggered_recommendations,
    validate_answers,
)

from .helpers import FILES

TINY = parse(load_file(FILES / "tiny.yaml"))
FULL = {
    "strategy": "draft",
    "adopted_by_council": "yes",
    "tools": ["portal", "gis"],
    "confidence": 4,
    "fte": 1,
    "practices": {"backup": 4, "mfa": "not_applicable"},
}


def test_score_exact_numbers():
    result = score(TINY, FULL)
    gov, data = result.dimensions["gov"], result.dimensions["data"]
    # gov: (1 × 0.5 + 2 × 1) / 3; data: mean of 0.75, 0.75, 0.5 (band), 1.0 (one matrix row)
    assert gov.score == pytest.approx(250 / 3)
    assert (gov.level, gov.coverage, gov.answered, gov.applicable) == (5, 1.0, 2, 2)
    assert data.score == pytest.approx(75.0)
    assert data.level == 4
    # overall weighted by dimension weights 2 and 1
    assert result.overall == pytest.approx((2 * 250 / 3 + 75) / 3)
    assert result.overall_level == 5
    assert result.coverage == 1.0


def test_score_dont_know_and_not_applicable_leave_the_denominator():
    answers = FULL | {"strategy": "dont_know", "adopted_by_council": "not_applicable"}
    gov = score(TINY, answers).dimensions["gov"]
    assert gov.score is None and gov.level is None
    assert gov.dont_know == ("strategy",)
    assert gov.not_applicable == ("adopted_by_council",)  # hidden: needs draft or adopted
    assert score(TINY, answers).hidden == frozenset({"adopted_by_council"})


def test_score_not_applicable_is_reported_and_not_counted():
    answers = FULL | {"adopted_by_council": "not_applicable"}
    gov = score(TINY, answers).dimensions["gov"]
    assert gov.score == pytest.approx(50.0)
    assert (gov.not_applicable, gov.applicable, gov.answered, gov.coverage) == (
        ("adopted_by_council",),
        1,
        1,
        1.0,
    )


def test_score_hidden_question_counts_as_not_applicable():
    answers = FULL | {"strategy": "none", "adopted_by_council": "yes"}
    gov = score(TINY, answers).dimensions["gov"]
    assert gov.score == 0.0 and gov.level == 1
    assert gov.not_applicable == ("adopted_by_council",)


def test_score_coverage_counts_dont_know_and_unanswered_as_missing():
    answers = {"strategy": "adopted", "adopted_by_council": "dont_know"}
    result = score(TINY, answers)
    assert result.dimensions["gov"].coverage == 0.5
    assert result.dimensions["data"].coverage == 0.0
    assert result.dimensions["data"].score is None
    assert result.overall == 100.0
    assert result.coverage == pytest.approx(1 / 6)


def test_score_multiple_choice_is_capped_and_exclusive_scores_zero():
    assert score(TINY, {"tools": ["portal", "api", "gis"]}).dimensions["data"].score == 100.0
    assert score(TINY, {"tools": ["nothing"]}).dimensions["data"].score == 0.0


@pytest.mark.parametrize(
    ("fte", "expected"), [(0, 0.0), (0.4, 0.0), (0.5, 50.0), (1.9, 50.0), (2, 100.0), (50, 100.0)]
)
def test_score_number_bands(fte, expected):
    assert score(TINY, {"fte": fte}).dimensions["data"].score == expected


def test_score_matrix_is_the_mean_of_answered_rows():
    result = score(TINY, {"practices": {"backup": 4, "mfa": 1}})
    assert result.dimensions["data"].score == pytest.approx(62.5)


def test_score_level_thresholds_are_inclusive_lower_bounds():
    # confidence 1..5 normalises to 0, 25, 50, 75, 100
    levels = [score(TINY, {"confidence": v}).dimensions["data"].level for v in range(1, 6)]
    assert levels == [1, 2, 3, 4, 5]


def test_score_ignores_invalid_answers():
    result = score(TINY, {"strategy": ["adopted"], "confidence": 9, "tools": "portal"})
    assert result.dimensions["gov"].score is None
    assert result.dimensions["data"].score is None


def test_score_many_matches_score():
    sets = [FULL, {}, {"strategy": "none"}, FULL | {"tools": ["nothing"], "fte": 0.2}]
    rows = score_many(TINY, sets)
    for answers, row in zip(sets, rows, strict=True):
        result = score(TINY, answers)
        expected = [d.score for d in result.dimensions.values()] + [result.overall]
        assert [None if math.isnan(v) else pytest.approx(v) for v in row] == expected


def test_triggered_recommendations_by_priority_then_gap():
    answers = {"strategy": "none", "confidence": 1}
    result = score(TINY, answers)
    codes = [r.code for r in triggered_recommendations(TINY, result, answers)]
    assert codes == ["write_strategy", "open_data"]


def test_triggered_recommendations_none_when_all_good():
    answers = FULL | {"strategy": "adopted", "confidence": 5}
    result = score(TINY, answers)
    assert triggered_recommendations(TINY, result, answers) == []


def test_triggered_recommendations_on_dont_know_answer():
    answers = {"strategy": "dont_know"}
    result = score(TINY, answers)
    codes = [r.code for r in triggered_recommendations(TINY, result, answers)]
    assert codes == ["write_strategy"]


def test_validate_answers_lists_every_problem():
    answers = {
        "strategy": "none",
        "adopted_by_council": "yes",
        "tools": ["portal", "nothing", "portal"],
        "confidence": 6,
        "fte": "two",
        "practices": {"backup": 2, "vpn": 3, "mfa": "dont_know"},
        "surprise": 1,
    }
    assert [tuple(e) for e in validate_answers(TINY, answers)] == [
        (
            "adopted_by_council",
            "this question is not shown with the other answers, so it takes no answer",
        ),
        ("tools[1]", "'nothing' cannot be combined with other options"),
        ("tools[2]", "option 'portal' is selected twice"),
        ("confidence", "6 is outside 1..5"),
        ("fte", "a number answer must be a number"),
        ("practices.vpn", "unknown row 'vpn'"),
        ("surprise", "unknown question"),
    ]


def test_validate_answers_special_values_only_where_allowed():
    answers = {"strategy": "not_applicable", "tools": "dont_know", "comment": "dont_know"}
    assert [tuple(e) for e in validate_answers(TINY, answers)] == [
        ("strategy", "'not applicable' is not allowed for this question"),
    ]


def test_validate_answers_accepts_a_complete_valid_set():
    assert validate_answers(TINY, FULL | {"comment": "Merci"}) == []


def test_missing_required_skips_hidden_and_optional_questions():
    assert missing_required(TINY, {"strategy": "none", "practices": {"backup": 1}}) == [
        "tools",
        "confidence",
        "fte",
        "practices",
    ]
    assert missing_required(TINY, FULL | {"practices": {"backup": 1, "mfa": 2}}) == []
