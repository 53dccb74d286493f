"""The key findings' rule (pure): which figures qualify, in which order, how many, rounded how."""

from __future__ import annotations

from smartregion.observatory import findings


def _cell(question, category, estimate, **extra):
    row = {
        "question": question,
        "category": category,
        "breakdown": "all",
        "kind": "proportion",
        "estimate": estimate,
        "ci_low": estimate - 0.05,
        "ci_high": estimate + 0.05,
        "respondents": 40,
        "suppressed": False,
        "flag": "reliable",
    }
    return row | extra


def _trend(question, category, difference, low, high, **extra):
    row = {
        "question": question,
        "category": category,
        "breakdown": "all",
        "comparison": "independent",
        "difference": difference,
        "ci_low": low,
        "ci_high": high,
        "suppressed": False,
    }
    return row | extra


def _data(results, trends=(), previous=2023):
    return {"results": list(results), "trends": list(trends), "previous": {"year": previous}}


def test_headlines_come_first_then_significant_changes_by_size():
    data = _data(
        [
            _cell("strategy", "yes", 0.58),
            _cell("team", "yes", 0.30),
            _cell("budget", "yes", 0.20),
            _cell("open_data", "yes", 0.10),
            _cell("sensors", "yes", 0.44),
        ],
        [
            _trend("team", "yes", 0.05, 0.01, 0.09),
            _trend("budget", "yes", -0.12, -0.2, -0.04),
            _trend("open_data", "yes", 0.2, -0.01, 0.41),  # not significant
        ],
    )

    chosen = findings.select(data, (("strategy", "yes"),))

    assert [(f["question"], f["reason"]) for f in chosen] == [
        ("strategy", "headline"),
        ("budget", "change"),
        ("team", "change"),
        ("sensors", "share"),
        ("open_data", "share"),
    ]
    assert chosen[1] | {"text": None} == {
        "question": "budget",
        "category": "yes",
        "reason": "change",
        "estimate": 0.20,
        "ci_low": 0.20 - 0.05,
        "ci_high": 0.20 + 0.05,
        "respondents": 40,
        "difference": -0.12,
        "diff_low": -0.2,
        "diff_high": -0.04,
        "significant": True,
        "previous_year": 2023,
        "text": None,
    }


def test_only_reliable_published_substantive_shares_of_all_communes_qualify():
    data = _data(
        [
            _cell("a", "yes", 0.9, flag="caution"),
            _cell("b", "yes", 0.8, suppressed=True) | {"estimate": None},
            _cell("c", "dont_know", 0.7),
            _cell("d", "yes", 0.6, breakdown="province=90000"),
            _cell("e", "mean", 6.5, kind="mean"),
            _cell("f", "yes", 0.5, flag="unpublished"),
            _cell("g", "yes", 0.4),
        ]
    )

    assert [f["question"] for f in findings.select(data)] == ["g"]


def test_one_finding_per_question_and_eight_at_most():
    cells = [_cell(f"q{i}", c, 0.5 + i / 100) for i in range(12) for c in ("yes", "no")]
    trends = [_trend(f"q{i}", "no", 0.1 + i / 100, 0.05, 0.3) for i in range(12)]

    chosen = findings.select(_data(cells, trends))

    assert len(chosen) == findings.MAXIMUM == 8
    assert [f["question"] for f in chosen] == [f"q{i}" for i in range(11, 3, -1)]
    assert {f["category"] for f in chosen} == {"no"}


def test_suppressed_trends_never_count_as_changes():
    data = _data(
        [_cell("a", "yes", 0.3), _cell("b", "yes", 0.2)],
        [_trend("b", "yes", None, None, None, suppressed=True)],
    )

    chosen = findings.select(data)

    assert [(f["question"], f["reason"], f["difference"]) for f in chosen] == [
        ("a", "share", None),
        ("b", "share", None),
    ]


def test_points_round_half_away_from_zero():
    assert [findings.points(v) for v in (0.585, 0.584, 0.125, -0.125, 0.0, 1.0)] == [
        59,
        58,
        13,
        -13,
        0,
        100,
    ]
