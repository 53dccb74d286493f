"""Picking a place's name in a language, and folding names for search. Pure: no Django."""

from __future__ import annotations

import json
import unicodedata
from functools import lru_cache
from pathlib import Path

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


def fold(text: str) -> str:
    """Lower case without accents or punctuation differences, for accent-insensitive search.

    'Écaussinnes', 'ecaussinnes' and 'ÉCAUSSINNES' fold alike; apostrophes and hyphens become spaces
    so that 'Braine-l'Alleud' matches 'braine l alleud'.
    """
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(char for char in decomposed if not unicodedata.combining(char))
    spaced = "".join(char if char.isalnum() else " " for char in stripped.casefold())
    return " ".join(spaced.split())


@lru_cache(maxsize=1)
def _other_names() -> dict[str, tuple[str, ...]]:
    data = json.loads(SUPPLEMENT.read_text(encoding="utf-8")).get("other_names", {})
    return {refnis: tuple(names) for refnis, names in data.items()}


def other_names(refnis: str) -> tuple[str, ...]:
    """Exonyms and historical names of a place (`Bergen` for Mons), for search only."""
    return _other_names().get(refnis, ())
