"""The statistics engine on a tiny frame whose figures are computed by hand in the comments."""

from __future__ import annotations

import math

import polars as pl
import pytest

from smartregion.observatory.statistics import (
    Options,
    Question,
    StratumCount,
    collapse_strata,
    estimate,
    estimate_trends,
    infer_questions,
    respondent_weights,
    t_quantile,
)

# Province P1: small c1–c4 (N=4), large c5–c7 (N=3); province P2: small c8–c10 (N=3),
# large c11–c12 (N=2). N = 12.
FRAME = pl.DataFrame(
    {
        "refnis": [f"c{i}" for i in range(1, 13)],
        "province": ["P1"] * 7 + ["P2"] * 5,
        "population_class": ["small"] * 4 + ["large"] * 3 + ["small"] * 3 + ["large"] * 2,
    }
)
# The hand computations below are for the estimator: weighting cells of 2 keep them small.
CLASSES = Options(
    class_order=("small", "large"),
    min_cell=1,
    min_weighting_cell=2,
    ci_method="t",
    withhold_unreliable=False,
)
QUESTIONS = {
    "strategy": Question("strategy", "yes_no", ("yes", "no", "dont_know")),
    "progress": Question("progress", "scale"),
}


def answers(rows: list[tuple[str, str, str]]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema=["refnis", "question", "value"], orient="row")


RESPONSES = answers(
    [
        ("c1", "strategy", "yes"),
        ("c2", "strategy", "no"),
        ("c3", "strategy", "yes"),
        ("c5", "strategy", "yes"),
        ("c6", "strategy", "yes"),
        ("c8", "strategy", "no"),
        ("c9", "strategy", "no"),
        ("c11", "strategy", "yes"),
        ("c12", "strategy", "dont_know"),
        ("c1", "progress", "4"),
        ("c2", "progress", "6"),
        ("c5", "progress", "8"),
        ("c6", "progress", "6"),
        ("c7", "progress", "7"),
        ("c8", "progress", "2"),
        ("c9", "progress", "4"),
        ("c10", "progress", "3"),
        ("c11", "progress", "5"),
    ]
)


def cell(results: pl.DataFrame, question: str, category: str, breakdown: str = "all") -> dict:
    rows = results.filter(
        (pl.col("question") == question)
        & (pl.col("category") == category)
        & (pl.col("breakdown") == breakdown)
    ).to_dicts()
    assert len(rows) == 1
    return rows[0]


def test_estimate_proportion_with_collapsed_stratum_matches_hand_computation():
    results = estimate(FRAME, RESPONSES, QUESTIONS, CLASSES)

    yes = cell(results, "strategy", "yes")

    # P2/large has one substantive respondent of 2 communes: merged with P2/small (N=5, n=3).
    # estimate = 4/12·2/3 + 3/12·1 + 5/12·1/3 = 11/18
    assert yes["estimate"] == pytest.approx(11 / 18, abs=1e-12)
    # variance = (4/12)²(1−3/4)(1/3)/3 + 0 + (5/12)²(1−3/5)(1/3)/3 = 7/648
    assert yes["se"] == pytest.approx(math.sqrt(7 / 648), abs=1e-12)
    assert (yes["respondents"], yes["population"], yes["strata"], yes["df"]) == (8, 12, 3, 5)
    # unweighted: 5 of 8, s² = 8/7·5/8·3/8, SE = sqrt((1 − 8/12) s²/8) = sqrt(5/448)
    assert yes["unweighted"] == pytest.approx(5 / 8, abs=1e-12)
    assert yes["unweighted_se"] == pytest.approx(math.sqrt(5 / 448), abs=1e-12)
    half = t_quantile(0.975, 5) * math.sqrt(7 / 648)
    assert yes["ci_low"] == pytest.approx(11 / 18 - half, abs=1e-12)
    assert yes["ci_high"] == pytest.approx(min(1.0, 11 / 18 + half), abs=1e-12)
    assert (yes["base"], yes["kind"], yes["method"], yes["suppressed"]) == (
        "substantive",
        "proportion",
        "stratified/t",
        False,
    )


