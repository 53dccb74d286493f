"""Readers of the CSV files of `smartregion observatory estimate`, with line-level errors.

No Django. Every problem found is collected (up to ``MAX_PROBLEMS``) as
``FILE line N, column C: reason`` and raised together as ``FileProblems``, so a researcher fixes a
file in one pass. Files are UTF-8 (a BOM is fine) unless another encoding is given; the delimiter
is a comma, or a semicolon when the header has semicolons and no comma (spreadsheet exports).
"""

from __future__ import annotations

import csv
import io
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from .statistics import NON_SUBSTANTIVE, NUMERIC_TYPES, QUESTION_TYPES, Question

MAX_PROBLEMS = 200
CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_.-]*$")
QUESTION_TYPE_ALIASES = {
    "single": "single_choice",
    "multiple": "multiple_choice",
    "numeric": "number",
}


@dataclass(frozen=True)
class PopulationBand:
    code: str
    minimum: int
    maximum: int | None  # exclusive; None for the top class


DEFAULT_BANDS = (
    PopulationBand("lt5k", 0, 5_000),
    PopulationBand("5k-10k", 5_000, 10_000),
    PopulationBand("10k-20k", 10_000, 20_000),
    PopulationBand("20k-50k", 20_000, 50_000),
    PopulationBand("ge50k", 50_000, None),
)


LINE = re.compile(r" line (\d+)")


class FileProblems(Exception):
    """Everything wrong with the input files, one line per problem, in line order per file."""

    def __init__(self, problems: list[str]) -> None:
        super().__init__(problems)
        self.problems = sorted(problems, key=_line_of)

    def message(self) -> str:
        shown = self.problems[:MAX_PROBLEMS]
        more = len(self.problems) - len(shown)
        tail = [f"… and {more} more problems"] if more > 0 else []
        return "\n".join([*shown, *tail])


def _line_of(problem: str) -> tuple[str, int]:
    found = LINE.search(problem)
    if found is None:
        return (problem.split(" ", 1)[0], 0)
    return (problem[: found.start()], int(found.group(1)))


@dataclass(frozen=True)
class FrameFile:
    frame: pl.DataFrame  # refnis, province, population_class, population (nullable)
    class_order: tuple[str, ...]


@dataclass(frozen=True)
class _Table:
    name: str
    header: list[str]
    rows: list[tuple[int, dict[str, str]]]


def _read_table(
    path: Path, encoding: str, required: list[str], problems: list[str]
) -> _Table | None:
    """Header and rows (with their line numbers) of a CSV file, or None after a fatal problem."""
    name = path.name
    try:
        raw = path.read_bytes()
    except OSError as error:
        problems.append(f"{name}: cannot read the file ({error.strerror})")
        return None
    if not raw.strip():
        problems.append(f"{name} line 1: empty file, expected a header line")
        return None
    codec = "utf-8-sig" if encoding.lower().replace("_", "-") in ("utf-8", "utf8") else encoding
    try:
        text = raw.decode(codec)
    except UnicodeDecodeError as error:
        line = raw.count(b"\n", 0, error.start) + 1
        column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
        problems.append(
            f"{name} line {line}, column {column}: not {encoding} text "
            f"(byte 0x{raw[error.start]:02x}); save the file as UTF-8 or give its --encoding"
        )
        return None
    except LookupError:
        problems.append(f"{name}: unknown encoding {encoding!r}")
        return None
    first_line = text.split("\n", 1)[0]
    delimiter = ";" if ";" in first_line and "," not in first_line else ","
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    header = [column.strip().lower() for column in next(reader)]
    missing = [column for column in required if column not in header]
    if missing:
        problems.append(
            f"{name} line 1: missing column(s) {', '.join(missing)} "
            f"(found: {', '.join(header) or 'nothing'})"
        )
        return None
    rows = []
    for fields in reader:
        line = reader.line_num
        if not any(field.strip() for field in fields):
            continue
        if len(fields) != len(header):
            problems.append(
                f"{name} line {line}: {len(fields)} fields, the header has {len(header)}"
            )
            continue
        rows.append((line, {k: v.strip() for k, v in zip(header, fields, strict=True)}))
    if not rows:
        problems.append(f"{name} line 2: no data after the header")
    return _Table(name, header, rows)


def _band_of(population: int, bands: tuple[PopulationBand, ...]) -> str:
    for band in bands:
        if population >= band.minimum and (band.maximum is None or population < band.maximum):
            return band.code
    raise ValueError(f"no population class for {population}")


def _whole_number(text: str) -> int | None:
    cleaned = text.replace(" ", "").replace("\u202f", "").replace("\u00a0", "")
    return int(cleaned) if cleaned.isdigit() else None


def read_frame(
    path: Path, *, encoding: str = "utf-8", bands: tuple[PopulationBand, ...] = DEFAULT_BANDS
) -> FrameFile:
    """The population of communes: refnis, province and population (the class is derived from
    ``bands``) and/or population_class."""
    problems: list[str] = []
    table = _read_table(path, encoding, ["refnis", "province"], problems)
    if table is not None and not {"population", "population_class"} & set(table.header):
        problems.append(f"{table.name} line 1: missing column population (or population_class)")
    if table is None or problems:
        raise FileProblems(problems)
    seen: dict[str, int] = {}
    records = []
    for line, row in table.rows:
        where = f"{table.name} line {line}"
        refnis, province = row["refnis"], row["province"]
        if not CODE.match(refnis):
            problems.append(f"{where}, column refnis: not a commune code: {refnis!r}")
        elif refnis in seen:
            problems.append(f"{where}, column refnis: {refnis} already on line {seen[refnis]}")
        else:
            seen[refnis] = line
        if not province:
            problems.append(f"{where}, column province: empty")
        population = None
        if row.get("population", ""):
            population = _whole_number(row["population"])
            if population is None:
                problems.append(
                    f"{where}, column population: not a whole number: {row['population']!r}"
                )
        population_class = row.get("population_class", "")
        if not population_class and population is not None:
            population_class = _band_of(population, bands)
        if not population_class and "population" in table.header and row.get("population"):
            continue  # population already reported
        if not population_class:
            problems.append(f"{where}, column population: empty, and no population_class")
        records.append((refnis, province, population_class, population))
    if problems:
        raise FileProblems(problems)
    frame = pl.DataFrame(
        records,
        schema={
            "refnis": pl.String,
            "province": pl.String,
            "population_class": pl.String,
            "population": pl.Int64,
        },
        orient="row",
    )
    return FrameFile(frame, _class_order(frame, bands))


