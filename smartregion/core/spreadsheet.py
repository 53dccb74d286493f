"""Cells safe to open in a spreadsheet: the one place every CSV and XLSX export goes through.

A spreadsheet evaluates a text cell that starts with ``=``, ``+``, ``-`` or ``@`` as a formula
(and a leading tab or carriage return can hide one), so a project title such as
``=HYPERLINK("http://evil", "click")`` would run in the analyst's Excel. Following the OWASP
CSV-injection guidance, such text gets a leading single quote; genuine numbers (int, float,
Decimal, or text that is exactly a number such as ``-12.5``) stay as they are, so a negative
figure is still a number in the spreadsheet.

Pure module: no Django, no I/O.
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, Protocol

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[-+]?(?:\d+(?:[.,]\d*)?|[.,]\d+)(?:[eE][-+]?\d+)?")


def safe_text(text: str) -> str:
    """``text``, with a leading ``'`` when a spreadsheet would read it as a formula."""
    if text.startswith(FORMULA_STARTS) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def safe_cell(value: Any) -> Any:
    """A cell value for a CSV row or an XLSX sheet: text neutralised, anything else unchanged."""
    if value is None or isinstance(value, int | float | Decimal | dt.date | dt.time):
        return value  # bool is an int; datetime is a date
    return safe_text(str(value))  # also lazy translations and other objects csv would str()


def safe_row(values: Iterable[Any]) -> list[Any]:
    return [safe_cell(value) for value in values]


class _Writable(Protocol):
    def write(self, text: str, /) -> Any: ...


class SafeWriter:
    """`csv.writer` whose rows go through `safe_cell`: use it for every CSV a user downloads."""

    def __init__(self, stream: _Writable, **options: Any) -> None:
        self._writer = csv.writer(stream, **options)

    def writerow(self, values: Iterable[Any]) -> Any:
        return self._writer.writerow(safe_row(values))

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for values in rows:
            self.writerow(values)


def csv_writer(stream: _Writable, **options: Any) -> SafeWriter:
    return SafeWriter(stream, **options)
