"""Korn–Graubard, Wilson, the zero-variance fallback and the reliability columns, against figures
computed by hand from the formulas (R ``survey::svyciprop(method = "beta")`` for Korn–Graubard),
with SciPy's distributions as the independent reference."""

from __future__ import annotations

import json
import math

import polars as pl
import pytest
from scipy import stats

from smartregion.observatory.statistics import (
    RELIABILITY_RULE,
    RESULT_COLUMNS,
    Options,
    Question,
    estimate,
)
from tests.observatory.test_statistics import cell

# One province P: class "s" of 12 communes, class "l" of 8 (N = 20).
FRAME = pl.DataFrame(
    {
        "refnis": [f"c{i:02d}" for i in range(20)],
        "province": ["P"] * 20,
        "population_class": ["s"] * 12 + ["l"] * 8,
    }
)
QUESTIONS = {
    "strategy": Question("strategy", "yes_no", ("yes", "no")),
    "progress": Question("progress", "scale"),
}
PUBLISH_ALL = {"class_order": ("s", "l"), "withhold_unreliable": False, "min_weighting_cell": 2}


def answers(values: dict[str, str], question: str = "strategy") -> pl.DataFrame:
    return pl.DataFrame(
        {"refnis": list(values), "question": question, "value": list(values.values())}
    )


# s: 6 answer, 2 yes; l: 4 answer, 2 yes.
TWO_STRATA = answers(
    {f"c{i:02d}": v for i, v in zip(range(6), ["yes", "yes", "no", "no", "no", "no"], strict=True)}
    | {f"c{i:02d}": v for i, v in zip(range(12, 16), ["yes", "yes", "no", "no"], strict=True)}
)


def hand_variance() -> float:
    # p = 12/20 · 1/3 + 8/20 · 1/2 = 0.4; s² = (2 − 4/6)/5 and (2 − 4/4)/3
    return 0.6**2 * (1 - 6 / 12) * (4 / 15) / 6 + 0.4**2 * (1 - 4 / 8) * (1 / 3) / 4


def test_korn_graubard_matches_the_r_formula():
    results = estimate(FRAME, TWO_STRATA, QUESTIONS, Options(**PUBLISH_ALL))

    yes = cell(results, "strategy", "yes")
    variance = hand_variance()  # 0.0146667 > SRS (1 − 10/20)·0.24/9 = 0.0133333: no floor
    ratio = (stats.t.ppf(0.975, 9) / stats.t.ppf(0.975, 8)) ** 2  # t_{n−1} / t_df, df = 10 − 2
    n_eff = 0.4 * 0.6 / variance * ratio
    assert yes["estimate"] == pytest.approx(0.4, abs=1e-12)
    assert yes["se"] == pytest.approx(math.sqrt(variance), abs=1e-12)
    assert yes["ci_low"] == pytest.approx(
        stats.beta.ppf(0.025, n_eff * 0.4, n_eff * 0.6 + 1), abs=1e-9
    )
    assert yes["ci_high"] == pytest.approx(
        stats.beta.ppf(0.975, n_eff * 0.4 + 1, n_eff * 0.6), abs=1e-9
    )
    assert (yes["ci_low"], yes["ci_high"]) == pytest.approx((0.1682, 0.6704), abs=1e-4)
    assert yes["method"] == "stratified/korn-graubard"


def test_reliability_columns_by_hand():
    results = estimate(FRAME, TWO_STRATA, QUESTIONS, Options(**PUBLISH_ALL))

    yes = cell(results, "strategy", "yes")
    deff = hand_variance() / ((1 - 10 / 20) * 0.24 * 10 / 9 / 10)
    assert yes["deff"] == pytest.approx(1.1, abs=1e-12) == pytest.approx(deff)
    assert yes["n_effective"] == pytest.approx(10 / 1.1, abs=1e-12)
    assert yes["cv"] == pytest.approx(math.sqrt(hand_variance()) / 0.4, abs=1e-12)
    assert yes["ci_width"] == pytest.approx(yes["ci_high"] - yes["ci_low"], abs=1e-15)
    # 10 / (1.1 · (1 − 10/20)) = 18.2 < 30 → unpublished; df = 8
    assert (yes["variance_fallback"], yes["flag"], yes["suppression"]) == (
        False,
        "unpublished",
        None,
    )
    assert list(results.columns) == RESULT_COLUMNS


