"""Weighting: post-stratified, raked and trimmed weights on hand-built frames, and the report."""

from __future__ import annotations

import math

import numpy as np
import polars as pl
import pytest

from smartregion.observatory.statistics import Options, Question, estimate, respondent_weights
from smartregion.observatory.weighting import weighting_report

# Province A: small a1–a6 (N=6), large a7–a9 (N=3); province B: small b1–b4 (N=4), large b5–b8
# (N=4). N = 17. Populations make the small communes ~1,000 inhabitants, the large ~60,000.
FRAME = pl.DataFrame(
    {
        "refnis": [f"a{i}" for i in range(1, 10)] + [f"b{i}" for i in range(1, 9)],
        "province": ["A"] * 9 + ["B"] * 8,
        "population_class": ["small"] * 6 + ["large"] * 3 + ["small"] * 4 + ["large"] * 4,
        "population": [900, 1000, 1100, 1200, 800, 1000, 50000, 60000, 70000]
        + [1000, 1500, 500, 1000, 55000, 65000, 60000, 60000],
    }
)
CLASSES = ("small", "large")
QUESTION = {"plan": Question("plan", "yes_no", ("yes", "no"))}


def answers(yes: list[str], no: list[str], question: str = "plan") -> pl.DataFrame:
    rows = [(r, question, "yes") for r in yes] + [(r, question, "no") for r in no]
    return pl.DataFrame(rows, schema=["refnis", "question", "value"], orient="row")


# A/small 4 of 6, A/large 2 of 3, B/small 2 of 4, B/large 3 of 4: 11 respondents.
RESPONSES = answers(["a1", "a2", "a7", "b1", "b5", "b6"], ["a3", "a4", "a8", "b2", "b7"])


def weights_of(options: Options, responses: pl.DataFrame = RESPONSES) -> dict[str, float]:
    table = respondent_weights(FRAME, responses, "plan", QUESTION, options)
    return dict(table.select("refnis", "weight").iter_rows())


def test_cells_of_fewer_than_five_merge_within_then_across_provinces():
    report = weighting_report(FRAME, RESPONSES, Options(class_order=CLASSES))

    # A (4 + 2 = 6 respondents) is one cell; B/small + B/large has 5: one cell each province.
    assert [(c["label"], c["population"], c["respondents"]) for c in report["cells"]] == [
        ("A / small + large", 9, 6),
        ("B / small + large", 8, 5),
    ]
    assert report["cells"][0]["weight_min"] == pytest.approx(9 / 6)
    assert report["cells"][1]["weight_max"] == pytest.approx(8 / 5)


def test_report_figures_with_post_stratified_weights():
    report = weighting_report(FRAME, RESPONSES, Options(class_order=CLASSES))

    # 6 weights 1.5 and 5 weights 1.6: Kish = n Σw² / (Σw)² = 11 (6·2.25 + 5·2.56) / 17²
    kish = 11 * (6 * 2.25 + 5 * 2.56) / 17**2
    assert (report["respondents"], report["population"], report["raked"]) == (11, 17, False)
    assert report["weights"] == pytest.approx({"min": 1.5, "median": 1.5, "max": 1.6})
    assert report["kish"] == pytest.approx(kish, abs=1e-12)
    assert report["effective_respondents"] == pytest.approx(11 / kish, abs=1e-12)
    assert (report["min_weighting_cell"], report["trim"], report["trimmed"]) == (5, None, 0)


def test_a_census_stratum_needs_no_collapse():
    everyone_large = answers(["a7", "a8", "a9", "a1", "a2", "b5", "b6"], ["a3", "a4", "a5", "b7"])
    with_b = everyone_large.vstack(answers(["b1", "b2"], ["b3", "b4", "b8"]))

    report = weighting_report(FRAME, with_b, Options(class_order=CLASSES))

    # A/large (3 of 3) and B/small (4 of 4) are censuses: kept apart though under 5.
    assert [(c["label"], c["respondents"]) for c in report["cells"]] == [
        ("A / small", 5),
        ("A / large", 3),
        ("B / small", 4),
        ("B / large", 4),
    ]
    assert report["weights"] == pytest.approx({"min": 1.0, "median": 1.0, "max": 6 / 5})


