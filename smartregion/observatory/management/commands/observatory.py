"""`smartregion observatory estimate --frame F --responses R --questions Q --out O`: the statistics
engine for researchers. Exit code 0 on success, 2 when an input file is wrong (every problem is
listed with its file, line and column, and nothing is written).

The question types come from ``--questions`` (CSV) or ``--instrument`` (an instrument definition
file); ``--infer-types`` infers them from the answers instead and prints what it inferred and which
values decided it. With ``--previous-responses`` (and ``--previous-frame`` when the previous wave
had another frame) the trends between the two waves are written to ``--trends-out``.
"""

from __future__ import annotations

import os
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import polars as pl
from django.core.management.base import BaseCommand, CommandError, CommandParser

from smartregion.core.spreadsheet import safe_text
from smartregion.observatory.frames import (
    FileProblems,
    FrameFile,
    Problems,
    inferred_types,
    read_frame,
    read_instrument,
    read_questions,
    read_responses,
)
from smartregion.observatory.statistics import (
    CI_METHODS,
    Options,
    Question,
    edition_of_waves,
    estimate_prepared,
    prepare_wave,
)

BAD_INPUT = 2
NO_TYPES = (
    "the question types are needed: give --questions FILE (CSV: question, type, categories "
    "a|b|c, min, max) or --instrument FILE (an instrument definition), or --infer-types to "
    "infer them from the answers"
)


@dataclass(frozen=True)
class EstimateSummary:
    communes: int
    respondents: int
    questions: int
    rows: int
    suppressed: int
    trends: int | None = None
    trends_path: Path | None = None
    notes: list[str] = field(default_factory=list)  # the inferred types, with --infer-types
    seconds: dict[str, float] = field(default_factory=dict)  # read, estimate, write


@dataclass
class _Inputs:
    """What was read. ``_estimate`` drops the answer tables once each wave is prepared (its
    integer-coded form is all the engine needs), so they do not stay in memory for the run."""

    frame: FrameFile
    responses: pl.DataFrame | None
    questions: dict[str, Question]
    notes: list[str]
    previous_frame: FrameFile | None = None
    previous_responses: pl.DataFrame | None = None


def run_estimate(
    frame_path: Path | str,
    responses_path: Path | str,
    out_path: Path | str,
    *,
    questions_path: Path | str | None = None,
    instrument_path: Path | str | None = None,
    infer_types: bool = False,
    previous_frame_path: Path | str | None = None,
    previous_responses_path: Path | str | None = None,
    trends_out_path: Path | str | None = None,
    confidence: float = 0.95,
    min_cell: int = 5,
    ci_method: str = Options.ci_method,
    encoding: str = "utf-8",
) -> EstimateSummary:
    """Read and check the files, estimate (with the trends when a previous wave is given), write
    the results (and trends) as CSV or Parquet by the extension, atomically.

    Raises ``FileProblems`` when an input is wrong or the types are not given; then nothing is
    written.
    """
    clock = _Clock()
    out_path = Path(out_path)
    paths = [out_path]
    if previous_responses_path is not None:
        paths.append(Path(trends_out_path) if trends_out_path else _beside(out_path, "trends"))
    elif previous_frame_path is not None or trends_out_path is not None:
        raise FileProblems(["--previous-frame and --trends-out need --previous-responses"])
    inputs = _read_inputs(
        Path(frame_path),
        Path(responses_path),
        questions_path=questions_path,
        instrument_path=instrument_path,
        infer_types=infer_types,
        previous_frame_path=previous_frame_path,
        previous_responses_path=previous_responses_path,
        encoding=encoding,
    )
    for path in paths:
        if not path.parent.is_dir():
            raise FileProblems([f"{path}: the folder {path.parent} does not exist"])
    clock.lap("read")
    options = Options(
        confidence=confidence,
        ci_method=ci_method,
        min_cell=min_cell,
        class_order=_class_order(inputs),
    )
    respondents = inputs.responses.get_column("refnis").n_unique()
    results, trends = _estimate(inputs, options)
    clock.lap("estimate")
    _write_atomically(results, paths[0])
    if trends is not None:
        _write_atomically(trends, paths[1])
    clock.lap("write")
    return EstimateSummary(
        communes=inputs.frame.frame.height,
        respondents=respondents,
        questions=results.get_column("question").n_unique(),
        rows=results.height,
        suppressed=int(results.get_column("suppressed").sum()),
        trends=None if trends is None else trends.height,
        trends_path=paths[1] if trends is not None else None,
        notes=inputs.notes,
        seconds=clock.laps,
    )


