"""Belgian enterprise numbers: the written forms people use, and the check digits."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation
from hypothesis import given
from hypothesis import strategies as st

from smartregion.accounts.enterprise import (
    enterprise_number_display,
    enterprise_number_normalise,
)
from smartregion.accounts.models import Organisation


@pytest.mark.parametrize(
    ("written", "digits"),
    [
        ("0202.239.951", "0202239951"),  # Proximus, as the Crossroads Bank writes it
        ("BE 0202 239 951", "0202239951"),
        ("be0202239951", "0202239951"),
        ("202.239.951", "0202239951"),  # the nine-digit form used before the leading 0
        ("0417-497-106", "0417497106"),
    ],
)
def test_enterprise_number_normalise_accepts_written_forms(written, digits):
    assert enterprise_number_normalise(written) == digits


@pytest.mark.parametrize(
    ("written", "code"),
    [
        ("0202.239.952", "enterprise_number_check"),
        ("0202.239.9", "enterprise_number_format"),
        ("0202.239.9511", "enterprise_number_format"),
        ("ABCD.EFG.HIJ", "enterprise_number_format"),
        ("", "enterprise_number_format"),
        ("2202.239.951", "enterprise_number_prefix"),
    ],
)
def test_enterprise_number_normalise_refuses_with_reason(written, code):
    with pytest.raises(ValidationError) as error:
        enterprise_number_normalise(written)
    assert error.value.code == code


def test_enterprise_number_check_message_names_the_number():
    with pytest.raises(ValidationError) as error:
        enterprise_number_normalise("0202.239.952")

    with translation.override("en"):  # the message is lazy: read in the source language
        assert error.value.messages == [
            "“0202.239.952” is not a valid enterprise number: its check digits do not match."
        ]
    with translation.override("fr"):
        assert error.value.messages == [
            "«\u00a00202.239.952\u00a0» n’est pas un numéro d’entreprise valide : "
            "ses chiffres de contrôle ne correspondent pas."
        ]


@given(st.integers(min_value=0, max_value=19_999_999))
def test_enterprise_number_every_base_has_exactly_one_check(base):
    first = f"{base:08d}"
    valid = 97 - base % 97
    assert enterprise_number_normalise(f"{first}{valid:02d}") == f"{first}{valid:02d}"
    wrong = (valid % 97) + 1
    with pytest.raises(ValidationError):
        enterprise_number_normalise(f"{first}{wrong:02d}")


def test_enterprise_number_display_dotted():
    assert enterprise_number_display("0202239951") == "0202.239.951"


@pytest.mark.django_db
def test_organisation_full_clean_refuses_wrong_check_digit():
    organisation = Organisation(
        name="Société test", slug="societe-test", kind="company", enterprise_number="0202239952"
    )
    with pytest.raises(ValidationError) as error:
        organisation.full_clean()
    assert list(error.value.message_dict) == ["enterprise_number"]
