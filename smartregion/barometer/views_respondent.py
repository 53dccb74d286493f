"""The respondent's side of a wave: an invitation link opens the commune's questionnaire.

No account is needed: the link is the key, so these pages ignore authentication entirely (CSRF
still guards every POST). The questions render through the diagnostic's partials and fill.js,
which saves each answer through `answer`; every page also works without JavaScript (a section is
an ordinary form). Unlike the diagnostic, saves carry no conflict detection: a commune answers
once per wave, usually through one person, so the last save wins.

A link that opens nothing says why, and never which commune it might belong to: unknown (404),
wave not open yet (409), wave closed (410, for GET and POST alike; nothing is saved).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from functools import wraps
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from smartregion.core.i18n import active_language
from smartregion.diagnostic.forms import (
    FieldInput,
    PayloadInvalid,
    parse_answer_payload,
    parse_section,
)
from smartregion.diagnostic.views.fill import (
    QuestionView,
    answer_progress,
    first_unfinished,
    question_view,
    section_counts,
)
from smartregion.instruments.definition import Instrument, Section
from smartregion.instruments.presentation import missing_by_section
from smartregion.instruments.progress import missing_required
from smartregion.instruments.scoring import hidden_questions

from .models import Response, ResponseAnswer, Wave, WaveMember
from .services import (
    BarometerError,
    InvalidAnswer,
    member_for_token,
    response_answer_save,
    response_respondent_set,
    response_submit,
    token_hash,
)

SECONDS_PER_QUESTION = 30  # an estimate (not yet measured with respondents) for "about N minutes"

# ---------------------------------------------------------------------------------------------
# The link and what it opens
# ---------------------------------------------------------------------------------------------


def _wave_title(wave: Wave) -> str:
    return wave.title_en if active_language() == "en" and wave.title_en else wave.title_fr


def _refusal(request: HttpRequest, token: str, *, as_json: bool) -> HttpResponse:
    """Why the link opens nothing: unknown, not open yet or closed (one query, errors only)."""
    wave = Wave.objects.filter(members__links__token_hash=token_hash(token)).first()
    if wave is None:
        status, message = 404, _("This link is not valid. Check that you copied it whole.")
    elif wave.status == Wave.Status.CLOSED:
        closed = (
            date_format(timezone.localtime(wave.closed_at), "DATE_FORMAT") if wave.closed_at else ""
        )
        status = 410
        message = _("This survey closed on %(date)s; answers can no longer be changed.") % {
            "date": closed
        }
    else:
        status, message = 409, _("This survey is not open yet. Come back once it opens.")
    if as_json:
        return JsonResponse({"errors": [message]}, status=status)
    context = {
        "status": status,
        "message": message,
        "wave_title": _wave_title(wave) if wave else "",
    }
    return render(request, "barometer/respond_refused.html", context, status=status)


def _invitation(*, as_json: bool = False) -> Callable:
    """Resolve the link's token to the wave member, or answer with the refusal."""

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapper(request: HttpRequest, token: str, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                member = member_for_token(token)
            except BarometerError:
                return _refusal(request, token, as_json=as_json)
            return view(request, member, token, *args, **kwargs)

        return never_cache(wrapper)

    return decorator


@dataclass
class _Answers:
    """The commune's response (None before the first save) and its answers by question code."""

    response: Response | None
    rows: dict[str, ResponseAnswer]

    @property
    def values(self) -> dict[str, Any]:
        return {code: row.value for code, row in self.rows.items() if row.value is not None}


def _answers(member: WaveMember) -> _Answers:
    """Reading never creates the response: a link merely opened does not count as started."""
    response = Response.objects.filter(member=member).first()
    if response is None:
        return _Answers(None, {})
    return _Answers(response, {row.question_code: row for row in response.answers.all()})


def _closes(wave: Wave) -> str:
    return date_format(wave.closes_on, "DATE_FORMAT") if wave.closes_on else ""


def _base_context(member: WaveMember, token: str, answers: _Answers) -> dict[str, Any]:
    instrument = member.wave.instrument_version.instrument
    lang = active_language()
    values = answers.values
    hidden = hidden_questions(instrument, values)
    return {
        "token": token,
        "wave": member.wave,
        "wave_title": _wave_title(member.wave),
        "municipality": member.municipality,
        "response": answers.response,
        "submitted": bool(answers.response and answers.response.submitted_at),
        "closes": _closes(member.wave),
        "progress": answer_progress(instrument, values),
        "sections": [
            {
                "code": s.code,
                "number": i,
                "title": Instrument.text(s, lang),
                "counts": section_counts(s, values, hidden),
            }
            for i, s in enumerate(instrument.sections, start=1)
        ],
    }


# ---------------------------------------------------------------------------------------------
# Welcome page: what the survey is, who answers
# ---------------------------------------------------------------------------------------------


class RespondentForm(forms.ModelForm):
    class Meta:
        model = Response
        fields = ["respondent_name", "respondent_role"]


@_invitation()
def respond(request: HttpRequest, member: WaveMember, token: str) -> HttpResponse:
    answers = _answers(member)
    form = RespondentForm(request.POST or None, instance=answers.response or Response())
    if request.method == "POST" and form.is_valid():
        try:
            response_respondent_set(
                member=member,
                name=form.cleaned_data["respondent_name"],
                role=form.cleaned_data["respondent_role"],
            )
        except BarometerError:
            return _refusal(request, token, as_json=False)
        return redirect(_resume_url(member, token, answers))
    instrument = member.wave.instrument_version.instrument
    context = _base_context(member, token, answers) | {
        "form": form,
        "description": Instrument.text(instrument.description, active_language()),
        "question_count": len(instrument.questions),
        "minutes": 5 * max(1, round(len(instrument.questions) * SECONDS_PER_QUESTION / 300)),
        "public_count": sum(1 for q in instrument.questions if q.public),
        "resume_url": _resume_url(member, token, answers),
    }
    return render(request, "barometer/respond.html", context)


def _resume_url(member: WaveMember, token: str, answers: _Answers) -> str:
    instrument = member.wave.instrument_version.instrument
    if not missing_required(instrument, answers.values):
        return reverse("barometer:respond-submit", args=[token])
    section = first_unfinished(instrument, answers.values)
    return reverse("barometer:respond-section", args=[token, section.code])


# ---------------------------------------------------------------------------------------------
# A section of questions
# ---------------------------------------------------------------------------------------------


def _find_section(instrument: Instrument, code: str) -> tuple[int, Section] | None:
    for index, current in enumerate(instrument.sections, start=1):
        if current.code == code:
            return index, current
    return None


def _question_views(
    current: Section,
    index: int,
    answers: _Answers,
    hidden: set[str],
    posted: dict[str, FieldInput],
) -> list[QuestionView]:
    lang = active_language()
    views = []
    for number, question in enumerate(current.questions, start=1):
        row = answers.rows.get(question.code)
        value, raw = (row.value if row else None), None
        if question.code in posted:
            value, raw = posted[question.code].value, posted[question.code].raw
        view = question_view(
            question,
            f"{index}.{number}",
            value=value,
            raw=raw,
            row=None,
            hidden=question.code in hidden,
            lang=lang,
        )
        view.revision = row.revision if row else 0
        if row is not None and row.value is not None:
            moment = date_format(timezone.localtime(row.updated_at), "SHORT_DATETIME_FORMAT")
            view.last_saved = _("Saved on %(when)s") % {"when": moment}
        if question.public:
            view.badge = _("may be published for your commune")
        views.append(view)
    return views


@_invitation()
def section(request: HttpRequest, member: WaveMember, token: str, section: str) -> HttpResponse:
    instrument = member.wave.instrument_version.instrument
    found = _find_section(instrument, section)
    if found is None:
        return redirect("barometer:respond", token=token)
    index, current = found
    answers = _answers(member)
    outcome = _SaveOutcome()
    if request.method == "POST":
        try:
            outcome = _section_save(request, member, instrument, current, answers)
        except BarometerError:  # the wave closed while the page was open
            return _refusal(request, token, as_json=False)
        if not outcome.errors:
            return redirect(_after_save(request, token, instrument, current, answers, outcome))
    return _section_render(request, member, token, instrument, index, current, answers, outcome)


@dataclass
class _SaveOutcome:
    posted: dict[str, FieldInput] = field(default_factory=dict)
    errors: dict[str, list[str]] = field(default_factory=dict)
    revealed: list[str] = field(default_factory=list)


def _section_save(
    request: HttpRequest,
    member: WaveMember,
    instrument: Instrument,
    current: Section,
    answers: _Answers,
) -> _SaveOutcome:
    """Save the section's changed answers in order, so a follow-up sees the answer it depends on.

    Questions the answers hide are left alone; `answers` is updated in place with what was saved.
    """
    outcome = _SaveOutcome()
    hidden_before = hidden_questions(instrument, answers.values)
    posted = parse_section(current, request.POST)
    for question in current.questions:
        field_input, revision = posted[question.code]
        outcome.posted[question.code] = field_input
        values = answers.values
        if question.code in hidden_questions(instrument, values):
            continue
        if field_input.errors:
            outcome.errors[question.code] = field_input.errors
            continue
        if field_input.value == values.get(question.code):
            continue
        if revision is None and field_input.value is None:
            continue  # not on the submitted form: nothing to clear
        try:
            saved = response_answer_save(
                member=member, question_code=question.code, value=field_input.value
            )
        except InvalidAnswer as invalid:
            outcome.errors[question.code] = invalid.errors
        else:
            answers.rows[question.code] = saved
    hidden_now = hidden_questions(instrument, answers.values)
    outcome.revealed = [
        q.code
        for q in current.questions
        if q.code in hidden_before and q.code not in hidden_now and q.code not in answers.values
    ]
    return outcome


def _after_save(
    request: HttpRequest,
    token: str,
    instrument: Instrument,
    current: Section,
    answers: _Answers,
    outcome: _SaveOutcome,
) -> str:
    """Where a saved section leads: its new follow-up questions, the next section, or submit."""
    here = reverse("barometer:respond-section", args=[token, current.code])
    if outcome.revealed:
        messages.info(request, _("Saved. Your answers opened follow-up questions below."))
        return f"{here}#q-{outcome.revealed[0]}"
    messages.success(request, _("Section saved."))
    if request.POST.get("action") == "stay":
        return here
    codes = [s.code for s in instrument.sections]
    position = codes.index(current.code)
    if position + 1 < len(codes):
        return reverse("barometer:respond-section", args=[token, codes[position + 1]])
    return reverse("barometer:respond-submit", args=[token])


def _section_render(
    request: HttpRequest,
    member: WaveMember,
    token: str,
    instrument: Instrument,
    index: int,
    current: Section,
    answers: _Answers,
    outcome: _SaveOutcome,
) -> HttpResponse:
    lang = active_language()
    hidden = hidden_questions(instrument, answers.values)
    questions = _question_views(current, index, answers, hidden, outcome.posted)
    for view in questions:
        view.errors = outcome.errors.get(view.code, [])
    codes = [s.code for s in instrument.sections]
    position = codes.index(current.code)
    context = _base_context(member, token, answers) | {
        "section": current,
        "section_number": index,
        "section_title": Instrument.text(current, lang),
        "section_intro": Instrument.text(current, lang, "intro"),
        "previous": codes[position - 1] if position > 0 else None,
        "next": codes[position + 1] if position + 1 < len(codes) else None,
        "questions": questions,
        "has_errors": bool(outcome.errors),
        "has_public": any(q.public for q in current.questions),
    }
    return render(request, "barometer/respond_section.html", context)


# ---------------------------------------------------------------------------------------------
# Autosave endpoint
# ---------------------------------------------------------------------------------------------


@require_POST
@_invitation(as_json=True)
def answer(request: HttpRequest, member: WaveMember, token: str) -> HttpResponse:
    """Save one answer (JSON in, JSON out): 200 saved, 422 invalid, 404/409/410 refused link.

    The payload is the diagnostic's ({question, value, base_revision}); base_revision and force
    are ignored, since the barometer does not detect conflicts.
    """
    instrument = member.wave.instrument_version.instrument
    try:
        payload = parse_answer_payload(request.body, instrument)
        saved = response_answer_save(
            member=member, question_code=payload.question, value=payload.value
        )
    except PayloadInvalid as exc:
        return JsonResponse({"errors": [str(exc)]}, status=422)
    except InvalidAnswer as invalid:
        return JsonResponse({"errors": invalid.errors, "paths": invalid.paths}, status=422)
    except BarometerError:  # the wave closed between the lookup and the save
        return _refusal(request, token, as_json=True)
    values = _answers(member).values
    return JsonResponse(
        {
            "revision": saved.revision,
            "saved_at": saved.updated_at.isoformat(),
            "saved_at_display": date_format(timezone.localtime(saved.updated_at), "TIME_FORMAT"),
            "progress": answer_progress(instrument, values),
            "hidden": sorted(hidden_questions(instrument, values)),
        }
    )


# ---------------------------------------------------------------------------------------------
# Submit
# ---------------------------------------------------------------------------------------------


@_invitation()
def submit(request: HttpRequest, member: WaveMember, token: str) -> HttpResponse:
    """The final step: what is still missing, the submit button, or the thank-you note."""
    tried = request.method == "POST"
    if tried:
        try:
            response_submit(member=member)
        except BarometerError:
            pass  # required questions are missing (listed below), or the wave just closed
        else:
            return redirect("barometer:respond-submit", token=token)
    answers = _answers(member)
    instrument = member.wave.instrument_version.instrument
    groups = missing_by_section(
        instrument, missing_required(instrument, answers.values), active_language()
    )
    if tried and not groups:
        return _refusal(request, token, as_json=False)
    context = _base_context(member, token, answers) | {
        "groups": groups,
        "missing_count": sum(len(g["questions"]) for g in groups),
        "tried": tried,
    }
    return render(request, "barometer/respond_submit.html", context)
