"""Barometer waves: opening with hashed links, answering without an account, reminders, closing."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core import mail
from django.utils import translation

from smartregion.barometer.models import Wave, WaveLink, WaveMember
from smartregion.barometer.queries import non_respondents, response_rates
from smartregion.barometer.services import (
    BarometerError,
    InvalidAnswer,
    answers_of,
    member_for_token,
    reminders_send,
    response_answer_save,
    response_submit,
    token_hash,
    wave_close,
    wave_open,
)
from smartregion.barometer.signals import wave_closed
from smartregion.instruments.services import instrument_version_load
from smartregion.territory.models import Municipality, Region

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]
OPENED = dt.datetime(2025, 3, 3, 9, tzinfo=dt.UTC)


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def tiny_version(db):
    return instrument_version_load(path=ROOT / "tests/instruments/files/tiny.yaml")


@pytest.fixture
def wave(territory, tiny_version):
    return Wave.objects.create(
        title_fr="Baromètre 2025",
        year=2025,
        instrument_version=tiny_version,
        region=Region.objects.get(refnis="03000"),
        population_date=dt.date(2025, 1, 1),
        reminder_days=[14, 28],
    )


def _link(token: str) -> str:
    return f"http://testserver/fr/barometer/{token}/"


@pytest.fixture
def opened(wave, django_capture_on_commit_callbacks):
    Municipality.objects.filter(refnis="92094").update(contact_email="smartcity@namur.example")
    with django_capture_on_commit_callbacks(execute=True):
        tokens = wave_open(wave=wave, link_for=_link, now=OPENED).tokens
    wave.refresh_from_db()
    return wave, tokens


def _first_question(version):
    return version.instrument.questions[0]


def test_open_freezes_the_261_communes_and_stores_only_hashes(opened):
    wave, tokens = opened
    namur = Municipality.objects.get(refnis="92094")

    assert (wave.status, wave.opened_at) == ("open", OPENED)
    assert WaveMember.objects.filter(wave=wave).count() == 261 == len(tokens)
    member = WaveMember.objects.get(wave=wave, municipality=namur)
    assert (member.province.refnis, member.email) == ("90000", "smartcity@namur.example")
    assert not WaveLink.objects.filter(token_hash=tokens[namur.pk]).exists()
    assert WaveLink.objects.filter(member=member, token_hash=token_hash(tokens[namur.pk])).exists()


def test_open_emails_each_commune_that_has_a_contact(opened, manager):
    wave, tokens = opened
    namur = Municipality.objects.get(refnis="92094")

    assert [m.to for m in mail.outbox] == [["smartcity@namur.example"]]
    assert _link(tokens[namur.pk]) in mail.outbox[0].body


def test_manager_email_is_the_fallback_contact(wave, manager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        wave_open(wave=wave, link_for=_link, now=OPENED)

    assert [m.to for m in mail.outbox] == [["manager@namur.example"]]


def test_an_invitation_is_in_the_language_of_the_contacts_account(
    wave, manager, django_capture_on_commit_callbacks
):
    manager.preferred_language = "en"
    manager.save(update_fields=["preferred_language"])
    with translation.override("fr"), django_capture_on_commit_callbacks(execute=True):
        wave_open(wave=wave, link_for=_link, now=OPENED)

    assert [m.subject for m in mail.outbox] == ["Your commune is invited: Baromètre 2025"]


def test_a_wave_opens_only_once(opened):
    wave, _ = opened

    with pytest.raises(BarometerError, match="Only a wave being prepared"):
        wave_open(wave=wave, link_for=_link)


def test_forged_link_is_refused(opened):
    with pytest.raises(BarometerError, match="not valid"):
        member_for_token("forged")


def test_respondent_saves_submits_and_corrects_until_close(opened, tiny_version):
    wave, tokens = opened
    namur = Municipality.objects.get(refnis="92094")
    member = member_for_token(tokens[namur.pk])
    answers = _complete_answers(tiny_version)

    for code, value in answers.items():
        response_answer_save(member=member, question_code=code, value=value)
    response = response_submit(member=member, now=OPENED + dt.timedelta(days=2))
    first_code = next(iter(answers))
    response_answer_save(member=member, question_code=first_code, value=answers[first_code])

    assert response.status == "submitted"
    assert answers_of(response) == answers
    wave_close(wave=wave)
    with pytest.raises(BarometerError, match="closed"):
        member_for_token(tokens[namur.pk])
    with pytest.raises(BarometerError, match="closed"):
        response_answer_save(member=member, question_code=first_code, value=answers[first_code])


def test_invalid_answer_is_refused_with_the_reason(opened, tiny_version):
    wave, tokens = opened
    member = member_for_token(tokens[Municipality.objects.get(refnis="92094").pk])
    question = next(q for q in tiny_version.instrument.questions if q.options)

    with pytest.raises(InvalidAnswer) as invalid:
        response_answer_save(member=member, question_code=question.code, value="zzz")

    assert invalid.value.question_code == question.code
    assert invalid.value.errors == ["“zzz” is not one of the proposed answers"]


def test_submit_names_missing_questions(opened):
    wave, tokens = opened
    member = member_for_token(tokens[Municipality.objects.get(refnis="92094").pk])

    with pytest.raises(BarometerError, match="not answered yet"):
        response_submit(member=member)


def test_reminders_go_to_non_respondents_when_due_with_the_same_link(
    opened, tiny_version, django_capture_on_commit_callbacks
):
    wave, tokens = opened
    namur = Municipality.objects.get(refnis="92094")
    mail.outbox.clear()

    early = reminders_send(wave=wave, link_for=_link, now=OPENED + dt.timedelta(days=3))
    with django_capture_on_commit_callbacks(execute=True):
        due = reminders_send(wave=wave, link_for=_link, now=OPENED + dt.timedelta(days=15))
    again = reminders_send(wave=wave, link_for=_link, now=OPENED + dt.timedelta(days=16))

    assert (early, due, again) == (0, 1, 0)
    # In the commune's language (the region's first), whatever language the sender's page had.
    assert [m.subject for m in mail.outbox] == ["Rappel : Baromètre 2025"]
    assert _link(tokens[namur.pk]) in mail.outbox[0].body
    assert member_for_token(tokens[namur.pk]).municipality == namur
    assert WaveLink.objects.filter(member__municipality=namur).count() == 1


def test_response_rates_overall_and_by_stratum(opened, tiny_version):
    wave, tokens = opened
    for refnis in ("92094", "92003", "62063"):
        member = member_for_token(tokens[Municipality.objects.get(refnis=refnis).pk])
        for code, value in _complete_answers(tiny_version).items():
            response_answer_save(member=member, question_code=code, value=value)
        if refnis != "62063":
            response_submit(member=member)

    rates = response_rates(wave)

    assert [(r.population, r.started, r.submitted) for r in rates["all"]] == [(261, 3, 2)]
    by_province = {r.key: (r.population, r.started, r.submitted) for r in rates["province"]}
    assert by_province == {
        "20002": (27, 0, 0),
        "50000": (69, 0, 0),
        "60000": (84, 1, 0),
        "80000": (43, 0, 0),
        "90000": (38, 2, 2),
    }
    assert non_respondents(wave).count() == 259


def _complete_answers(version) -> dict:
    from smartregion.instruments.progress import missing_required

    instrument = version.instrument
    answers: dict = {}
    for _ in range(4):
        for code in missing_required(instrument, answers):
            question = instrument.question(code)
            if question.rows:
                answers[code] = {row.code: question.scale.max for row in question.rows}
            elif question.options:
                answers[code] = (
                    [question.options[0].code]
                    if question.type == "multiple_choice"
                    else question.options[-1].code
                )
            elif question.scale:
                answers[code] = question.scale.max
            elif question.number:
                answers[code] = question.number.min if question.number.min is not None else 1
            else:
                answers[code] = "texte"
    return answers


def test_remind_command_sends_the_due_reminders_with_absolute_links(
    opened, settings, django_capture_on_commit_callbacks
):
    from django.core.management import call_command
    from django.utils import timezone as tz

    wave, _tokens = opened
    Wave.objects.filter(pk=wave.pk).update(
        reminder_days=[14], opened_at=tz.now() - dt.timedelta(days=20)
    )
    settings.SMARTREGION_BASE_URL = "https://smartregion.example.org/"
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        call_command("barometer", "remind")

    assert len(mail.outbox) == 1
    assert "https://smartregion.example.org/fr/barometer/r/" in mail.outbox[0].body


def test_remind_command_needs_the_base_url(settings):
    from django.core.management import CommandError, call_command

    settings.SMARTREGION_BASE_URL = ""

    with pytest.raises(CommandError) as error:
        call_command("barometer", "remind")

    assert error.value.returncode == 2


def test_closing_a_wave_sends_wave_closed_once_committed(
    opened, django_capture_on_commit_callbacks
):
    wave, _tokens = opened
    received = []

    def receiver(sender, wave, **kwargs):
        received.append((sender, wave.pk, wave.status))

    wave_closed.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            wave_close(wave=wave)
        assert received == []
        for callback in callbacks:
            callback()
    finally:
        wave_closed.disconnect(receiver)

    assert received == [(Wave, wave.pk, Wave.Status.CLOSED)]
