"""`smartregion observatory estimate`: results file, and line-level errors with exit code 2."""

from __future__ import annotations

import csv
import shutil
from pathlib import Path

import polars as pl
import pytest
from django.apps import apps
from django.core.management import CommandError, call_command

from smartregion.observatory.frames import FileProblems, read_frame, read_questions
from smartregion.observatory.management.commands.observatory import NO_TYPES, run_estimate
from smartregion.observatory.statistics import (
    RESULT_COLUMNS,
    TREND_COLUMNS,
    Options,
    estimate,
    estimate_edition,
)

FILES = Path(__file__).parent / "files"
QUESTIONS = FILES / "questions.csv"
TINY = Path(__file__).resolve().parents[1] / "instruments" / "files" / "tiny.yaml"


def problems_of(tmp_path: Path, frame: str, responses: str = "responses.csv", **kwargs) -> list:
    out = tmp_path / "results.csv"
    kwargs.setdefault("questions_path", QUESTIONS)
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

    summary = run_estimate(
        FILES / "frame.csv", FILES / "responses.csv", out, questions_path=QUESTIONS
    )

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

    run_estimate(FILES / "frame.csv", FILES / "responses.csv", out, infer_types=True)

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
    problems = problems_of(tmp_path, "frame.csv", "responses_bad.csv")

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
        run_estimate(FILES / "frame.csv", FILES / "responses.csv", out, questions_path=QUESTIONS)


def test_failed_run_keeps_an_existing_results_file(tmp_path):
    out = tmp_path / "results.csv"
    shutil.copy(FILES / "frame.csv", out)

    with pytest.raises(FileProblems):
        run_estimate(
            FILES / "frame_bad.csv", FILES / "responses.csv", out, questions_path=QUESTIONS
        )

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
        "--questions",
        str(QUESTIONS),
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
            "--questions",
            str(QUESTIONS),
        )

    assert caught.value.returncode == 2
    assert str(caught.value).splitlines()[0] == (
        "frame_bad.csv line 3, column population: not a whole number: '15 thousand'"
    )
    assert not out.exists()


def test_run_estimate_refuses_without_question_types(tmp_path):
    assert problems_of(tmp_path, "frame.csv", questions_path=None) == [NO_TYPES]


@installed
def test_command_without_types_exits_2_and_says_what_to_give(tmp_path):
    out = tmp_path / "results.csv"

    with pytest.raises(CommandError) as caught:
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

    assert caught.value.returncode == 2
    assert "--questions FILE" in str(caught.value)
    assert "--instrument FILE" in str(caught.value)
    assert "--infer-types" in str(caught.value)
    assert not out.exists()


@installed
def test_command_infer_types_prints_every_type_then_estimates(tmp_path, capsys):
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
        "--infer-types",
    )

    printed = capsys.readouterr().out.splitlines()
    assert printed[:4] == [
        "obstacles: multiple_choice",
        "obstacles: 2 answers of 92094 (lines 18, 19) made it multiple_choice",
        "progress: number",
        "strategy: single_choice",
    ]
    assert "written to" in printed[4]


def test_two_waves_write_the_trends_beside_the_results(tmp_path):
    out = tmp_path / "results.csv"
    previous = tmp_path / "previous.csv"
    previous.write_text(
        (FILES / "responses.csv").read_text(encoding="utf-8").replace(",yes\n", ",no\n", 2),
        encoding="utf-8",
    )

    summary = run_estimate(
        FILES / "frame.csv",
        FILES / "responses.csv",
        out,
        questions_path=QUESTIONS,
        previous_responses_path=previous,
        previous_frame_path=FILES / "frame.csv",
    )

    frame = read_frame(FILES / "frame.csv")
    questions = read_questions(QUESTIONS)
    options = Options(class_order=frame.class_order)
    expected = estimate_edition(
        frame.frame,
        pl.read_csv(previous, schema_overrides={"refnis": pl.String}, infer_schema=False),
        frame.frame,
        pl.read_csv(FILES / "responses.csv", infer_schema=False),
        questions,
        options,
    )
    trends = pl.read_csv(tmp_path / "results-trends.csv", infer_schema=False)
    assert summary.trends_path == tmp_path / "results-trends.csv"
    assert list(trends.columns) == TREND_COLUMNS
    assert trends.height == summary.trends == expected.trends.height
    assert trends["difference"].cast(pl.Float64).to_list() == pytest.approx(
        expected.trends["difference"].to_list()
    )


def test_parquet_results_and_trends_by_extension(tmp_path):
    out = tmp_path / "results.parquet"
    trends_out = tmp_path / "t.parquet"

    run_estimate(
        FILES / "frame.csv",
        FILES / "responses.csv",
        out,
        questions_path=QUESTIONS,
        previous_responses_path=FILES / "responses.csv",
        trends_out_path=trends_out,
    )

    assert pl.read_parquet(out).columns == RESULT_COLUMNS
    assert pl.read_parquet(trends_out).columns == TREND_COLUMNS
    assert sorted(p.name for p in tmp_path.iterdir()) == ["results.parquet", "t.parquet"]


def test_previous_frame_needs_previous_responses(tmp_path):
    assert problems_of(tmp_path, "frame.csv", previous_frame_path=FILES / "frame.csv") == [
        "--previous-frame and --trends-out need --previous-responses"
    ]


def test_instrument_gives_the_types(tmp_path):
    out = tmp_path / "results.csv"
    responses = tmp_path / "responses.csv"
    responses.write_text(
        "refnis,question,value\n92094,confidence,4\n92003,confidence,9\n", encoding="utf-8"
    )

    with pytest.raises(FileProblems) as caught:
        run_estimate(FILES / "frame.csv", responses, out, instrument_path=TINY)

    assert caught.value.problems == [
        "responses.csv line 3, column value: 9 is outside 1–5 for confidence"
    ]
