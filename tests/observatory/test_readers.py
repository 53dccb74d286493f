"""The observatory's readers: exact line numbers (blank lines, CRLF, quoted fields), Parquet,
bounds of scales, the cap on listed problems, inferred types and the instrument's questions."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from smartregion.instruments.definition import load_file, parse
from smartregion.observatory.frames import (
    MAX_PROBLEMS,
    FileProblems,
    inferred_types,
    questions_from_instrument,
    read_frame,
    read_instrument,
    read_questions,
    read_responses,
)
from smartregion.observatory.services import engine_questions
from smartregion.observatory.statistics import Options, Question, estimate

FILES = Path(__file__).parent / "files"
ROOT = Path(__file__).resolve().parents[2]
TINY = ROOT / "tests" / "instruments" / "files" / "tiny.yaml"
SCALE = {"progress": Question("progress", "scale", (), 0.0, 10.0)}


def write(tmp_path: Path, name: str, text: str, encoding: str = "utf-8") -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def problems(read, *args, **kwargs) -> list[str]:
    with pytest.raises(FileProblems) as caught:
        read(*args, **kwargs)
    return caught.value.problems


def test_line_numbers_count_blank_lines_and_crlf(tmp_path):
    path = write(
        tmp_path,
        "r.csv",
        "refnis,question,value\r\n\r\n92094,progress,7\r\n   \r\n,,\r\n92003,progress,42\r\n",
    )
    frame = read_frame(FILES / "frame.csv")

    found = problems(read_responses, path, frame, questions=SCALE)

    assert found == ["r.csv line 6, column value: 42 is outside 0–10 for progress"]


def test_quoted_fields_keep_their_delimiters_and_line(tmp_path):
    path = write(
        tmp_path,
        "f.csv",
        'refnis,province,population\n92094,"Liège, province",113000\n"92003",90000,"15 000"\n'
        '92006,"a ""quoted"" name",x\n',
    )

    found = problems(read_frame, path)

    assert found == ["f.csv line 4, column population: not a whole number: 'x'"]


def test_quoted_fields_are_unquoted(tmp_path):
    path = write(
        tmp_path,
        "f.csv",
        'refnis,province,population\n92094,"Liège, province",113000\n"92003",90000,"15 000"\n',
    )

    frame = read_frame(path).frame

    assert frame.rows() == [
        ("92094", "Liège, province", "ge50k", 113000),
        ("92003", "90000", "10k-20k", 15000),
    ]


def test_bom_and_semicolons(tmp_path):
    path = write(tmp_path, "f.csv", "\ufeffRefnis;Province;Population\n92094;90000;113000\n")

    assert read_frame(path).frame["refnis"].to_list() == ["92094"]


def test_responses_in_another_encoding(tmp_path):
    path = write(tmp_path, "r.csv", "refnis,question,value\n92094,town,Liège\n", "latin-1")
    frame = read_frame(FILES / "frame.csv")

    responses = read_responses(path, frame, encoding="latin-1")

    assert responses.rows() == [("92094", "town", "Liège")]


def test_unknown_encoding_is_reported(tmp_path):
    assert problems(read_frame, FILES / "frame.csv", encoding="klingon") == [
        "frame.csv: unknown encoding 'klingon'"
    ]


def test_parquet_input_numbers_rows_from_one(tmp_path):
    path = tmp_path / "r.parquet"
    pl.DataFrame(
        {"refnis": ["92094", "92003"], "question": ["progress"] * 2, "value": ["7", "11"]}
    ).write_parquet(path)
    frame = read_frame(FILES / "frame.csv")

    found = problems(read_responses, path, frame, questions=SCALE)

    assert found == ["r.parquet row 2, column value: 11 is outside 0–10 for progress"]


def test_parquet_frame_with_integer_population(tmp_path):
    path = tmp_path / "f.parquet"
    pl.DataFrame(
        {"refnis": ["92094", "92003"], "province": ["90000"] * 2, "population": [113000, 4000]}
    ).write_parquet(path)

    frame = read_frame(path)

    assert frame.frame["population_class"].to_list() == ["ge50k", "lt5k"]


def test_at_most_max_problems_are_listed_in_line_order(tmp_path):
    rows = "".join(f"{90000 + i},strategy,maybe\n" for i in range(MAX_PROBLEMS + 50))
    path = write(tmp_path, "r.csv", "refnis,question,value\n" + rows)
    frame = read_frame(FILES / "frame.csv")

    with pytest.raises(FileProblems) as caught:
        read_responses(path, frame, questions=read_questions(FILES / "questions.csv"))

    message = caught.value.message().splitlines()
    assert len(message) == MAX_PROBLEMS + 1
    assert message[0] == "r.csv line 2, column refnis: unknown commune 90000, not in the frame"
    assert message[1] == (
        "r.csv line 2, column value: 'maybe' is not a category of strategy (yes, no, dont_know)"
    )
    assert message[-1] == f"… and {2 * (MAX_PROBLEMS + 50) - MAX_PROBLEMS} more problems"


def test_questions_file_bounds(tmp_path):
    path = write(
        tmp_path,
        "q.csv",
        "question,type,categories,min,max\nq1,scale,,,\nq2,number,,0,\nq3,yes_no,,0,1\n"
        "q4,scale,,10,0\nq5,scale,,zero,10\n",
    )

    assert problems(read_questions, path) == [
        "q.csv line 2, column min: a scale needs its min and max",
        "q.csv line 4, column min: only a scale or a number takes min and max",
        "q.csv line 5, column max: 0 is below the min 10",
        "q.csv line 6, column min: not a number: 'zero'",
    ]


def test_number_bounds_may_be_one_sided(tmp_path):
    questions = read_questions(write(tmp_path, "q.csv", "question,type,min,max\nfte,number,0,\n"))
    path = write(tmp_path, "r.csv", "refnis,question,value\n92094,fte,-1\n92003,fte,1e9\n")

    found = problems(read_responses, path, read_frame(FILES / "frame.csv"), questions=questions)

    assert questions["fte"] == Question("fte", "number", (), 0.0, None)
    assert found == ["r.csv line 2, column value: -1 is outside 0–∞ for fte"]


def test_engine_refuses_answers_outside_the_bounds():
    frame = read_frame(FILES / "frame.csv")
    responses = pl.DataFrame(
        {"refnis": ["92094", "92003"], "question": ["progress"] * 2, "value": ["7", "12"]}
    )

    with pytest.raises(ValueError, match=r"outside the bounds.*\('progress', '92003', '12'\)"):
        estimate(frame.frame, responses, SCALE, Options(class_order=frame.class_order))


def test_inferred_types_name_the_values_that_decided_them(tmp_path):
    path = write(
        tmp_path,
        "r.csv",
        "refnis,question,value\n92094,q07,3\n92003,q07,abc\n92006,q07,5\n"
        "92094,q12,a\n92094,q12,b\n92003,q12,a\n92094,q13,4\n92003,q13,dont_know\n",
    )
    responses = read_responses(path, read_frame(FILES / "frame.csv"), keep_lines=True)

    questions, notes = inferred_types(responses)

    assert [q.type for q in questions.values()] == ["single_choice", "multiple_choice", "number"]
    assert notes == [
        "q07: single_choice",
        "q07: 'abc' on line 3 made it single_choice instead of number",
        "q12: multiple_choice",
        "q12: 2 answers of 92094 (lines 5, 6) made it multiple_choice",
        "q13: number",
    ]


def test_instrument_questions_carry_types_categories_and_bounds():
    questions = read_instrument(TINY)

    secret = {"confidential": True}  # no answer of tiny.yaml is public
    assert questions == {
        "strategy": Question(
            "strategy", "single_choice", ("none", "draft", "adopted", "dont_know"), **secret
        ),
        "adopted_by_council": Question(
            "adopted_by_council",
            "yes_no",
            ("yes", "no", "dont_know", "not_applicable"),
            **secret,
        ),
        "tools": Question(
            "tools", "multiple_choice", ("portal", "api", "gis", "nothing", "dont_know"), **secret
        ),
        "confidence": Question("confidence", "scale", (), 1.0, 5.0, **secret),
        "fte": Question("fte", "number", (), 0.0, 50.0, **secret),
        "practices.backup": Question("practices.backup", "scale", (), 0.0, 4.0, **secret),
        "practices.mfa": Question("practices.mfa", "scale", (), 0.0, 4.0, **secret),
    }


def test_services_use_the_same_mapping():
    instrument = parse(load_file(TINY))

    assert engine_questions(instrument) == questions_from_instrument(instrument)


def test_broken_instrument_is_reported():
    found = problems(read_instrument, ROOT / "tests" / "instruments" / "files" / "broken.yaml")

    assert len(found) == 8
    assert found[:2] == [
        "broken.yaml: title.en: English text is required",
        "broken.yaml: dimensions[0].weight: weight must be greater than 0, got 0",
    ]
