"""Statistics engine cost: a Wallonia edition, and European scale side by side with samplics.

Run: .venv/bin/python bench/bench_statistics.py [--skip-europe] [--samplics-questions K]

(a) Wallonia: 261 communes (5 provinces × 5 population classes), 40 questions of mixed types,
    2 waves, every breakdown and both trends (independent and panel). Target: under 1 s.
(b) Europe: 100,000 municipalities (250 provinces × 5 classes), 80 questions, 2 waves, ~50 %
    response. Target: under 30 s and under 4 GB (peak RSS of this process, which includes the
    generated data). samplics (Taylor estimator, one call per question × category ×
    breakdown) is timed on K questions of wave 1 for the "all" breakdown and province breakdowns
    and extrapolated linearly to the whole edition; the ratio is printed.

Data are generated with NumPy and not timed. Timings are wall-clock on a shared machine: rerun
when it is idle.
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from smartregion.observatory.statistics import (  # noqa: E402
    Options,
    Question,
    estimate_edition,
    respondent_weights,
)

CLASSES = ("lt5k", "5k-10k", "10k-20k", "20k-50k", "ge50k")
CLASS_SHARES = (0.45, 0.25, 0.17, 0.09, 0.04)
KINDS = ("yes_no", "single_choice", "multiple_choice", "scale", "number")


def make_frame(communes: int, provinces: int, rng: np.random.Generator) -> pl.DataFrame:
    province = rng.integers(0, provinces, communes)
    size = rng.choice(len(CLASSES), communes, p=CLASS_SHARES)
    return pl.DataFrame(
        {
            "refnis": [f"{i:06d}" for i in range(communes)],
            "province": [f"P{p:03d}" for p in province],
            "population_class": np.array(CLASSES)[size],
        }
    )


def make_questions(count: int) -> dict[str, Question]:
    questions = {}
    for i in range(count):
        kind = KINDS[i % len(KINDS)]
        code = f"q{i:02d}"
        if kind == "yes_no":
            categories = ("yes", "no", "dont_know")
        elif kind in ("single_choice", "multiple_choice"):
            categories = ("a", "b", "c", "d", "e", "dont_know")
        else:
            categories = ()
        questions[code] = Question(code, kind, categories)
    return questions


def make_responses(
    frame: pl.DataFrame,
    questions: dict[str, Question],
    rng: np.random.Generator,
    rate: float = 0.5,
    drift: float = 0.0,
) -> pl.DataFrame:
    """Long-format answers: a response rate varying by class, 5 % item non-response, 5 % "don't
    know", option probabilities that vary by commune size."""
    n = frame.height
    size = frame["population_class"].replace_strict(
        {c: i for i, c in enumerate(CLASSES)}, return_dtype=pl.Int64
    )
    size = size.to_numpy()
    respond = rng.random(n) < np.clip(rate - 0.1 + 0.05 * size, 0.05, 0.95)
    refnis = frame["refnis"].to_numpy()[respond]
    size = size[respond]
    m = refnis.size
    parts = []
    for code, question in questions.items():
        answered = rng.random(m) < 0.95
        dont_know = answered & (rng.random(m) < 0.05)
        substantive = answered & ~dont_know
        if dont_know.any():
            parts.append((refnis[dont_know], code, np.full(dont_know.sum(), "dont_know")))
        who, sizes = refnis[substantive], size[substantive]
        if question.type == "yes_no":
            yes = rng.random(who.size) < 0.3 + 0.1 * sizes + drift
            parts.append((who, code, np.where(yes, "yes", "no")))
        elif question.type == "single_choice":
            parts.append((who, code, np.array(list("abcde"))[(rng.integers(0, 5, who.size))]))
        elif question.type == "multiple_choice":
            for option, chance in zip("abcde", (0.5, 0.4, 0.3, 0.2, 0.1), strict=True):
                chosen = rng.random(who.size) < chance + drift
                parts.append((who[chosen], code, np.full(chosen.sum(), option)))
        elif question.type == "scale":
            values = np.clip(rng.normal(4 + sizes + 10 * drift, 2), 0, 10).round().astype(int)
            parts.append((who, code, values.astype(str)))
        else:
            values = rng.lognormal(8 + sizes, 1).round(2)
            parts.append((who, code, values.astype(str)))
    return pl.DataFrame(
        {
            "refnis": np.concatenate([p[0] for p in parts]),
            "question": np.concatenate([np.full(p[0].size, p[1]) for p in parts]),
            "value": np.concatenate([p[2] for p in parts]),
        }
    )


def edition(frames, responses, questions, options) -> tuple[float, int, int]:
    started = time.perf_counter()
    result = estimate_edition(frames[0], responses[0], frames[1], responses[1], questions, options)
    seconds = time.perf_counter() - started
    return seconds, result.results_from.height + result.results_to.height, result.trends.height


def peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def wallonia() -> None:
    rng = np.random.default_rng(2025)
    frame = make_frame(261, 5, rng)
    questions = make_questions(40)
    waves = [
        make_responses(frame, questions, rng),
        make_responses(frame, questions, rng, 0.55, 0.05),
    ]
    options = Options(class_order=CLASSES)
    cold, cells, trends = edition([frame, frame], waves, questions, options)
    runs = [edition([frame, frame], waves, questions, options)[0] for _ in range(3)]
    print("(a) Wallonia: 261 communes, 40 questions, 2 waves, all breakdowns and trends")
    print(f"    answers per wave: {waves[0].height:,} and {waves[1].height:,} rows")
    print(f"    {cells:,} estimate rows, {trends:,} trend rows")
    print(f"    edition: {cold:.3f} s first run, {min(runs):.3f} s best of 3 (target < 1 s)")


def europe(samplics_questions: int) -> None:
    rng = np.random.default_rng(2030)
    started = time.perf_counter()
    frame = make_frame(100_000, 250, rng)
    questions = make_questions(80)
    waves = [
        make_responses(frame, questions, rng),
        make_responses(frame, questions, rng, 0.5, 0.03),
    ]
    generated = time.perf_counter() - started
    before = peak_rss_mb()
    options = Options(class_order=CLASSES)
    seconds, cells, trends = edition([frame, frame], waves, questions, options)
    print("(b) Europe: 100,000 municipalities (250 provinces × 5 classes), 80 questions, 2 waves")
    print(
        f"    answers per wave: {waves[0].height:,} and {waves[1].height:,} rows "
        f"(generated in {generated:.1f} s, not timed)"
    )
    print(f"    {cells:,} estimate rows, {trends:,} trend rows")
    print(f"    edition: {seconds:.2f} s (target < 30 s)")
    print(
        f"    peak RSS: {peak_rss_mb():,.0f} MB "
        f"(before the edition: {before:,.0f} MB; target < 4 GB)"
    )
    if samplics_questions:
        samplics_side_by_side(frame, waves[0], questions, options, seconds, samplics_questions)


def samplics_side_by_side(frame, responses, questions, options, engine_seconds, count) -> None:
    try:
        from samplics.estimation import TaylorEstimator
        from samplics.utils.types import PopParam
    except ImportError:
        print("    samplics not installed: no comparison")
        return
    picked = list(questions)[:count]
    provinces = sorted(frame["province"].unique().to_list())[:5]
    sampled = {
        "all": ["all"],
        "population_class": ["population_class=lt5k"],
        "province": [f"province={p}" for p in provinces],
    }
    spent = dict.fromkeys(sampled, 0.0)
    calls = dict.fromkeys(sampled, 0)
    for code in picked:
        answers = responses.filter(pl.col("question") == code)
        for kind, breakdowns in sampled.items():
            for breakdown in breakdowns:
                design = respondent_weights(
                    frame, responses, code, questions, options, breakdown=breakdown
                )
                for target in _targets(questions[code], design, answers):
                    weights = target["weight"].to_numpy()
                    started = time.perf_counter()
                    TaylorEstimator(param=PopParam.mean).estimate(
                        y=target["y"].to_numpy(),
                        samp_weight=weights,
                        stratum=target["group"].to_numpy(),
                        fpc=1 - 1 / weights,
                    )
                    spent[kind] += time.perf_counter() - started
                    calls[kind] += 1
    per_call = {kind: spent[kind] / calls[kind] for kind in sampled}
    cells = calls["all"] / len(picked)  # estimates per question (categories or a mean)
    counts = {"all": 1, "population_class": len(CLASSES), "province": frame["province"].n_unique()}
    total = 2 * len(questions) * cells * sum(per_call[k] * counts[k] for k in sampled)
    print(
        f"    samplics (Taylor, one call per cell): timed {sum(calls.values())} calls on "
        f"{len(picked)} questions of wave 1; a call takes {per_call['all'] * 1000:.0f} ms for "
        f"'all', {per_call['population_class'] * 1000:.0f} ms for a class, "
        f"{per_call['province'] * 1000:.1f} ms for a province"
    )
    print(
        f"    samplics extrapolated (linear, not run) to 2 waves × 80 questions × "
        f"{cells:.1f} cells × (1 + {counts['population_class']} + {counts['province']}) "
        f"breakdowns, without trends: ~{total:,.0f} s"
    )
    print(
        f"    ratio samplics / engine ≈ {total / engine_seconds:,.0f}× (the engine includes trends)"
    )


def _targets(question, design: pl.DataFrame, answers: pl.DataFrame) -> list[pl.DataFrame]:
    if question.type in ("scale", "number"):
        values = design.join(answers, on="refnis")
        return [values.with_columns(y=pl.col("value").cast(pl.Float64))]
    return [
        design.with_columns(
            y=pl.col("refnis")
            .is_in(answers.filter(pl.col("value") == category)["refnis"].implode())
            .cast(pl.Float64)
        )
        for category in question.categories
        if category != "dont_know"
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--skip-europe", action="store_true")
    parser.add_argument("--samplics-questions", type=int, default=5)
    args = parser.parse_args()
    wallonia()
    if not args.skip_europe:
        europe(args.samplics_questions)


if __name__ == "__main__":
    main()
