"""Answer errors read in one language: the expected type is translated with the sentence."""

from __future__ import annotations

import inspect
import re

import pytest
from django.utils import translation

from smartregion.instruments import scoring
from smartregion.instruments.messages import EXPECTED, localized_reason
from smartregion.instruments.validation import ValidationError


@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("fr", "cette réponse doit être un nombre entier"),
        ("de", "diese Antwort muss eine ganze Zahl sein"),
        ("nl", "dit antwoord moet een geheel getal zijn"),
        ("en", "this answer must be a whole number"),
    ],
)
def test_answer_type_message_in_one_language(language: str, expected: str) -> None:
    error = ValidationError(
        "confidence", "answer_type", {"type": "scale", "expected": "a whole number"}
    )

    with translation.override(language):
        assert localized_reason(error) == expected


def test_every_expected_type_of_the_checks_has_a_translation() -> None:
    named = set(re.findall(r'_type_error\(q, [^,]+, "([^"]+)"\)', inspect.getsource(scoring)))

    with translation.override("fr"):
        translated = {key: str(EXPECTED[key]) for key in named & EXPECTED.keys()}

    assert named == EXPECTED.keys()
    assert all(text != key for key, text in translated.items()), translated
