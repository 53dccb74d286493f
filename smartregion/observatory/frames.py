"""Readers of the input files of `smartregion observatory estimate`, with line-level errors.

No Django. Every problem found is collected as ``FILE line N, column C: reason`` and raised
together as ``FileProblems`` (at most ``MAX_PROBLEMS`` listed, in line order, with the count of the
others), so a researcher fixes a file in one pass.

CSV files are UTF-8 (a BOM is fine) unless another encoding is given; the delimiter is a comma, or
a semicolon when the header has semicolons and no comma (spreadsheet exports). A ``.parquet`` file
is read as a table whose rows are numbered from 1 ("row N" in messages).

Vectorised: Polars reads each physical line of a CSV file as one string (so a line number is the
row's index, blank lines included), splits the fields (quoted fields too, when they stay on one
line) and checks every rule as a Polars expression; no Python runs per row. A non-UTF-8 file is
decoded once and handed to Polars as UTF-8 bytes.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from .statistics import (
    MULTIPLE_CHOICE,
    NON_SUBSTANTIVE,
    NUMBER,
    NUMERIC_TYPES,
    QUESTION_TYPES,
    SCALE,
    SINGLE_CHOICE,
    Question,
    infer_questions,
)

MAX_PROBLEMS = 200
CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z_.-]*$")
QUESTION_TYPE_ALIASES = {
    "single": "single_choice",
    "multiple": "multiple_choice",
    "numeric": "number",
}
ONE_FIELD = "\x1f"  # the ASCII unit separator: absent from CSV text, so a line is one field
LINE = re.compile(r" (?:line|row) (\d+)")


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


class Problems(list):
    """Problem lines of one or more files, with the count of those left out of the list."""

    omitted: int = 0


class FileProblems(Exception):
    """Everything wrong with the input files, one line per problem, in line order per file."""

    def __init__(self, problems: list[str], omitted: int = 0) -> None:
        super().__init__(problems)
        self.problems = sorted(problems, key=_line_of)
        self.omitted = omitted + getattr(problems, "omitted", 0)

    def message(self) -> str:
        shown = self.problems[:MAX_PROBLEMS]
        more = len(self.problems) - len(shown) + self.omitted
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
    rows: pl.DataFrame  # line, then one stripped String column per header name
    unit: str = "line"  # "row" for Parquet

    def where(self) -> pl.Expr:
        return pl.format(f"{self.name} {self.unit} {{}}", "line")


# ---------------------------------------------------------------------------------------------
# Tables


def _read_table(
    path: Path, encoding: str, required: list[str], problems: Problems
) -> _Table | None:
    """Header and rows (with their line numbers) of a CSV or Parquet file, or None after a fatal
    problem."""
    if path.suffix.lower() == ".parquet":
        table = _parquet_table(path, problems)
    else:
        table = _csv_table(path, encoding, problems)
    if table is None:
        return None
    missing = [column for column in required if column not in table.header]
    if missing:
        problems.append(
            f"{table.name} line 1: missing column(s) {', '.join(missing)} "
            f"(found: {', '.join(table.header) or 'nothing'})"
        )
        return None
    if table.rows.height == 0:
        first = "line 2" if table.unit == "line" else "row 1"
        problems.append(f"{table.name} {first}: no data after the header")
    return table


def _parquet_table(path: Path, problems: Problems) -> _Table | None:
    try:
        data = pl.read_parquet(path)
    except (OSError, pl.exceptions.PolarsError) as error:
        problems.append(f"{path.name}: cannot read the Parquet file ({error})")
        return None
    header = [str(column).strip().lower() for column in data.columns]
    rows = data.select(
        pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("line"),
        *[
            pl.col(old).cast(pl.String).fill_null("").str.strip_chars().alias(new)
            for old, new in zip(data.columns, header, strict=True)
        ],
    )
    return _Table(path.name, header, rows, unit="row")


def _csv_table(path: Path, encoding: str, problems: Problems) -> _Table | None:
    lines = _lines(path, encoding, problems)
    if lines is None:
        return None
    name = path.name
    text = pl.col("text")
    if lines.filter(text.str.strip_chars() != "").height == 0:
        problems.append(f"{name} line 1: empty file, expected a header line")
        return None
    first = lines.get_column("text")[0] or ""
    delimiter = ";" if ";" in first and "," not in first else ","
    header = [c.strip().lower() for c in next(csv.reader([first], delimiter=delimiter), [])]
    body = lines.filter(pl.col("line") > 1, text.str.contains(f'[^\\s{re.escape(delimiter)}"]'))
    body = _split_fields(body, delimiter).with_columns(_count=pl.col("_fields").list.len())
    wrong = body.filter(pl.col("_count") != len(header))
    _add(
        problems,
        wrong.lazy().select(
            "line",
            message=pl.format(
                f"{name} line {{}}: {{}} fields, the header has {len(header)}", "line", "_count"
            ),
        ),
    )
    position = {column: i for i, column in enumerate(header)}  # a repeated name: the last one
    rows = body.filter(pl.col("_count") == len(header)).select(
        "line",
        *[
            pl.col("_fields").list.get(i).str.strip_chars().alias(column)
            for column, i in position.items()
        ],
    )
    return _Table(name, header, rows)


def _lines(path: Path, encoding: str, problems: Problems) -> pl.DataFrame | None:
    """line (from 1), text (null for an empty line) of every physical line of a text file."""
    name = path.name
    utf8 = encoding.lower().replace("_", "-") in ("utf-8", "utf8")
    try:
        if path.stat().st_size == 0:
            return pl.DataFrame(
                {"line": [1], "text": [None]}, schema={"line": pl.Int64, "text": pl.String}
            )
        source: Path | io.BytesIO = path
        if not utf8:
            raw = path.read_bytes()
            source = io.BytesIO(raw.decode(encoding).encode("utf-8"))
        return _scan_lines(source)
    except OSError as error:
        problems.append(f"{name}: cannot read the file ({error.strerror})")
    except LookupError:
        problems.append(f"{name}: unknown encoding {encoding!r}")
    except UnicodeDecodeError as error:
        problems.append(_undecodable(name, raw, error, encoding))
    except pl.exceptions.ComputeError:
        raw = path.read_bytes()
        try:
            raw.decode("utf-8-sig")
        except UnicodeDecodeError as error:
            problems.append(_undecodable(name, raw, error, encoding))
        else:
            raise
    return None


def _scan_lines(source: Path | io.BytesIO) -> pl.DataFrame:
    return (
        pl.scan_csv(
            source,
            has_header=False,
            separator=ONE_FIELD,
            quote_char=None,
            schema={"text": pl.String},
        )
        .with_row_index("line", offset=1)
        .with_columns(pl.col("line").cast(pl.Int64))
        .collect()
    )


def _undecodable(name: str, raw: bytes, error: UnicodeDecodeError, encoding: str) -> str:
    line = raw.count(b"\n", 0, error.start) + 1
    column = error.start - (raw.rfind(b"\n", 0, error.start) + 1) + 1
    return (
        f"{name} line {line}, column {column}: not {encoding} text "
        f"(byte 0x{raw[error.start]:02x}); save the file as UTF-8 or give its --encoding"
    )


def _split_fields(body: pl.DataFrame, delimiter: str) -> pl.DataFrame:
    """``_fields``: the list of fields of each line. Lines without a quote are split on the
    delimiter; the others are parsed as CSV (a quoted field may hold the delimiter and ``""``)."""
    text = pl.col("text")
    quoted = text.str.contains('"', literal=True)
    plain = body.filter(~quoted).with_columns(_fields=text.str.split(delimiter))
    rest = body.filter(quoted)
    if rest.height == 0:
        return plain
    d = re.escape(delimiter)
    field = pl.element()
    unquoted = (
        pl.when(field.str.starts_with('"') & field.str.ends_with('"') & (field.str.len_chars() > 1))
        .then(
            field.str.slice(1, field.str.len_chars() - 2).str.replace_all('""', '"', literal=True)
        )
        .otherwise(field)
    )
    parsed = rest.with_columns(
        _fields=(pl.lit(delimiter) + text)
        .str.extract_all(f'{d}("(?:[^"]|"")*"|[^{d}]*)')
        .list.eval(field.str.slice(1))
        .list.eval(unquoted)
    )
    return pl.concat([plain, parsed]).sort("line")


def _add(problems: Problems, found: pl.LazyFrame) -> None:
    """The first MAX_PROBLEMS messages of ``found`` (line, message[, _order]) in line order;
    the count of the others in ``problems.omitted``."""
    columns = found.collect_schema().names()
    ordered = found.sort(["line", "_order"] if "_order" in columns else ["line"]).collect()
    if ordered.height:
        problems += ordered.head(MAX_PROBLEMS).get_column("message").to_list()
        problems.omitted += max(0, ordered.height - MAX_PROBLEMS)


def _checks(
    table: _Table, rows: pl.DataFrame, checks: list[tuple[pl.Expr, pl.Expr]]
) -> pl.LazyFrame:
    """(line, _order, message) of every failed check; ``checks``: (failed, message) pairs, in the
    order their messages are listed within a line."""
    where = table.where()
    lazy = rows.lazy()
    return pl.concat(
        [
            lazy.filter(failed).select(
                "line", _order=pl.lit(i, pl.Int32), message=pl.concat_str(where, message)
            )
            for i, (failed, message) in enumerate(checks)
        ]
    )


def _quote(column: str) -> pl.Expr:
    """The value as Python's repr shows an ordinary string: 'text'."""
    return pl.format("'{}'", column)


