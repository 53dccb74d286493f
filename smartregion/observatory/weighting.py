"""Weights of the barometer's respondents: post-stratification, raking, trimming, and the report.

Pure: no Django, no I/O (like ``statistics``, which it serves and reuses).

Weighting (also the methodology note of an edition)
---------------------------------------------------
1. Post-stratification. Each respondent of a weighting cell g (a stratum province × population
   class, or several collapsed together: ``statistics``, "Collapsing strata") weighs
   w = N_g / n_g, so the weights sum to the N communes of the frame.
2. Raking (``Options.rake``), iterative proportional fitting (Deming & Stephan 1940; Kalton &
   Flores-Cervantes 2003, section 2.4): the weights are multiplied in turn so that they sum, in
   every province, to its number of communes N_p and, in every population class, to N_c; for
   a question ``about_inhabitants`` Σ w·x must also be the frame's number of inhabitants (x the
   commune's inhabitants): all margins are then met at once by calibration with the raking
   function (Deville & Särndal 1992), w = d·exp(λ_p + λ_c + λ_x·x/x̄), λ by Newton's method
   with step halving (for categorical margins alone it is the IPF solution). Iterations stop
   when every margin is met within a relative ``TOLERANCE`` (1e-10), at most
   ``MAX_ITERATIONS`` (1,000). The communes of a stratum without any respondent are
   represented by the respondents of its cell, as in post-stratification: the margins are
   those of the strata with respondents, each increased by its share (n_h / n_g) of the empty
   strata of its cell, so that every margin sums to N and the margins stay consistent.
3. Trimming (``Options.trim`` = k): weights above the cap k × the median weight (the median
   before trimming; never below the mean weight, or no set of weights could respect it) are
   set to the cap and the excess is spread over the other weights in proportion
   to them (Σ w is kept); with raking, trimming and raking alternate until no weight exceeds
   the cap and the margins are met (Potter 1990), at most ``TRIM_ROUNDS`` (50) rounds. When
   the cap and the margins cannot both hold (a margin that only weights above the cap can
   meet), the margins win: raking is the last step, and the report shows the largest weight.
With raking or trimming a proportion or mean is the ratio Σ w·y / Σ w and its variance the
linearised (Taylor) variance of that ratio over the weighting cells as strata, with the finite
population correction 1 − n_g / N_g:

    v = Σ_g (1 − n_g/N_g) · n_g/(n_g − 1) · Σ_{i∈g} (u_i − ū_g)²,  u_i = w_i (y_i − R) / Σ w

(what samplics' TaylorEstimator computes from the same weights, cells and corrections). It
treats the adjusted weights as fixed and so ignores the variance the margins remove: it is
conservative for the raked estimates. Without raking or trimming it is exactly the stratified
estimator of ``statistics``.

Report (``weighting_report``): the wave's unit response (a commune is a respondent when it gave
any answer), its cells, weights and Kish's weighting effect 1 + CV² of the weights (Kish 1965):
n respondents are worth n / (1 + CV²) unweighted ones.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
import polars as pl

from smartregion.observatory import statistics

TOLERANCE = 1e-10
MAX_ITERATIONS = 1000
TRIM_ROUNDS = 50
DIMENSIONS = ("province", "population_class")


def margins(cells: pl.DataFrame, keys: Sequence[str]) -> pl.DataFrame:
    """(keys…, dimension, category, target) from the strata of each key (keys…, stratum, group,
    province, population_class, N, n): the margins raking meets (module docstring, step 2)."""
    keys = list(keys)
    empty = (
        cells.group_by(*keys, "group")
        .agg(
            empty=pl.col("N").filter(pl.col("n") == 0).sum(),
            n_g=pl.col("n").sum(),
        )
        .filter(pl.col("n_g") > 0)
    )
    carried = (
        cells.filter(pl.col("n") > 0)
        .join(empty, on=[*keys, "group"])
        .with_columns(target=pl.col("N") + pl.col("empty") * pl.col("n") / pl.col("n_g"))
    )
    return pl.concat(
        [
            carried.group_by(*keys, dimension)
            .agg(pl.col("target").sum())
            .select(*keys, dimension=pl.lit(dimension), category=dimension, target="target")
            for dimension in DIMENSIONS
        ]
    )


def adjust(
    units: pl.DataFrame,
    keys: Sequence[str],
    *,
    rake: bool,
    trim: float | None,
    targets: pl.DataFrame | None = None,
    inhabitants: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """Raked and/or trimmed weights, for every key at once (vectorised over keys).

    ``units``: keys…, province, population_class, weight (post-stratified) and, when
    ``inhabitants`` (keys…, inhabitants_total) is given, inhabitants (nullable) of each
    respondent; ``targets``: ``margins()``. Returns ``units`` with the new weight and
    ``trimmed`` (the weight was capped in some round)."""
    keys = list(keys)
    units = units.with_columns(trimmed=pl.lit(False))
    if inhabitants is not None:
        units = units.join(inhabitants, on=keys, how="left").with_columns(
            _x=pl.col("inhabitants").cast(pl.Float64).fill_null(0.0)
        )
        units = units.with_columns(
            _scaled=(pl.col("_x") / pl.col("_x").filter(pl.col("_x") > 0).mean().over(keys))
            .fill_nan(0.0)
            .fill_null(0.0)
        )
    if rake:
        units = _rake(units, keys, targets, inhabitants is not None)
    if trim is not None:
        units = _trim(units, keys, trim, targets, inhabitants is not None, rake)
    return units.drop([c for c in ("_x", "_scaled", "inhabitants_total") if c in units.columns])


def _rake(
    units: pl.DataFrame, keys: list[str], targets: pl.DataFrame | None, by_inhabitants: bool
) -> pl.DataFrame:
    """Cycles until each key meets its margins; a key that does stops there, so a key's weights
    do not depend on the other keys raked with it."""
    if targets is None:
        raise ValueError("raking needs targets: margins()")
    if by_inhabitants:
        return _calibrate(units, keys, targets)
    done = []
    for _ in range(MAX_ITERATIONS):
        for dimension in DIMENSIONS:
            units = _rake_step(units, keys, targets, dimension)
        met = _raking_errors(units, keys, targets, by_inhabitants).filter(
            pl.col("error") <= TOLERANCE
        )
        done.append(units.join(met, on=keys, how="semi"))
        units = units.join(met, on=keys, how="anti")
        if units.height == 0:
            break
    return pl.concat([*done, units])


def _rake_step(
    units: pl.DataFrame, keys: list[str], targets: pl.DataFrame, dimension: str
) -> pl.DataFrame:
    wanted = targets.filter(pl.col("dimension") == dimension).select(
        *keys, pl.col("category").alias(dimension), "target"
    )
    total = pl.col("weight").sum().over([*keys, dimension])
    return (
        units.join(wanted, on=[*keys, dimension], how="left")
        .with_columns(weight=pl.col("weight") * pl.col("target").fill_null(total) / total)
        .drop("target")
    )


def _calibrate(units: pl.DataFrame, keys: list[str], targets: pl.DataFrame) -> pl.DataFrame:
    """Raking to the margins and the inhabitants at once, key by key: w = d·exp(X·λ) with X the
    province and class indicators and x/x̄, λ by Newton's method (a pseudo-inverse, since the
    indicators of both dimensions sum to the same column), halving a step that does not bring
    the margins closer. Cyclic IPF with a continuous margin converges too slowly."""
    parts = []
    for key, part in units.sort(keys).group_by(keys, maintain_order=True):
        where = dict(zip(keys, key, strict=True))
        wanted = targets.filter(pl.all_horizontal([pl.col(k) == v for k, v in where.items()]))
        columns, totals = [], []
        for dimension in DIMENSIONS:
            for category, target in (
                wanted.filter(pl.col("dimension") == dimension)
                .select("category", "target")
                .iter_rows()
            ):
                columns.append((part.get_column(dimension) == category).to_numpy().astype(float))
                totals.append(target)
        columns.append(part.get_column("_scaled").to_numpy())
        mean = part.get_column("_x").sum() / max(part.get_column("_scaled").sum(), 1e-300)
        totals.append(part.get_column("inhabitants_total")[0] / mean)  # Σ w·x/x̄ = X / x̄
        x, t = np.column_stack(columns), np.array(totals, dtype=float)
        d = part.get_column("weight").to_numpy()
        parts.append(part.with_columns(weight=pl.Series(_newton(x, t, d))))
    return pl.concat(parts)


def _newton(x: np.ndarray, t: np.ndarray, d: np.ndarray) -> np.ndarray:
    lam = np.zeros(x.shape[1])

    def gap(lam: np.ndarray) -> np.ndarray:
        return (x.T @ (d * np.exp(x @ lam)) - t) / np.where(t > 0, t, 1)

    current = gap(lam)
    for _ in range(MAX_ITERATIONS):
        if np.abs(current).max() <= TOLERANCE:
            break
        w = d * np.exp(x @ lam)
        step = np.linalg.pinv((x.T * w) @ x) @ (t - x.T @ w)
        for _ in range(60):
            trial = gap(lam + step)
            if np.abs(trial).max() < np.abs(current).max():
                break
            step = step / 2
        lam, current = lam + step, trial
    return d * np.exp(x @ lam)


def _raking_errors(
    units: pl.DataFrame, keys: list[str], targets: pl.DataFrame, by_inhabitants: bool
) -> pl.DataFrame:
    """(keys…, error): the largest relative gap between a margin and its weighted total."""
    gaps = []
    for dimension in DIMENSIONS:
        wanted = targets.filter(pl.col("dimension") == dimension).select(
            *keys, pl.col("category").alias(dimension), "target"
        )
        gaps.append(
            units.group_by(*keys, dimension)
            .agg(total=pl.col("weight").sum())
            .join(wanted, on=[*keys, dimension])
            .select(*keys, gap=((pl.col("total") - pl.col("target")) / pl.col("target")).abs())
        )
    if by_inhabitants:
        gaps.append(
            units.group_by(keys)
            .agg(
                total=(pl.col("weight") * pl.col("_x")).sum(),
                target=pl.col("inhabitants_total").first(),
            )
            .select(*keys, gap=((pl.col("total") - pl.col("target")) / pl.col("target")).abs())
        )
    return pl.concat(gaps).group_by(keys).agg(error=pl.col("gap").max())


def _trim(
    units: pl.DataFrame,
    keys: list[str],
    trim: float,
    targets: pl.DataFrame | None,
    by_inhabitants: bool,
    rake: bool,
) -> pl.DataFrame:
    units = units.with_columns(
        _cap=pl.max_horizontal(
            trim * pl.col("weight").median().over(keys), pl.col("weight").mean().over(keys)
        )
    )
    over = pl.col("weight") > pl.col("_cap") * (1 + TOLERANCE)
    done = []
    for _ in range(TRIM_ROUNDS):
        busy = over.any().over(keys)
        done.append(units.filter(~busy))  # keys whose weights all respect the cap are final
        units = units.filter(busy)
        if units.height == 0:
            break
        excess = (pl.col("weight") - pl.col("_cap")).filter(over).sum().over(keys)
        free = pl.col("weight") < pl.col("_cap") * (1 - TOLERANCE)  # weights at the cap stay
        rest = pl.col("weight").filter(free).sum().over(keys)
        units = units.with_columns(
            trimmed=pl.col("trimmed") | over,
            weight=pl.when(over)
            .then(pl.col("_cap"))
            .when(free)
            .then(pl.col("weight") * (1 + excess.fill_null(0) / rest))
            .otherwise(pl.col("weight")),
        )
        if rake:
            units = _rake(units, keys, targets, by_inhabitants)
    return pl.concat([*done, units]).drop("_cap")


# ---------------------------------------------------------------------------------------------
# The weighting report of a wave


def weighting_report(frame: pl.DataFrame, responses: pl.DataFrame, options: Any) -> dict:
    """The wave's weighting (unit response), in the edition JSON's shape (``data["weighting"]``).

    ``frame``: refnis, province, population_class (and population, for the collapse's
    similarity and raking to inhabitants); ``responses``: refnis, question, value;
    ``options``: ``statistics.Options``."""
    units, cells = _unit_response(frame, responses, options)
    weighted = units
    if options.weighted:
        weighted = adjust(
            units.with_columns(_key=pl.lit(0)),
            ["_key"],
            rake=options.rake,
            trim=options.trim,
            targets=margins(cells.with_columns(_key=pl.lit(0)), ["_key"]),
        ).drop("_key")
    weights = weighted.get_column("weight")
    n = weights.len()
    kish = _kish(weights)
    return {
        "raked": bool(options.rake),
        "trim": options.trim,
        "min_weighting_cell": options.weighting_cell,
        "respondents": n,
        "population": frame.height,
        "cells": _cells(weighted, cells),
        "weights": {
            "min": _float(weights.min()),
            "median": _float(weights.median()),
            "max": _float(weights.max()),
        },
        "kish": kish,
        "effective_respondents": n / kish if n else 0.0,
        "trimmed": int(weighted.get_column("trimmed").sum()) if "trimmed" in weighted else 0,
    }


def _unit_response(
    frame: pl.DataFrame, responses: pl.DataFrame, options: Any
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(respondents: refnis, province, population_class, group, weight; strata of the "all"
    breakdown: stratum, group, province, population_class, N, n)."""
    strata, units = statistics._prepare_frame(frame, options)
    answered = responses.select(pl.col("refnis").cast(pl.String)).unique()
    respondents = units.join(answered, on="refnis", how="semi")
    counts = (
        respondents.group_by("stratum")
        .agg(n=pl.len())
        .with_columns(question=pl.lit(""), base=pl.lit(""))
    )
    domains = strata.select(breakdown=pl.lit(statistics.ALL), stratum="stratum")
    bases = pl.DataFrame({"question": [""], "base": [""]})
    mapping = statistics._group_mapping(strata, counts, domains, bases, options)
    cells = mapping.join(strata.select("stratum", "province", "population_class"), on="stratum")
    groups = cells.group_by("group").agg(N_g=pl.col("N").sum(), n_g=pl.col("n").sum())
    weighted = (
        respondents.join(
            cells.select("stratum", "group", "province", "population_class"), on="stratum"
        )
        .join(groups, on="group")
        .select(
            "refnis", "province", "population_class", "group", weight=pl.col("N_g") / pl.col("n_g")
        )
        .sort("refnis")
    )
    return weighted, cells