def test_unpublished_cell_is_withheld_with_its_flag():
    results = estimate(
        FRAME, TWO_STRATA, QUESTIONS, Options(class_order=("s", "l"), min_weighting_cell=2)
    )

    yes = cell(results, "strategy", "yes")
    assert (yes["suppressed"], yes["suppression"], yes["flag"]) == (
        True,
        "reliability",
        "unpublished",
    )
    assert (yes["respondents"], yes["population"]) == (10, 20)
    figures = ["estimate", "se", "ci_low", "ci_high", "n_effective", "deff", "cv", "ci_width"]
    assert [yes[f] for f in figures] == [None] * len(figures)


def test_fewer_respondents_than_min_cell_is_suppressed_for_respondents():
    results = estimate(FRAME, TWO_STRATA, QUESTIONS, Options(**PUBLISH_ALL, min_cell=5))

    large = cell(results, "strategy", "yes", "population_class=l")
    assert (large["respondents"], large["suppressed"], large["suppression"]) == (
        4,
        True,
        "respondents",
    )


def test_wilson_with_effective_n_and_design_df():
    results = estimate(FRAME, TWO_STRATA, QUESTIONS, Options(**PUBLISH_ALL, ci_method="wilson"))

    yes = cell(results, "strategy", "yes")
    n, q = 0.24 / hand_variance(), stats.t.ppf(0.975, 8)
    centre = (0.4 + q * q / (2 * n)) / (1 + q * q / n)
    half = q / (1 + q * q / n) * math.sqrt(0.24 / n + q * q / (4 * n * n))
    assert (yes["ci_low"], yes["ci_high"]) == pytest.approx(
        (centre - half, centre + half), abs=1e-9
    )


def test_t_method_keeps_the_symmetric_interval():
    results = estimate(FRAME, TWO_STRATA, QUESTIONS, Options(**PUBLISH_ALL, ci_method="t"))

    yes = cell(results, "strategy", "yes")
    half = stats.t.ppf(0.975, 8) * math.sqrt(hand_variance())
    assert (yes["ci_low"], yes["ci_high"]) == pytest.approx((0.4 - half, 0.4 + half), abs=1e-9)


def test_design_variance_below_srs_is_floored_at_deff_one():
    # s: 6 answer, 1 yes; l: 4 answer, all yes — p = 0.1 + 0.4 = 0.5, design variance
    # 0.6² (1 − 6/12) (5/6 / 5) / 6 = 0.005 against (1 − 10/20) 0.25 / 9 = 0.0139 for SRS
    responses = answers(
        {f"c{i:02d}": "yes" if i == 0 else "no" for i in range(6)}
        | {f"c{i:02d}": "yes" for i in range(12, 16)}
    )
    results = estimate(FRAME, responses, QUESTIONS, Options(**PUBLISH_ALL))

    yes = cell(results, "strategy", "yes")
    assert yes["deff"] == pytest.approx(0.005 / (0.5 * 0.25 / 9), abs=1e-12)
    ratio = (stats.t.ppf(0.975, 9) / stats.t.ppf(0.975, 8)) ** 2
    n_eff = 9 / (1 - 10 / 20) * ratio  # p(1 − p) / ((1 − n/N) p(1 − p)/(n − 1))
    assert yes["ci_high"] == pytest.approx(
        stats.beta.ppf(0.975, n_eff / 2 + 1, n_eff / 2), abs=1e-9
    )


