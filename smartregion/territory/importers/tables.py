"""Reading a CSV or XLSX file into rows with their place in the file, whatever the layout."""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from django.utils.translation import gettext as _

from .common import Problem, decode_utf8, fail

HEADER_SEARCH_ROWS = 20
DELIMITERS = (";", ",", "\t", "|")  # Statbel .txt open data uses "|"
XLSX_MAGIC = b"PK\x03\x04"
XLS_MAGIC = b"\xd0\xcf\x11\xe0"


def normalise_header(name: object) -> str:
    """Header names compare case- and spacing-insensitively (`NIS  code` = `nis code`)."""
    return " ".join(str(name or "").split()).casefold()


@dataclass
class Row:
    where: str  # "line 12" or "sheet Data, row 12"
    cells: list[object]


@dataclass
class Table:
    """The header and the data rows of one sheet; the header row is found, not assumed."""

    header_where: str
    headers: list[str]
    rows: list[Row] = field(default_factory=list)
    pads_short_rows: bool = False  # XLSX rows have no "fields": a short row is empty cells


def read_table(path: Path, *, encoding: str | None, is_header: Callable[[list], bool]) -> Table:
    """Read the file (CSV or XLSX, told by its bytes, not its name) into a Table."""
    with path.open("rb") as handle:
        start = handle.read(4)
    if start == XLS_MAGIC:
        raise fail(_("Old Excel .xls files are not supported: save the file as .xlsx or CSV."))
    if start == XLSX_MAGIC:
        return _read_xlsx(path, is_header)
    return _read_csv(path.read_bytes(), encoding, is_header)


def _read_csv(data: bytes, encoding: str | None, is_header: Callable[[list], bool]) -> Table:
    text = decode_utf8(data, encoding)
    if not text.strip():
        raise fail(_("The file is empty."))
    first_line = next(line for line in text.splitlines() if line.strip())
    delimiter = max(DELIMITERS, key=first_line.count)
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)
    rows = []
    try:
        for cells in reader:
            if any(cell.strip() for cell in cells):
                rows.append(Row(_("line %(line)d") % {"line": reader.line_num}, cells))
    except csv.Error as error:
        raise fail(str(error), _("line %(line)d") % {"line": reader.line_num}) from error
    return _split_header(rows, is_header, pads_short_rows=False)


def _read_xlsx(path: Path, is_header: Callable[[list], bool]) -> Table:
    import openpyxl  # only XLSX imports pay for loading openpyxl

    try:
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (zipfile.BadZipFile, OSError, KeyError, ValueError) as error:
        raise fail(_("Not a readable XLSX file: %(error)s") % {"error": error}) from error
    try:
        sheets = [_sheet_rows(sheet) for sheet in workbook.worksheets]
    finally:
        workbook.close()
    if not any(sheets):
        raise fail(_("The file is empty."))
    chosen = next(
        (rows for rows in sheets if any(is_header(r.cells) for r in rows[:HEADER_SEARCH_ROWS])),
        next(rows for rows in sheets if rows),
    )
    return _split_header(chosen, is_header, pads_short_rows=True)


def _sheet_rows(sheet) -> list[Row]:  # noqa: ANN001 - openpyxl's read-only sheet has no public type
    rows = []
    for number, values in enumerate(sheet.iter_rows(values_only=True), start=1):
        cells = list(values)
        while cells and cells[-1] in (None, ""):
            cells.pop()
        if cells:
            where = _("sheet %(sheet)s, row %(row)d") % {"sheet": sheet.title, "row": number}
            rows.append(Row(where, cells))
    return rows


def _split_header(
    rows: list[Row], is_header: Callable[[list], bool], *, pads_short_rows: bool
) -> Table:
    """Statbel sheets may open with title lines: the header is the first row with a code column."""
    index = next((i for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]) if is_header(row.cells)), 0)
    header = rows[index]
    headers = [str(cell if cell is not None else "").strip() for cell in header.cells]
    return Table(header.where, headers, rows[index + 1 :], pads_short_rows)


def find_column(headers: Iterable[str], names: Iterable[str]) -> int | None:
    """The index of the first header equal to one of the accepted names, or None."""
    wanted = set(names)
    return next((i for i, h in enumerate(headers) if normalise_header(h) in wanted), None)


def missing_column(table: Table, what: str, expected: Iterable[str]) -> Problem:
    """A problem naming the columns found and the ones expected, so the fix is obvious."""
    return Problem(
        table.header_where,
        _("missing column for the %(what)s: expected one of %(expected)s; found %(found)s")
        % {
            "what": what,
            "expected": ", ".join(expected),
            "found": ", ".join(h for h in table.headers if h) or _("no column names"),
        },
    )
