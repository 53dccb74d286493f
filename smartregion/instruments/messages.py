"""Answer errors in the user's language. The pure modules keep codes and parameters; this maps
the codes users meet when answering to translatable texts (authors' errors stay in English)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from .validation import ValidationError

ANSWER_MESSAGES = {
    "unknown_question": _("unknown question"),
    "answer_type": _("this answer must be %(expected)s"),
    "unknown_option": _("“%(value)s” is not one of the proposed answers"),
    "unknown_row": _("unknown row “%(value)s”"),
    "duplicate_option": _("“%(value)s” is selected twice"),
    "exclusive_option": _("“%(value)s” cannot be combined with other answers"),
    "out_of_range": _("%(value)s is outside %(min)s–%(max)s"),
    "not_integer": _("%(value)s must be a whole number"),
    "too_long": _("at most %(max)s characters"),
    "dont_know_not_allowed": _("“Don't know” is not accepted for this question"),
    "not_applicable_not_allowed": _("“Not applicable” is not accepted for this question"),
    "hidden_question": _("this question does not apply given the other answers"),
}


def localized_reason(error: ValidationError) -> str:
    message = ANSWER_MESSAGES.get(error.code)
    if message is None:
        return error.reason
    try:
        return str(message) % error.params
    except (KeyError, TypeError, ValueError):
        return error.reason
