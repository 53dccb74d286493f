"""The respondent's pages: an invitation link opens the commune's questionnaire, no account needed.

Section pages, the JSON autosave endpoint, submitting, correcting after submit, and the links that
open nothing: forged (404), not open yet (409), closed (410, nothing saved).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from smartregion.barometer.models import Response, ResponseAnswer, Wave, WaveMember
from smartregion.barometer.services import (
    member_for_token,
    reminders_send,
    response_answer_save,
    wave_close,
    wave_open,
)
from smartregion.instruments.definition import Question
from smartregion.instruments.models import InstrumentVersion
from smartregion.instruments.progress import missing_required
from smartregion.instruments.scoring import hidden_questions
from smartregion.instruments.services import instrument_version_load
from smartregion.territory.models import Municipality, Region

pytestmark = pytest.mark.django_db
BAROMETER_2025 = Path(__file__).resolve().parents[2] / "instruments/smartregion-barometer/2025.yaml"
_LOADED: dict[str, Any] = {}


@pytest.fixture
def version(db) -> InstrumentVersion:
    """The real 2025 barometer; parsed once, then inserted directly (validation takes time)."""
    if not _LOADED:
        loaded = instrument_version_load(path=BAROMETER_2025)
        fields = ("slug", "version", "definition", "checksum", "title_fr", "title_en")
        _LOADED.update({name: getattr(loaded, name) for name in fields})
        return loaded
    return InstrumentVersion.objects.create(**_LOADED)


@pytest.fixture
def wave(territory, version) -> Wave:
    return Wave.objects.create(
        title_fr="Baromètre des communes 2025",
        title_en="Barometer of the communes 2025",
        year=2025,
        instrument_version=version,
        region=Region.objects.get(refnis="03000"),
        population_date=dt.date(2025, 1, 1),
        closes_on=dt.date(2025, 6, 30),
    )


@pytest.fixture
def token(wave) -> str:
    """Namur's invitation token, once the wave is open."""
    tokens = wave_open(
        wave=wave, link_for=lambda t: f"http://testserver/fr/barometer/r/{t}/"
    ).tokens
    return tokens[Municipality.objects.get(refnis="92094").pk]


def _url(token: str, rest: str = "", lang: str = "en") -> str:
    return f"/{lang}/barometer/r/{token}/{rest}"


def _namur_answers() -> dict[str, Any]:
    member = WaveMember.objects.get(municipality__refnis="92094")
    response = Response.objects.filter(member=member).first()
    if response is None:
        return {}
    return dict(response.answers.values_list("question_code", "value"))


def _valid_answer(question: Question) -> Any:
    if question.type in ("single_choice", "yes_no"):
        return question.options[0].code if question.options else "yes"
    if question.type == "multiple_choice":
        return [question.options[0].code]
    if question.type == "scale":
        return question.scale.min
    if question.type == "matrix":
        return {row.code: question.scale.min for row in question.rows}
    if question.type == "number":
        return question.number.min if question.number.min is not None else 1
    return "Texte"


def _answer_everything(token: str) -> dict[str, Any]:
    """Every visible question answered through the service, follow-ups included."""
    member = member_for_token(token)
    instrument = member.wave.instrument_version.instrument
    answers: dict[str, Any] = {}
    for question in instrument.questions:
        if question.code not in hidden_questions(instrument, answers):
            answers[question.code] = _valid_answer(question)
            response_answer_save(
                member=member, question_code=question.code, value=answers[question.code]
            )
    assert missing_required(instrument, answers) == []
    return answers


def _post_json(client: Client, token: str, payload: dict[str, Any]):
    return client.post(_url(token, "answer/"), json.dumps(payload), content_type="application/json")


# ---------------------------------------------------------------------------------------------
# Opening the link
# ---------------------------------------------------------------------------------------------


