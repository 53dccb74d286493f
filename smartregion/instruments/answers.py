"""Checking one answer before a tool saves it, and the refusals every tool raises.

Every service that saves answers (the diagnostic's, the barometer's, next the calls') calls
`answer_check`, so the same answer is refused the same way whichever tool receives it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

from .definition import Instrument
from .messages import localized_reason
from .scoring import validate_answers
from .validation import ValidationError

EMPTY_ANSWERS = (None, "", [])


@dataclass
class InvalidAnswer(Exception):  # not frozen: raising sets __traceback__
    """The answer is refused: a message per problem, in the user's language, and where it is.

    `paths` run parallel to `errors`: the question code, or a part of the answer (`obstacles[1]`,
    `practices.backup`).
    """

    question_code: str
    errors: list[str]
    paths: list[str] = field(default_factory=list)


@dataclass
class AnswerConflict(Exception):  # not frozen: raising sets __traceback__
    """Someone saved this answer since the client loaded it: show theirs, never overwrite."""

    question_code: str
    value: Any
    revision: int
    updated_by: str
    updated_at: dt.datetime


def _concerns(error: ValidationError, question_code: str) -> bool:
    """Whether a problem is about this question: its code, an option `q[2]` or a row `q.row`."""
    return error.path.split(".")[0].split("[")[0] == question_code


def answer_check(
    instrument: Instrument, answers: Mapping[str, Any], question_code: str, value: Any
) -> Any:
    """The value to store for `question_code`, checked against the instrument; or InvalidAnswer.

    `answers` are the other stored answers: conditions are checked in their context (an answer to
    a question they hide is refused), but only this question's problems are reported. An empty
    value (None, "" or []) clears the answer and is returned as None.
    """
    if question_code not in {q.code for q in instrument.questions}:
        raise InvalidAnswer(question_code, [_("unknown question")], [question_code])
    if value in EMPTY_ANSWERS:
        return None
    others = {code: v for code, v in answers.items() if code != question_code}
    problems = [
        error
        for error in validate_answers(instrument, others | {question_code: value})
        if _concerns(error, question_code)
    ]
    if problems:
        raise InvalidAnswer(
            question_code,
            [localized_reason(error) for error in problems],
            [error.path for error in problems],
        )
    return value