# ---------------------------------------------------------------------------------------------
# Frame


def read_frame(
    path: Path, *, encoding: str = "utf-8", bands: tuple[PopulationBand, ...] = DEFAULT_BANDS
) -> FrameFile:
    """The population of communes: refnis, province and population (the class is derived from
    ``bands``) and/or population_class."""
    problems = Problems()
    table = _read_table(path, encoding, ["refnis", "province"], problems)
    if table is not None and not {"population", "population_class"} & set(table.header):
        problems.append(f"{table.name} line 1: missing column population (or population_class)")
    if table is None or problems:
        raise FileProblems(problems)
    rows = _frame_rows(table, bands)
    _add(problems, _checks(table, rows, _frame_checks()))
    if problems:
        raise FileProblems(problems)
    frame = rows.select(
        "refnis", "province", "population_class", population=pl.col("_population")
    ).with_columns(pl.col("population_class").cast(pl.String))
    return FrameFile(frame, _class_order(frame, bands))


def _frame_rows(table: _Table, bands: tuple[PopulationBand, ...]) -> pl.DataFrame:
    header = set(table.header)
    text = pl.col("population") if "population" in header else pl.lit("")
    given = pl.col("population_class") if "population_class" in header else pl.lit("")
    cleaned = text.str.replace_all("[ \u202f\u00a0]", "")
    population = pl.when(cleaned.str.contains("^[0-9]+$")).then(
        cleaned.cast(pl.Int64, strict=False)
    )
    rows = table.rows.with_columns(_text=text, _given=given, _population=population)
    band = pl.lit(None, pl.String)
    for b in reversed(bands):
        inside = pl.col("_population") >= b.minimum
        if b.maximum is not None:
            inside &= pl.col("_population") < b.maximum
        band = pl.when(inside).then(pl.lit(b.code)).otherwise(band)
    first = pl.col("line").min().over("refnis")
    return rows.with_columns(
        population_class=pl.when(pl.col("_given") != "").then("_given").otherwise(band),
        _code=pl.col("refnis").str.contains(CODE.pattern),
        _first=first,
    )