def test_estimate_substantive_categories_sum_to_one():
    results = estimate(FRAME, RESPONSES, QUESTIONS, CLASSES)

    no = cell(results, "strategy", "no")

    assert no["estimate"] == pytest.approx(7 / 18, abs=1e-12)
    assert no["se"] == pytest.approx(math.sqrt(7 / 648), abs=1e-12)


def test_estimate_dont_know_is_a_share_of_all_who_answered():
    results = estimate(FRAME, RESPONSES, QUESTIONS, CLASSES)

    dont_know = cell(results, "strategy", "dont_know")

    # 9 answered; P2/large answered in full (a census, no collapse): 2/12 · 1/2
    assert dont_know["base"] == "answered"
    assert dont_know["estimate"] == pytest.approx(1 / 12, abs=1e-12)
    assert dont_know["se"] == 0.0
    assert (dont_know["respondents"], dont_know["strata"]) == (9, 4)


def test_estimate_mean_with_census_strata_matches_hand_computation():
    results = estimate(FRAME, RESPONSES, QUESTIONS, CLASSES)

    progress = cell(results, "progress", "mean")

    # P1/small {4, 6}; P1/large {8, 6, 7} census; P2/small {2, 4, 3} census + P2/large {5}
    # merged (N=5, n=4, mean 3.5, s² = 5/3).
    # estimate = 4/12·5 + 3/12·7 + 5/12·3.5 = 4.875
    assert progress["estimate"] == pytest.approx(4.875, abs=1e-12)
    # variance = (1/3)²(1/2)·2/2 + 0 + (5/12)²(1/5)(5/3)/4 = 121/1728
    assert progress["se"] == pytest.approx(11 / math.sqrt(1728), abs=1e-12)
    assert progress["df"] == 9 - 3
    half = t_quantile(0.975, 6) * 11 / math.sqrt(1728)
    assert (progress["ci_low"], progress["ci_high"]) == pytest.approx(
        (4.875 - half, 4.875 + half), abs=1e-12
    )
    assert progress["kind"] == "mean"


def test_estimate_breakdown_by_class_uses_the_strata_inside_it():
    results = estimate(FRAME, RESPONSES, QUESTIONS, CLASSES)

    small = cell(results, "strategy", "yes", "population_class=small")

    # P1/small 2 of 3 (N=4), P2/small 0 of 2 (N=3): 4/7·2/3 = 8/21;
    # variance = (4/7)²(1/4)(1/3)/3 = 4/441
    assert small["estimate"] == pytest.approx(8 / 21, abs=1e-12)
    assert small["se"] == pytest.approx(2 / 21, abs=1e-12)
    assert (small["respondents"], small["population"], small["strata"]) == (5, 7, 2)


def test_estimate_breakdown_by_province_collapses_inside_the_province():
    results = estimate(FRAME, RESPONSES, QUESTIONS, CLASSES)

    p2 = cell(results, "strategy", "yes", "province=P2")

    # one group of N=5, n=3 ({no, no, yes}): 1/3, variance (1 − 3/5)(1/3)/3 = 2/45
    assert p2["estimate"] == pytest.approx(1 / 3, abs=1e-12)
    assert p2["se"] == pytest.approx(math.sqrt(2 / 45), abs=1e-12)
    assert p2["strata"] == 1


def test_estimate_lists_breakdowns_in_order():
    results = estimate(FRAME, RESPONSES, QUESTIONS, CLASSES)

    breakdowns = results.filter((pl.col("question") == "strategy") & (pl.col("category") == "yes"))[
        "breakdown"
    ].to_list()

    assert breakdowns == [
        "all",
        "province=P1",
        "province=P2",
        "population_class=small",
        "population_class=large",
    ]


