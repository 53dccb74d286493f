"""Filling in a diagnostic section by section, autosaving answers, submitting, setting targets.

Every page works without JavaScript (a section is an ordinary form); fill.js adds saving each
answer as it is given through the `answer` endpoint, which returns what the page needs to stay
current: the new revision, the progress and which questions the conditions now hide.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smartregion.instruments.definition import (
    DONT_KNOW,
    NOT_APPLICABLE,
    Instrument,
    Question,
    Section,
)
from smartregion.instruments.presentation import missing_by_section
from smartregion.instruments.progress import missing_required
from smartregion.instruments.scoring import hidden_questions

from ..forms import (
    SPECIALS,
    FieldInput,
    PayloadInvalid,
    TargetsForm,
    field_name,
    parse_answer_payload,
    parse_section,
    revision_name,
    special_name,
)
from ..models import Diagnostic, DiagnosticAnswer
from ..permissions import can_fill_diagnostic, can_manage, can_view_diagnostic
from ..services import (
    AnswerConflict,
    DiagnosticError,
    DiagnosticIncomplete,
    InvalidAnswer,
    answer_save,
    diagnostic_submit,
    targets_set,
)

# ---------------------------------------------------------------------------------------------
# Lookups and shared computations
# ---------------------------------------------------------------------------------------------
# answer_progress, section_counts, first_unfinished and question_view (below) are public: the
# barometer's respondent pages render the same question partials with the same progress.


def _language() -> str:
    return (get_language() or "fr")[:2]


def _diagnostic(pk: int) -> Diagnostic:
    return get_object_or_404(
        Diagnostic.objects.select_related("municipality", "instrument_version"), pk=pk
    )


def _viewable(request: HttpRequest, pk: int) -> Diagnostic:
    diagnostic = _diagnostic(pk)
    if not can_view_diagnostic(request.user, diagnostic):
        raise PermissionDenied
    return diagnostic


def _answer_rows(diagnostic: Diagnostic) -> dict[str, DiagnosticAnswer]:
    rows = DiagnosticAnswer.objects.filter(diagnostic=diagnostic).select_related("updated_by")
    return {row.question_code: row for row in rows}


def _values(rows: dict[str, DiagnosticAnswer]) -> dict[str, Any]:
    return {code: row.value for code, row in rows.items() if row.value is not None}


def _is_answered(question: Question, value: Any) -> bool:
    if value is None or value == [] or (isinstance(value, str) and not value.strip()):
        return False
    if question.type == "matrix" and isinstance(value, dict):
        return all(value.get(row.code) is not None for row in question.rows)
    return True


def answer_progress(instrument: Instrument, values: dict[str, Any]) -> dict[str, int]:
    """Answered out of the required questions the current answers show."""
    hidden = hidden_questions(instrument, values)
    total = sum(1 for q in instrument.questions if q.required and q.code not in hidden)
    answered = total - len(missing_required(instrument, values))
    percent = round(100 * answered / total) if total else 100
    return {"answered": answered, "total": total, "percent": percent}


def section_counts(section: Section, values: dict[str, Any], hidden: set[str]) -> dict[str, int]:
    visible = [q for q in section.questions if q.code not in hidden]
    answered = sum(1 for q in visible if _is_answered(q, values.get(q.code)))
    return {"answered": answered, "total": len(visible)}


def first_unfinished(instrument: Instrument, values: dict[str, Any]) -> Section:
    missing = set(missing_required(instrument, values))
    for section in instrument.sections:
        if any(q.code in missing for q in section.questions):
            return section
    return instrument.sections[-1]


def _when(moment: Any) -> str:
    return date_format(timezone.localtime(moment), "SHORT_DATETIME_FORMAT")


# ---------------------------------------------------------------------------------------------
# How questions and answers read on the page
# ---------------------------------------------------------------------------------------------


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
    row: DiagnosticAnswer | None,
    hidden: bool,
    lang: str,
) -> QuestionView:
    view = QuestionView(
        question=question,
        number=number,
        text=Instrument.text(question, lang),
        help=Instrument.text(question, lang, "help"),
        hidden=hidden,
        revision=row.revision if row else 0,
        name=field_name(question),
        widget=question.type,
    )
    if row is not None and row.value is not None:
        who = str(row.updated_by) if row.updated_by else _("someone")
        view.last_saved = _("Answered by %(who)s, %(when)s") % {
            "who": who,
            "when": _when(row.updated_at),
        }
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


def _section_questions(
    section: Section,
    section_index: int,
    rows: dict[str, DiagnosticAnswer],
    hidden: set[str],
    posted: dict[str, FieldInput] | None = None,
) -> list[QuestionView]:
    lang = _language()
    views = []
    for i, question in enumerate(section.questions, start=1):
        row = rows.get(question.code)
        value = row.value if row else None
        raw = None
        if posted and question.code in posted:
            value, raw = posted[question.code].value, posted[question.code].raw
        views.append(
            question_view(
                question,
                f"{section_index}.{i}",
                value=value,
                raw=raw,
                row=row,
                hidden=question.code in hidden,
                lang=lang,
            )
        )
    return views


# ---------------------------------------------------------------------------------------------
# Pages
# ---------------------------------------------------------------------------------------------


@login_required
def fill(request: HttpRequest, pk: int) -> HttpResponse:
    """Resume where the team stopped: the first section with an unanswered required question."""
    diagnostic = _viewable(request, pk)
    if not diagnostic.is_draft:
        return redirect("diagnostic:results", pk=diagnostic.pk)
    instrument = diagnostic.instrument_version.instrument
    section = first_unfinished(instrument, _values(_answer_rows(diagnostic)))
    return redirect("diagnostic:section", pk=diagnostic.pk, section=section.code)


def _find_section(instrument: Instrument, code: str) -> tuple[int, Section]:
    for index, section in enumerate(instrument.sections, start=1):
        if section.code == code:
            return index, section
    raise Http404(_("This diagnostic has no such section."))


@login_required
def section(request: HttpRequest, pk: int, section: str) -> HttpResponse:
    diagnostic = _viewable(request, pk)
    instrument = diagnostic.instrument_version.instrument
    index, current = _find_section(instrument, section)
    rows = _answer_rows(diagnostic)
    if request.method == "POST":
        if not can_fill_diagnostic(request.user, diagnostic):
            raise PermissionDenied
        outcome = _section_save(request, diagnostic, instrument, current, rows)
        if outcome.redirect_to:
            return redirect(outcome.redirect_to)
        return _section_render(request, diagnostic, instrument, index, current, outcome)
    return _section_render(request, diagnostic, instrument, index, current, _SaveOutcome(rows))


@dataclass
class _SaveOutcome:
    rows: dict[str, DiagnosticAnswer]
    posted: dict[str, FieldInput] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    conflicts: dict[str, str] = field(default_factory=dict)
    redirect_to: str = ""


def _section_save(
    request: HttpRequest,
    diagnostic: Diagnostic,
    instrument: Instrument,
    current: Section,
    rows: dict[str, DiagnosticAnswer],
) -> _SaveOutcome:
    """Save the section's changed answers in order, so a follow-up sees the answer it depends on.

    Unchanged answers are skipped (a page loaded long ago does not overwrite a colleague's newer
    answer it merely displays); questions hidden by the answers are left alone.
    """
    outcome = _SaveOutcome(rows)
    values = _values(rows)
    hidden_before = hidden_questions(instrument, values)
    posted = parse_section(current, request.POST)
    for question in current.questions:
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
        _save_one(request, diagnostic, question, field_input, revision, outcome, values)
    if outcome.errors or outcome.conflicts:
        return outcome
    outcome.redirect_to = _after_save(
        request, diagnostic, instrument, current, values, hidden_before
    )
    return outcome


def _save_one(
    request: HttpRequest,
    diagnostic: Diagnostic,
    question: Question,
    field_input: FieldInput,
    revision: int | None,
    outcome: _SaveOutcome,
    values: dict[str, Any],
) -> None:
    try:
        saved = answer_save(
            diagnostic=diagnostic,
            question_code=question.code,
            value=field_input.value,
            base_revision=revision,
            user=request.user,
        )
    except AnswerConflict as conflict:
        outcome.conflicts[question.code] = (
            _conflict_message(question, conflict)
            + " "
            + _("Your answer is shown below but not saved: save again to replace theirs.")
        )
        outcome.rows[question.code] = DiagnosticAnswer.objects.select_related("updated_by").get(
            diagnostic=diagnostic, question_code=question.code
        )
    except InvalidAnswer as invalid:
        outcome.errors[question.code] = invalid.errors
    else:
        outcome.rows[question.code] = saved
        if saved.value is None:
            values.pop(question.code, None)
        else:
            values[question.code] = saved.value


def _conflict_message(question: Question, conflict: AnswerConflict) -> str:
    return _("Changed by %(who)s at %(time)s: their answer is “%(answer)s”.") % {
        "who": conflict.updated_by or _("a colleague"),
        "time": date_format(timezone.localtime(conflict.updated_at), "TIME_FORMAT"),
        "answer": answer_display(question, conflict.value, _language()),
    }


def _after_save(
    request: HttpRequest,
    diagnostic: Diagnostic,
    instrument: Instrument,
    current: Section,
    values: dict[str, Any],
    hidden_before: set[str],
) -> str:
    """Where a saved section leads: its new follow-up questions, the next section, or submit."""
    here = reverse("diagnostic:section", args=[diagnostic.pk, current.code])
    hidden_now = hidden_questions(instrument, values)
    revealed = [
        q.code
        for q in current.questions
        if q.code in hidden_before and q.code not in hidden_now and q.code not in values
    ]
    if revealed:
        messages.info(request, _("Saved. Your answers opened follow-up questions below."))
        return f"{here}#q-{revealed[0]}"
    messages.success(request, _("Section saved."))
    if request.POST.get("action") == "stay":
        return here
    codes = [s.code for s in instrument.sections]
    position = codes.index(current.code)
    if position + 1 < len(codes):
        return reverse("diagnostic:section", args=[diagnostic.pk, codes[position + 1]])
    if missing_required(instrument, values):
        return reverse("diagnostic:fill", args=[diagnostic.pk])
    return f"{here}#submit"


def _section_render(
    request: HttpRequest,
    diagnostic: Diagnostic,
    instrument: Instrument,
    index: int,
    current: Section,
    outcome: _SaveOutcome,
) -> HttpResponse:
    lang = _language()
    values = _values(outcome.rows)
    hidden = hidden_questions(instrument, values)
    questions = _section_questions(current, index, outcome.rows, hidden, outcome.posted)
    for view in questions:
        view.errors = outcome.errors.get(view.code, [])
        view.conflict = outcome.conflicts.get(view.code, "")
    codes = [s.code for s in instrument.sections]
    position = codes.index(current.code)
    nav = [
        {
            "code": s.code,
            "number": i,
            "title": Instrument.text(s, lang),
            "counts": section_counts(s, values, hidden),
            "current": s.code == current.code,
        }
        for i, s in enumerate(instrument.sections, start=1)
    ]
    context = {
        "diagnostic": diagnostic,
        "municipality": diagnostic.municipality,
        "instrument_title": Instrument.text(instrument.title, lang),
        "section": current,
        "section_number": index,
        "section_title": Instrument.text(current, lang),
        "section_intro": Instrument.text(current, lang, "intro"),
        "sections": nav,
        "previous": codes[position - 1] if position > 0 else None,
        "next": codes[position + 1] if position + 1 < len(codes) else None,
        "questions": questions,
        "progress": answer_progress(instrument, values),
        "can_fill": can_fill_diagnostic(request.user, diagnostic),
        "can_manage": can_manage(request.user, diagnostic.municipality),
        "has_errors": bool(outcome.errors or outcome.conflicts),
    }
    return render(request, "diagnostic/fill_section.html", context)


# ---------------------------------------------------------------------------------------------
# Autosave endpoint
# ---------------------------------------------------------------------------------------------


@require_POST
def answer(request: HttpRequest, pk: int) -> JsonResponse:
    """Save one answer (JSON in, JSON out): 200 saved, 409 conflict, 422 invalid, 401/403."""
    diagnostic = _diagnostic(pk)
    if not request.user.is_authenticated:
        message = _("You are signed out. Sign in again in another tab, then retry.")
        return JsonResponse({"errors": [message]}, status=401)
    if not can_fill_diagnostic(request.user, diagnostic):
        message = _("You cannot change the answers of this diagnostic.")
        return JsonResponse({"errors": [message]}, status=403)
    instrument = diagnostic.instrument_version.instrument
    try:
        payload = parse_answer_payload(request.body, instrument)
        saved = answer_save(
            diagnostic=diagnostic,
            question_code=payload.question,
            value=payload.value,
            base_revision=payload.base_revision,
            user=request.user,
            force=payload.force,
        )
    except PayloadInvalid as exc:
        return JsonResponse({"errors": [str(exc)]}, status=422)
    except InvalidAnswer as invalid:
        return JsonResponse({"errors": invalid.errors, "paths": invalid.paths}, status=422)
    except AnswerConflict as conflict:
        # The questions the colleague's answers show or hide, for when the user keeps theirs.
        hidden = hidden_questions(instrument, _values(_answer_rows(diagnostic)))
        return _conflict_response(instrument.question(payload.question), conflict, hidden)
    except DiagnosticError as exc:
        return JsonResponse({"errors": [str(exc)]}, status=403)
    values = _values(_answer_rows(diagnostic))
    return JsonResponse(
        {
            "revision": saved.revision,
            "saved_at": saved.updated_at.isoformat(),
            "saved_at_display": date_format(timezone.localtime(saved.updated_at), "TIME_FORMAT"),
            "progress": answer_progress(instrument, values),
            "hidden": sorted(hidden_questions(instrument, values)),
        }
    )


def _conflict_response(
    question: Question, conflict: AnswerConflict, hidden: set[str]
) -> JsonResponse:
    return JsonResponse(
        {
            "hidden": sorted(hidden),
            "conflict": {
                "value": conflict.value,
                "revision": conflict.revision,
                "updated_by": conflict.updated_by,
                "updated_at": conflict.updated_at.isoformat(),
                "display": answer_display(question, conflict.value, _language()),
            },
            "message": _conflict_message(question, conflict),
        },
        status=409,
    )


# ---------------------------------------------------------------------------------------------
# Submit and targets
# ---------------------------------------------------------------------------------------------


@login_required
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    diagnostic = _viewable(request, pk)
    if request.method != "POST":
        return redirect("diagnostic:fill", pk=diagnostic.pk)
    if not can_manage(request.user, diagnostic.municipality):
        raise PermissionDenied
    try:
        diagnostic_submit(diagnostic=diagnostic, user=request.user)
    except DiagnosticIncomplete as incomplete:
        return _incomplete_render(request, diagnostic, incomplete.missing)
    except DiagnosticError as exc:
        messages.error(request, str(exc))
        return redirect("diagnostic:results", pk=diagnostic.pk)
    messages.success(request, _("The diagnostic is submitted. Here are your results."))
    return redirect("diagnostic:results", pk=diagnostic.pk)


def _incomplete_render(
    request: HttpRequest, diagnostic: Diagnostic, missing: list[str]
) -> HttpResponse:
    instrument = diagnostic.instrument_version.instrument
    groups = missing_by_section(instrument, missing, _language())
    context = {
        "diagnostic": diagnostic,
        "municipality": diagnostic.municipality,
        "groups": groups,
        "count": len(missing),
    }
    return render(request, "diagnostic/fill_submit.html", context)


@login_required
def targets(request: HttpRequest, pk: int) -> HttpResponse:
    diagnostic = _viewable(request, pk)
    if not can_manage(request.user, diagnostic.municipality):
        raise PermissionDenied
    instrument = diagnostic.instrument_version.instrument
    initial: dict[str, Any] = {f"target_{t.dimension}": t.level for t in diagnostic.targets.all()}
    initial["horizon_year"] = diagnostic.horizon_year
    form = TargetsForm(
        request.POST or None, instrument=instrument, language=_language(), initial=initial
    )
    if request.method == "POST" and form.is_valid():
        try:
            targets_set(
                diagnostic=diagnostic,
                targets=form.targets(),
                horizon_year=form.cleaned_data["horizon_year"],
            )
        except DiagnosticError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Targets saved."))
            return redirect("diagnostic:targets", pk=diagnostic.pk)
    context = {"diagnostic": diagnostic, "municipality": diagnostic.municipality, "form": form}
    return render(request, "diagnostic/targets.html", context)