def _cells(weighted: pl.DataFrame, cells: pl.DataFrame) -> list[dict]:
    by_group = weighted.group_by("group").agg(
        weight_min=pl.col("weight").min(), weight_max=pl.col("weight").max()
    )
    rows = (
        cells.group_by("group")
        .agg(
            provinces=pl.col("province").unique().sort(),
            classes=pl.col("population_class").unique(maintain_order=True),
            first_stratum=pl.col("stratum").min(),
            population=pl.col("N").sum(),
            respondents=pl.col("n").sum(),
        )
        .join(by_group, on="group", how="left")
        .sort("first_stratum")
    )
    classes_in_order = (
        cells.sort("stratum").get_column("population_class").unique(maintain_order=True).to_list()
    )
    out = []
    for row in rows.iter_rows(named=True):
        classes = sorted(row["classes"], key=classes_in_order.index)
        out.append(
            {
                "label": f"{' + '.join(row['provinces'])} / {' + '.join(classes)}",
                "provinces": list(row["provinces"]),
                "classes": classes,
                "population": int(row["population"]),
                "respondents": int(row["respondents"]),
                "weight_min": _float(row["weight_min"]),
                "weight_max": _float(row["weight_max"]),
            }
        )
    return out


def _kish(weights: pl.Series) -> float:
    """1 + CV² of the weights = n Σw² / (Σw)² (Kish's weighting effect)."""
    if weights.len() == 0:
        return 1.0
    total = float(weights.sum())
    return weights.len() * float((weights**2).sum()) / total**2


def _float(value: Any) -> float:
    return 0.0 if value is None else float(value)
