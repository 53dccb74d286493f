"""Intervals for proportions from a stratified sample, and the reliability rule of a cell.

Pure: no Django, no I/O (NumPy, SciPy and Polars only). ``statistics`` computes the design
variance and degrees of freedom; this module turns them into a Korn–Graubard or Wilson interval
and into the three-level flag (see the "Confidence intervals" and "Reliability" sections of the
``statistics`` module docstring, which are the methodology note).
"""

from __future__ import annotations

import numpy as np
import polars as pl
from scipy.special import betaincinv

RELIABLE = "reliable"
CAUTION = "caution"
UNPUBLISHED = "unpublished"
FLAGS = (RELIABLE, CAUTION, UNPUBLISHED)

# The rule's constants, in one place; published with each edition (data["statistics"]).
RELIABILITY_RULE: dict = {
    "source": (
        "NCHS Data Presentation Standards for Proportions (Parker et al. 2017, Vital Health Stat"
        " 2(175)), with the effective sample size taken with the finite population correction"
    ),
    "effective_n": "n_effective / (1 - respondents / population)",
    "planned_effective_n": "respondents / (1 - respondents / population)",
    "proportion": {
        "unpublished": {"min_planned_effective_n": 30},
        "caution": {
            "min_effective_n": 30,
            "max_ci_width": 0.30,
            "min_df": 8,
            "max_cv": 0.30,
            "variance_fallback": True,
            "relative_width_above_ci_width": 0.05,
            "max_relative_ci_width": 1.30,
            "relative_width_of_complement": True,
        },
    },
    "mean": {
        "unpublished": {"min_effective_n": 5, "max_cv": 0.50},
        "caution": {"min_df": 8, "max_cv": 0.30, "variance_fallback": True},
    },
}


def clopper_pearson(
    p: np.ndarray, n_eff: np.ndarray, alpha: float
) -> tuple[np.ndarray, np.ndarray]:
    """The exact binomial (Clopper–Pearson) bounds for x = n_eff·p successes out of n_eff, as R's
    ``qbeta(α/2, x, n_eff − x + 1)`` and ``qbeta(1 − α/2, x + 1, n_eff − x)``; n_eff may be any
    positive real (the Korn–Graubard effective sample size). n_eff ≤ 0 gives [0, 1]."""
    with np.errstate(invalid="ignore", divide="ignore"):
        x = n_eff * p
        rest = n_eff * (1 - p)
        low = np.where(p <= 0, 0.0, betaincinv(x, rest + 1, alpha / 2))
        high = np.where(p >= 1, 1.0, betaincinv(x + 1, rest, 1 - alpha / 2))
    empty = n_eff <= 0
    return np.where(empty, 0.0, low), np.where(empty, 1.0, high)


def wilson(p: np.ndarray, n_eff: np.ndarray, q: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Wilson's score interval with n_eff in place of n and the critical value q."""
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        q2n = q * q / n_eff
        centre = (p + q2n / 2) / (1 + q2n)
        half = q / (1 + q2n) * np.sqrt(p * (1 - p) / n_eff + q2n / (4 * n_eff))
    empty = (n_eff <= 0) | ~np.isfinite(q)
    low = np.where(empty, 0.0, np.clip(centre - half, 0.0, 1.0))
    high = np.where(empty, 1.0, np.clip(centre + half, 0.0, 1.0))
    return low, high


def korn_graubard_n(
    p: np.ndarray, variance: np.ndarray, t_sample: np.ndarray, t_design: np.ndarray
) -> np.ndarray:
    """Korn & Graubard's degrees-of-freedom adjusted effective sample size, as R
    ``survey::svyciprop(method = "beta")``: p(1 − p)/variance · (t_{n−1} / t_df)²."""
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(np.isfinite(t_design), (t_sample / t_design) ** 2, 0.0)
        return p * (1 - p) / variance * ratio


def flag_expression(
    *,
    proportion: pl.Expr,
    estimate: pl.Expr,
    width: pl.Expr,
    cv: pl.Expr,
    effective_n: pl.Expr,
    planned_effective_n: pl.Expr,
    df: pl.Expr,
    census: pl.Expr,
    warned: pl.Expr,
) -> pl.Expr:
    """The flag of each cell by ``RELIABILITY_RULE`` (``effective_n``: n / (max(deff, 1)(1 − n/N)),
    the with-replacement equivalent; ``planned_effective_n``: the same with deff 1, n / (1 − n/N),
    which depends on the cell's respondents and communes, not on the answers; ``warned``: the
    variance was zero in a sample). Cells without figures are unpublished.

    Whether a share is published is decided on the planned size only. Deciding it on the
    observed width and design effect (as NCHS does) publishes a cell exactly when its sample
    happened to give a narrow interval, i.e. a share far from ½ or stratum variances that came
    out small by chance; on the barometer's small cells that selection made the published
    intervals cover far less than 95 % (bench/bench_coverage.py, seed 2020: 64.7 % for a share
    near ½ in the province of Luxembourg, published in 17 of 1,000 replications). The observed
    effective size and width still mark a cell "caution"."""
    rule_p, rule_m = RELIABILITY_RULE["proportion"], RELIABILITY_RULE["mean"]
    off_p, off_m = rule_p["unpublished"], rule_m["unpublished"]
    warn_p = rule_p["caution"]
    smaller = (
        pl.min_horizontal(estimate, 1 - estimate)
        if warn_p["relative_width_of_complement"]
        else estimate
    )
    cv0 = cv.fill_null(0.0)
    unpublished_p = planned_effective_n < off_p["min_planned_effective_n"]
    observed_p = (effective_n < warn_p["min_effective_n"]) | (width >= warn_p["max_ci_width"])
    # NCHS suppresses on the relative width too; on 261 communes that withholds most province
    # shares of a healthy wave (63–74 % at 46–55 % response), so here it marks "caution".
    wide_p = (width > warn_p["relative_width_above_ci_width"]) & (
        width > warn_p["max_relative_ci_width"] * smaller
    )
    unpublished_m = (effective_n < off_m["min_effective_n"]) | (cv0 > off_m["max_cv"])
    unpublished = pl.when(proportion).then(unpublished_p).otherwise(unpublished_m)
    max_cv = (
        pl.when(proportion).then(rule_p["caution"]["max_cv"]).otherwise(rule_m["caution"]["max_cv"])
    )
    min_df = (
        pl.when(proportion).then(rule_p["caution"]["min_df"]).otherwise(rule_m["caution"]["min_df"])
    )
    observed = (
        pl.when(proportion).then((wide_p | observed_p).fill_null(False)).otherwise(pl.lit(False))
    )
    caution = (~census & (df.fill_null(0) < min_df)) | (cv0 > max_cv) | warned | observed
    missing = estimate.is_null() | width.is_null()
    return (
        pl.when(missing | unpublished.fill_null(False))
        .then(pl.lit(UNPUBLISHED))
        .when(caution)
        .then(pl.lit(CAUTION))
        .otherwise(pl.lit(RELIABLE))
    )
