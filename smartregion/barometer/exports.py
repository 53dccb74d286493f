"""CSV files of a wave for staff: respondent links, non-respondents.

Every cell goes through `safe_cell`: a value a spreadsheet would read as a formula (starting with
=, +, -, @, a tab or a carriage return) is prefixed with a quote, as OWASP advises against CSV
injection. Files start with a byte-order mark so Excel reads them as UTF-8.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Callable, Iterable

from .models import Wave, WaveMember
from .queries import Progress

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: object) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def csv_text(header: list[str], rows: Iterable[list[object]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow([safe_cell(cell) for cell in header])
    writer.writerows([safe_cell(cell) for cell in row] for row in rows)
    return "\ufeff" + out.getvalue()


LINKS_HEADER = ["refnis", "commune", "email", "progress", "link"]


def links_csv(
    wave: Wave,
    rows: list[tuple[WaveMember, Progress]],
    tokens: dict[int, str],
    link_for: Callable[[str], str],
) -> str:
    return csv_text(
        LINKS_HEADER,
        (
            [
                member.municipality.refnis,
                member.municipality.name_fr,
                member.email,
                progress.value,
                link_for(tokens[member.pk]),
            ]
            for member, progress in rows
        ),
    )
