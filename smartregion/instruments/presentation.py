"""How instruments are laid out for people, shared by every app that shows a questionnaire.
Pure: no Django."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from .definition import Instrument


def missing_by_section(
    instrument: Instrument, missing: Iterable[str], language: str
) -> list[dict[str, Any]]:
    """Unanswered questions grouped by section, numbered as on the section pages (2.3)."""
    wanted = set(missing)
    groups = []
    for index, section in enumerate(instrument.sections, start=1):
        questions = [
            {"code": q.code, "number": f"{index}.{i}", "text": Instrument.text(q, language)}
            for i, q in enumerate(section.questions, start=1)
            if q.code in wanted
        ]
        if questions:
            title = Instrument.text(section, language)
            groups.append({"code": section.code, "title": title, "questions": questions})
    return groups
