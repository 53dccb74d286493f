"""The engine against an independent survey-statistics library (samplics' Taylor estimator).

samplics gets each respondent's weight N_g/n_g (or the raked and trimmed weight), stratum (the
engine's collapsed group) and finite population correction 1 − n_g/N_g, per breakdown; point
estimates, standard errors and confidence bounds must agree to 1e-6.
samplics is a test dependency only.
"""

from __future__ import annotations

import numpy as np
import polars as pl
import pytest

from smartregion.observatory.statistics import Options, Question, estimate, respondent_weights

samplics = pytest.importorskip("samplics")
from samplics.estimation import TaylorEstimator  # noqa: E402
from samplics.utils.types import PopParam  # noqa: E402

CLASSES = ("lt5k", "5k-10k", "10k-20k", "20k-50k", "ge50k")
PROVINCES = ("21000", "25000", "52000", "53000")
QUESTIONS = {
    "strategy": Question("strategy", "yes_no", ("yes", "no", "dont_know")),
    "initiator": Question(
        "initiator", "single_choice", ("mayor", "alderman", "staff", "citizens", "not_applicable")
    ),
    "obstacles": Question(
        "obstacles", "multiple_choice", ("budget", "expertise", "time", "priority", "dont_know")
    ),
    "progress": Question("progress", "scale"),
    "budget": Question("budget", "number"),
}
TOLERANCE = 1e-6


def generated_wave(seed: int = 20) -> tuple[pl.DataFrame, pl.DataFrame]:
    """About 400 communes in 20 strata; response rates 20–80 % by stratum; item non-response."""
    rng = np.random.default_rng(seed)
    frame_rows, answer_rows = [], []
    for province in PROVINCES:
        for rank, population_class in enumerate(CLASSES):
            size = int(rng.integers(5, 36))
            rate = rng.uniform(0.2, 0.8)
            lean = rng.uniform(0.2, 0.8)
            for _ in range(size):
                refnis = f"{len(frame_rows) + 10000:05d}"
                frame_rows.append((refnis, province, population_class))
                if rng.random() < rate:
                    answer_rows += _answers(rng, refnis, lean, rank)
    frame = pl.DataFrame(
        frame_rows, schema=["refnis", "province", "population_class"], orient="row"
    )
    responses = pl.DataFrame(answer_rows, schema=["refnis", "question", "value"], orient="row")
    return frame, responses


def _answers(rng, refnis: str, lean: float, rank: int) -> list[tuple[str, str, str]]:
    rows = []
    if rng.random() < 0.9:
        value = "dont_know" if rng.random() < 0.1 else ("yes" if rng.random() < lean else "no")
        rows.append((refnis, "strategy", value))
    if rng.random() < 0.85:
        options = ["mayor", "alderman", "staff", "citizens", "not_applicable"]
        rows.append((refnis, "initiator", str(rng.choice(options, p=[0.35, 0.25, 0.2, 0.1, 0.1]))))
    if rng.random() < 0.9:
        if rng.random() < 0.08:
            rows.append((refnis, "obstacles", "dont_know"))
        else:
            for option, chance in zip(
                ["budget", "expertise", "time", "priority"], [0.5, 0.45, 0.3, lean], strict=True
            ):
                if rng.random() < chance:
                    rows.append((refnis, "obstacles", option))
    if rng.random() < 0.95:
        rows.append((refnis, "progress", str(int(rng.integers(0, 11)))))
    if rng.random() < 0.8:
        rows.append((refnis, "budget", f"{rng.lognormal(10 + rank, 1):.2f}"))
    return rows


def samplics_estimate(param, y, design: pl.DataFrame, ci_method: str = "t"):
    weights = design["weight"].to_numpy()
    estimator = TaylorEstimator(param=param, alpha=0.05)
    estimator.estimate(
        y=y,
        samp_weight=weights,
        stratum=design["group"].to_numpy(),
        fpc=design["fpc"].to_numpy(),
        remove_nan=False,
    )
    return estimator


@pytest.fixture(scope="module")
def wave():
    frame, responses = generated_wave()
    return frame, responses


def breakdowns(frame: pl.DataFrame) -> list[str]:
    return (
        ["all"] + [f"province={p}" for p in PROVINCES] + [f"population_class={c}" for c in CLASSES]
    )


