"""Reading a rendered observatory page as its reader does: visible text, and a captioned table's
cells. Shared by the page, report and methodology tests."""

from __future__ import annotations

import re
from html import unescape


def _plain(html: str) -> str:
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", html))).strip()


def page_text(response) -> str:
    """The page's visible text, tags stripped and spaces collapsed (no-break spaces included)."""
    html = response.content.decode()
    return _plain(re.sub(r"<(script|style|svg)\b.*?</\1>", " ", html, flags=re.S))


def table_cells(response, caption: str) -> list[list[str]]:
    """The rows (header and body) of the table with this caption, as lists of cell texts."""
    html = response.content.decode()
    match = re.search(
        r"<table[^>]*>\s*<caption[^>]*>" + re.escape(caption) + r".*?</table>", html, re.S
    )
    assert match, caption
    rows = re.findall(r"<tr[^>]*>(.*?)</tr>", match.group(0), re.S)
    return [
        [_plain(cell) for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, re.S)]
        for row in rows
    ]