def test_estimate_suppresses_cells_under_five_respondents():
    results = estimate(
        FRAME,
        RESPONSES,
        QUESTIONS,
        Options(
            class_order=("small", "large"),
            ci_method="t",
            withhold_unreliable=False,
            min_weighting_cell=2,
        ),
    )

    p2 = cell(results, "strategy", "yes", "province=P2")
    whole = cell(results, "strategy", "yes")

    assert p2["suppressed"] is True
    assert p2["respondents"] == 3
    figures = ("estimate", "se", "ci_low", "ci_high", "unweighted", "unweighted_se", "df")
    assert [p2[f] for f in figures] == [None] * len(figures)
    assert whole["suppressed"] is False
    assert whole["estimate"] == pytest.approx(11 / 18, abs=1e-12)


def test_estimate_census_has_zero_standard_error():
    everyone = answers([(f"c{i}", "strategy", "yes" if i % 3 else "no") for i in range(1, 13)])

    results = estimate(FRAME, everyone, QUESTIONS, CLASSES).filter(pl.col("question") == "strategy")

    assert results["se"].to_list() == [0.0] * results.height
    assert (results["ci_low"] == results["estimate"]).all()
    assert cell(results, "strategy", "no")["estimate"] == pytest.approx(4 / 12)


def test_estimate_domain_without_respondent_is_reported_empty():
    only_p1 = RESPONSES.filter(pl.col("refnis").is_in(["c1", "c2", "c3", "c5", "c6"]))

    results = estimate(FRAME, only_p1, QUESTIONS, CLASSES)

    p2 = cell(results, "strategy", "yes", "province=P2")
    whole = cell(results, "strategy", "yes")
    assert (p2["respondents"], p2["population"], p2["estimate"], p2["suppressed"]) == (
        0,
        5,
        None,
        True,
    )
    # P2 (no respondent, both classes) merges with the group of P1 whose classes overlap and
    # whose size is closest (small: N=4 against P2's 5; large has 3): 9/12·2/3 + 3/12·1 = 3/4;
    # the frame's N is kept whole.
    assert whole["population"] == 12
    assert whole["estimate"] == pytest.approx(3 / 4, abs=1e-12)


def test_respondent_weights_sum_to_population():
    weights = respondent_weights(FRAME, RESPONSES, "strategy", QUESTIONS, CLASSES)

    assert weights["weight"].sum() == pytest.approx(12)
    by_commune = dict(weights.select("refnis", "weight").iter_rows())
    assert by_commune["c1"] == pytest.approx(4 / 3)
    assert by_commune["c11"] == pytest.approx(5 / 3)  # merged group: N=5, n=3


def test_infer_questions_from_values():
    responses = answers(
        [
            ("c1", "a", "3"),
            ("c2", "a", "dont_know"),
            ("c1", "b", "yes"),
            ("c1", "c", "x"),
            ("c1", "c", "y"),
        ]
    )

    inferred = infer_questions(responses)

    assert {code: q.type for code, q in inferred.items()} == {
        "a": "number",
        "b": "single_choice",
        "c": "multiple_choice",
    }


def test_estimate_multiple_choice_share_of_respondents_selecting_each_option():
    frame = pl.DataFrame(
        {"refnis": ["a", "b", "c", "d"], "province": ["P"] * 4, "population_class": ["x"] * 4}
    )
    responses = answers(
        [
            ("a", "obstacles", "budget"),
            ("a", "obstacles", "time"),
            ("b", "obstacles", "budget"),
            ("c", "obstacles", "dont_know"),
        ]
    )

    results = estimate(
        frame, responses, options=Options(min_cell=1, ci_method="t", withhold_unreliable=False)
    )

    # substantive respondents a, b (N=4): budget 2/2, time 1/2 with variance (1 − 2/4)(1/2)/2
    assert cell(results, "obstacles", "budget")["estimate"] == 1.0
    time = cell(results, "obstacles", "time")
    assert time["estimate"] == 0.5
    assert time["se"] == pytest.approx(math.sqrt(0.125), abs=1e-12)
    assert cell(results, "obstacles", "dont_know")["estimate"] == pytest.approx(1 / 3)


def test_estimate_rejects_a_response_from_outside_the_frame():
    with pytest.raises(ValueError, match="not in the frame"):
        estimate(FRAME, answers([("zz", "strategy", "yes")]), QUESTIONS, CLASSES)


