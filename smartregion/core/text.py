"""Text a database cannot store, found wherever it hides in a request's data.

A NUL character is refused by PostgreSQL in text and in JSON (the request would fail with a
server error) while SQLite stores it; a lone surrogate (``\\ud800``, which JSON can carry as an
escape) cannot be encoded in UTF-8, so a page showing it later fails. Both are refused at the
door, with the path of each value that holds one. Pure module: no Django.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterator
from typing import Any

Path = tuple[str | int, ...]


def storable(text: str) -> bool:
    """True when ``text`` has no NUL character and encodes in UTF-8 (no lone surrogate)."""
    if "\x00" in text:
        return False
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def unstorable_paths(value: Any, path: Path = ()) -> Iterator[Path]:
    """The paths of the strings (values or mapping keys) in a JSON-like value that are not
    `storable`: ``("answers", "gov", 1)`` for the second item of the list under answers.gov."""
    if isinstance(value, str):
        if not storable(value):
            yield path
    elif isinstance(value, dict):
        for key, item in value.items():
            name = str(key)
            if not storable(name):
                name = _printable(name)
                yield (*path, name)
            yield from unstorable_paths(item, (*path, name))
    elif isinstance(value, list | tuple):
        for index, item in enumerate(value):
            yield from unstorable_paths(item, (*path, index))


def _printable(text: str) -> str:
    """A key that is itself unstorable, shown with its bad characters escaped."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8").replace("\x00", "\\x00")


def dotted(path: Path) -> str:
    """``("answers", "gov", 1)`` → ``answers.gov[1]``, the form the questionnaire errors use."""
    text = ""
    for part in path:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return text


def fold(text: str) -> str:
    """Lower case without accents or punctuation differences, for accent-insensitive search.

    'Écaussinnes', 'ecaussinnes' and 'ÉCAUSSINNES' fold alike; apostrophes and hyphens become spaces
    so that 'Braine-l'Alleud' matches 'braine l alleud'.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    spaced = "".join(char if char.isalnum() else " " for char in stripped.casefold())
    return " ".join(spaced.split())