def _frame_checks() -> list[tuple[pl.Expr, pl.Expr]]:
    refnis, text = pl.col("refnis"), pl.col("_text")
    return [
        (
            ~pl.col("_code"),
            pl.concat_str(pl.lit(", column refnis: not a commune code: "), _quote("refnis")),
        ),
        (
            pl.col("_code") & (pl.col("line") != pl.col("_first")),
            pl.format(", column refnis: {} already on line {}", refnis, "_first"),
        ),
        (pl.col("province") == "", pl.lit(", column province: empty")),
        (
            (text != "") & pl.col("_population").is_null(),
            pl.concat_str(pl.lit(", column population: not a whole number: "), _quote("_text")),
        ),
        (
            pl.col("population_class").is_null() & (text == ""),
            pl.lit(", column population: empty, and no population_class"),
        ),
        (
            pl.col("population_class").is_null() & pl.col("_population").is_not_null(),
            pl.format(", column population: no population class for {}", "_population"),
        ),
    ]


def _class_order(frame: pl.DataFrame, bands: tuple[PopulationBand, ...]) -> tuple[str, ...]:
    """Known bands in their order, then other classes by their smallest population (or name)."""
    present = set(frame.get_column("population_class").unique().to_list())
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


# ---------------------------------------------------------------------------------------------
# Questions