def test_estimate_rejects_two_answers_to_a_single_choice_question():
    twice = answers([("c1", "strategy", "yes"), ("c1", "strategy", "no")])

    with pytest.raises(ValueError, match="several answers"):
        estimate(FRAME, twice, QUESTIONS, CLASSES)


def test_estimate_logit_interval_stays_inside_zero_one():
    results = estimate(
        FRAME,
        RESPONSES,
        QUESTIONS,
        Options(
            class_order=("small", "large"),
            ci_method="logit",
            withhold_unreliable=False,
            min_weighting_cell=2,
        ),
    )

    yes = cell(results, "strategy", "yes")

    p, se = 11 / 18, math.sqrt(7 / 648)
    spread = t_quantile(0.975, 5) * se / (p * (1 - p))
    logit = math.log(p / (1 - p))
    assert yes["ci_low"] == pytest.approx(1 / (1 + math.exp(-(logit - spread))), abs=1e-12)
    assert yes["ci_high"] == pytest.approx(1 / (1 + math.exp(-(logit + spread))), abs=1e-12)
    assert yes["method"] == "stratified/logit"


def test_estimate_normal_interval():
    results = estimate(
        FRAME,
        RESPONSES,
        QUESTIONS,
        Options(
            class_order=("small", "large"),
            ci_method="normal",
            withhold_unreliable=False,
            min_weighting_cell=2,
        ),
    )

    progress = cell(results, "progress", "mean")

    half = 1.959963984540054 * 11 / math.sqrt(1728)
    assert progress["ci_high"] == pytest.approx(4.875 + half, abs=1e-9)


# --- collapse rule -----------------------------------------------------------------------------


def counts(*strata: tuple[str, int, int, int]) -> list[StratumCount]:
    return [StratumCount(p, rank, population, n) for p, rank, population, n in strata]


def collapse(strata: list[StratumCount]) -> list[int]:
    return collapse_strata(strata, min_respondents=2)


def test_collapse_keeps_strata_with_two_respondents():
    strata = counts(("A", 0, 10, 2), ("A", 1, 5, 3), ("B", 0, 4, 2))

    assert collapse(strata) == [0, 1, 2]


def test_collapse_default_cell_is_five_respondents():
    strata = counts(("A", 0, 10, 5), ("A", 1, 9, 4), ("A", 2, 6, 6))

    assert collapse_strata(strata) == [0, 0, 2]  # 4 < 5, and the tie goes to the smaller class
    assert Options().min_weighting_cell == 5
    assert Options(min_stratum=2).weighting_cell == 2  # the former option still works


def test_collapse_merges_with_the_adjacent_class_closest_in_inhabitants():
    # class 1 (mean ln size 8.9) is short; class 0 is at 7.6, class 2 at 9.6: merge 1 with 2
    strata = [
        StratumCount("A", 0, 10, 4, 7.6),
        StratumCount("A", 1, 5, 1, 8.9),
        StratumCount("A", 2, 6, 3, 9.6),
    ]

    assert collapse(strata) == [0, 1, 1]


def test_collapse_tie_goes_to_the_smaller_class():
    # without inhabitants both neighbours are one class away: the smaller class wins
    strata = counts(("A", 0, 6, 4), ("A", 1, 5, 0), ("A", 2, 1, 1))

    assert collapse(strata) == [0, 0, 2]


def test_collapse_top_class_merges_downwards_and_repeats_until_enough():
    strata = counts(("A", 0, 20, 5), ("A", 1, 4, 1), ("A", 2, 2, 0))

    # class 1 (short) → tie → class 0 (n=6); class 2 (short) → its only neighbour, the group 0–1
    assert collapse(strata) == [0, 0, 0]


def test_collapse_census_stratum_of_one_commune_is_kept():
    strata = counts(("A", 0, 10, 3), ("A", 1, 1, 1))

    assert collapse(strata) == [0, 1]


