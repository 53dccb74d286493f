"""Reading a questionnaire's inputs: a posted section, and the autosave endpoints' JSON.

A plain parser rather than a Django form because each question type maps to its own inputs
(radio groups, checkbox groups, one radio group per matrix row) and the same field names are read
by fill.js; the question partials (instruments/_question.html) render the inputs by hand for
accessibility. Every tool that shows a questionnaire (diagnostic, barometer) parses through here.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field
from typing import Any

from django.http import QueryDict
from django.utils.translation import gettext as _

from smartregion.core.text import unstorable_paths

from .definition import DONT_KNOW, NOT_APPLICABLE, Instrument, Question, Section

SPECIALS = (DONT_KNOW, NOT_APPLICABLE)


def field_name(question: Question, row: str | None = None) -> str:
    return f"q-{question.code}" if row is None else f"q-{question.code}-{row}"


def special_name(question: Question) -> str:
    """The "don't know / not applicable" checkbox of number questions."""
    return f"s-{question.code}"


def revision_name(question: Question) -> str:
    return f"rev-{question.code}"


@dataclass
class FieldInput:
    """One question's submitted value: parsed, as typed (to show it again), and its errors."""

    value: Any
    raw: Any
    errors: list[str] = field(default_factory=list)


def _scale_value(text: str) -> Any:
    if text in SPECIALS:
        return text
    try:
        return int(text)
    except ValueError:
        return text  # the service reports it as not a whole number


def _parse_number(question: Question, data: QueryDict) -> FieldInput:
    raw = data.get(field_name(question), "").strip()
    specials = [v for v in data.getlist(special_name(question)) if v in SPECIALS]
    if specials:
        if raw or len(specials) > 1:
            message = _("Give either a number or one of the boxes, not both.")
            return FieldInput(None, raw, [message])
        return FieldInput(specials[0], raw)
    if not raw:
        return FieldInput(None, raw)
    try:
        number = float(raw.replace(",", ".").replace("\u202f", "").replace(" ", ""))
    except ValueError:
        return FieldInput(None, raw, [_("Enter a number, for example 2 or 0,5.")])
    if not math.isfinite(number):
        return FieldInput(None, raw, [_("Enter a number, for example 2 or 0,5.")])
    return FieldInput(int(number) if number.is_integer() else number, raw)


def _parse_multiple(question: Question, data: QueryDict) -> FieldInput:
    chosen = data.getlist(field_name(question))
    specials = [v for v in chosen if v in SPECIALS]
    if specials and len(chosen) > 1:
        message = _("Tick either options or “Don't know” / “Not applicable”, not both.")
        return FieldInput(None, chosen, [message])
    if specials:
        return FieldInput(specials[0], chosen)
    return FieldInput(chosen or None, chosen)


def _parse_matrix(question: Question, data: QueryDict) -> FieldInput:
    rows = {}
    for row in question.rows:
        text = data.get(field_name(question, row.code), "")
        if text:
            rows[row.code] = _scale_value(text)
    return FieldInput(rows or None, rows)


def parse_question(question: Question, data: QueryDict) -> FieldInput:
    """The answer a question's inputs give; None when left empty."""
    if question.type == "number":
        return _parse_number(question, data)
    if question.type == "multiple_choice":
        return _parse_multiple(question, data)
    if question.type == "matrix":
        return _parse_matrix(question, data)
    text = data.get(field_name(question), "")
    if question.type in ("short_text", "long_text"):
        return FieldInput(text if text.strip() else None, text)
    if question.type == "scale":
        return FieldInput(_scale_value(text) if text else None, text)
    return FieldInput(text or None, text)


def parse_section(section: Section, data: QueryDict) -> dict[str, tuple[FieldInput, int | None]]:
    """Every question of a posted section: its input and the revision the page was loaded with.

    The revision is None when the form did not carry the question at all.
    """
    parsed: dict[str, tuple[FieldInput, int | None]] = {}
    for question in section.questions:
        text = data.get(revision_name(question))
        try:
            revision = None if text is None else max(int(text), 0)
        except ValueError:
            revision = 0
        parsed[question.code] = (parse_question(question, data), revision)
    return parsed


@dataclass(frozen=True)
class AnswerPayload:
    question: str
    value: Any
    base_revision: int
    force: bool


class PayloadInvalid(ValueError):
    pass


def parse_answer_payload(body: bytes, instrument: Instrument) -> AnswerPayload:
    """The autosave request: JSON {question, value, base_revision, force?}."""
    try:
        data = json.loads(body or b"null")
    except (ValueError, UnicodeDecodeError) as exc:
        raise PayloadInvalid(_("The request is not valid JSON.")) from exc
    if next(unstorable_paths(data), None) is not None:  # the middleware's gate, kept for any caller
        raise PayloadInvalid(
            _("The answer holds a character that cannot be stored (NUL or unpaired surrogate).")
        )
    if not isinstance(data, dict) or not isinstance(data.get("question"), str):
        raise PayloadInvalid(_("The request must name a question."))
    if data["question"] not in {q.code for q in instrument.questions}:
        raise PayloadInvalid(_("Unknown question."))
    revision = data.get("base_revision") or 0
    if not isinstance(revision, int) or isinstance(revision, bool) or revision < 0:
        raise PayloadInvalid(_("base_revision must be a whole number."))
    return AnswerPayload(
        question=data["question"],
        value=data.get("value"),
        base_revision=revision,
        force=data.get("force") is True,
    )
