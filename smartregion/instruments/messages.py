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

# What an answer of the wrong type should have been: the pure checks name it in English
# (`scoring._type_error`), the message says it in the user's language.
EXPECTED = {
    "a list of option codes": _("a list of proposed answers"),
    "a mapping of row codes to numbers": _("a number for each row"),
    "a number": _("a number"),
    "a text": _("a text"),
    "a whole number": _("a whole number"),
    "an option code": _("one of the proposed answers"),
}


def localized_reason(error: ValidationError) -> str:
    message = ANSWER_MESSAGES.get(error.code)
    if message is None:
        return error.reason
    params = dict(error.params)
    if "expected" in params:
        params["expected"] = EXPECTED.get(params["expected"], params["expected"])
    try:
        return str(message) % params
    except (KeyError, TypeError, ValueError):
        return error.reason
