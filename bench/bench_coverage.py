"""Coverage of the observatory's 95 % intervals under the barometer's response model.

Run: .venv/bin/python bench/bench_coverage.py [--replications 10000] [--seed 2020] [--rate 0.46]

Frame: the 261 Walloon communes of 2025 with their population of 1 January 2020 (Statbel, the file
shipped in smartregion/territory/data/reference/; 82003 Bastogne + 82005 Bertogne summed into
82039), province from the REFNIS code, population class from territory/data/population_classes.json.

Response model (as the barometer's demo, smartregion/barometer/demo.py): each commune has lasting
traits drawn once from the seed — size s (log population between 1,500 and 60,000), engagement
0.24 + 0.4 s + N(0, 0.12), a propensity N(0, 0.7), a province effect (the demo's tilt + N(0, 0.2))
and a class effect N(0, 0.2); the log-odds of answering are province + class + 0.8 s
+ 1.5 engagement + propensity + N(0, 0.3) per replication, and exactly round(rate × 261)
communes answer, drawn with probability growing with exp(log-odds) (Efraimidis–Spirakis), so
small communes and Luxembourg answer less. Answers: in each replication every commune answers
two yes/no questions, independently of answering, with true probabilities per stratum:
"strategy" rare in small communes (8 % under 5,000 inhabitants … 80 % over 50,000, shifted by
province) and "budget" near one half (45–60 % by province). The true value of a cell is the
share of the cell's communes whose answer is yes in that replication (a finite-population
target, as the barometer's).

Every replication is one question of a single estimate() call (the engine handles item
non-response per question), so 1,000 replications take seconds. Coverage is counted over the
replications in which the cell has at least min_cell (5) respondents, whatever its flag; the
table also gives the share of zero-width intervals, the replications in which the cell would be
published (flag not "unpublished") and the coverage among those (the "published cells" of the
issue's target), with the Monte Carlo uncertainty of the lowest one: a cell published in only
a few replications has a coverage that says little (6 of 1,000 gives steps of 17 %), hence the
10,000 replications by default (about 10 s per method).
"""

from __future__ import annotations

import argparse
import csv
import json
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from smartregion.observatory.statistics import Options, Question, estimate  # noqa: E402

DATA = ROOT / "smartregion" / "territory" / "data"
POPULATION = DATA / "reference" / "statbel_population_by_municipality_2020.csv"
PROVINCES = {"2": "20002", "5": "50000", "6": "60000", "8": "80000", "9": "90000"}
MERGED = {"82003": "82039", "82005": "82039"}  # the 2025 merger of Bastogne and Bertogne
PROVINCE_TILT = {"20002": 0.55, "80000": -0.3, "50000": -0.15}  # as the barometer's demo
SMALL, LARGE = 1_500, 60_000
STRATEGY = {"lt5k": 0.08, "5k-10k": 0.2, "10k-20k": 0.35, "20k-50k": 0.55, "ge50k": 0.8}
STRATEGY_SHIFT = {"20002": 0.08, "50000": -0.03, "60000": 0.0, "80000": -0.04, "90000": 0.02}
BUDGET = {"20002": 0.45, "50000": 0.6, "60000": 0.55, "80000": 0.5, "90000": 0.52}
QUESTIONS = ("strategy", "budget")


def walloon_frame() -> pl.DataFrame:
    """refnis, province, population_class, population of the 261 communes (2020 population)."""
    populations: dict[str, int] = {}
    with POPULATION.open(encoding="utf-8-sig", newline="") as handle:
        for row in csv.DictReader(handle):
            code = row["NIS code"]
            walloon = code.startswith(("25", "5", "6", "8", "9"))
            if not walloon or code.endswith("000"):
                continue
            code = MERGED.get(code, code)
            populations[code] = populations.get(code, 0) + int(row["Totaal"])
    bands = json.loads((DATA / "population_classes.json").read_text())["classes"]["default"]

    def band(population: int) -> str:
        return next(
            b["code"]
            for b in bands
            if b["min"] <= population and (b["max"] is None or population < b["max"])
        )

    codes = sorted(populations)
    return pl.DataFrame(
        {
            "refnis": codes,
            "province": [PROVINCES[c[0]] for c in codes],
            "population_class": [band(populations[c]) for c in codes],
            "population": [populations[c] for c in codes],
        }
    )


@dataclass(frozen=True)
class Simulation:
    frame: pl.DataFrame
    responses: pl.DataFrame
    truth: pl.DataFrame  # question, breakdown, true (share of yes)
    questions: dict[str, Question]