def read_questions(path: Path, *, encoding: str = "utf-8") -> dict[str, Question]:
    """question, type (single_choice, yes_no, multiple_choice, number, scale), optionally
    categories (separated by ``|``, in display order) and min, max (bounds of a scale, which
    needs both, or of a number)."""
    problems = Problems()
    table = _read_table(path, encoding, ["question", "type"], problems)
    if table is None:
        raise FileProblems(problems)
    questions: dict[str, Question] = {}
    lines: dict[str, int] = {}
    for row in table.rows.iter_rows(named=True):
        where = f"{table.name} {table.unit} {row['line']}"
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
        bounds = _bounds(where, kind, row, problems)
        categories = tuple(c.strip() for c in (row.get("categories") or "").split("|") if c.strip())
        if code and code not in lines:
            lines[code] = row["line"]
            questions[code] = Question(code, kind, categories, *bounds)
    if problems:
        raise FileProblems(problems)
    return questions


def _bounds(
    where: str, kind: str, row: dict[str, str], problems: list[str]
) -> tuple[float | None, float | None]:
    found: list[float | None] = []
    for column in ("min", "max"):
        text = row.get(column) or ""
        try:
            found.append(float(text) if text else None)
        except ValueError:
            problems.append(f"{where}, column {column}: not a number: {text!r}")
            found.append(None)
    minimum, maximum = found
    if kind == SCALE and (minimum is None or maximum is None) and not _bad_bound(row):
        problems.append(f"{where}, column min: a scale needs its min and max")
    elif kind not in NUMERIC_TYPES and (minimum is not None or maximum is not None):
        problems.append(f"{where}, column min: only a scale or a number takes min and max")
    elif minimum is not None and maximum is not None and minimum > maximum:
        problems.append(f"{where}, column max: {row['max']} is below the min {row['min']}")
    return minimum, maximum


def _bad_bound(row: dict[str, str]) -> bool:
    for column in ("min", "max"):
        try:
            float(row.get(column) or "0")
        except ValueError:
            return True
    return False


def questions_from_instrument(instrument) -> dict[str, Question]:  # noqa: ANN001 - Instrument
    """The instrument's estimable questions in the engine's terms, matrix rows expanded (each a
    scale of the matrix's bounds), scales and numbers with the instrument's bounds."""
    found: dict[str, Question] = {}
    for q in instrument.questions:
        specials = tuple(
            code
            for code, allowed in zip(
                NON_SUBSTANTIVE, (q.allow_dont_know, q.allow_not_applicable), strict=True
            )
            if allowed
        )
        secret = not getattr(q, "public", False)  # individual answers not public: confidential
        scale = (q.scale.min, q.scale.max) if q.scale is not None else (None, None)
        if q.type == "matrix":
            for row in q.rows:
                code = f"{q.code}.{row.code}"
                low, high = _floats(scale)
                found[code] = Question(
                    code, SCALE, (), minimum=low, maximum=high, confidential=secret
                )
        elif q.type == SCALE:
            low, high = _floats(scale)
            found[q.code] = Question(
                q.code, SCALE, (), minimum=low, maximum=high, confidential=secret
            )
        elif q.type == NUMBER:
            number = (q.number.min, q.number.max) if q.number is not None else (None, None)
            low, high = _floats(number)
            found[q.code] = Question(
                q.code, NUMBER, (), minimum=low, maximum=high, confidential=secret
            )
        elif q.type in QUESTION_TYPES:
            found[q.code] = Question(
                q.code, q.type, tuple(o.code for o in q.options) + specials, confidential=secret
            )
    return found


