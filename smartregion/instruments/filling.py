"""Saving a posted section of a questionnaire, and where the page goes next.

The plan is the engine's; saving one answer is the tool's service (the diagnostic's, with
conflict detection; the barometer's, last save wins), passed in as `save`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, QueryDict
from django.utils.translation import gettext as _

from .answers import AnswerConflict, InvalidAnswer
from .definition import Instrument, Question, Section
from .inputs import FieldInput, parse_section
from .scoring import hidden_questions

# Saves one answer through the tool's service: (question, value, the revision the page was loaded
# with) -> the value now stored. Raises InvalidAnswer or AnswerConflict to refuse it.
SaveAnswer = Callable[[Question, Any, "int | None"], Any]


@dataclass
class SectionSave:
    """What saving a section did: inputs as posted, refusals by question, revealed follow-ups."""

    posted: dict[str, FieldInput] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    conflicts: dict[str, AnswerConflict] = field(default_factory=dict)
    revealed: list[str] = field(default_factory=list)

    @property
    def refused(self) -> bool:
        return bool(self.errors or self.conflicts)


def section_save(
    instrument: Instrument,
    section: Section,
    data: QueryDict,
    values: dict[str, Any],
    save: SaveAnswer,
) -> SectionSave:
    """Save the section's changed answers in order, so a follow-up sees the answer it depends on.

    Question by question: skip those the answers saved so far hide; keep input errors; skip an
    unchanged answer (a page loaded long ago does not overwrite a colleague's newer answer it
    merely displays) and an empty one the form did not carry; save the rest through `save`.
    `values` is updated in place with what was saved. Then list the follow-up questions the new
    answers opened and that are still unanswered.
    """
    outcome = SectionSave()
    hidden_before = hidden_questions(instrument, values)
    posted = parse_section(section, data)
    for question in section.questions:
        field_input, revision = posted[question.code]
        outcome.posted[question.code] = field_input
        if question.code in hidden_questions(instrument, values):
            continue
        if field_input.errors:
            outcome.errors[question.code] = field_input.errors
            continue
        if field_input.value == values.get(question.code):
            continue
        if revision is None and field_input.value is None:
            continue  # not on the submitted form: nothing to clear
        _save_one(question, field_input.value, revision, values, save, outcome)
    hidden_now = hidden_questions(instrument, values)
    outcome.revealed = [
        q.code
        for q in section.questions
        if q.code in hidden_before and q.code not in hidden_now and q.code not in values
    ]
    return outcome


def _save_one(
    question: Question,
    value: Any,
    revision: int | None,
    values: dict[str, Any],
    save: SaveAnswer,
    outcome: SectionSave,
) -> None:
    try:
        stored = save(question, value, revision)
    except AnswerConflict as conflict:
        outcome.conflicts[question.code] = conflict
    except InvalidAnswer as invalid:
        outcome.errors[question.code] = invalid.errors
    else:
        if stored is None:
            values.pop(question.code, None)
        else:
            values[question.code] = stored


def section_destination(
    request: HttpRequest,
    instrument: Instrument,
    section: Section,
    outcome: SectionSave,
    *,
    section_url: Callable[[str], str],
    end_url: str,
) -> str:
    """Where a saved section leads: its new follow-up questions, the next section, or `end_url`.

    Also tells the person what happened (a message on the page it leads to).
    """
    here = section_url(section.code)
    if outcome.revealed:
        messages.info(request, _("Saved. Your answers opened follow-up questions below."))
        return f"{here}#q-{outcome.revealed[0]}"
    messages.success(request, _("Section saved."))
    if request.POST.get("action") == "stay":
        return here
    codes = [s.code for s in instrument.sections]
    position = codes.index(section.code)
    if position + 1 < len(codes):
        return section_url(codes[position + 1])
    return end_url
