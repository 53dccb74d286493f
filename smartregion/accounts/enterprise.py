"""Belgian enterprise numbers (BCE/KBO): parsing, the official check digits, display.

An enterprise number has ten digits, starts with 0 or 1, and its last two digits equal
97 minus the first eight taken modulo 97. People write it as 0123.456.749, BE 0123456749,
or with spaces; we store the ten digits and show the dotted form.
"""

from __future__ import annotations

import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_SEPARATORS = re.compile(r"[\s.\-/]")


def enterprise_number_normalise(value: str) -> str:
    """The ten digits of `value`, or ValidationError naming what is wrong."""
    text = _SEPARATORS.sub("", value or "").upper()
    if text.startswith("BE"):
        text = text[2:]
    if len(text) == 9 and text.isdigit():  # older numbers are often written without their leading 0
        text = "0" + text
    if not (len(text) == 10 and text.isdigit()):
        raise ValidationError(
            _("An enterprise number has 10 digits, such as 0123.456.749 (you wrote “%(value)s”)."),
            code="enterprise_number_format",
            params={"value": value},
        )
    if text[0] not in "01":
        raise ValidationError(
            _("An enterprise number starts with 0 or 1 (you wrote “%(value)s”)."),
            code="enterprise_number_prefix",
            params={"value": value},
        )
    if 97 - int(text[:8]) % 97 != int(text[8:]):
        raise ValidationError(
            _("“%(value)s” is not a valid enterprise number: its check digits do not match."),
            code="enterprise_number_check",
            params={"value": value},
        )
    return text


def enterprise_number_display(digits: str) -> str:
    """0123456749 → 0123.456.749 (the form the Crossroads Bank for Enterprises uses)."""
    if len(digits) != 10:
        return digits
    return f"{digits[:4]}.{digits[4:7]}.{digits[7:]}"


def validate_enterprise_number(value: str) -> None:
    enterprise_number_normalise(value)