def test_invitation_page_shows_wave_commune_and_how_it_works(client, token):
    response = client.get(_url(token))

    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Barometer of the communes 2025</h1>" in page
    assert "Questionnaire for the commune of Namur" in page
    assert "About 20 minutes: 43 questions, section by section." in page
    assert "until the survey closes on June 30, 2025." in page
    assert "26 factual questions are marked" in page
    assert f'href="/en/barometer/r/{token}/respondent/"' in page
    assert Response.objects.count() == 0  # opening the link does not count as starting


def test_invitation_page_is_french_by_default_with_the_instrument_in_french(client, token):
    response = client.get(_url(token, lang="fr"))

    page = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Baromètre des communes 2025</h1>" in page
    assert "La personne qui répond" in page
    assert "The respondent" not in page


def test_invitation_page_ignores_who_is_signed_in(client, token, other_member):
    client.force_login(other_member)  # a member of Liège opens Namur's link: the link decides

    response = client.get(_url(token))

    assert response.status_code == 200
    assert "Questionnaire for the commune of Namur" in response.content.decode()


def test_respondent_name_and_role_are_saved_and_lead_to_the_first_section(client, token):
    response = client.post(
        _url(token), {"respondent_name": "Anne Dupont", "respondent_role": "Directrice générale"}
    )

    assert response.status_code == 302
    assert response["Location"] == _url(token, "respondent/")
    saved = Response.objects.get(member__municipality__refnis="92094")
    assert (saved.respondent_name, saved.respondent_role, saved.status) == (
        "Anne Dupont",
        "Directrice générale",
        "in_progress",
    )


# ---------------------------------------------------------------------------------------------
# Sections without JavaScript
# ---------------------------------------------------------------------------------------------


def test_section_page_marks_public_questions_and_wires_autosave(client, token):
    response = client.get(_url(token, "engagement/"))

    page = response.content.decode()
    assert response.status_code == 200
    assert page.count('<span class="q-badge">may be published for your commune</span>') == 2
    assert f'data-answer-url="/en/barometer/r/{token}/answer/"' in page
    assert 'name="csrfmiddlewaretoken"' in page
    assert 'id="q-engaged_since" data-code="engaged_since" data-type="number"' in page


def test_section_post_saves_the_answers_and_continues(client, token):
    response = client.post(
        _url(token, "engagement/"),
        {
            "q-engaged": "structured",
            "q-engaged_since": "2019",
            "q-progress_self": "6",
            "q-progress_trend": "slightly",
            "action": "next",
        },
    )

    assert response.status_code == 302
    assert response["Location"] == _url(token, "strategy/")
    assert _namur_answers() == {
        "engaged": "structured",
        "engaged_since": 2019,
        "progress_self": 6,
        "progress_trend": "slightly",
    }


def test_section_post_that_opens_follow_ups_stays_on_them(client, token):
    response = client.post(_url(token, "engagement/"), {"q-engaged": "projects"})

    assert response.status_code == 302
    assert response["Location"] == _url(token, "engagement/#q-engaged_since")
    assert _namur_answers() == {"engaged": "projects"}