def test_collapse_small_communes_never_join_a_city_class_that_is_not_adjacent():
    # A has small communes (class 0, short) and a city over 50,000 (class 4), nothing between:
    # the small communes join B's small communes, not A's city (the complaint); A's
    # silent city joins B's city.
    strata = counts(("A", 0, 5, 1), ("A", 4, 2, 0), ("B", 0, 8, 3), ("B", 4, 2, 2))

    assert collapse(strata) == [0, 1, 0, 1]


def test_collapse_short_province_merges_with_the_same_class_of_the_closest_province():
    strata = [
        StratumCount("A", 0, 10, 4, 7.0),
        StratumCount("A", 1, 3, 2, 9.0),
        StratumCount("B", 0, 8, 3, 7.9),
        StratumCount("C", 0, 5, 1, 8.0),
    ]

    # C (class 0 only, 1 respondent of 5) joins class 0 of the province closest in size: B.
    assert collapse(strata) == [0, 1, 2, 2]


def test_collapse_across_provinces_without_sizes_takes_the_closest_number_of_communes():
    strata = counts(("A", 0, 10, 4), ("A", 1, 3, 2), ("B", 0, 6, 3), ("C", 0, 5, 1), ("C", 1, 2, 0))

    # C as a whole (ranks 0–1, N=7, 1 respondent) overlaps every group; B's N=6 is the closest.
    assert collapse(strata) == [0, 1, 2, 2, 2]


def test_collapse_never_drops_a_stratum_and_order_does_not_matter():
    strata = counts(("B", 1, 2, 0), ("A", 0, 10, 4), ("B", 0, 3, 1), ("A", 1, 3, 2))

    labels = collapse(strata)

    # B (1 respondent of 5, ranks 0–1) overlaps both groups of A; A's class 1 (N=3) is closer
    assert labels == [0, 1, 0, 0]


def test_collapse_everyone_silent_gives_one_group():
    strata = counts(("A", 0, 3, 0), ("B", 0, 2, 0))

    assert collapse(strata) == [0, 0]


# --- trends ------------------------------------------------------------------------------------


def test_trends_independent_difference_and_standard_error():
    later = RESPONSES.with_columns(
        value=pl.when((pl.col("refnis") == "c2") & (pl.col("question") == "strategy"))
        .then(pl.lit("yes"))
        .otherwise("value")
    )
    first = estimate(FRAME, RESPONSES, QUESTIONS, CLASSES)
    second = estimate(FRAME, later, QUESTIONS, CLASSES)

    trends = estimate_trends(FRAME, RESPONSES, FRAME, later, QUESTIONS, CLASSES)

    row = trends.filter(
        (pl.col("question") == "strategy")
        & (pl.col("category") == "yes")
        & (pl.col("breakdown") == "all")
        & (pl.col("comparison") == "independent")
    ).to_dicts()[0]
    a, b = cell(first, "strategy", "yes"), cell(second, "strategy", "yes")
    # To the last bits: a wave's sums may run in another order (parallel group-bys).
    assert row["estimate_from"] == pytest.approx(a["estimate"], rel=1e-12)
    assert row["estimate_to"] == pytest.approx(b["estimate"], rel=1e-12)
    # c2 turns yes: P1/small goes from 2/3 to 1, +4/12·1/3 = 1/9
    assert row["difference"] == pytest.approx(1 / 9, abs=1e-12)
    assert row["se"] == pytest.approx(math.hypot(a["se"], b["se"]), abs=1e-12)
    assert row["df"] == min(a["df"], b["df"])
    half = t_quantile(0.975, row["df"]) * row["se"]
    assert (row["ci_low"], row["ci_high"]) == pytest.approx((1 / 9 - half, 1 / 9 + half))


