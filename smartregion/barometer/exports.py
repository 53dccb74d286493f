"""CSV files of a wave for staff: respondent links, non-respondents.

Every cell goes through `core.spreadsheet` (the one place every export does): a value a spreadsheet
would read as a formula (starting with =, +, -, @, a tab or a carriage return) is prefixed with a
quote, as OWASP advises against CSV injection. Files start with a byte-order mark so Excel reads
them as UTF-8.
"""

from __future__ import annotations

import io
from collections.abc import Callable, Iterable

from smartregion.core.spreadsheet import csv_writer

from .models import Wave, WaveMember
from .queries import Progress


def csv_text(header: list[str], rows: Iterable[list[object]]) -> str:
    out = io.StringIO()
    writer = csv_writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
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
