"""The respondent's side of a wave: an invitation link opens the commune's questionnaire.

No account is needed: the link is the key, so these pages ignore authentication entirely (CSRF
still guards every POST). The questionnaire engine (instruments) parses, renders, plans the
section save and runs the autosave endpoint (`answer`, which fill.js posts to); every page also
works without JavaScript (a section is an ordinary form). Unlike the diagnostic, saves carry no
conflict detection: a commune answers once per wave, usually through one person, so the last save
wins.

A link that opens nothing says why, and never which commune it might belong to: unknown (404),
wave not open yet (409), wave closed (410, for GET and POST alike; nothing is saved).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django import forms
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache

from smartregion.core.i18n import active_language
from smartregion.instruments.autosave import AutosaveView
from smartregion.instruments.definition import Instrument, Question, Section
from smartregion.instruments.filling import SectionSave, section_destination, section_save
from smartregion.instruments.inputs import AnswerPayload
from smartregion.instruments.presentation import missing_by_section
from smartregion.instruments.progress import answer_progress, first_unfinished, missing_required
from smartregion.instruments.rendering import (
    QuestionView,
    find_section,
    saved_at,
    section_context,
    section_nav,
    section_views,
    text_lang,
)
from smartregion.instruments.scoring import hidden_questions

from ..models import Response, ResponseAnswer, Wave, WaveMember
from ..services import (
    BarometerError,
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
    return wave.title


def _title_lang(wave: Wave) -> str:
    """The title's `lang` attribute where it differs from the page's (a French fallback)."""
    return "" if wave.title_lang == active_language() else wave.title_lang


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
        "title_lang": _title_lang(member.wave),
        "text_lang": text_lang(instrument, lang),
        "municipality": member.municipality,
        "response": answers.response,
        "submitted": bool(answers.response and answers.response.submitted_at),
        "closes": _closes(member.wave),
        "progress": answer_progress(instrument, values).as_dict(),
        "sections": section_nav(instrument, values, hidden, lang),
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


def _saved_on(row: ResponseAnswer) -> str:
    return _("Saved on %(when)s") % {"when": saved_at(row.updated_at)}


def _question_views(
    current: Section, index: int, answers: _Answers, hidden: set[str], outcome: SectionSave
) -> list[QuestionView]:
    views = section_views(
        current,
        index,
        rows=answers.rows,
        hidden=hidden,
        lang=active_language(),
        posted=outcome.posted,
        last_saved=_saved_on,
    )
    for view in views:
        view.errors = outcome.errors.get(view.code, [])
        if view.question.public:
            view.badge = _("may be published for your commune")
    return views


@_invitation()
def section(request: HttpRequest, member: WaveMember, token: str, section: str) -> HttpResponse:
    instrument = member.wave.instrument_version.instrument
    found = find_section(instrument, section)
    if found is None:
        return redirect("barometer:respond", token=token)
    index, current = found
    answers = _answers(member)
    outcome = SectionSave()
    if request.method == "POST":
        try:
            outcome = _section_save(request, member, instrument, current, answers)
        except BarometerError:  # the wave closed while the page was open
            return _refusal(request, token, as_json=False)
        if not outcome.refused:
            return redirect(
                section_destination(
                    request,
                    instrument,
                    current,
                    outcome,
                    section_url=lambda code: reverse(
                        "barometer:respond-section", args=[token, code]
                    ),
                    end_url=reverse("barometer:respond-submit", args=[token]),
                )
            )
    return _section_render(request, member, token, instrument, index, current, answers, outcome)


def _section_save(
    request: HttpRequest,
    member: WaveMember,
    instrument: Instrument,
    current: Section,
    answers: _Answers,
) -> SectionSave:
    """The engine's section save through response_answer_save; `answers` is updated in place."""

    def save(question: Question, value: Any, revision: int | None) -> Any:
        saved = response_answer_save(member=member, question_code=question.code, value=value)
        answers.rows[question.code] = saved
        return saved.value

    return section_save(instrument, current, request.POST, answers.values, save)


def _section_render(
    request: HttpRequest,
    member: WaveMember,
    token: str,
    instrument: Instrument,
    index: int,
    current: Section,
    answers: _Answers,
    outcome: SectionSave,
) -> HttpResponse:
    hidden = hidden_questions(instrument, answers.values)
    context = (
        _base_context(member, token, answers)
        | section_context(instrument, index, current, active_language())
        | {
            "questions": _question_views(current, index, answers, hidden, outcome),
            "has_errors": outcome.refused,
            "has_public": any(q.public for q in current.questions),
        }
    )
    return render(request, "barometer/respond_section.html", context)


# ---------------------------------------------------------------------------------------------
# Autosave endpoint
# ---------------------------------------------------------------------------------------------


class RespondentAutosave(AutosaveView):
    """Save one answer (JSON in, JSON out): 200 saved, 422 invalid, 404/409/410 refused link.

    The payload is the diagnostic's ({question, value, base_revision}); base_revision and force
    are ignored, since the barometer does not detect conflicts.
    """

    tool_errors = (BarometerError,)  # the wave closed between the lookup and the save

    def get_instance(self) -> WaveMember | None:
        try:
            return member_for_token(self.kwargs["token"])
        except BarometerError:
            return None

    def deny(self, instance: WaveMember | None) -> HttpResponse | None:
        return (
            _refusal(self.request, self.kwargs["token"], as_json=True) if instance is None else None
        )

    def get_instrument(self, instance: WaveMember) -> Instrument:
        return instance.wave.instrument_version.instrument

    def save_answer(self, instance: WaveMember, payload: AnswerPayload) -> ResponseAnswer:
        return response_answer_save(
            member=instance, question_code=payload.question, value=payload.value
        )

    def get_answers(self, instance: WaveMember) -> dict[str, Any]:
        return _answers(instance).values

    def tool_refusal(self, instance: WaveMember, error: Exception) -> HttpResponse:
        return _refusal(self.request, self.kwargs["token"], as_json=True)


answer = never_cache(RespondentAutosave.as_view())


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
