"""How questions and answers read on a questionnaire's pages: the views the partials render.

The question partials (instruments/templates/instruments/_question*.html) render a QuestionView;
the tools (diagnostic, barometer) build them through `section_views` and add what is theirs
(who saved an answer, a badge), so every questionnaire reads and behaves the same.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from .answers import AnswerConflict
from .definition import DONT_KNOW, NOT_APPLICABLE, Instrument, Question, Section
from .inputs import SPECIALS, FieldInput, field_name, revision_name, special_name
from .progress import section_progress


def _special_label(value: str) -> str:
    return _("Don't know") if value == DONT_KNOW else _("Not applicable")


def _scale_label(question: Question, value: int, lang: str) -> str:
    assert question.scale is not None
    label = question.scale.labels.get(value)
    return f"{value} — {Instrument.text(label, lang)}" if label else str(value)


def answer_display(question: Question, value: Any, lang: str) -> str:
    """An answer as a person reads it, e.g. to show a colleague's conflicting answer."""
    if value is None or value == [] or value == {}:
        return _("no answer")
    if value in SPECIALS:
        return _special_label(value)
    if question.type in ("single_choice", "multiple_choice", "yes_no"):
        codes = value if isinstance(value, list) else [value]
        texts = []
        for code in codes:
            option = question.option(code)
            if option is not None:
                texts.append(Instrument.text(option, lang))
            elif code in ("yes", "no"):
                texts.append(_("Yes") if code == "yes" else _("No"))
            else:
                texts.append(str(code))
        return "; ".join(texts)
    if question.type == "scale" and isinstance(value, int):
        return _scale_label(question, value, lang)
    if question.type == "matrix" and isinstance(value, dict):
        parts = []
        for row in question.rows:
            if value.get(row.code) is not None:
                cell = value[row.code]
                shown = _special_label(cell) if cell in SPECIALS else str(cell)
                parts.append(f"{Instrument.text(row, lang)}: {shown}")
        return "; ".join(parts)
    if question.type == "number" and question.number and question.number.unit:
        return f"{value:g} {Instrument.text(question.number.unit, lang)}"
    return str(value)


@dataclass
class Choice:
    value: str
    label: str
    checked: bool
    id: str
    special: bool = False
    exclusive: bool = False


@dataclass
class MatrixRow:
    code: str
    label: str
    name: str
    choices: list[Choice]


@dataclass
class QuestionView:
    """Everything a template needs to render one question accessibly."""

    question: Question
    number: str
    text: str
    help: str
    hidden: bool
    revision: int
    name: str
    widget: str
    choices: list[Choice] = field(default_factory=list)
    columns: list[str] = field(default_factory=list)
    rows: list[MatrixRow] = field(default_factory=list)
    specials: list[Choice] = field(default_factory=list)
    special_name: str = ""
    text_value: str = ""
    unit: str = ""
    minimum: float | None = None
    maximum: float | None = None
    step: str = "any"
    errors: list[str] = field(default_factory=list)
    conflict: str = ""
    last_saved: str = ""
    badge: str = ""  # a short note after the question text, e.g. the barometer's "may be published"

    @property
    def code(self) -> str:
        return self.question.code

    @property
    def revision_name(self) -> str:
        return revision_name(self.question)

    @property
    def described_by(self) -> str:
        ids = [f"q-{self.code}-help"] if self.help else []
        if self.errors or self.conflict:
            ids.append(f"q-{self.code}-errors")
        return " ".join(ids)


def _specials_of(question: Question) -> list[str]:
    allowed = []
    if question.allow_dont_know:
        allowed.append(DONT_KNOW)
    if question.allow_not_applicable:
        allowed.append(NOT_APPLICABLE)
    return allowed


def _choices(question: Question, value: Any, lang: str, prefix: str) -> list[Choice]:
    chosen = {str(v) for v in value} if isinstance(value, list) else {str(value)}
    if question.type == "yes_no":
        pairs = [("yes", _("Yes")), ("no", _("No"))]
    elif question.type == "scale":
        assert question.scale is not None
        values = range(question.scale.min, question.scale.max + 1)
        pairs = [(str(v), _scale_label(question, v, lang)) for v in values]
    else:
        pairs = [(o.code, Instrument.text(o, lang)) for o in question.options]
    pairs += [(s, _special_label(s)) for s in _specials_of(question)]
    exclusive = {o.code for o in question.options if o.exclusive} | set(SPECIALS)
    return [
        Choice(code, label, code in chosen, f"{prefix}-{i}", code in SPECIALS, code in exclusive)
        for i, (code, label) in enumerate(pairs)
    ]


def _matrix_rows(question: Question, value: Any, lang: str) -> list[MatrixRow]:
    assert question.scale is not None
    value = value if isinstance(value, dict) else {}
    columns = [str(v) for v in range(question.scale.min, question.scale.max + 1)]
    columns += _specials_of(question)
    labels = _matrix_columns(question, lang)
    rows = []
    for row in question.rows:
        current = str(value.get(row.code))
        choices = [
            Choice(column, label, current == column, f"f-{question.code}-{row.code}-{i}")
            for i, (column, label) in enumerate(zip(columns, labels, strict=True))
        ]
        rows.append(
            MatrixRow(row.code, Instrument.text(row, lang), field_name(question, row.code), choices)
        )
    return rows


def _matrix_columns(question: Question, lang: str) -> list[str]:
    assert question.scale is not None
    values = range(question.scale.min, question.scale.max + 1)
    labels = [_scale_label(question, v, lang) for v in values]
    return labels + [_special_label(s) for s in _specials_of(question)]


