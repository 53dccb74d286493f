"""What every importer shares: problems with their place in the file, sources, progress."""

from __future__ import annotations

import shutil
import sys
import tempfile
import urllib.parse
import urllib.request
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from django.utils.translation import gettext as _
from tqdm import tqdm

T = TypeVar("T")

MAX_PROBLEMS_SHOWN = 50
PROGRESS_THRESHOLD = 1000
DOWNLOAD_TIMEOUT_SECONDS = 120


@dataclass(frozen=True)
class Problem:
    """One thing wrong with the input, with where it is (`line 4, column Totaal`)."""

    where: str
    reason: str

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}" if self.where else self.reason


class ImportFailed(Exception):
    """The input cannot be imported; nothing was written. Carries every problem found."""

    def __init__(self, problems: list[Problem]) -> None:
        self.problems = problems
        super().__init__(self.message())

    def message(self, limit: int = MAX_PROBLEMS_SHOWN) -> str:
        """A message listing the problems, capped so a wholly wrong file stays readable."""
        header = _("Nothing was imported: %(count)d problem(s) found.") % {
            "count": len(self.problems)
        }
        lines = [header, *(f"  {problem}" for problem in self.problems[:limit])]
        hidden = len(self.problems) - limit
        if hidden > 0:
            lines.append("  " + _("… and %(count)d more.") % {"count": hidden})
        return "\n".join(lines)


def fail(reason: str, where: str = "") -> ImportFailed:
    """A failure with a single problem, for errors that stop reading the file at once."""
    return ImportFailed([Problem(where, reason)])


def is_url(location: str) -> bool:
    return urllib.parse.urlsplit(location).scheme in ("http", "https")


@contextmanager
def local_copy(location: str) -> Iterator[Path]:
    """The file to read: the path itself, or a temporary download of an http(s) URL.

    Downloading first lets the importers read a URL exactly like a file (sniffing, XLSX zip access)
    and report line numbers of what was actually received.
    """
    if not is_url(location):
        path = Path(location)
        if not path.is_file():
            raise fail(_("File not found: %(path)s") % {"path": location})
        yield path
        return
    suffix = Path(urllib.parse.urlsplit(location).path).suffix
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / f"download{suffix}"
        _download(location, target)
        yield target


def _download(url: str, target: Path) -> None:
    try:
        # The scheme is checked by is_url(): only http and https reach urlopen.
        with (
            urllib.request.urlopen(url, timeout=DOWNLOAD_TIMEOUT_SECONDS) as response,  # noqa: S310
            target.open("wb") as out,
        ):
            shutil.copyfileobj(response, out)
    except OSError as error:  # URLError and HTTPError are OSErrors
        raise fail(
            _("Could not download %(url)s: %(error)s") % {"url": url, "error": error}
        ) from error


def progress(items: Iterable[T], *, total: int, label: str, enabled: bool = True) -> Iterable[T]:
    """A tqdm bar on stderr for long inputs, and only on a terminal (never in tests or logs)."""
    if not enabled or total < PROGRESS_THRESHOLD or not sys.stderr.isatty():
        return items
    return tqdm(items, total=total, desc=label, file=sys.stderr, unit="row", leave=False)


def decode_utf8(data: bytes, encoding: str | None = None) -> str:
    """The text of a file; a byte that is not valid UTF-8 is reported with its line.

    We never guess a legacy encoding: a silent cp1252 guess would store wrong names. The user may
    name one explicitly (`--encoding cp1252`).
    """
    if encoding:
        try:
            return data.decode(encoding).removeprefix("\ufeff")
        except (LookupError, UnicodeDecodeError) as error:
            raise fail(
                _("Cannot read the file as %(encoding)s: %(error)s")
                % {"encoding": encoding, "error": error}
            ) from error
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        reason = _(
            "byte 0x%(byte)02X is not valid UTF-8 (wrong encoding). Re-save the file as UTF-8 "
            "(in Excel: “CSV UTF-8”), or name its encoding, e.g. --encoding cp1252."
        ) % {"byte": data[error.start]}
        raise fail(reason, _("line %(line)d") % {"line": line}) from error