def _floats(bounds: tuple[float | None, float | None]) -> tuple[float | None, float | None]:
    return tuple(None if b is None else float(b) for b in bounds)  # type: ignore[return-value]


def read_instrument(path: Path) -> dict[str, Question]:
    """The questions of an instrument definition file (YAML, as the platform loads it)."""
    import yaml

    from smartregion.instruments.definition import load_file, parse, validate

    try:
        raw = load_file(path)
    except OSError as error:
        raise FileProblems([f"{path.name}: cannot read the file ({error.strerror})"]) from error
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark else ""
        raise FileProblems([f"{path.name}{where}: not valid YAML"]) from error
    errors = validate(raw)
    if errors:
        listed = [f"{path.name}: {e.path or 'the file'}: {e.reason}" for e in errors]
        raise FileProblems(listed)
    return questions_from_instrument(parse(raw))


# ---------------------------------------------------------------------------------------------
# Responses


def read_responses(
    path: Path,
    frame: FrameFile,
    *,
    frame_name: str = "the frame",
    encoding: str = "utf-8",
    questions: Mapping[str, Question] | None = None,
    non_substantive: tuple[str, ...] = NON_SUBSTANTIVE,
    keep_lines: bool = False,
) -> pl.DataFrame:
    """Long-format answers: refnis, question, value (one row per selected option), in file order;
    with ``keep_lines`` also their line."""
    problems = Problems()
    table = _read_table(path, encoding, ["refnis", "question", "value"], problems)
    if table is None:
        raise FileProblems(problems)
    rows = _response_rows(table.rows, frame, questions, non_substantive)
    checks = _response_checks(frame_name, None if questions is None else _question_table(questions))
    _add(problems, _checks(table, rows, checks))
    if problems:
        raise FileProblems(problems)
    return rows.select(*(["line"] if keep_lines else []), "refnis", "question", "value")


def _question_table(questions: Mapping[str, Question] | None) -> pl.DataFrame:
    listed = list((questions or {}).values())

    def bound(value: float | None) -> str:
        return "∞" if value is None else f"{value:g}"

    return pl.DataFrame(
        {
            "question": [q.code for q in listed],
            "_type": [q.type for q in listed],
            "_categories": [list(q.categories) for q in listed],
            "_allowed": [", ".join(q.categories) for q in listed],
            "_min": [q.minimum for q in listed],
            "_max": [q.maximum for q in listed],
            "_range": [
                f"{'−' if q.minimum is None else ''}{bound(q.minimum)}–{bound(q.maximum)}"
                for q in listed
            ],
        },
        schema={
            "question": pl.String,
            "_type": pl.Enum(sorted({*QUESTION_TYPES, *(q.type for q in listed)})),
            "_categories": pl.List(pl.String),
            "_allowed": pl.String,
            "_min": pl.Float64,
            "_max": pl.Float64,
            "_range": pl.String,
        },
    )