def question_view(
    question: Question,
    number: str,
    *,
    value: Any,
    raw: Any,
    hidden: bool,
    lang: str,
    revision: int = 0,
    last_saved: str = "",
) -> QuestionView:
    """One question as the partials render it: `value` as stored, `raw` as typed (or None)."""
    view = QuestionView(
        question=question,
        number=number,
        text=Instrument.text(question, lang),
        help=Instrument.text(question, lang, "help"),
        hidden=hidden,
        revision=revision,
        name=field_name(question),
        widget=question.type,
        last_saved=last_saved,
    )
    prefix = f"f-{question.code}"
    if question.type in ("single_choice", "yes_no", "scale"):
        view.widget = "choice"
        view.choices = _choices(question, value, lang, prefix)
    elif question.type == "multiple_choice":
        view.widget = "multiple"
        view.choices = _choices(question, value, lang, prefix)
    elif question.type == "matrix":
        view.columns = _matrix_columns(question, lang)
        view.rows = _matrix_rows(question, value, lang)
    elif question.type == "number":
        _number_view(view, question, value, raw, lang)
    else:
        view.text_value = raw if isinstance(raw, str) else (value or "")
    return view


def _number_view(view: QuestionView, question: Question, value: Any, raw: Any, lang: str) -> None:
    spec = question.number
    assert spec is not None
    view.unit = Instrument.text(spec.unit, lang) if spec.unit else ""
    view.minimum, view.maximum = spec.min, spec.max
    view.step = "1" if spec.integer else "any"
    view.special_name = special_name(question)
    view.specials = [
        Choice(s, _special_label(s), value == s, f"f-{question.code}-{s}", True, True)
        for s in _specials_of(question)
    ]
    if isinstance(raw, str):
        view.text_value = raw
    elif value is not None and value not in SPECIALS:
        view.text_value = f"{value:g}" if isinstance(value, float) else str(value)


# ---------------------------------------------------------------------------------------------
# A section page
# ---------------------------------------------------------------------------------------------


class AnswerRow(Protocol):
    """A stored answer, as any tool keeps it (DiagnosticAnswer, ResponseAnswer)."""

    value: Any
    revision: int
    updated_at: Any


def section_views(
    section: Section,
    index: int,
    *,
    rows: Mapping[str, AnswerRow],
    hidden: set[str],
    lang: str,
    posted: Mapping[str, FieldInput] | None = None,
    last_saved: Callable[[Any], str] = lambda row: "",
) -> list[QuestionView]:
    """The section's questions, numbered 2.1, 2.2…, showing what was posted over what is stored.

    `last_saved(row)` is the tool's note under an answered question (who saved it, when).
    """
    views = []
    for number, question in enumerate(section.questions, start=1):
        row = rows.get(question.code)
        value, raw = (row.value if row else None), None
        if posted and question.code in posted:
            value, raw = posted[question.code].value, posted[question.code].raw
        answered = row is not None and row.value is not None
        views.append(
            question_view(
                question,
                f"{index}.{number}",
                value=value,
                raw=raw,
                hidden=question.code in hidden,
                lang=lang,
                revision=row.revision if row else 0,
                last_saved=last_saved(row) if answered else "",
            )
        )
    return views


def find_section(instrument: Instrument, code: str) -> tuple[int, Section] | None:
    """The section with this code and its number (from 1), or None."""
    for index, section in enumerate(instrument.sections, start=1):
        if section.code == code:
            return index, section
    return None


def section_nav(
    instrument: Instrument,
    values: Mapping[str, Any],
    hidden: set[str],
    lang: str,
    current: str = "",
) -> list[dict[str, Any]]:
    """Every section with its number, title and answered counts, for the section menu."""
    return [
        {
            "code": s.code,
            "number": i,
            "title": Instrument.text(s, lang),
            "counts": section_progress(s, values, hidden),
            "current": s.code == current,
        }
        for i, s in enumerate(instrument.sections, start=1)
    ]


def text_lang(instrument: Instrument, lang: str) -> str:
    """The `lang` attribute the instrument's texts need on a page in `lang`: "" when they are in
    that language, "fr" when they fall back to French (the definition checks guarantee that an
    instrument has every text in each language it lists, and none in the others)."""
    return "" if lang in instrument.languages else "fr"


def section_context(instrument: Instrument, index: int, section: Section, lang: str) -> dict:
    """What every section page shows of its section: title, intro, the previous and next ones."""
    codes = [s.code for s in instrument.sections]
    position = codes.index(section.code)
    return {
        "section": section,
        "section_number": index,
        "section_title": Instrument.text(section, lang),
        "section_intro": Instrument.text(section, lang, "intro"),
        "text_lang": text_lang(instrument, lang),
        "previous": codes[position - 1] if position > 0 else None,
        "next": codes[position + 1] if position + 1 < len(codes) else None,
    }


def saved_at(moment: Any) -> str:
    """When an answer was saved, as the page shows it (short date and time)."""
    return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


def conflict_message(question: Question, conflict: AnswerConflict, lang: str) -> str:
    return _("Changed by %(who)s at %(time)s: their answer is “%(answer)s”.") % {
        "who": conflict.updated_by or _("a colleague"),
        "time": date_format(timezone.localtime(conflict.updated_at), "TIME_FORMAT"),
        "answer": answer_display(question, conflict.value, lang),
    }