def test_section_post_with_a_bad_number_keeps_it_and_says_why(client, token):
    response = client.post(
        _url(token, "engagement/"), {"q-engaged": "structured", "q-engaged_since": "soon"}
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter a number, for example 2 or 0,5." in page
    assert 'value="soon"' in page
    assert _namur_answers() == {"engaged": "structured"}


def test_unknown_section_leads_back_to_the_invitation_page(client, token):
    response = client.get(_url(token, "nowhere/"))

    assert (response.status_code, response["Location"]) == (302, _url(token))


# ---------------------------------------------------------------------------------------------
# Autosave endpoint
# ---------------------------------------------------------------------------------------------


def test_answer_endpoint_saves_and_returns_progress_and_hidden(client, token):
    response = _post_json(client, token, {"question": "engaged", "value": "no", "base_revision": 0})

    data = response.json()
    assert response.status_code == 200
    assert data["revision"] == 1
    assert data["progress"] == {"answered": 1, "total": 29, "percent": 3}
    assert data["hidden"] == [
        "budget_own_share",
        "engaged_since",  # hidden by "no"
        "flagship_project",
        "initiator",  # hidden by "no"
        "open_data_portal",
        "open_data_themes",
        "participation_frequency",
        "participation_level",
        "projects_evaluation",
        "strategy_document",
        "team_attachment",
        "team_fte",
    ]
    assert _namur_answers() == {"engaged": "no"}


def test_answer_endpoint_counts_revisions_without_conflict_detection(client, token):
    _post_json(client, token, {"question": "engaged", "value": "no", "base_revision": 0})

    response = _post_json(client, token, {"question": "engaged", "value": "structured"})

    assert (response.status_code, response.json()["revision"]) == (200, 2)
    assert "engaged_since" not in response.json()["hidden"]
    assert _namur_answers() == {"engaged": "structured"}


def test_answer_endpoint_refuses_an_invalid_answer_with_the_reason(client, token):
    response = _post_json(client, token, {"question": "engaged", "value": "maybe"})

    assert response.status_code == 422
    assert response.json() == {
        "errors": ["“maybe” is not one of the proposed answers"],
        "paths": ["engaged"],
    }
    assert ResponseAnswer.objects.count() == 0


def test_answer_endpoint_refuses_an_unknown_question(client, token):
    response = _post_json(client, token, {"question": "shoe_size", "value": 42})

    assert (response.status_code, response.json()) == (422, {"errors": ["Unknown question."]})


def test_answer_endpoint_accepts_only_post(client, token):
    assert client.get(_url(token, "answer/")).status_code == 405


# ---------------------------------------------------------------------------------------------
# Submitting and correcting
# ---------------------------------------------------------------------------------------------


def test_submit_with_missing_questions_names_them_with_links(client, token):
    _post_json(client, token, {"question": "engaged", "value": "no"})

    response = client.post(_url(token, "submit/"))

    page = response.content.decode()
    assert response.status_code == 200
    assert (
        "The answers cannot be submitted yet: 28 required questions are still unanswered." in page
    )
    assert f'href="/en/barometer/r/{token}/respondent/#q-resp_role">1.1 ' in page
    assert f'href="/en/barometer/r/{token}/engagement/#q-progress_self">3.3 ' in page
    assert "#q-engaged" + '"' not in page
    assert Response.objects.get().status == "in_progress"


def test_complete_submit_sets_the_status_and_thanks(client, token):
    _answer_everything(token)

    response = client.post(_url(token, "submit/"), follow=True)

    saved = Response.objects.get()
    assert response.redirect_chain == [(_url(token, "submit/"), 302)]
    assert "Thank you — you can still correct your answers until June 30, 2025." in (
        response.content.decode()
    )
    assert saved.status == "submitted"
    assert saved.submitted_at is not None


def test_answers_stay_correctable_after_submit(client, token):
    _answer_everything(token)
    client.post(_url(token, "submit/"))

    autosaved = _post_json(client, token, {"question": "progress_self", "value": 8})
    posted = client.post(_url(token, "respondent/"), {"q-resp_role": "director"})

    assert autosaved.status_code == 200
    assert posted.status_code == 302
    assert (_namur_answers()["progress_self"], _namur_answers()["resp_role"]) == (8, "director")
    assert Response.objects.get().status == "submitted"
    page = client.get(_url(token)).content.decode()
    assert "Your commune's answers are submitted. You can still correct them until June 30" in page


# ---------------------------------------------------------------------------------------------
# Links that open nothing
# ---------------------------------------------------------------------------------------------


def test_forged_link_is_not_found_and_names_no_commune(client, token):
    page_response = client.get(_url("forged-token-0123456789"))
    json_response = _post_json(client, "forged-token-0123456789", {"question": "engaged"})

    page = page_response.content.decode()
    assert page_response.status_code == 404
    assert "This link is not valid. Check that you copied it whole." in page
    assert "reply to that email to ask the Smart Region team for a new link" in page
    assert "Namur" not in page and "Barometer of the communes" not in page
    assert json_response.status_code == 404
    assert ResponseAnswer.objects.count() == 0


@pytest.mark.parametrize(
    ("method", "rest", "data"),
    [
        ("get", "", None),
        ("get", "engagement/", None),
        ("post", "", {"respondent_name": "Late"}),
        ("post", "engagement/", {"q-engaged": "no"}),
        ("post", "submit/", {}),
    ],
)
def test_closed_wave_answers_410_and_saves_nothing(client, token, wave, method, rest, data):
    response_answer_save(member=member_for_token(token), question_code="engaged", value="projects")
    wave_close(wave=wave, now=timezone.make_aware(dt.datetime(2025, 7, 1, 10)))
    before = list(ResponseAnswer.objects.values_list("question_code", "value", "revision"))

    response = getattr(client, method)(_url(token, rest), data)

    assert response.status_code == 410
    assert "This survey closed on July 1, 2025; answers can no longer be changed." in (
        response.content.decode()
    )
    assert list(ResponseAnswer.objects.values_list("question_code", "value", "revision")) == before
    assert Response.objects.get().respondent_name == ""


def test_closed_wave_refuses_autosave_with_410(client, token, wave):
    wave_close(wave=wave, now=timezone.make_aware(dt.datetime(2025, 7, 1, 10)))

    response = _post_json(client, token, {"question": "engaged", "value": "no"})

    assert response.status_code == 410
    assert response.json() == {
        "errors": ["This survey closed on July 1, 2025; answers can no longer be changed."]
    }
    assert ResponseAnswer.objects.count() == 0


def test_wave_not_open_yet_says_so(client, token, wave):
    Wave.objects.filter(pk=wave.pk).update(status=Wave.Status.DRAFT)

    response = client.get(_url(token))

    assert response.status_code == 409
    assert "This survey is not open yet." in response.content.decode()


def test_reminder_carries_the_communes_one_link(client, token, wave):
    WaveMember.objects.filter(municipality__refnis="92094").update(
        email="smart@namur.example", invited_at=timezone.now()
    )
    WaveMember.objects.exclude(municipality__refnis="92094").update(email="")
    wave.refresh_from_db()
    links: list[str] = []
    reminders_send(wave=wave, link_for=lambda t: links.append(t) or t, force=True)
    reminder_token = links[0]

    saved = _post_json(client, reminder_token, {"question": "engaged", "value": "structured"})
    page = client.get(_url(token, "engagement/")).content.decode()

    assert reminder_token == token
    assert saved.status_code == 200
    assert 'id="f-engaged-0" value="structured" checked' in page
    assert Response.objects.count() == 1


# ---------------------------------------------------------------------------------------------
# Security and cost
# ---------------------------------------------------------------------------------------------


def test_posts_need_the_csrf_token_the_page_sets(token):
    client = Client(enforce_csrf_checks=True)

    refused = _post_json(client, token, {"question": "engaged", "value": "no"})
    page = client.get(_url(token, "engagement/"))
    csrf = page.cookies["csrftoken"].value
    accepted = client.post(
        _url(token, "answer/"),
        json.dumps({"question": "engaged", "value": "no"}),
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )

    assert refused.status_code == 403
    assert accepted.status_code == 200
    assert _namur_answers() == {"engaged": "no"}


def test_pages_are_never_cached(client, token):
    response = client.get(_url(token, "engagement/"))

    assert "no-store" in response["Cache-Control"]


def test_section_page_query_count_does_not_grow_with_answers(
    client, token, django_assert_num_queries
):
    response_answer_save(member=member_for_token(token), question_code="engaged", value="no")
    client.get(_url(token, "themes/"))  # warm the caches (platform context, parsed instrument)
    with django_assert_num_queries(QUERIES_SECTION):
        client.get(_url(token, "themes/"))
    _answer_everything(token)
    with django_assert_num_queries(QUERIES_SECTION):
        response = client.get(_url(token, "themes/"))
    assert response.status_code == 200


# The link with its member, wave, version and commune; the response; its answers (before the
# first answer there is no response, hence no answers query: 2).
QUERIES_SECTION = 3
