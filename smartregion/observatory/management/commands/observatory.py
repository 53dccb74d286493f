"""`smartregion observatory estimate --frame F --responses R --out O`: the statistics engine for
researchers. Exit code 0 on success, 2 when an input file is wrong (every problem is listed with
its file, line and column, and nothing is written)."""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from smartregion.core.spreadsheet import safe_text
from smartregion.observatory.frames import (
    FileProblems,
    read_frame,
    read_questions,
    read_responses,
)
from smartregion.observatory.statistics import CI_METHODS, Options, estimate

BAD_INPUT = 2


@dataclass(frozen=True)
class EstimateSummary:
    communes: int
    respondents: int
    questions: int
    rows: int
    suppressed: int


def run_estimate(
    frame_path: Path | str,
    responses_path: Path | str,
    out_path: Path | str,
    *,
    questions_path: Path | str | None = None,
    confidence: float = 0.95,
    min_cell: int = 5,
    ci_method: str = "t",
    encoding: str = "utf-8",
) -> EstimateSummary:
    """Read and check the files, estimate, write the results CSV (atomically).

    Raises ``FileProblems`` when an input is wrong; then nothing is written.
    """
    frame_path, responses_path, out_path = Path(frame_path), Path(responses_path), Path(out_path)
    problems: list[str] = []
    frame = questions = None
    try:
        frame = read_frame(frame_path, encoding=encoding)
    except FileProblems as error:
        problems += error.problems
    if questions_path is not None:
        try:
            questions = read_questions(Path(questions_path), encoding=encoding)
        except FileProblems as error:
            problems += error.problems
    if frame is None or problems:
        raise FileProblems(problems)
    responses = read_responses(
        responses_path, frame, frame_name=frame_path.name, encoding=encoding, questions=questions
    )
    if not out_path.parent.is_dir():
        raise FileProblems([f"{out_path}: the folder {out_path.parent} does not exist"])
    options = Options(
        confidence=confidence, ci_method=ci_method, min_cell=min_cell, class_order=frame.class_order
    )
    results = estimate(frame.frame, responses, questions, options)
    _write_atomically(results, out_path)
    return EstimateSummary(
        communes=frame.frame.height,
        respondents=responses.get_column("refnis").n_unique(),
        questions=results.get_column("question").n_unique(),
        rows=results.height,
        suppressed=int(results.get_column("suppressed").sum()),
    )


def _neutralise_text(results: Any) -> Any:
    """Text columns through `safe_text`, so the file is safe to open in a spreadsheet."""
    import polars as pl

    return results.with_columns(
        pl.col(name).map_elements(safe_text, return_dtype=pl.String)
        for name, dtype in results.schema.items()
        if dtype == pl.String
    )


def _write_atomically(results: Any, out_path: Path) -> None:
    handle, temporary = tempfile.mkstemp(dir=out_path.parent, suffix=".csv.part")
    os.close(handle)
    try:
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
        run.add_argument("--frame", required=True, help="CSV: refnis, province, population")
        run.add_argument("--responses", required=True, help="CSV: refnis, question, value")
        run.add_argument("--out", required=True, help="CSV to write the results to")
        run.add_argument("--questions", help="CSV: question, type[, categories a|b|c]")
        run.add_argument("--confidence", type=float, default=0.95, help="default 0.95")
        run.add_argument("--min-cell", type=int, default=5, help="suppress cells under this")
        run.add_argument("--ci-method", choices=CI_METHODS, default="t", help="default t")
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
                confidence=options["confidence"],
                min_cell=options["min_cell"],
                ci_method=options["ci_method"],
                encoding=options["encoding"],
            )
        except FileProblems as error:
            raise CommandError(error.message(), returncode=BAD_INPUT) from error
        self.stdout.write(
            self.style.SUCCESS(
                f"{summary.rows} rows for {summary.questions} questions "
                f"({summary.respondents} of {summary.communes} communes answered, "
                f"{summary.suppressed} cells suppressed) written to {options['out']}"
            )
        )