def test_raked_weights_meet_province_and_class_margins():
    weights = weights_of(Options(class_order=CLASSES, rake=True))

    frame = FRAME.join(
        pl.DataFrame({"refnis": list(weights), "w": list(weights.values())}), on="refnis"
    )
    provinces = dict(frame.group_by("province").agg(pl.col("w").sum()).iter_rows())
    classes = dict(frame.group_by("population_class").agg(pl.col("w").sum()).iter_rows())
    assert provinces["A"] == pytest.approx(9, abs=1e-9)
    assert provinces["B"] == pytest.approx(8, abs=1e-9)
    assert classes["small"] == pytest.approx(10, abs=1e-9)
    assert classes["large"] == pytest.approx(7, abs=1e-9)


def test_raking_to_inhabitants_meets_the_total_inhabitants():
    question = {"plan": Question("plan", "yes_no", ("yes", "no"), about_inhabitants=True)}
    table = respondent_weights(
        FRAME, RESPONSES, "plan", question, Options(class_order=CLASSES, rake=True)
    )

    frame = FRAME.join(table, on="refnis")
    total = (frame["weight"] * frame["population"]).sum()
    assert total == pytest.approx(FRAME["population"].sum(), rel=1e-9)
    provinces = dict(frame.group_by("province").agg(pl.col("weight").sum()).iter_rows())
    assert (provinces["A"], provinces["B"]) == pytest.approx((9, 8), abs=1e-9)


def test_trimming_caps_weights_at_a_multiple_of_the_median_and_keeps_the_total():
    # with cells of 2: A/small (N=6, n=2) weighs 3, B/small (4, 2) 2, the censuses 1 (median 1)
    few = answers(["a1", "a7", "a8", "b1", "b5", "b6"], ["a2", "a9", "b2", "b7", "b8"])
    plain = weights_of(Options(class_order=CLASSES, min_weighting_cell=2), few)
    options = Options(class_order=CLASSES, min_weighting_cell=2, trim=2.0)
    trimmed = weights_of(options, few)

    assert sorted(plain.values()) == pytest.approx([1.0] * 7 + [2.0, 2.0, 3.0, 3.0])
    # cap 2 × 1: a1, a2 are trimmed to 2; the excess 2 goes to the 7 weights below the cap
    # (b1, b2 sit at it and stay): 1 + 2/7 = 9/7 each.
    assert trimmed["a1"] == trimmed["b1"] == pytest.approx(2.0, abs=1e-12)
    assert trimmed["a7"] == pytest.approx(9 / 7, abs=1e-12)
    assert sum(trimmed.values()) == pytest.approx(17, abs=1e-9)
    report = weighting_report(FRAME, few, options)
    assert (report["trimmed"], report["weights"]["max"]) == (2, pytest.approx(2.0, abs=1e-12))


def test_default_weighting_keeps_the_stratified_estimate():
    plain = estimate(
        FRAME, RESPONSES, QUESTION, Options(class_order=CLASSES, withhold_unreliable=False)
    )
    yes = plain.filter((pl.col("category") == "yes") & (pl.col("breakdown") == "all")).row(
        0, named=True
    )

    # cells A (N=9: 3 yes of 6) and B (N=8: 3 yes of 5): 9/17·1/2 + 8/17·3/5
    assert yes["estimate"] == pytest.approx((9 / 2 + 24 / 5) / 17, abs=1e-12)
    assert yes["strata"] == 2


def test_raked_estimate_is_the_weighted_ratio_with_linearised_variance():
    options = Options(class_order=CLASSES, rake=True, withhold_unreliable=False)
    yes = (
        estimate(FRAME, RESPONSES, QUESTION, options)
        .filter((pl.col("category") == "yes") & (pl.col("breakdown") == "all"))
        .row(0, named=True)
    )
    design = respondent_weights(FRAME, RESPONSES, "plan", QUESTION, options).join(
        RESPONSES.select("refnis", y=(pl.col("value") == "yes").cast(pl.Float64)), on="refnis"
    )

    w, y = design["weight"], design["y"]
    ratio = (w * y).sum() / w.sum()
    u = design.with_columns(u=pl.col("weight") * (pl.col("y") - ratio) / w.sum())
    variance = 0.0
    for _, cell in u.group_by("group"):
        n, fpc = cell.height, cell["fpc"][0]
        variance += fpc * n / (n - 1) * ((cell["u"] - cell["u"].mean()) ** 2).sum()
    assert yes["estimate"] == pytest.approx(ratio, abs=1e-12)
    assert yes["se"] == pytest.approx(math.sqrt(variance), abs=1e-12)


