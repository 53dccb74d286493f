"""Answer checkers: how this app learns whether an instrument version already has answers.

The instruments app sits below the apps that store answers (diagnostic, barometer), so it cannot
import their models. Each of those apps registers a checker in its `AppConfig.ready()`:

    from smartregion.instruments.registry import register_answer_checker

    register_answer_checker(
        lambda version: Response.objects.filter(instrument_version=version).exists()
    )

A version is frozen as soon as any checker returns True. With no checker registered (as long as
no app stores answers) every version is still editable.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .models import InstrumentVersion

AnswerChecker = Callable[["InstrumentVersion"], bool]

_checkers: list[AnswerChecker] = []


def register_answer_checker(checker: AnswerChecker) -> AnswerChecker:
    """Add a checker (idempotent); returns it, so it also works as a decorator."""
    if checker not in _checkers:
        _checkers.append(checker)
    return checker


def unregister_answer_checker(checker: AnswerChecker) -> None:
    if checker in _checkers:
        _checkers.remove(checker)


def version_has_answers(version: InstrumentVersion) -> bool:
    return any(checker(version) for checker in _checkers)