def test_zero_of_nine_small_communes_no_longer_gives_a_zero_interval():
    # 9 of the 12 small communes answer "no": the share of "yes" is 0 with design variance 0
    responses = answers({f"c{i:02d}": "no" for i in range(9)})
    frame = FRAME.filter(pl.col("population_class") == "s")

    today = cell(
        estimate(frame, responses, QUESTIONS, Options(**PUBLISH_ALL, ci_method="t")),
        "strategy",
        "yes",
    )
    new = cell(estimate(frame, responses, QUESTIONS, Options(**PUBLISH_ALL)), "strategy", "yes")

    assert (today["estimate"], today["ci_low"], today["ci_high"]) == (0.0, 0.0, 0.0)
    n_eff = (9 - 1) / (1 - 9 / 12)  # 32 communes of a with-replacement sample
    assert (new["estimate"], new["se"], new["ci_low"]) == (0.0, 0.0, 0.0)
    assert new["ci_high"] == pytest.approx(stats.beta.ppf(0.975, 1, n_eff), abs=1e-12)
    assert new["ci_high"] == pytest.approx(1 - 0.025 ** (1 / 32), abs=1e-12)  # 0.1089
    # 32 effective communes and a 0.11 wide interval: published, with the fallback's caution
    assert (new["variance_fallback"], new["flag"]) == (True, "caution")


def test_census_keeps_a_zero_width_interval():
    responses = answers({f"c{i:02d}": "no" if i % 3 else "yes" for i in range(20)})

    results = estimate(FRAME, responses, QUESTIONS, Options(**PUBLISH_ALL))

    yes = cell(results, "strategy", "yes")
    assert (yes["se"], yes["ci_width"], yes["variance_fallback"], yes["flag"]) == (
        0.0,
        0.0,
        False,
        "reliable",
    )
    assert yes["ci_low"] == yes["ci_high"] == yes["estimate"]


def test_mean_without_within_stratum_variance_uses_the_unweighted_variance():
    responses = answers(
        {f"c{i:02d}": "4" for i in range(6)} | {f"c{i:02d}": "8" for i in range(12, 16)}, "progress"
    )

    results = estimate(FRAME, responses, QUESTIONS, Options(**PUBLISH_ALL))

    mean = cell(results, "progress", "mean")
    variance = (1 - 10 / 20) * (6 * 1.6**2 + 4 * 2.4**2) / 9 / 10  # unweighted (1 − f) s²/n
    half = stats.t.ppf(0.975, 8) * math.sqrt(variance)
    assert mean["estimate"] == pytest.approx(5.6, abs=1e-12)
    assert (mean["ci_low"], mean["ci_high"]) == pytest.approx((5.6 - half, 5.6 + half), abs=1e-9)
    assert (mean["variance_fallback"], mean["flag"]) == (True, "caution")


def test_reliability_rule_is_json_ready():
    assert json.loads(json.dumps(RELIABILITY_RULE)) == RELIABILITY_RULE
    assert RELIABILITY_RULE["proportion"]["unpublished"] == {"min_planned_effective_n": 30}
    assert RELIABILITY_RULE["proportion"]["caution"]["min_effective_n"] == 30
    assert RELIABILITY_RULE["proportion"]["caution"]["max_ci_width"] == 0.30


def _yes_cell(values: list[str], frame: pl.DataFrame = FRAME) -> dict:
    responses = answers({f"c{i:02d}": v for i, v in enumerate(values)})
    options = Options(class_order=("s", "l"), min_weighting_cell=2)  # withholds unpublished cells
    return cell(estimate(frame, responses, QUESTIONS, options), "strategy", "yes")


def test_publication_of_a_share_depends_on_the_respondents_not_on_the_answers():
    # 9 of the 12 small communes: planned effective n = 9 / (1 − 9/12) = 36 ≥ 30
    frame = FRAME.filter(pl.col("population_class") == "s")
    narrow = _yes_cell(["no"] * 9, frame)  # 0 of 9: [0, 0.109]
    wide = _yes_cell(["yes", "no"] * 4 + ["yes"], frame)  # 5 of 9: about 0.36 wide
    assert (narrow["suppressed"], wide["suppressed"]) == (False, False)
    assert wide["ci_width"] >= 0.30  # the observed width no longer withholds: caution
    assert (narrow["flag"], wide["flag"]) == ("caution", "caution")
    # 8 of 12: planned n = 8 / (1 − 8/12) = 24 < 30, withheld even when its interval is narrow
    fewer = _yes_cell(["no"] * 8, frame)
    assert (fewer["flag"], fewer["suppressed"], fewer["suppression"]) == (
        "unpublished",
        True,
        "reliability",
    )
    assert fewer["estimate"] is None
