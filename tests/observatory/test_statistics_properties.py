"""Properties of the estimates on random frames and answers (hypothesis)."""

from __future__ import annotations

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smartregion.observatory.statistics import (
    Options,
    Question,
    StratumCount,
    collapse_strata,
    estimate,
    respondent_weights,
)

QUESTIONS = {
    "plan": Question("plan", "single_choice", ("a", "b", "c", "dont_know")),
    "score": Question("score", "scale"),
}
OPTIONS = Options(class_order=("s", "m", "l"), min_cell=1, ci_method="t", withhold_unreliable=False)
PROPERTY_SETTINGS = settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)


@st.composite
def waves(draw, census: bool = False):
    """A frame of 1–4 provinces × 1–3 classes with 1–6 communes each, and answers.

    In a census every commune answers substantively: "don't know" is treated like item
    non-response for the substantive shares, so it would leave them a sampling error.
    """
    provinces = draw(st.integers(1, 4))
    classes = draw(st.integers(1, 3))
    frame_rows, answer_rows = [], []
    for p in range(provinces):
        for c in range(classes):
            for _ in range(draw(st.integers(1, 6))):
                refnis = f"r{len(frame_rows)}"
                frame_rows.append((refnis, f"P{p}", "sml"[c]))
                if census or draw(st.booleans()):
                    values = "abc" if census else "abcd"
                    answer_rows.append((refnis, "plan", draw(st.sampled_from(values))))
                    answer_rows.append((refnis, "score", str(draw(st.integers(0, 10)))))
    answer_rows = [(r, q, "dont_know" if v == "d" else v) for r, q, v in answer_rows] or [
        ("r0", "plan", "a")
    ]
    frame = pl.DataFrame(
        frame_rows, schema=["refnis", "province", "population_class"], orient="row"
    )
    answers = pl.DataFrame(answer_rows, schema=["refnis", "question", "value"], orient="row")
    return frame, answers


@PROPERTY_SETTINGS
@given(waves())
def test_estimates_are_coherent(wave):
    frame, answers = wave

    results = estimate(frame, answers, QUESTIONS, OPTIONS)

    shown = results.filter(pl.col("estimate").is_not_null())
    proportions = shown.filter(pl.col("kind") == "proportion")
    assert proportions["estimate"].is_between(-1e-12, 1 + 1e-12).all()
    with_se = shown.filter(pl.col("se").is_not_null())
    assert (with_se["se"] >= 0).all()
    assert (with_se["ci_low"] <= with_se["estimate"] + 1e-12).all()
    assert (with_se["ci_high"] >= with_se["estimate"] - 1e-12).all()
    assert (results["respondents"] <= results["population"]).all()
    whole = results.filter(pl.col("breakdown") == "all")
    assert (whole["population"] == frame.height).all()


@PROPERTY_SETTINGS
@given(waves())
def test_substantive_shares_sum_to_one(wave):
    frame, answers = wave

    results = estimate(frame, answers, QUESTIONS, OPTIONS)

    sums = (
        results.filter(
            (pl.col("question") == "plan")
            & (pl.col("base") == "substantive")
            & pl.col("estimate").is_not_null()
        )
        .group_by("breakdown")
        .agg(pl.col("estimate").sum())
    )
    assert all(abs(total - 1) < 1e-9 for total in sums["estimate"])


@PROPERTY_SETTINGS
@given(waves(census=True))
def test_census_has_zero_standard_errors(wave):
    frame, answers = wave

    results = estimate(frame, answers, QUESTIONS, OPTIONS)

    assert results["se"].to_list() == [0.0] * results.height
    assert (results["ci_low"] == results["estimate"]).all()
    assert (results["unweighted_se"].fill_null(0.0) == 0.0).all()


@PROPERTY_SETTINGS
@given(waves())
def test_weights_sum_to_the_population(wave):
    frame, answers = wave

    weights = respondent_weights(frame, answers, "plan", QUESTIONS, OPTIONS, base="answered")

    assert abs(weights["weight"].sum() - frame.height) < 1e-9
    assert (weights["weight"] >= 1).all()


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(st.sampled_from("ABC"), st.integers(0, 4), st.integers(1, 8), st.integers(0, 8)),
        min_size=1,
        max_size=12,
        unique_by=lambda s: (s[0], s[1]),
    )
)
def test_collapse_leaves_no_short_group_unless_one_remains(raw):
    strata = [StratumCount(p, rank, size, min(n, size)) for p, rank, size, n in raw]

    labels = collapse_strata(strata)

    groups: dict[int, list[StratumCount]] = {}
    for label, stratum in zip(labels, strata, strict=True):
        groups.setdefault(label, []).append(stratum)
    assert len(labels) == len(strata)  # nothing dropped
    for members in groups.values():
        respondents = sum(s.respondents for s in members)
        population = sum(s.population for s in members)
        assert respondents >= 5 or respondents == population or len(groups) == 1
    for label, stratum in zip(labels, strata, strict=True):  # a group is named by a member
        assert labels[label] == label
        assert stratum in groups[label]


@PROPERTY_SETTINGS
@given(waves())
def test_korn_graubard_intervals_contain_the_estimate_and_are_never_zero_in_a_sample(wave):
    frame, answers = wave
    options = Options(class_order=("s", "m", "l"), min_cell=1, withhold_unreliable=False)

    results = estimate(frame, answers, QUESTIONS, options)

    shown = results.filter(pl.col("ci_low").is_not_null() & (pl.col("kind") == "proportion"))
    assert shown["ci_low"].is_between(0, 1).all() and shown["ci_high"].is_between(0, 1).all()
    assert (shown["ci_low"] <= shown["estimate"] + 1e-12).all()
    assert (shown["ci_high"] >= shown["estimate"] - 1e-12).all()
    sample = shown.filter(pl.col("respondents") < pl.col("population"))
    assert (sample["ci_width"] > 0).all()
    assert set(results["flag"]) <= {"reliable", "caution", "unpublished"}