def _response_rows(
    rows: pl.DataFrame,
    frame: FrameFile,
    questions: Mapping[str, Question] | None,
    non_substantive: tuple[str, ...],
) -> pl.DataFrame:
    """The rows with the flags the checks read. Per-question facts are looked up by code (no
    join of lists); "first on line N" is computed for the few repeated answers only."""
    table = _question_table(questions)
    # The question's type and the number are looked up / parsed once, as columns (the type an
    # Enum): the flags below read those columns instead of repeating the per-row lookups.
    value, kind, number = pl.col("value"), pl.col("_type"), pl.col("_number")
    checked = kind.is_not_null() & (value != "") & ~value.is_in(list(non_substantive))
    numeric = checked & kind.is_in(list(NUMERIC_TYPES))
    listed = table.filter(pl.col("_categories").list.len() > 0).explode("_categories")
    allowed = listed.select("question", value="_categories", _listed=pl.lit(True))
    # The rows come in line order; the left join keeps it (no sort, no second copy).
    rows = rows.join(
        allowed, on=["question", "value"], how="left", maintain_order="left"
    ).with_columns(_type=_lookup(table, "_type"), _number=value.cast(pl.Float64, strict=False))
    rows = rows.with_columns(_repeated(rows))
    rows = rows.with_columns(
        _known=pl.col("refnis").is_in(frame.frame.get_column("refnis").implode()),
        _not_number=numeric & (number.is_null() | ~number.is_finite()),
        _outside=numeric
        & (
            (number < _lookup(table, "_min")).fill_null(False)
            | (number > _lookup(table, "_max")).fill_null(False)
        ),
        _not_category=checked
        & ~kind.is_in(list(NUMERIC_TYPES))
        & pl.col("question").is_in(listed.get_column("question").implode())
        & pl.col("_listed").is_null(),
        _single=kind.is_not_null() & (kind != MULTIPLE_CHOICE) & ~pl.col("_dup"),
    ).drop("_number")
    return _with_first_lines(rows)


def _repeated(
    rows: pl.DataFrame, keys: tuple[str, ...] = ("refnis", "question", "value")
) -> pl.Series:
    """``_dup``: True on a row whose ``keys`` came on an earlier row. Only the rows whose hash of
    the keys repeats can be repeats: the exact test over the strings runs on those alone."""
    key = pl.struct(*keys)
    candidates = rows.select(key.hash().is_duplicated().arg_true()).to_series()
    repeated = pl.Series("_dup", [False], pl.Boolean).new_from_index(0, rows.height)
    if candidates.len():
        later = rows[candidates].select(~key.is_first_distinct()).to_series()
        repeated = repeated.scatter(candidates.filter(later), True)
    return repeated


def _lookup(table: pl.DataFrame, column: str) -> pl.Expr:
    """The question's ``column`` in ``table`` (null for a question not in it)."""
    mapping = dict(zip(table.get_column("question"), table.get_column(column), strict=True))
    dtype = table.schema[column]
    return pl.col("question").replace_strict(mapping, default=None, return_dtype=dtype)


def _with_first_lines(rows: pl.DataFrame) -> pl.DataFrame:
    """_first_same (line of the same answer's first row) on repeated rows, _first_answer (line
    of the commune's first answer) on second answers to single-answer questions."""
    singles = rows.filter("_single").select("line", "refnis", "question")
    second = singles.filter(_repeated(singles, ("refnis", "question")))
    found = []
    for keys, repeated, pool, name in (
        (["refnis", "question", "value"], rows.filter("_dup"), rows, "_first_same"),
        (["refnis", "question"], second, singles, "_first_answer"),
    ):
        if repeated.height == 0:
            continue
        firsts = (
            pool.join(repeated.select(keys).unique(), on=keys, how="semi")
            .group_by(keys)
            .agg(pl.col("line").min().alias(name))
        )
        found.append(repeated.select("line", *keys).join(firsts, on=keys).select("line", name))
    for name in ("_first_same", "_first_answer"):
        rows = rows.with_columns(pl.lit(None, pl.Int64).alias(name))
    for table in found:
        name = table.columns[1]
        rows = rows.drop(name).join(table, on="line", how="left").sort("line")
    return rows


