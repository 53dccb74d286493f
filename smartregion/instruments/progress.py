"""How far a questionnaire is filled in: the one definition every page, API and tool uses.

Pure: no Django. The diagnostic's section pages, its autosave endpoint, the commune space, the
JSON API and the barometer's respondent pages all call `answer_progress`, so they cannot disagree.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .definition import Instrument, Question, Section
from .scoring import hidden_questions

Answers = Mapping[str, Any]


def is_answered(question: Question, value: Any) -> bool:
    """Whether a stored value answers the question.

    - Nothing (None), an empty list or a blank text is no answer.
    - "Don't know" and "not applicable" are answers: the respondent chose them.
    - A matrix is answered once every one of its rows holds a value (a special value counts).
    - Any other value is an answer; whether it is valid is `answers.answer_check`'s business.
    """
    if value is None or value == [] or (isinstance(value, str) and not value.strip()):
        return False
    if question.type == "matrix" and isinstance(value, dict):
        return all(value.get(row.code) is not None for row in question.rows)
    return True


@dataclass(frozen=True)
class Progress:
    """Counts over the questions the answers show (hidden questions count nowhere).

    `answered` of `total` are the required questions, the figure a questionnaire's progress bar
    and percentage show; `visible_answered` of `visible` include the optional ones.
    """

    answered: int
    total: int
    visible_answered: int
    visible: int
    missing: tuple[str, ...]

    @property
    def percent(self) -> int:
        """Required questions answered, in percent, rounded; 100 when none is required."""
        return round(100 * self.answered / self.total) if self.total else 100

    def as_dict(self) -> dict[str, int]:
        """What the pages and the autosave endpoints show: answered of total (percent)."""
        return {"answered": self.answered, "total": self.total, "percent": self.percent}


def answer_progress(instrument: Instrument, answers: Answers) -> Progress:
    """The progress these answers make: which visible questions are answered (`is_answered`).

    A question hidden by its condition counts nowhere, even when it still holds an earlier
    answer; `missing` lists the required visible questions not answered, in questionnaire order.
    """
    hidden = hidden_questions(instrument, answers)
    visible = [q for q in instrument.questions if q.code not in hidden]
    answered = {q.code for q in visible if is_answered(q, answers.get(q.code))}
    required = [q for q in visible if q.required]
    return Progress(
        answered=sum(1 for q in required if q.code in answered),
        total=len(required),
        visible_answered=len(answered),
        visible=len(visible),
        missing=tuple(q.code for q in required if q.code not in answered),
    )


def missing_required(instrument: Instrument, answers: Answers) -> list[str]:
    """Codes of required, visible questions without an answer, in questionnaire order."""
    return list(answer_progress(instrument, answers).missing)


def section_progress(section: Section, answers: Answers, hidden: set[str]) -> dict[str, int]:
    """A section's visible questions (optional ones too) and how many of them are answered."""
    visible = [q for q in section.questions if q.code not in hidden]
    answered = sum(1 for q in visible if is_answered(q, answers.get(q.code)))
    return {"answered": answered, "total": len(visible)}


def first_unfinished(instrument: Instrument, answers: Answers) -> Section:
    """Where to resume: the first section with a required question missing, else the last."""
    missing = set(answer_progress(instrument, answers).missing)
    for section in instrument.sections:
        if any(q.code in missing for q in section.questions):
            return section
    return instrument.sections[-1]
