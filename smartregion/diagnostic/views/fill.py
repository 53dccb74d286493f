"""Filling in a diagnostic section by section, autosaving answers, submitting, setting targets.

Every page works without JavaScript (a section is an ordinary form); fill.js adds saving each
answer as it is given through the `answer` endpoint. The questionnaire engine (instruments) parses,
renders, plans the section save and runs the endpoint; these views say which diagnostic, who may
answer, and that `answer_save` (with conflict detection between colleagues) saves.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from smartregion.core.i18n import active_language
from smartregion.instruments.autosave import AutosaveView
from smartregion.instruments.definition import Instrument, Question, Section
from smartregion.instruments.filling import SectionSave, section_destination, section_save
from smartregion.instruments.inputs import AnswerPayload
from smartregion.instruments.presentation import missing_by_section
from smartregion.instruments.progress import answer_progress, first_unfinished, missing_required
from smartregion.instruments.rendering import (
    conflict_message,
    find_section,
    saved_at,
    section_context,
    section_nav,
    section_views,
)
from smartregion.instruments.scoring import hidden_questions

from ..benchmark import MIN_PEERS
from ..forms import TargetsForm
from ..models import Diagnostic, DiagnosticAnswer
from ..permissions import can_fill_diagnostic, can_manage, can_view_diagnostic
from ..services import (
    DiagnosticError,
    DiagnosticIncomplete,
    answer_save,
    diagnostic_submit,
    targets_set,
)


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


def _answered_by(row: DiagnosticAnswer) -> str:
    who = str(row.updated_by) if row.updated_by else _("someone")
    return _("Answered by %(who)s, %(when)s") % {"who": who, "when": saved_at(row.updated_at)}


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
    found = find_section(instrument, code)
    if found is None:
        raise Http404(_("This diagnostic has no such section."))
    return found


@login_required
def section(request: HttpRequest, pk: int, section: str) -> HttpResponse:
    diagnostic = _viewable(request, pk)
    instrument = diagnostic.instrument_version.instrument
    index, current = _find_section(instrument, section)
    rows = _answer_rows(diagnostic)
    outcome = SectionSave()
    if request.method == "POST":
        if not can_fill_diagnostic(request.user, diagnostic):
            raise PermissionDenied
        outcome = _section_save(request, diagnostic, instrument, current, rows)
        if not outcome.refused:
            return redirect(_after_save(request, diagnostic, instrument, current, rows, outcome))
    return _section_render(request, diagnostic, instrument, index, current, rows, outcome)


def _section_save(
    request: HttpRequest,
    diagnostic: Diagnostic,
    instrument: Instrument,
    current: Section,
    rows: dict[str, DiagnosticAnswer],
) -> SectionSave:
    """The engine's section save through answer_save; `rows` is updated with what was saved.

    A colleague's conflicting answer is read again, so the page shows theirs next to ours.
    """

    def save(question: Question, value: Any, revision: int | None) -> Any:
        saved = answer_save(
            diagnostic=diagnostic,
            question_code=question.code,
            value=value,
            base_revision=revision,
            user=request.user,
        )
        rows[question.code] = saved
        return saved.value

    outcome = section_save(instrument, current, request.POST, _values(rows), save)
    if outcome.conflicts:
        rows.update(
            (row.question_code, row)
            for row in DiagnosticAnswer.objects.select_related("updated_by").filter(
                diagnostic=diagnostic, question_code__in=outcome.conflicts
            )
        )
    return outcome


def _after_save(
    request: HttpRequest,
    diagnostic: Diagnostic,
    instrument: Instrument,
    current: Section,
    rows: dict[str, DiagnosticAnswer],
    outcome: SectionSave,
) -> str:
    """After the last section: back to what is missing, or to the submit button."""
    here = reverse("diagnostic:section", args=[diagnostic.pk, current.code])
    end = (
        reverse("diagnostic:fill", args=[diagnostic.pk])
        if missing_required(instrument, _values(rows))
        else f"{here}#submit"
    )
    return section_destination(
        request,
        instrument,
        current,
        outcome,
        section_url=lambda code: reverse("diagnostic:section", args=[diagnostic.pk, code]),
        end_url=end,
    )


def _conflict_notes(instrument: Instrument, outcome: SectionSave, lang: str) -> dict[str, str]:
    keep = _("Your answer is shown below but not saved: save again to replace theirs.")
    return {
        code: conflict_message(instrument.question(code), conflict, lang) + " " + keep
        for code, conflict in outcome.conflicts.items()
    }


def _section_render(
    request: HttpRequest,
    diagnostic: Diagnostic,
    instrument: Instrument,
    index: int,
    current: Section,
    rows: dict[str, DiagnosticAnswer],
    outcome: SectionSave,
) -> HttpResponse:
    lang = active_language()
    values = _values(rows)
    hidden = hidden_questions(instrument, values)
    questions = section_views(
        current,
        index,
        rows=rows,
        hidden=hidden,
        lang=lang,
        posted=outcome.posted,
        last_saved=_answered_by,
    )
    conflicts = _conflict_notes(instrument, outcome, lang)
    for view in questions:
        view.errors = outcome.errors.get(view.code, [])
        view.conflict = conflicts.get(view.code, "")
    context = section_context(instrument, index, current, lang) | {
        "diagnostic": diagnostic,
        "municipality": diagnostic.municipality,
        "instrument_title": Instrument.text(instrument.title, lang),
        "sections": section_nav(instrument, values, hidden, lang, current.code),
        "questions": questions,
        "progress": answer_progress(instrument, values).as_dict(),
        "can_fill": can_fill_diagnostic(request.user, diagnostic),
        "can_manage": can_manage(request.user, diagnostic.municipality),
        "has_errors": outcome.refused,
    }
    return render(request, "diagnostic/fill_section.html", context)


# ---------------------------------------------------------------------------------------------
# Autosave endpoint
# ---------------------------------------------------------------------------------------------


class DiagnosticAutosave(AutosaveView):
    """Save one answer of a draft: 200 saved, 409 conflict, 422 invalid, 401/403 refused."""

    tool_errors = (DiagnosticError,)

    def get_instance(self) -> Diagnostic:
        return _diagnostic(self.kwargs["pk"])

    def deny(self, instance: Diagnostic) -> JsonResponse | None:
        if not self.request.user.is_authenticated:
            message = _("You are signed out. Sign in again in another tab, then retry.")
            return JsonResponse({"errors": [message]}, status=401)
        if not can_fill_diagnostic(self.request.user, instance):
            message = _("You cannot change the answers of this diagnostic.")
            return JsonResponse({"errors": [message]}, status=403)
        return None

    def get_instrument(self, instance: Diagnostic) -> Instrument:
        return instance.instrument_version.instrument

    def save_answer(self, instance: Diagnostic, payload: AnswerPayload) -> DiagnosticAnswer:
        return answer_save(
            diagnostic=instance,
            question_code=payload.question,
            value=payload.value,
            base_revision=payload.base_revision,
            user=self.request.user,
            force=payload.force,
        )

    def get_answers(self, instance: Diagnostic) -> dict[str, Any]:
        return _values(_answer_rows(instance))


answer = DiagnosticAutosave.as_view()


# ---------------------------------------------------------------------------------------------
# Submit and targets
# ---------------------------------------------------------------------------------------------


@login_required
def submit(request: HttpRequest, pk: int) -> HttpResponse:
    """Submitting freezes the answers for good: first a page saying what that means and who will
    see the results (or what is still missing), then a second, confirmed POST submits."""
    diagnostic = _viewable(request, pk)
    if not diagnostic.is_draft:
        return redirect("diagnostic:results", pk=diagnostic.pk)
    if not can_manage(request.user, diagnostic.municipality):
        raise PermissionDenied
    if request.method != "POST" or request.POST.get("confirm") != "yes":
        return _submit_check(request, diagnostic)
    try:
        diagnostic_submit(diagnostic=diagnostic, user=request.user)
    except DiagnosticIncomplete as incomplete:
        return _incomplete_render(request, diagnostic, incomplete.missing)
    except DiagnosticError as exc:
        messages.error(request, str(exc))
        return redirect("diagnostic:results", pk=diagnostic.pk)
    messages.success(request, _("The diagnostic is submitted. Here are your results."))
    return redirect("diagnostic:results", pk=diagnostic.pk)


def _submit_check(request: HttpRequest, diagnostic: Diagnostic) -> HttpResponse:
    """What is still missing, or the confirmation step."""
    instrument = diagnostic.instrument_version.instrument
    answers = _values(_answer_rows(diagnostic))
    missing = missing_required(instrument, answers)
    if missing:
        return _incomplete_render(request, diagnostic, missing)
    progress = answer_progress(instrument, answers)
    context = {
        "diagnostic": diagnostic,
        "municipality": diagnostic.municipality,
        "progress": progress,
        "min_peers": MIN_PEERS,
    }
    return render(request, "diagnostic/submit_confirm.html", context)


def _incomplete_render(
    request: HttpRequest, diagnostic: Diagnostic, missing: list[str]
) -> HttpResponse:
    instrument = diagnostic.instrument_version.instrument
    groups = missing_by_section(instrument, missing, active_language())
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
        request.POST or None, instrument=instrument, language=active_language(), initial=initial
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