def simulate(replications: int, *, seed: int = 2020, rate: float = 0.46) -> Simulation:
    """The replications as questions "<question>_<r>" of one wave (see the module docstring)."""
    frame = walloon_frame()
    rng = np.random.default_rng(seed)
    count = frame.height
    province = frame.get_column("province").to_numpy()
    klass = frame.get_column("population_class").to_numpy()
    population = frame.get_column("population").to_numpy().astype(float)
    size = np.clip(
        (np.log10(population) - np.log10(SMALL)) / (np.log10(LARGE) - np.log10(SMALL)), 0, 1
    )
    engagement = np.clip(0.24 + 0.4 * size + rng.normal(0, 0.12, count), 0.02, 0.9)
    propensity = rng.normal(0, 0.7, count)
    province_effect = {p: PROVINCE_TILT.get(p, 0.0) + rng.normal(0, 0.2) for p in sorted(BUDGET)}
    class_effect = {c: rng.normal(0, 0.2) for c in sorted(STRATEGY)}
    odds = (
        np.array([province_effect[p] for p in province])
        + np.array([class_effect[c] for c in klass])
        + 0.8 * size
        + 1.5 * engagement
        + propensity
    )
    answering = round(rate * count)
    noisy = odds + rng.normal(0, 0.3, (replications, count))
    keys = np.log(rng.random((replications, count))) / np.exp(noisy)  # log of u^(1/w)
    chosen = np.argpartition(-keys, answering - 1, axis=1)[:, :answering]
    probability = {
        "strategy": np.clip(
            np.array(
                [STRATEGY[c] + STRATEGY_SHIFT[p] for c, p in zip(klass, province, strict=True)]
            ),
            0,
            1,
        ),
        "budget": np.array([BUDGET[p] for p in province]),
    }
    refnis = frame.get_column("refnis").to_numpy()
    parts, truths = [], []
    for question in QUESTIONS:
        yes = rng.random((replications, count)) < probability[question]
        names = np.array([f"{question}_{r:04d}" for r in range(replications)])
        rows = np.repeat(np.arange(replications), answering)
        units = chosen.ravel()
        parts.append(
            pl.DataFrame(
                {
                    "refnis": refnis[units],
                    "question": names[rows],
                    "value": np.where(yes[rows, units], "yes", "no"),
                }
            )
        )
        truths.append(_truth(frame, names, yes))
    questions = {
        f"{q}_{r:04d}": Question(f"{q}_{r:04d}", "yes_no", ("yes", "no"))
        for q in QUESTIONS
        for r in range(replications)
    }
    return Simulation(frame, pl.concat(parts), pl.concat(truths), questions)


def _truth(frame: pl.DataFrame, names: np.ndarray, yes: np.ndarray) -> pl.DataFrame:
    shares = pl.DataFrame(yes.T.astype(np.float64), schema=list(names)).with_columns(
        frame.get_column("province"), frame.get_column("population_class")
    )
    domains = [("all", pl.lit("all"))]
    domains += [("province", pl.format("province={}", "province"))]
    domains += [("population_class", pl.format("population_class={}", "population_class"))]
    tables = [
        shares.with_columns(breakdown=expr)
        .group_by("breakdown")
        .agg(pl.col(list(names)).mean())
        .unpivot(index="breakdown", variable_name="question", value_name="true")
        for _name, expr in domains
    ]
    return pl.concat(tables)


def coverage(simulation: Simulation, method: str, *, min_cell: int = 5) -> pl.DataFrame:
    """Per question family × breakdown: replications with figures, coverage, zero-width share,
    replications published (flag not "unpublished"), coverage among them, and mean width
    of the "yes" share's intervals."""
    options = Options(ci_method=method, min_cell=min_cell, withhold_unreliable=False)
    results = estimate(simulation.frame, simulation.responses, simulation.questions, options)
    yes = results.filter((pl.col("category") == "yes") & pl.col("ci_low").is_not_null())
    checked = yes.join(simulation.truth, on=["question", "breakdown"]).with_columns(
        family=pl.col("question").str.split("_").list.first(),
        covered=(pl.col("ci_low") <= pl.col("true") + 1e-12)
        & (pl.col("true") <= pl.col("ci_high") + 1e-12),
        zero=pl.col("ci_high") - pl.col("ci_low") <= 1e-12,
    )
    return (
        checked.group_by("family", "breakdown")
        .agg(
            replications=pl.len(),
            respondents=pl.col("respondents").mean(),
            coverage=pl.col("covered").mean(),
            published=(pl.col("flag") != "unpublished").sum(),
            coverage_published=pl.col("covered").filter(pl.col("flag") != "unpublished").mean(),
            zero_width=pl.col("zero").mean(),
            width=pl.col("ci_width").mean(),
        )
        .sort("family", "breakdown")
    )


def _wilson_bounds(successes: int, trials: int, z: float = 1.959964) -> tuple[float, float]:
    """Wilson's 95 % interval of a binomial proportion (the Monte Carlo error of a coverage)."""
    p = successes / trials
    centre = (p + z * z / (2 * trials)) / (1 + z * z / trials)
    half = z / (1 + z * z / trials) * (p * (1 - p) / trials + z * z / (4 * trials**2)) ** 0.5
    return max(0.0, centre - half), min(1.0, centre + half)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--replications", type=int, default=10_000)
    parser.add_argument("--seed", type=int, default=2020)
    parser.add_argument("--rate", type=float, default=0.46)
    args = parser.parse_args()
    started = time.perf_counter()
    simulation = simulate(args.replications, seed=args.seed, rate=args.rate)
    print(
        f"frame {simulation.frame.height} communes, {round(args.rate * simulation.frame.height)}"
        f" respondents per replication, {args.replications} replications, seed {args.seed}"
    )
    for method in ("t", "korn-graubard", "wilson"):
        began = time.perf_counter()
        table = coverage(simulation, method)
        print(f"\n{method} ({time.perf_counter() - began:.1f} s)")
        with pl.Config(tbl_rows=100, tbl_cols=20, tbl_width_chars=200, float_precision=3):
            print(table)
        worst = table.sort("coverage").row(0, named=True)
        print(
            f"lowest coverage {worst['coverage']:.3f} ({worst['family']}, {worst['breakdown']});"
            f" zero-width {table['zero_width'].mean():.3f} of cells on average"
        )
        shown = table.filter(pl.col("published") > 0).sort("coverage_published")
        if shown.height:
            low = shown.row(0, named=True)
            covered = round(low["coverage_published"] * low["published"])
            lo, hi = _wilson_bounds(covered, low["published"])
            print(
                f"lowest coverage of a published cell {low['coverage_published']:.3f}"
                f" ({low['family']}, {low['breakdown']}: {covered} of {low['published']}"
                f" replications published; Monte Carlo 95 % interval {lo:.3f}–{hi:.3f})"
            )
    print(f"\ntotal {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
