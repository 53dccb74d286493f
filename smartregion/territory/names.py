"""Picking a place's name in a language, and folding names for search. Pure: no Django."""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

from smartregion.core.text import fold  # noqa: F401 - where territory code finds it

SUPPLEMENT = Path(__file__).resolve().parent / "data" / "names_supplement.json"

# Official names exist in FR, NL and DE; EN falls back to French, then Dutch.
FALLBACKS: dict[str, tuple[str, ...]] = {
    "fr": ("fr", "nl", "de"),
    "nl": ("nl", "fr", "de"),
    "de": ("de", "fr", "nl"),
    "en": ("en", "fr", "nl", "de"),
}


def pick_name(names: dict[str, str], language: str) -> str:
    """The name in `language`, or the first official name along its fallback chain."""
    for code in FALLBACKS.get(language[:2], FALLBACKS["fr"]):
        if names.get(code):
            return names[code]
    return next((name for name in names.values() if name), "")


@lru_cache(maxsize=1)
def _other_names() -> dict[str, tuple[str, ...]]:
    data = json.loads(SUPPLEMENT.read_text(encoding="utf-8")).get("other_names", {})
    return {refnis: tuple(names) for refnis, names in data.items()}


def other_names(refnis: str) -> tuple[str, ...]:
    """Exonyms and historical names of a place (`Bergen` for Mons), for search only."""
    return _other_names().get(refnis, ())
