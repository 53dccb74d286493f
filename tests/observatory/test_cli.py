"""`smartregion observatory estimate`: results file, and line-level errors with exit code 2."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import polars as pl
import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from smartregion.observatory.frames import FileProblems, read_frame
from smartregion.observatory.management.commands.observatory import run_estimate
from smartregion.observatory.statistics import RESULT_COLUMNS, Options, estimate

FILES = Path(__file__).parent / "files"


def problems_of(tmp_path: Path, frame: str, responses: str = "responses.csv", **kwargs) -> list:
    out = tmp_path / "results.csv"
    with pytest.raises(FileProblems) as caught:
        run_estimate(FILES / frame, FILES / responses, out, **kwargs)
    assert not out.exists()
    assert list(tmp_path.iterdir()) == []
    return caught.value.problems


def read_results(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def test_run_estimate_writes_one_row_per_question_category_breakdown(tmp_path):
    out = tmp_path / "results.csv"

    summary = run_estimate(FILES / "frame.csv", FILES / "responses.csv", out)

    rows = read_results(out)
    assert list(rows[0]) == RESULT_COLUMNS
    assert len(rows) == summary.rows
    assert (summary.communes, summary.respondents, summary.questions) == (10, 8, 3)
    strategy = {(r["category"], r["breakdown"]): r for r in rows if r["question"] == "strategy"}
    whole = strategy["yes", "all"]
    # 7 of 10 communes: the NCHS-based reliability rule withholds the shares (effective n < 30)
    assert (whole["respondents"], whole["population"], whole["suppressed"]) == ("7", "10", "true")
    assert (whole["flag"], whole["suppression"]) == ("unpublished", "reliability")
    assert strategy["yes", "province=90000"]["suppressed"] == "true"
    assert strategy["yes", "province=90000"]["estimate"] == ""
    breakdowns = [
        r["breakdown"] for r in rows if r["question"] == "strategy" and r["category"] == "yes"
    ]
    assert breakdowns == [
        "all",
        "province=20002",
        "province=90000",
        "population_class=lt5k",
        "population_class=5k-10k",
        "population_class=10k-20k",
        "population_class=20k-50k",
        "population_class=ge50k",
    ]


def test_run_estimate_figures_equal_the_engine(tmp_path):
    out = tmp_path / "results.csv"
    frame = read_frame(FILES / "frame.csv")
    responses = pl.read_csv(FILES / "responses.csv", schema_overrides={"refnis": pl.String})

    run_estimate(FILES / "frame.csv", FILES / "responses.csv", out)

    expected = estimate(
        frame.frame, responses, options=Options(class_order=frame.class_order, ci_method="t")
    ).filter(pl.col("breakdown") == "all")
    written = pl.read_csv(out, schema_overrides={"df": pl.Int64}).filter(
        pl.col("breakdown") == "all"
    )
    assert written["estimate"].to_list() == pytest.approx(expected["estimate"].to_list())
    assert written["se"].to_list() == pytest.approx(expected["se"].to_list())


def test_run_estimate_with_questions_file_and_options(tmp_path):
    out = tmp_path / "results.csv"

    run_estimate(
        FILES / "frame.csv",
        FILES / "responses.csv",
        out,
        questions_path=FILES / "questions.csv",
        confidence=0.9,
        min_cell=2,
        ci_method="logit",
    )

    rows = read_results(out)
    obstacles = [
        r["category"] for r in rows if r["question"] == "obstacles" and r["breakdown"] == "all"
    ]
    assert obstacles == ["budget", "expertise", "time", "priority"]
    assert {r["method"] for r in rows} == {"stratified/logit"}
    assert {r["kind"] for r in rows if r["question"] == "progress"} == {"mean"}


def test_run_estimate_derives_population_classes_from_default_bands():
    frame = read_frame(FILES / "frame.csv")

    classes = dict(frame.frame.select("refnis", "population_class").iter_rows())

    assert classes["92094"] == "ge50k"
    assert classes["91015"] == "lt5k"
    assert classes["92003"] == "10k-20k"
    assert frame.class_order == ("lt5k", "5k-10k", "10k-20k", "20k-50k", "ge50k")


def test_run_estimate_reads_semicolon_files():
    frame = read_frame(FILES / "frame_semicolon.csv")

    assert frame.frame["refnis"].to_list() == ["92094", "92003"]


def test_bad_frame_lists_every_problem_with_line_and_column(tmp_path):
    problems = problems_of(tmp_path, "frame_bad.csv")

    assert problems == [
        "frame_bad.csv line 3, column population: not a whole number: '15 thousand'",
        "frame_bad.csv line 4, column refnis: 92094 already on line 2",
        "frame_bad.csv line 5, column refnis: not a commune code: ''",
        "frame_bad.csv line 6, column province: empty",
    ]


def test_bad_responses_list_every_problem_with_line_and_column(tmp_path):
    problems = problems_of(
        tmp_path, "frame.csv", "responses_bad.csv", questions_path=FILES / "questions.csv"
    )

    assert problems == [
        "responses_bad.csv line 3, column refnis: unknown commune 99999, not in frame.csv",
        "responses_bad.csv line 4, column value: progress takes a number, not 'many'",
        "responses_bad.csv line 5, column value: 'maybe' is not a category of strategy "
        "(yes, no, dont_know)",
        "responses_bad.csv line 6, column value: a second answer of 92094 to strategy (first "
        "on line 2); only multiple_choice takes several",
        "responses_bad.csv line 7, column question: empty",
        "responses_bad.csv line 8: 2 fields, the header has 3",
    ]


def test_empty_file_is_reported(tmp_path):
    assert problems_of(tmp_path, "empty.csv") == [
        "empty.csv line 1: empty file, expected a header line"
    ]


def test_missing_column_is_reported(tmp_path):
    assert problems_of(tmp_path, "frame_missing_column.csv") == [
        "frame_missing_column.csv line 1: missing column population (or population_class)"
    ]


def test_missing_response_columns_are_reported(tmp_path):
    assert problems_of(tmp_path, "frame.csv", "frame.csv") == [
        "frame.csv line 1: missing column(s) question, value (found: refnis, province, population)"
    ]


def test_wrong_encoding_is_reported_and_can_be_given(tmp_path):
    assert problems_of(tmp_path, "frame_latin1.csv") == [
        "frame_latin1.csv line 2, column 9: not utf-8 text (byte 0xe8); save the file as UTF-8 "
        "or give its --encoding"
    ]

    frame = read_frame(FILES / "frame_latin1.csv", encoding="latin-1")

    assert frame.frame["province"].to_list() == ["Liège"]


def test_missing_output_folder_is_reported(tmp_path):
    out = tmp_path / "nowhere" / "results.csv"

    with pytest.raises(FileProblems, match="does not exist"):
        run_estimate(FILES / "frame.csv", FILES / "responses.csv", out)


def test_failed_run_keeps_an_existing_results_file(tmp_path):
    out = tmp_path / "results.csv"
    shutil.copy(FILES / "frame.csv", out)

    with pytest.raises(FileProblems):
        run_estimate(FILES / "frame_bad.csv", FILES / "responses.csv", out)

    assert out.read_bytes() == (FILES / "frame.csv").read_bytes()


installed = pytest.mark.skipif(
    not apps.is_installed("smartregion.observatory"),
    reason="smartregion.observatory is not in INSTALLED_APPS yet",
)


@installed
def test_command_estimate_writes_results(tmp_path, capsys):
    out = tmp_path / "results.csv"

    call_command(
        "observatory",
        "estimate",
        "--frame",
        str(FILES / "frame.csv"),
        "--responses",
        str(FILES / "responses.csv"),
        "--out",
        str(out),
    )

    assert read_results(out)[0]["question"] == "obstacles"
    assert "written to" in capsys.readouterr().out


@installed
def test_command_bad_file_exits_2_and_writes_nothing(tmp_path):
    out = tmp_path / "results.csv"

    with pytest.raises(CommandError) as caught:
        call_command(
            "observatory",
            "estimate",
            "--frame",
            str(FILES / "frame_bad.csv"),
            "--responses",
            str(FILES / "responses.csv"),
            "--out",
            str(out),
        )

    assert caught.value.returncode == 2
    assert str(caught.value).splitlines()[0] == (
        "frame_bad.csv line 3, column population: not a whole number: '15 thousand'"
    )
    assert not out.exists()