@pytest.mark.django_db
def test_an_edition_publishes_its_weighting_report_and_options(territory, staff_user):
    from smartregion.barometer.models import Response
    from smartregion.observatory.services import edition_publish
    from tests.factories import closed_wave

    wave = closed_wave(2023, "2023", 0.5, seed=1)
    data = edition_publish(wave=wave, user=staff_user).data

    report = data["weighting"]
    answered = Response.objects.filter(wave=wave, status=Response.Status.SUBMITTED).count()
    assert (report["respondents"], report["population"]) == (answered, 261)
    assert sum(c["population"] for c in report["cells"]) == 261
    assert sum(c["respondents"] for c in report["cells"]) == answered
    assert all(
        c["respondents"] >= 5 or c["respondents"] == c["population"] for c in report["cells"]
    )
    assert report["effective_respondents"] == pytest.approx(answered / report["kish"])
    assert set(report) == {
        "raked", "trim", "min_weighting_cell", "respondents", "population", "cells",
        "weights", "kish", "effective_respondents", "trimmed",
    }  # fmt: skip
    assert data["statistics"]["min_weighting_cell"] == 5
    assert (data["statistics"]["rake"], data["statistics"]["trim"]) == (False, None)


def test_the_engine_collapses_as_collapse_strata_on_random_patterns():
    """The vectorised mapping (per province in Python, across provinces in NumPy) and the
    reference ``collapse_strata`` agree on 300 random sets of strata."""
    from smartregion.observatory import statistics

    rng = np.random.default_rng(11)
    for _ in range(300):
        provinces = sorted({f"P{p}" for p in rng.integers(0, 6, rng.integers(1, 12))})
        rows = [
            (p, rank, int(rng.integers(1, 12)), float(rng.uniform(6, 12)))
            for p in provinces
            for rank in sorted(set(rng.integers(0, 5, 3).tolist()))
        ]
        strata = pl.DataFrame(
            rows, schema=["province", "class_rank", "N", "log_inhabitants"], orient="row"
        ).with_columns(population_class=pl.format("c{}", "class_rank"))
        strata = strata.sort("province", "class_rank").with_row_index("stratum")
        n = [int(rng.integers(0, size + 1)) for size in strata["N"]]
        counts = strata.select("stratum", n=pl.Series(n, dtype=pl.UInt32)).with_columns(
            question=pl.lit("q"), base=pl.lit("b")
        )
        domains = strata.select(breakdown=pl.lit("all"), stratum="stratum")
        bases = pl.DataFrame({"question": ["q"], "base": ["b"]})
        mapping = statistics._group_mapping(strata, counts, domains, bases, Options())
        engine = mapping.sort("stratum")["group"].to_list()
        reference = statistics.collapse_strata(
            [
                statistics.StratumCount(p, r, size, k, log)
                for (_, p, r, size, log, _), k in zip(strata.iter_rows(), n, strict=True)
            ]
        )
        assert engine == reference, (rows, n)


def test_the_few_and_many_group_scans_merge_alike():
    """Step 2 scans a few groups in plain Python and many with NumPy: same merges."""
    from smartregion.observatory import statistics

    rng = np.random.default_rng(5)
    for _ in range(200):
        count = int(rng.integers(2, 60))
        specs = []
        for i in range(count):
            first = int(rng.integers(0, 5))
            known = rng.random() < 0.8
            size = int(rng.integers(1, 40))
            specs.append(
                (
                    f"P{i // 3:02d}",
                    first,
                    size,
                    int(rng.integers(0, size + 1)),
                    min(4, first + int(rng.integers(0, 2))),
                    size * float(rng.uniform(6, 12)) if known else 0.0,
                    size if known else 0,
                )
            )

        few, many = _groups(specs), _groups(specs)
        statistics._collapse_across_few(few, 5)
        statistics._collapse_across_many(many, 5)
        assert [g.members for g in few] == [g.members for g in many]


def _groups(specs: list[tuple]) -> list:
    from smartregion.observatory import statistics

    return [
        statistics._Group([i], p, f, size, n, {p}, last, total, weight)
        for i, (p, f, size, n, last, total, weight) in enumerate(specs)
    ]