def test_trends_panel_uses_paired_differences_of_communes_in_both_waves():
    frame = pl.DataFrame(
        {
            "refnis": [f"m{i}" for i in range(10)],
            "province": ["P"] * 10,
            "population_class": ["x"] * 10,
        }
    )
    before = answers([(f"m{i}", "score", str(v)) for i, v in enumerate([3, 5, 4, 6, 2, 8])])
    after = answers(
        [(f"m{i}", "score", str(v)) for i, v in [(0, 5), (1, 6), (2, 4), (3, 9), (7, 1), (8, 2)]]
    )

    trends = estimate_trends(
        frame,
        before,
        frame,
        after,
        options=Options(min_cell=1, ci_method="t", withhold_unreliable=False),
    )

    panel = trends.filter(
        (pl.col("comparison") == "panel") & (pl.col("breakdown") == "all")
    ).to_dicts()[0]
    # panel m0–m3: d = 2, 1, 0, 3: mean 1.5, s² = 5/3, variance (1 − 4/10)(5/3)/4 = 1/4
    assert panel["difference"] == pytest.approx(1.5, abs=1e-12)
    assert panel["se"] == pytest.approx(0.5, abs=1e-12)
    assert (panel["respondents_from"], panel["df"]) == (4, 3)
    half = t_quantile(0.975, 3) * 0.5
    assert (panel["ci_low"], panel["ci_high"]) == pytest.approx((1.5 - half, 1.5 + half))
    assert panel["method"] == "panel/t"


def test_trends_panel_of_proportions():
    frame = pl.DataFrame(
        {
            "refnis": [f"m{i}" for i in range(8)],
            "province": ["P"] * 8,
            "population_class": ["x"] * 8,
        }
    )
    before = answers([(f"m{i}", "plan", v) for i, v in enumerate(["no", "no", "yes", "no", "yes"])])
    after = answers([(f"m{i}", "plan", v) for i, v in enumerate(["yes", "no", "yes", "yes", "no"])])

    trends = estimate_trends(
        frame,
        before,
        frame,
        after,
        options=Options(min_cell=1, ci_method="t", withhold_unreliable=False),
    )

    panel = trends.filter(
        (pl.col("comparison") == "panel")
        & (pl.col("category") == "yes")
        & (pl.col("breakdown") == "all")
    ).to_dicts()[0]
    # d = 1, 0, 0, 1, −1: mean 1/5, s² = (3 − 5·(1/5)²)/4 = 0.7, variance (1 − 5/8)·0.7/5
    assert panel["difference"] == pytest.approx(0.2, abs=1e-12)
    assert panel["se"] == pytest.approx(math.sqrt(3 / 8 * 0.7 / 5), abs=1e-12)


def test_trends_suppressed_when_a_wave_has_too_few_respondents():
    few = RESPONSES.filter(pl.col("refnis").is_in(["c1", "c2", "c3"]))

    trends = estimate_trends(
        FRAME,
        few,
        FRAME,
        RESPONSES,
        QUESTIONS,
        Options(class_order=("small", "large"), ci_method="t", withhold_unreliable=False),
    )

    rows = trends.filter((pl.col("breakdown") == "all") & (pl.col("question") == "strategy"))
    assert rows["suppressed"].all()
    assert rows["difference"].is_null().all()


def test_trends_only_on_shared_questions_and_categories():
    later = RESPONSES.filter(pl.col("question") == "progress")

    trends = estimate_trends(FRAME, RESPONSES, FRAME, later, QUESTIONS, CLASSES)

    assert set(trends["question"]) == {"progress"}
    assert set(trends["comparison"]) == {"independent", "panel"}


# --- t quantiles -------------------------------------------------------------------------------


def test_t_quantile_matches_scipy():
    stats = pytest.importorskip("scipy.stats")
    for df in [1, 2, 3, 4, 5, 7, 10, 29, 30, 99, 100, 101, 150, 500, 5000, 100_000]:
        for p in (0.9, 0.95, 0.975, 0.995):
            assert t_quantile(p, df) == pytest.approx(stats.t.ppf(p, df), rel=1e-9), (p, df)


def test_t_quantile_known_values():
    assert t_quantile(0.975, 1) == pytest.approx(12.706204736174698, rel=1e-12)
    assert t_quantile(0.975, 10) == pytest.approx(2.228138851986274, rel=1e-12)
