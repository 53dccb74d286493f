"""The autosave endpoint fill.js posts each answer to, shared by every tool with a questionnaire.

JSON in ({question, value, base_revision, force?}), JSON out: 200 with the new revision, the
progress and the questions the answers now hide; 409 when a colleague saved since (with their
answer); 422 when the request or the answer is invalid (messages and their paths). A tool
subclasses AutosaveView to say what instance the URL names, who may change its answers and which
service saves; everything else is the same for every questionnaire.
"""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.utils.formats import date_format
from django.views import View

from smartregion.core.i18n import active_language

from .answers import AnswerConflict, InvalidAnswer
from .definition import Instrument, Question
from .inputs import AnswerPayload, PayloadInvalid, parse_answer_payload
from .progress import answer_progress
from .rendering import answer_display, conflict_message
from .scoring import hidden_questions


class AutosaveView(View):
    """Save one answer of the instance the URL names. Subclasses fill in the hooks below."""

    http_method_names = ["post"]
    # The tool's own refusals (a submitted diagnostic, a closed wave), answered by tool_refusal.
    tool_errors: tuple[type[Exception], ...] = ()

    def get_instance(self) -> Any:
        """The diagnostic, wave member… the URL names (self.kwargs); raise Http404 if none."""
        raise NotImplementedError

    def deny(self, instance: Any) -> HttpResponse | None:
        """A refusal when this request may not change the instance's answers, else None."""
        return None

    def get_instrument(self, instance: Any) -> Instrument:
        raise NotImplementedError

    def save_answer(self, instance: Any, payload: AnswerPayload) -> Any:
        """Save through the tool's service; returns the stored row (its revision, updated_at)."""
        raise NotImplementedError

    def get_answers(self, instance: Any) -> dict[str, Any]:
        """The instance's stored answers, by question code."""
        raise NotImplementedError

    def tool_refusal(self, instance: Any, error: Exception) -> HttpResponse:
        return JsonResponse({"errors": [str(error)]}, status=403)

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        instance = self.get_instance()
        denied = self.deny(instance)
        if denied is not None:
            return denied
        instrument = self.get_instrument(instance)
        try:
            payload = parse_answer_payload(request.body, instrument)
            saved = self.save_answer(instance, payload)
        except PayloadInvalid as exc:
            return JsonResponse({"errors": [str(exc)]}, status=422)
        except InvalidAnswer as invalid:
            return JsonResponse({"errors": invalid.errors, "paths": invalid.paths}, status=422)
        except AnswerConflict as conflict:
            # The questions the colleague's answers show or hide, for when the user keeps theirs.
            hidden = hidden_questions(instrument, self.get_answers(instance))
            return conflict_response(instrument.question(payload.question), conflict, hidden)
        except self.tool_errors as error:
            return self.tool_refusal(instance, error)
        return saved_response(instrument, saved, self.get_answers(instance))


def saved_response(instrument: Instrument, saved: Any, answers: dict[str, Any]) -> JsonResponse:
    return JsonResponse(
        {
            "revision": saved.revision,
            "saved_at": saved.updated_at.isoformat(),
            "saved_at_display": date_format(timezone.localtime(saved.updated_at), "TIME_FORMAT"),
            "progress": answer_progress(instrument, answers).as_dict(),
            "hidden": sorted(hidden_questions(instrument, answers)),
        }
    )


def conflict_response(
    question: Question, conflict: AnswerConflict, hidden: set[str]
) -> JsonResponse:
    lang = active_language()
    return JsonResponse(
        {
            "hidden": sorted(hidden),
            "conflict": {
                "value": conflict.value,
                "revision": conflict.revision,
                "updated_by": conflict.updated_by,
                "updated_at": conflict.updated_at.isoformat(),
                "display": answer_display(question, conflict.value, lang),
            },
            "message": conflict_message(question, conflict, lang),
        },
        status=409,
    )
