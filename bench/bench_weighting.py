"""Collapse and weighting cost at Europe scale, and the weighting report's figures.

Run: .venv/bin/python bench/bench_weighting.py [--baseline DIR]

The collapse mapping (``statistics._group_mapping``: every breakdown × question × base) for
100,000 municipalities (250 provinces × 5 classes, the shares of bench_statistics), 80 questions
× 2 bases, respondents per stratum drawn Binomial(N_h, 0.475) (50 % response, 5 % item
non-response). ``--baseline DIR`` also times the module of another checkout (e.g. an export of
main) on the same counts. Then the weighting report of a 100,000-commune wave.
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_statistics import make_frame  # noqa: E402
from smartregion.observatory import statistics, weighting  # noqa: E402


def counts_for(strata: pl.DataFrame, questions: int, rng: np.random.Generator) -> pl.DataFrame:
    sizes = strata["N"].to_numpy()
    rows = []
    for q in range(questions):
        for base in ("substantive", "answered"):
            n = rng.binomial(sizes, 0.475)
            rows.append(
                pl.DataFrame(
                    {
                        "question": f"q{q:02d}",
                        "base": base,
                        "stratum": strata["stratum"],
                        "n": n.astype(np.uint32),
                    }
                )
            )
    return pl.concat(rows).with_columns(pl.col("n").cast(pl.UInt32))


def time_mapping(module, frame: pl.DataFrame, counts: pl.DataFrame, label: str) -> None:
    options = module.Options()
    strata, _ = module._prepare_frame(frame, options)
    domains = module._domains(strata)
    bases = counts.select("question", "base").unique()
    best = []
    for _ in range(3):
        start = time.perf_counter()
        mapping = module._group_mapping(strata, counts, domains, bases, options)
        best.append(time.perf_counter() - start)
    keys = ["breakdown", "question", "base"]
    merged = mapping.group_by(keys).agg(pl.col("group").n_unique(), pl.col("stratum").n_unique())
    collapsed = merged.filter(pl.col("group") < pl.col("stratum")).height
    print(
        f"    {label}: mapping {min(best):.2f} s best of 3 (first {best[0]:.2f} s); "
        f"{collapsed:,} of {merged.height:,} breakdown × question × base collapse something"
    )


def load(directory: str):
    path = Path(directory) / "smartregion" / "observatory" / "statistics.py"
    spec = importlib.util.spec_from_file_location("baseline_statistics", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules["baseline_statistics"] = module
    spec.loader.exec_module(module)
    return module


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline")
    args = parser.parse_args()
    rng = np.random.default_rng(7)
    frame = make_frame(100_000, 250, rng)
    strata, _ = statistics._prepare_frame(frame, statistics.Options())
    counts = counts_for(strata, 80, rng)
    print("Collapse mapping, 100,000 municipalities, 1,250 strata, 80 questions × 2 bases:")
    if args.baseline:
        time_mapping(load(args.baseline), frame, counts, "baseline")
    time_mapping(statistics, frame, counts, "this branch")
    answered = frame.sample(fraction=0.5, seed=3).select("refnis", question=pl.lit("q"))
    responses = answered.with_columns(value=pl.lit("yes"))
    for options in (
        statistics.Options(),
        statistics.Options(rake=True),
        statistics.Options(rake=True, trim=3.0),
    ):
        start = time.perf_counter()
        report = weighting.weighting_report(frame, responses, options)
        print(
            f"    report rake={options.rake} trim={options.trim}: "
            f"{time.perf_counter() - start:.2f} s, {len(report['cells'])} cells, "
            f"max weight {report['weights']['max']:.3f}, Kish {report['kish']:.4f}"
        )


if __name__ == "__main__":
    main()
