"""Builders shared by the instrument tests: a minimal valid raw instrument to break on purpose."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
REAL_INSTRUMENT = ROOT / "instruments" / "smartregion-maturity" / "2026.yaml"
FILES = Path(__file__).resolve().parent / "files"


def texts(label: str) -> dict[str, str]:
    return {"fr": f"{label} (fr)", "en": f"{label} (en)"}


def option(code: str, score: float) -> dict[str, Any]:
    return {"code": code, "score": score, "text": texts(code)}


MINIMAL: dict[str, Any] = {
    "slug": "mini",
    "version": "1",
    "title": texts("Mini"),
    "axes": [{"code": "mobility", "text": texts("Mobility")}],
    "dimensions": [
        {"code": "gov", "text": texts("Gov"), "levels": [texts(f"L{i}") for i in range(1, 6)]},
    ],
    "sections": [
        {
            "code": "s1",
            "text": texts("S1"),
            "questions": [
                {
                    "code": "q1",
                    "type": "single_choice",
                    "dimension": "gov",
                    "text": texts("Q1"),
                    "options": [option("a", 0), option("b", 1)],
                },
                {"code": "q2", "type": "yes_no", "dimension": "gov", "text": texts("Q2")},
            ],
        }
    ],
    "recommendations": [
        {
            "code": "r1",
            "dimension": "gov",
            "priority": 1,
            "title": texts("R1"),
            "text": texts("R1 text"),
            "when": {"dimension": "gov", "level_below": 3},
        }
    ],
}


def minimal() -> dict[str, Any]:
    return copy.deepcopy(MINIMAL)


def question(raw: dict[str, Any], index: int = 0) -> dict[str, Any]:
    return raw["sections"][0]["questions"][index]