def _response_checks(frame_name: str, table: pl.DataFrame | None) -> list[tuple[pl.Expr, pl.Expr]]:
    refnis, question, value = pl.col("refnis"), pl.col("question"), pl.col("value")
    checks = [
        (refnis == "", pl.lit(", column refnis: empty")),
        (
            (refnis != "") & ~pl.col("_known"),
            pl.format(f", column refnis: unknown commune {{}}, not in {frame_name}", refnis),
        ),
        (question == "", pl.lit(", column question: empty")),
        (value == "", pl.lit(", column value: empty (leave out unanswered questions)")),
    ]
    if table is None:
        return [*checks, _same_answer()]
    return [
        *checks,
        (
            (question != "") & pl.col("_type").is_null(),
            pl.format(", column question: {} is not in the questions file", question),
        ),
        (
            pl.col("_not_number"),
            pl.concat_str(
                pl.format(", column value: {} takes a number, not ", question), _quote("value")
            ),
        ),
        (
            pl.col("_outside"),
            pl.format(
                ", column value: {} is outside {} for {}", value, _lookup(table, "_range"), question
            ),
        ),
        (
            pl.col("_not_category"),
            pl.concat_str(
                pl.lit(", column value: "),
                _quote("value"),
                pl.format(" is not a category of {} ({})", question, _lookup(table, "_allowed")),
            ),
        ),
        _same_answer(),
        (
            pl.col("_first_answer").is_not_null(),
            pl.format(
                ", column value: a second answer of {} to {} (first on line {}); only "
                "multiple_choice takes several",
                refnis,
                question,
                "_first_answer",
            ),
        ),
    ]


def _same_answer() -> tuple[pl.Expr, pl.Expr]:
    return (
        pl.col("_first_same").is_not_null(),
        pl.format(": the same answer as line {}", "_first_same"),
    )


# ---------------------------------------------------------------------------------------------
# Inferring the types (only when asked)


def inferred_types(
    responses: pl.DataFrame,
    *,
    unit: str = "line",
    non_substantive: tuple[str, ...] = NON_SUBSTANTIVE,
) -> tuple[dict[str, Question], list[str]]:
    """The types ``statistics.infer_questions`` gives the answers (line, refnis, question, value)
    and a note for every question: its type, then each value that made it a choice instead of a
    number and each commune whose several answers made it multiple choice (first few)."""
    questions = infer_questions(responses, non_substantive)
    substantive = responses.filter(~pl.col("value").is_in(list(non_substantive)))
    numeric = pl.col("value").cast(pl.Float64, strict=False).is_not_null()
    words = (
        substantive.with_columns(_numeric=numeric)
        .filter(pl.col("_numeric").any().over("question") & ~pl.col("_numeric"))
        .sort("line")
    )
    several = (
        responses.filter(pl.col("refnis").is_duplicated().over("question"))
        .group_by("question", "refnis")
        .agg(pl.col("line").sort(), first=pl.col("line").min())
        .sort("first")
    )
    notes = []
    for code, question in questions.items():
        notes.append(f"{code}: {question.type}")
        if question.type == MULTIPLE_CHOICE:
            notes += _several_notes(code, several.filter(pl.col("question") == code), unit)
        elif question.type == SINGLE_CHOICE:
            notes += _word_notes(code, words.filter(pl.col("question") == code), unit)
    return questions, notes


def _word_notes(code: str, words: pl.DataFrame, unit: str) -> list[str]:
    notes = [
        f"{code}: {value!r} on {unit} {line} made it {SINGLE_CHOICE} instead of {NUMBER}"
        for line, value in words.head(3).select("line", "value").iter_rows()
    ]
    if words.height > 3:
        notes.append(f"{code}: … and {words.height - 3} more values that are not numbers")
    return notes


def _several_notes(code: str, several: pl.DataFrame, unit: str) -> list[str]:
    notes = [
        f"{code}: {len(lines)} answers of {refnis} ({unit}s {', '.join(map(str, lines))}) made it "
        f"{MULTIPLE_CHOICE}"
        for refnis, lines in several.head(3).select("refnis", "line").iter_rows()
    ]
    if several.height > 3:
        notes.append(f"{code}: … and {several.height - 3} more communes with several answers")
    return notes