def _class_order(frame: pl.DataFrame, bands: tuple[PopulationBand, ...]) -> tuple[str, ...]:
    """Known bands in their order, then other classes by their smallest population (or name)."""
    present = set(frame.get_column("population_class").to_list())
    known = [band.code for band in bands if band.code in present]
    others = (
        frame.filter(~pl.col("population_class").is_in(known))
        .group_by("population_class")
        .agg(pl.col("population").min())
        .sort("population", "population_class", nulls_last=True)
        .get_column("population_class")
        .to_list()
    )
    return (*known, *others)


def read_questions(path: Path, *, encoding: str = "utf-8") -> dict[str, Question]:
    """question, type (single_choice, yes_no, multiple_choice, number, scale) and optionally
    categories, separated by ``|`` in display order."""
    problems: list[str] = []
    table = _read_table(path, encoding, ["question", "type"], problems)
    if table is None:
        raise FileProblems(problems)
    questions: dict[str, Question] = {}
    lines: dict[str, int] = {}
    for line, row in table.rows:
        where = f"{table.name} line {line}"
        code = row["question"]
        kind = QUESTION_TYPE_ALIASES.get(row["type"].lower(), row["type"].lower())
        if not code:
            problems.append(f"{where}, column question: empty")
        elif code in lines:
            problems.append(f"{where}, column question: {code} already on line {lines[code]}")
        if kind not in QUESTION_TYPES:
            problems.append(
                f"{where}, column type: {row['type']!r} is not one of {', '.join(QUESTION_TYPES)}"
            )
        categories = tuple(c.strip() for c in row.get("categories", "").split("|") if c.strip())
        if code and code not in lines:
            lines[code] = line
            questions[code] = Question(code, kind, categories)
    if problems:
        raise FileProblems(problems)
    return questions


def read_responses(
    path: Path,
    frame: FrameFile,
    *,
    frame_name: str = "the frame",
    encoding: str = "utf-8",
    questions: Mapping[str, Question] | None = None,
    non_substantive: tuple[str, ...] = NON_SUBSTANTIVE,
) -> pl.DataFrame:
    """Long-format answers: refnis, question, value (one row per selected option)."""
    problems: list[str] = []
    table = _read_table(path, encoding, ["refnis", "question", "value"], problems)
    if table is None:
        raise FileProblems(problems)
    communes = set(frame.frame.get_column("refnis").to_list())
    seen_rows: dict[tuple[str, str, str], int] = {}
    first_answer: dict[tuple[str, str], int] = {}
    records = []
    for line, row in table.rows:
        where = f"{table.name} line {line}"
        refnis, code, value = row["refnis"], row["question"], row["value"]
        found = _response_problems(where, refnis, code, value, communes, frame_name)
        question = questions.get(code) if questions is not None else None
        if questions is not None and code and question is None:
            found.append(f"{where}, column question: {code} is not in the questions file")
        if question is not None and value:
            found += _value_problems(where, question, value, non_substantive)
        key = (refnis, code, value)
        if key in seen_rows:
            found.append(f"{where}: the same answer as line {seen_rows[key]}")
        elif question is not None and question.type != "multiple_choice":
            if (refnis, code) in first_answer:
                found.append(
                    f"{where}, column value: a second answer of {refnis} to {code} (first on "
                    f"line {first_answer[refnis, code]}); only multiple_choice takes several"
                )
            first_answer.setdefault((refnis, code), line)
        seen_rows.setdefault(key, line)
        problems += found
        records.append(key)
    if problems:
        raise FileProblems(problems)
    return pl.DataFrame(
        records,
        schema={"refnis": pl.String, "question": pl.String, "value": pl.String},
        orient="row",
    )


def _response_problems(
    where: str, refnis: str, code: str, value: str, communes: set[str], frame_name: str
) -> list[str]:
    found = []
    if not refnis:
        found.append(f"{where}, column refnis: empty")
    elif refnis not in communes:
        found.append(f"{where}, column refnis: unknown commune {refnis}, not in {frame_name}")
    if not code:
        found.append(f"{where}, column question: empty")
    if not value:
        found.append(f"{where}, column value: empty (leave out unanswered questions)")
    return found


def _value_problems(
    where: str, question: Question, value: str, non_substantive: tuple[str, ...]
) -> list[str]:
    if value in non_substantive:
        return []
    if question.type in NUMERIC_TYPES:
        try:
            number = float(value)
        except ValueError:
            number = math.nan
        if not math.isfinite(number):
            return [f"{where}, column value: {question.code} takes a number, not {value!r}"]
        return []
    if question.categories and value not in question.categories:
        allowed = ", ".join(question.categories)
        return [
            f"{where}, column value: {value!r} is not a category of {question.code} ({allowed})"
        ]
    return []
