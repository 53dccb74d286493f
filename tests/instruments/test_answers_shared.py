"""Both tools that save answers refuse the same invalid answers the same way, and count alike.

One instrument (tests/instruments/files/tiny.yaml) serves a Namur diagnostic and a barometer wave
at once, so every invalid answer goes through the diagnostic's and the barometer's save services
and autosave endpoints; each must give the same messages at the same paths and save nothing.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.utils import translation

from smartregion.barometer.models import Response, ResponseAnswer
from smartregion.barometer.services import member_for_token, response_answer_save, wave_open
from smartregion.diagnostic.models import Diagnostic, DiagnosticAnswer
from smartregion.diagnostic.services import answer_save
from smartregion.instruments.answers import InvalidAnswer
from smartregion.instruments.models import InstrumentVersion
from smartregion.instruments.services import instrument_version_load
from smartregion.territory.models import Municipality
from tests.factories import DiagnosticFactory, WaveFactory

from .helpers import FILES

pytestmark = pytest.mark.django_db

UNKNOWN = "“no_such_option” is not one of the proposed answers"
# (question, value, [(path, message)]): one of each kind of refusal.
INVALID: list[tuple[str, Any, list[tuple[str, str]]]] = [
    ("tools", ["no_such_option", "no_such_option"], [("tools[0]", UNKNOWN), ("tools[1]", UNKNOWN)]),
    ("tools", ["portal", "portal"], [("tools[1]", "“portal” is selected twice")]),
    (
        "tools",
        ["nothing", "api"],
        [("tools[0]", "“nothing” cannot be combined with other answers")],
    ),
    ("tools", "portal", [("tools", "this answer must be a list of proposed answers")]),
    ("strategy", "maybe", [("strategy", "“maybe” is not one of the proposed answers")]),
    ("strategy", ["none"], [("strategy", "this answer must be one of the proposed answers")]),
    (
        "strategy",
        "not_applicable",
        [("strategy", "“Not applicable” is not accepted for this question")],
    ),
    ("confidence", 9, [("confidence", "9 is outside 1–5")]),
    ("confidence", 2.5, [("confidence", "this answer must be a whole number")]),
    ("confidence", "high", [("confidence", "this answer must be a whole number")]),
    ("fte", 51, [("fte", "51 is outside 0–50")]),
    ("fte", "many", [("fte", "this answer must be a number")]),
    ("practices", {"backup": 7}, [("practices.backup", "7 is outside 0–4")]),
    ("practices", {"nope": 1}, [("practices.nope", "unknown row “nope”")]),
    ("practices", [1, 2], [("practices", "this answer must be a number for each row")]),
    ("comment", 42, [("comment", "this answer must be a text")]),
    (
        "adopted_by_council",
        "yes",
        [("adopted_by_council", "this question does not apply given the other answers")],
    ),
    ("no_such_question", 1, [("no_such_question", "unknown question")]),
]
IDS = [f"{code}={value!r}" for code, value, _ in INVALID]


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def tiny(db) -> InstrumentVersion:
    return instrument_version_load(path=FILES / "tiny.yaml")


@pytest.fixture
def diagnostic(tiny, namur, manager) -> Diagnostic:
    return DiagnosticFactory(municipality=namur, instrument_version=tiny, created_by=manager)


@pytest.fixture
def token(tiny, territory) -> str:
    wave = WaveFactory(instrument_version=tiny, year=2026)
    tokens = wave_open(wave=wave, link_for=lambda t: f"http://testserver/r/{t}/")
    return tokens[Municipality.objects.get(refnis="92094").pk]


def _refusal(save) -> tuple[str, list[tuple[str, str]]]:
    with pytest.raises(InvalidAnswer) as invalid:
        save()
    return invalid.value.question_code, list(
        zip(invalid.value.paths, invalid.value.errors, strict=True)
    )


@pytest.mark.parametrize(("code", "value", "expected"), INVALID, ids=IDS)
def test_save_services_refuse_invalid_answers_alike(
    diagnostic, token, manager, code, value, expected
):
    member = member_for_token(token)

    by_diagnostic = _refusal(
        lambda: answer_save(
            diagnostic=diagnostic, question_code=code, value=value, base_revision=0, user=manager
        )
    )
    by_barometer = _refusal(
        lambda: response_answer_save(member=member, question_code=code, value=value)
    )

    assert by_diagnostic == by_barometer == (code, expected)
    assert DiagnosticAnswer.objects.count() == ResponseAnswer.objects.count() == 0


def _post(client, url: str, payload: dict[str, Any]):
    return client.post(url, json.dumps(payload), content_type="application/json")


# The endpoints name unknown questions before any service sees them.
ENDPOINT_INVALID = [
    (code, value, expected) for code, value, expected in INVALID if code != "no_such_question"
]


@pytest.mark.parametrize(
    ("code", "value", "expected"), ENDPOINT_INVALID, ids=IDS[: len(ENDPOINT_INVALID)]
)
def test_autosave_endpoints_refuse_invalid_answers_alike(
    client, diagnostic, token, member, code, value, expected
):
    client.force_login(member)
    payload = {"question": code, "value": value, "base_revision": 0}

    by_diagnostic = _post(client, f"/en/diagnostics/{diagnostic.pk}/answer/", payload)
    by_barometer = _post(client, f"/en/barometer/r/{token}/answer/", payload)

    body = {"errors": [m for _, m in expected], "paths": [p for p, _ in expected]}
    assert (by_diagnostic.status_code, by_diagnostic.json()) == (422, body)
    assert (by_barometer.status_code, by_barometer.json()) == (422, body)
    assert DiagnosticAnswer.objects.count() == ResponseAnswer.objects.count() == 0
    assert Response.objects.count() == 0  # the refused save rolled back the new response too


def test_autosave_endpoints_refuse_an_unknown_question_alike(client, diagnostic, token, member):
    client.force_login(member)
    payload = {"question": "no_such_question", "value": 1}

    by_diagnostic = _post(client, f"/en/diagnostics/{diagnostic.pk}/answer/", payload)
    by_barometer = _post(client, f"/en/barometer/r/{token}/answer/", payload)

    body = {"errors": ["Unknown question."]}
    assert (by_diagnostic.status_code, by_diagnostic.json()) == (422, body)
    assert (by_barometer.status_code, by_barometer.json()) == (422, body)
    assert DiagnosticAnswer.objects.count() == ResponseAnswer.objects.count() == 0


# --- progress: the section page, the API, the commune space and the barometer agree -----------

# (stored answers, (required answered, required, percent), (visible answered, visible))
PROGRESS_CASES = [
    ({}, (0, 5, 0), (0, 6)),
    (
        # "not applicable" and "don't know" are answers; a half-filled matrix and blank text not.
        {
            "strategy": "adopted",
            "adopted_by_council": "not_applicable",
            "tools": "dont_know",
            "practices": {"backup": 1},
            "comment": "  ",
        },
        (3, 6, 50),
        (3, 7),
    ),
    (
        # "none" hides the follow-up, whose earlier answer then counts nowhere.
        {
            "strategy": "none",
            "adopted_by_council": "yes",
            "confidence": "dont_know",
            "practices": {"backup": "not_applicable", "mfa": 2},
            "comment": "Merci",
        },
        (3, 5, 60),
        (4, 6),
    ),
]


def _store_both(diagnostic: Diagnostic, token: str, answers: dict[str, Any]) -> None:
    """Write the answers directly (a stale hidden answer cannot be saved through a service)."""
    member = member_for_token(token)
    response = Response.objects.create(wave=member.wave, member=member)
    for code, value in answers.items():
        DiagnosticAnswer.objects.create(diagnostic=diagnostic, question_code=code, value=value)
        ResponseAnswer.objects.create(response=response, question_code=code, value=value)


@pytest.mark.parametrize(("answers", "required", "visible"), PROGRESS_CASES)
def test_progress_is_the_same_on_every_page_and_in_the_api(
    client, diagnostic, token, member, answers, required, visible
):
    _store_both(diagnostic, token, answers)
    client.force_login(member)
    answered, total, percent = required

    page = client.get(f"/en/diagnostics/{diagnostic.pk}/section/s1/").context
    api = client.get(f"/api/v1/diagnostics/{diagnostic.pk}").json()["progress"]
    space = client.get("/en/space/92094/").context
    barometer = client.get(f"/en/barometer/r/{token}/s1/").context

    expected = {"answered": answered, "total": total, "percent": percent}
    assert page["progress"] == barometer["progress"] == expected
    assert space["draft_progress"] == percent
    assert (api["required_answered"], api["required"], api["percent"]) == required
    assert (api["answered"], api["visible"]) == visible
    assert len(api["missing_required"]) == total - answered
    # The section menu counts the visible questions of the section, optional ones too.
    assert page["sections"][0]["counts"] == {"answered": visible[0], "total": visible[1]}
    assert barometer["sections"][0]["counts"] == page["sections"][0]["counts"]