class _Clock:
    def __init__(self) -> None:
        self.laps: dict[str, float] = {}
        self._last = time.perf_counter()

    def lap(self, name: str) -> None:
        now = time.perf_counter()
        self.laps[name] = now - self._last
        self._last = now


def _beside(out_path: Path, tail: str) -> Path:
    return out_path.with_name(f"{out_path.stem}-{tail}{out_path.suffix}")


def _read_inputs(
    frame_path: Path,
    responses_path: Path,
    *,
    questions_path: Path | str | None,
    instrument_path: Path | str | None,
    infer_types: bool,
    previous_frame_path: Path | str | None,
    previous_responses_path: Path | str | None,
    encoding: str,
) -> _Inputs:
    if questions_path is not None and instrument_path is not None:
        raise FileProblems(["give --questions or --instrument, not both"])
    if questions_path is None and instrument_path is None and not infer_types:
        raise FileProblems([NO_TYPES])
    problems = Problems()
    frames = {}
    questions = None
    frame_paths = {"frame": frame_path}
    if previous_responses_path is not None:
        frame_paths["previous"] = Path(previous_frame_path or frame_path)
    for key, path in frame_paths.items():
        if key == "previous" and path == frame_path:
            continue
        frames[key] = _collect(problems, lambda path=path: read_frame(path, encoding=encoding))
    if questions_path is not None:
        questions = _collect(
            problems, lambda: read_questions(Path(questions_path), encoding=encoding)
        )
    elif instrument_path is not None:
        questions = _collect(problems, lambda: read_instrument(Path(instrument_path)))
    if problems:
        raise FileProblems(problems)
    frames.setdefault("previous", frames["frame"])
    answers = {"responses": (responses_path, frames["frame"], frame_path)}
    if previous_responses_path is not None:
        answers["previous"] = (
            Path(previous_responses_path),
            frames["previous"],
            frame_paths["previous"],
        )
    read = {
        key: _collect(
            problems,
            lambda path=path, frame=frame, named=named: read_responses(
                path,
                frame,
                frame_name=named.name,
                encoding=encoding,
                questions=questions,
                keep_lines=questions is None,
            ),
        )
        for key, (path, frame, named) in answers.items()
    }
    if problems:
        raise FileProblems(problems)
    notes: list[str] = []
    if questions is None:
        questions, notes = _infer(read)
    previous = read.get("previous")
    return _Inputs(
        frame=frames["frame"],
        responses=read["responses"],
        questions=questions,
        notes=notes,
        previous_frame=frames["previous"] if previous is not None else None,
        previous_responses=previous,
    )


def _collect(problems: Problems, read: Callable[[], Any]) -> Any:
    """What ``read`` returns, or None with its problems added to ``problems``."""
    try:
        return read()
    except FileProblems as error:
        problems += error.problems
        problems.omitted += error.omitted
        return None


def _infer(read: dict[str, pl.DataFrame]) -> tuple[dict[str, Question], list[str]]:
    """Types from the current wave's answers (the previous wave's questions that it lacks from
    the previous wave's); the line column dropped from the answers."""
    questions, notes = inferred_types(read["responses"])
    if "previous" in read:
        earlier, earlier_notes = inferred_types(read["previous"])
        for code, question in earlier.items():
            if code not in questions:
                questions[code] = question
                notes += [n for n in earlier_notes if n.startswith(f"{code}: ")]
    for key, table in read.items():
        read[key] = table.drop("line")
    return questions, notes


def _class_order(inputs: _Inputs) -> tuple[str, ...]:
    order = list(inputs.frame.class_order)
    if inputs.previous_frame is not None:
        order += [c for c in inputs.previous_frame.class_order if c not in order]
    return tuple(order)


def _estimate(inputs: _Inputs, options: Options) -> tuple[pl.DataFrame, pl.DataFrame | None]:
    try:
        if inputs.previous_responses is None:
            wave = prepare_wave(
                inputs.frame.frame, inputs.responses, inputs.questions, options, checked=True
            )
            inputs.responses = None
            return estimate_prepared(wave, options), None
        wave_from = prepare_wave(
            inputs.previous_frame.frame,
            inputs.previous_responses,
            inputs.questions,
            options,
            checked=True,
        )
        inputs.previous_responses = None
        wave_to = prepare_wave(
            inputs.frame.frame, inputs.responses, inputs.questions, options, checked=True
        )
        inputs.responses = None
        edition = edition_of_waves(wave_from, wave_to, options)
    except ValueError as error:  # the readers check what the engine refuses: a safety net
        raise FileProblems([str(error)]) from error
    return edition.results_to, edition.trends