def test_generated_data_has_enough_strata_and_collapses(wave):
    frame, responses = wave
    results = estimate(
        frame,
        responses,
        QUESTIONS,
        Options(class_order=CLASSES, min_cell=1, ci_method="t", withhold_unreliable=False),
    )

    whole = results.filter(pl.col("breakdown") == "all")
    assert frame.height > 300
    assert frame.select("province", "population_class").n_unique() == 20
    assert responses["refnis"].n_unique() < frame.height
    assert whole["strata"].min() < 20  # some strata were collapsed


@pytest.mark.parametrize(
    ("ci_method", "rake", "trim"),
    [("t", False, None), ("logit", False, None), ("t", True, None), ("t", True, 3.0)],
)
def test_estimates_match_samplics(wave, ci_method, rake, trim):
    """With raking (and trimming) samplics gets the adjusted weights, the collapsed cells and
    their corrections 1 − n_g/N_g: its linearised variance of the weighted mean is the
    engine's."""
    frame, responses = wave
    options = Options(
        class_order=CLASSES,
        min_cell=1,
        ci_method=ci_method,
        withhold_unreliable=False,
        rake=rake,
        trim=trim,
    )
    results = estimate(frame, responses, QUESTIONS, options)
    compared = 0
    for breakdown in breakdowns(frame):
        for code, question in QUESTIONS.items():
            for base in ("substantive", "answered"):
                compared += _compare_question(
                    frame, responses, results, code, question, base, breakdown, options
                )
    assert compared == 150  # 10 breakdowns × 15 cells


def _compare_question(frame, responses, results, code, question, base, breakdown, options) -> int:
    rows = results.filter(
        (pl.col("question") == code) & (pl.col("breakdown") == breakdown) & (pl.col("base") == base)
    )
    if rows.height == 0:
        return 0
    design = respondent_weights(
        frame, responses, code, QUESTIONS, options, base=base, breakdown=breakdown
    )
    answers = responses.filter(pl.col("question") == code).join(
        design.select("refnis"), on="refnis", how="semi"
    )
    compared = 0
    for row in rows.iter_rows(named=True):
        if row["kind"] == "mean":
            values = design.join(answers, on="refnis").with_columns(
                y=pl.col("value").cast(pl.Float64)
            )
            reference = samplics_estimate(PopParam.mean, values["y"].to_numpy(), values)
            expected = (
                reference.point_est,
                reference.stderror,
                reference.lower_ci,
                reference.upper_ci,
            )
        else:
            chosen = answers.filter(pl.col("value") == row["category"]).select("refnis")
            indicator = design.with_columns(
                y=pl.col("refnis").is_in(chosen["refnis"].implode()).cast(pl.Float64)
            )
            param = PopParam.prop if options.ci_method == "logit" else PopParam.mean
            if indicator["y"].sum() == 0:  # samplics divides by the estimate (its CV)
                expected = (0.0, 0.0, 0.0, 0.0)
            else:
                reference = samplics_estimate(param, indicator["y"].to_numpy(), indicator)
                expected = _proportion(reference, param)
        assert row["estimate"] == pytest.approx(expected[0], abs=TOLERANCE), row
        assert row["se"] == pytest.approx(expected[1], abs=TOLERANCE), row
        low, high = expected[2], expected[3]
        if row["kind"] == "proportion":  # the engine clips Wald bounds to [0, 1]
            low, high = max(low, 0.0), min(high, 1.0)
        assert row["ci_low"] == pytest.approx(low, abs=TOLERANCE), row
        assert row["ci_high"] == pytest.approx(high, abs=TOLERANCE), row
        compared += 1
    return compared


def _proportion(reference, param) -> tuple[float, float, float, float]:
    if param == PopParam.mean:
        return (
            reference.point_est,
            reference.stderror,
            reference.lower_ci,
            reference.upper_ci,
        )
    level = 1.0 if 1.0 in reference.point_est else True
    if level not in reference.point_est:  # nobody chose it: samplics only has level 0
        return (0.0, 0.0, 0.0, 0.0)
    return (
        reference.point_est[level],
        reference.stderror[level],
        reference.lower_ci[level],
        reference.upper_ci[level],
    )
