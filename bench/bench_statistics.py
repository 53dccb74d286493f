"""The researcher CLI end to end: a Wallonia edition, and European scale side by side with samplics.

Run: .venv/bin/python bench/bench_statistics.py [--skip-europe] [--samplics-questions K]
     [--format csv|parquet|both] [--no-split] [--municipalities M]

(a) Wallonia: 261 communes (5 provinces × 5 population classes), 40 questions of mixed types,
    2 waves: `run_estimate` (read the files, estimate every breakdown, both trends, write) in
    process, best of 3. Target: under 1 s.
(b) Europe: 100,000 municipalities (250 provinces × 5 classes), 80 questions, 2 waves, ~50 %
    response, written as CSV and Parquet to a temporary folder (not timed). `run_estimate` runs in
    a child process (so the generation's memory is not counted): its wall time and its peak RSS
    (ru_maxrss of the child). Target: under 15 s and 1.5 GB. A second child run times the steps
    (read, prepare, stratum statistics, collapse mapping, estimate cells, finish, order, trends,
    write: exclusive wall time of each engine function).
    samplics (Taylor estimator, the independent library) is timed in the same run on K questions
    (--samplics-questions, default 2) of both waves, for the "all" breakdown only: one call per
    question × category (the y of a category is its 0/1 indicator, strata the engine's collapsed
    weighting cells, fpc 1 − 1/w). Then one call with the provinces as domains (250 domains)
    on the first question, category and wave, in a forked process stopped after 60 s (its time
    is printed, not counted in the ratio); skipped when the "all" calls of one question took more
    than 60 s. Why not every breakdown of every question: samplics' domain estimation loops in
    Python over the domains and takes minutes per call at 100,000 units, so the full comparison
    would not finish; "all" is the like-for-like call and the ratio is a lower bound for the
    breakdowns. Printed: samplics' seconds per question (all calls of a question / K / 2 waves)
    against the engine's (CLI total / 80 questions / 2 waves, reading, every breakdown, trends
    and writing included), and their ratio.

Timings are wall-clock on a shared machine: rerun when it is idle (the load average is printed).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import polars as pl

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from smartregion.observatory.statistics import (  # noqa: E402
    Options,
    Question,
    respondent_weights,
)

CLASSES = ("lt5k", "5k-10k", "10k-20k", "20k-50k", "ge50k")
CLASS_SHARES = (0.45, 0.25, 0.17, 0.09, 0.04)
KINDS = ("yes_no", "single_choice", "multiple_choice", "scale", "number")
STEPS = (
    "_prepare",
    "_stratum_stats",
    "_group_mapping",
    "_estimate_cells",
    "_finish",
    "_order",
    "_shared_categories",
    "_independent_trends",
    "_panel_stats",
    "_panel_trends",
)


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
        bounds = (
            (0.0, 10.0) if kind == "scale" else (0.0, None) if kind == "number" else (None,) * 2
        )
        if kind == "yes_no":
            categories = ("yes", "no", "dont_know")
        elif kind in ("single_choice", "multiple_choice"):
            categories = ("a", "b", "c", "d", "e", "dont_know")
        else:
            categories = ()
        questions[code] = Question(code, kind, categories, *bounds)
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


def questions_table(questions: dict[str, Question]) -> pl.DataFrame:
    def bound(value: float | None) -> str:
        return "" if value is None else f"{value:g}"

    return pl.DataFrame(
        {
            "question": list(questions),
            "type": [q.type for q in questions.values()],
            "categories": ["|".join(q.categories) for q in questions.values()],
            "min": [bound(q.minimum) for q in questions.values()],
            "max": [bound(q.maximum) for q in questions.values()],
        }
    )


def write_inputs(folder: Path, frame, waves, questions, suffix: str) -> dict[str, Path]:
    paths = {
        "frame": folder / f"frame{suffix}",
        "previous": folder / f"responses-1{suffix}",
        "responses": folder / f"responses-2{suffix}",
    }
    tables = {"frame": frame, "previous": waves[0], "responses": waves[1]}
    for key, table in tables.items():
        if suffix == ".parquet":
            table.write_parquet(paths[key])
        else:
            table.write_csv(paths[key])
    paths["questions"] = folder / "questions.csv"
    questions_table(questions).write_csv(paths["questions"])
    paths["out"] = folder / f"results{suffix}"
    return paths


def run_cli(paths: dict[str, Path]):
    from smartregion.observatory.management.commands.observatory import run_estimate

    return run_estimate(
        paths["frame"],
        paths["responses"],
        paths["out"],
        questions_path=paths["questions"],
        previous_responses_path=paths["previous"],
    )


# ---------------------------------------------------------------------------------------------
# The child process: one CLI run, its figures as JSON on stdout


def child(paths_json: str, split: bool) -> None:
    paths = {k: Path(v) for k, v in json.loads(paths_json).items()}
    spent = _instrument() if split else {}
    started = time.perf_counter()
    if split:
        from smartregion.observatory.management.commands import observatory

        read = observatory._read_inputs

        def timed_read(*args, **kwargs):
            begun = time.perf_counter()
            inputs = read(*args, **kwargs)
            print(f"read {time.perf_counter() - begun:.2f} s", file=sys.stderr, flush=True)
            return inputs

        observatory._read_inputs = timed_read
    summary = run_cli(paths)
    seconds = time.perf_counter() - started
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    figures = {
        "seconds": seconds,
        "peak_mb": peak,
        "laps": summary.seconds,
        "steps": spent,
        "rows": summary.rows,
        "trends": summary.trends,
    }
    print(json.dumps(figures))


def _instrument() -> dict[str, float]:
    """Wrap the engine's steps to record their exclusive wall time (a step's time minus the
    steps it calls)."""
    from smartregion.observatory import statistics

    spent: dict[str, float] = dict.fromkeys(STEPS, 0.0)
    stack: list[float] = []

    def wrap(name, function):
        def timed(*args, **kwargs):
            stack.append(0.0)
            started = time.perf_counter()
            try:
                return function(*args, **kwargs)
            finally:
                elapsed = time.perf_counter() - started
                inner = stack.pop()
                spent[name] += elapsed - inner
                print(f"{name} {elapsed - inner:.2f} s", file=sys.stderr, flush=True)
                if stack:
                    stack[-1] += elapsed

        return timed

    for name in STEPS:
        if hasattr(statistics, name):
            setattr(statistics, name, wrap(name, getattr(statistics, name)))
    return spent


def in_child(paths: dict[str, Path], split: bool) -> dict:
    command = [
        sys.executable,
        __file__,
        "--child",
        json.dumps({k: str(v) for k, v in paths.items()}),
    ]
    if split:
        command.append("--split")
    done = subprocess.run(command, capture_output=True, text=True, check=False, cwd=ROOT)
    if done.returncode != 0:
        raise SystemExit(f"the CLI run failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------------------------
# The two cases


def wallonia() -> None:
    rng = np.random.default_rng(2025)
    frame = make_frame(261, 5, rng)
    questions = make_questions(40)
    waves = [
        make_responses(frame, questions, rng),
        make_responses(frame, questions, rng, 0.55, 0.05),
    ]
    with tempfile.TemporaryDirectory() as folder:
        paths = write_inputs(Path(folder), frame, waves, questions, ".csv")
        runs = []
        for _ in range(4):
            started = time.perf_counter()
            summary = run_cli(paths)
            runs.append(time.perf_counter() - started)
    print("(a) Wallonia: 261 communes, 40 questions, 2 waves, CLI end to end (CSV in and out)")
    print(f"    answers per wave: {waves[0].height:,} and {waves[1].height:,} rows")
    print(f"    {summary.rows:,} estimate rows, {summary.trends:,} trend rows")
    print(
        f"    run_estimate: {runs[0]:.3f} s first run, {min(runs[1:]):.3f} s best of 3 "
        f"(target < 1 s)"
    )


def europe(samplics_questions: int, formats: list[str], split: bool, size: int = 100_000) -> None:
    rng = np.random.default_rng(2030)
    started = time.perf_counter()
    frame = make_frame(size, max(1, size * 250 // 100_000), rng)
    questions = make_questions(80)
    waves = [
        make_responses(frame, questions, rng),
        make_responses(frame, questions, rng, 0.5, 0.03),
    ]
    generated = time.perf_counter() - started
    print(
        f"(b) Europe: {size:,} municipalities ({frame['province'].n_unique()} provinces × 5 "
        "classes), 80 questions, 2 waves"
    )
    print(
        f"    answers per wave: {waves[0].height:,} and {waves[1].height:,} rows "
        f"(generated and written in {generated:.1f} s, not timed); "
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores"
    )
    engine_seconds = None
    with tempfile.TemporaryDirectory() as folder:
        for kind in formats:
            paths = write_inputs(Path(folder), frame, waves, questions, f".{kind}")
            figures = in_child(paths, split=False)
            engine_seconds = engine_seconds or figures["seconds"]
            print(
                f"    CLI ({kind} in and out, breakdowns and trends): {figures['seconds']:.2f} s, "
                f"peak RSS {figures['peak_mb']:,.0f} MB (targets < 15 s, < 1,536 MB); "
                f"{figures['rows']:,} estimate rows, {figures['trends']:,} trend rows"
            )
            laps = ", ".join(f"{k} {v:.2f} s" for k, v in figures["laps"].items())
            print(f"      split: {laps}")
            if split:
                profiled = in_child(paths, split=True)
                steps = ", ".join(
                    f"{k.lstrip('_')} {v:.2f} s" for k, v in profiled["steps"].items()
                )
                print(f"      engine steps (second run, {profiled['seconds']:.2f} s): {steps}")
    if samplics_questions and engine_seconds:
        samplics_side_by_side(frame, waves, questions, engine_seconds, samplics_questions)


def samplics_side_by_side(frame, waves, questions, engine_seconds, count) -> None:
    import warnings

    warnings.simplefilter("ignore", FutureWarning)
    try:
        from samplics.estimation import TaylorEstimator
        from samplics.utils.types import PopParam
    except ImportError:
        print("    samplics not installed: no comparison")
        return
    options = Options(class_order=CLASSES)
    picked = list(questions)[:count]
    spent, calls, slowest, domain_call = 0.0, 0, 0.0, None
    for wave, responses in enumerate(waves):
        for code in picked:
            answers = responses.filter(pl.col("question") == code)
            design = respondent_weights(frame, answers, code, questions, options).join(
                frame, on="refnis"
            )
            question_spent = 0.0
            for target in _targets(questions[code], design, answers):
                started = time.perf_counter()
                _taylor(TaylorEstimator, PopParam, target, None)
                question_spent += time.perf_counter() - started
                calls += 1
                if domain_call is None and wave == 0:
                    domain_call = target
            spent += question_spent
            slowest = max(slowest, question_spent)
    per_question = spent / len(picked) / len(waves)
    engine = engine_seconds / len(questions) / len(waves)
    print(
        f'    samplics (Taylor, "all" only): {calls} calls on {len(picked)} questions × '
        f"{len(waves)} waves, {per_question:.3f} s per question and wave"
    )
    print(
        f"    engine: {engine:.4f} s per question and wave (CLI total / {len(questions)} / "
        f"{len(waves)}, with reading, every breakdown, trends and writing); "
        f"ratio samplics / engine ≈ {per_question / engine:,.1f}×"
    )
    if domain_call is not None and slowest < 60:
        seconds = _domain_call_within(domain_call, 60.0)
        domains = domain_call["province"].n_unique()
        if seconds is None:
            print(
                f"    samplics, one call with the {domains} provinces as domains: "
                "over 60 s, stopped"
            )
        else:
            print(
                f"    samplics, one call with the {domains} provinces as domains ({picked[0]}, "
                f"one category, first wave): {seconds:.2f} s"
            )
    else:
        print('    samplics province-domain call skipped ("all" calls took over 60 s)')


def _domain_call_within(target: pl.DataFrame, limit: float) -> float | None:
    """Time one samplics call with the provinces as domains in a forked process, stopped after
    ``limit`` seconds (None then)."""
    import multiprocessing

    arrays = {
        "y": target["y"].to_numpy(),
        "weight": target["weight"].to_numpy(),
        "group": target["group"].to_numpy(),
        "province": target["province"].to_numpy(),
    }
    receive, send = multiprocessing.Pipe(duplex=False)
    process = multiprocessing.get_context("fork").Process(
        target=_timed_domain_call, args=(arrays, send)
    )
    process.start()
    process.join(limit)
    if process.is_alive():
        process.kill()
        process.join()
        return None
    return receive.recv() if receive.poll() else None


def _timed_domain_call(arrays: dict, send) -> None:
    import warnings

    warnings.simplefilter("ignore", FutureWarning)
    from samplics.estimation import TaylorEstimator
    from samplics.utils.types import PopParam

    started = time.perf_counter()
    TaylorEstimator(param=PopParam.mean).estimate(
        y=arrays["y"],
        samp_weight=arrays["weight"],
        stratum=arrays["group"],
        fpc=1 - 1 / arrays["weight"],
        domain=arrays["province"],
    )
    send.send(time.perf_counter() - started)


def _taylor(estimator, param, target: pl.DataFrame, domain) -> None:
    weights = target["weight"].to_numpy()
    estimator(param=param.mean).estimate(
        y=target["y"].to_numpy(),
        samp_weight=weights,
        stratum=target["group"].to_numpy(),
        fpc=1 - 1 / weights,
        domain=domain,
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
    parser.add_argument("--samplics-questions", type=int, default=2)
    parser.add_argument("--municipalities", type=int, default=100_000)
    parser.add_argument("--format", choices=("csv", "parquet", "both"), default="both")
    parser.add_argument("--no-split", action="store_true", help="skip the timed second run")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--split", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.split)
        return
    wallonia()
    if not args.skip_europe:
        formats = ["csv", "parquet"] if args.format == "both" else [args.format]
        europe(args.samplics_questions, formats, not args.no_split, args.municipalities)


if __name__ == "__main__":
    main()