def _neutralise_text(results: pl.DataFrame) -> pl.DataFrame:
    """Text columns through `safe_text` (each distinct value once), so the file is safe to open
    in a spreadsheet."""
    replaced = []
    for name, dtype in results.schema.items():
        if dtype != pl.String:
            continue
        values = results.get_column(name).unique().drop_nulls().to_list()
        changed = {v: safe_text(v) for v in values if safe_text(v) != v}
        if changed:
            replaced.append(pl.col(name).replace(changed))
    return results.with_columns(replaced) if replaced else results


def _write_atomically(results: pl.DataFrame, out_path: Path) -> None:
    parquet = out_path.suffix.lower() == ".parquet"
    handle, temporary = tempfile.mkstemp(dir=out_path.parent, suffix=".part")
    os.close(handle)
    try:
        if parquet:
            results.write_parquet(temporary)
        else:
            _neutralise_text(results).write_csv(temporary)
        os.replace(temporary, out_path)
    finally:
        if os.path.exists(temporary):
            os.unlink(temporary)


class Command(BaseCommand):
    help = "Survey statistics for researchers: stratified estimates with confidence intervals."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True, metavar="{estimate}")
        run = actions.add_parser(
            "estimate", help="estimates per question × category × breakdown from CSV files"
        )
        run.add_argument(
            "--frame", required=True, help="CSV or Parquet: refnis, province, population"
        )
        run.add_argument(
            "--responses", required=True, help="CSV or Parquet: refnis, question, value"
        )
        run.add_argument("--out", required=True, help="results file (.csv, or .parquet)")
        run.add_argument("--questions", help="CSV: question, type[, categories a|b|c][, min, max]")
        run.add_argument("--instrument", help="instrument definition file giving the questions")
        run.add_argument(
            "--infer-types",
            action="store_true",
            help="infer the question types from the answers (printed)",
        )
        run.add_argument("--previous-responses", help="answers of the previous wave (trends)")
        run.add_argument("--previous-frame", help="frame of the previous wave (default: --frame)")
        run.add_argument("--trends-out", help="trends file (default: <out>-trends beside --out)")
        run.add_argument("--confidence", type=float, default=0.95, help="default 0.95")
        run.add_argument("--min-cell", type=int, default=5, help="suppress cells under this")
        run.add_argument(
            "--ci-method",
            choices=CI_METHODS,
            default=Options.ci_method,
            help="default %(default)s",
        )
        run.add_argument("--encoding", default="utf-8", help="of the input files (default UTF-8)")

    def handle(self, *args: Any, **options: Any) -> None:
        if not 0 < options["confidence"] < 1:
            raise CommandError("--confidence must be between 0 and 1", returncode=BAD_INPUT)
        if options["min_cell"] < 1:
            raise CommandError("--min-cell must be at least 1", returncode=BAD_INPUT)
        try:
            summary = run_estimate(
                options["frame"],
                options["responses"],
                options["out"],
                questions_path=options["questions"],
                instrument_path=options["instrument"],
                infer_types=options["infer_types"],
                previous_frame_path=options["previous_frame"],
                previous_responses_path=options["previous_responses"],
                trends_out_path=options["trends_out"],
                confidence=options["confidence"],
                min_cell=options["min_cell"],
                ci_method=options["ci_method"],
                encoding=options["encoding"],
            )
        except FileProblems as error:
            raise CommandError(error.message(), returncode=BAD_INPUT) from error
        for note in summary.notes:
            self.stdout.write(note)
        self.stdout.write(
            self.style.SUCCESS(
                f"{summary.rows} rows for {summary.questions} questions "
                f"({summary.respondents} of {summary.communes} communes answered, "
                f"{summary.suppressed} cells suppressed) written to {options['out']}"
            )
        )
        if summary.trends_path is not None:
            self.stdout.write(
                self.style.SUCCESS(f"{summary.trends} trend rows written to {summary.trends_path}")
            )
