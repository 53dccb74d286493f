"""The diagnostic services: saving with conflict detection, submitting, targets, publication."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core import mail
from django.utils import translation

from smartregion.accounts.models import Membership
from smartregion.accounts.services import (
    InvitationError,
    invitation_accept,
    invitation_create,
    invitation_find,
)
from smartregion.diagnostic.models import Diagnostic, DomainScore
from smartregion.diagnostic.services import (
    AnswerConflict,
    DiagnosticError,
    DiagnosticIncomplete,
    InvalidAnswer,
    answer_save,
    answers_of,
    diagnostic_publish,
    diagnostic_start,
    diagnostic_submit,
    targets_set,
)
from smartregion.instruments.progress import missing_required
from smartregion.instruments.scoring import hidden_questions
from smartregion.instruments.services import instrument_version_load

pytestmark = pytest.mark.django_db
INSTRUMENT = Path(__file__).resolve().parents[2] / "instruments/smartregion-maturity/2026.yaml"


@pytest.fixture(autouse=True)
def _english():
    with translation.override("en"):
        yield


@pytest.fixture
def version(db):
    return instrument_version_load(path=INSTRUMENT)


@pytest.fixture
def started(version, namur, manager):
    return diagnostic_start(municipality=namur, user=manager, year=2026)


def _best_answers(instrument) -> dict:
    """Top answer to every visible required question, iterating until conditions settle."""
    answers: dict = {}
    for _ in range(5):
        for code in missing_required(instrument, answers):
            question = instrument.question(code)
            answers[code] = _best(question)
    return answers


def _best(question):
    if question.type in ("single_choice", "yes_no"):
        return max(question.options, key=lambda o: o.score or 0).code
    if question.type == "multiple_choice":
        return [o.code for o in question.options if (o.score or 0) > 0 and not o.exclusive] or [
            question.options[0].code
        ]
    if question.type == "scale":
        return question.scale.max
    if question.type == "number":
        return question.number.max if question.number.max is not None else 10
    if question.type == "matrix":
        return {row.code: question.scale.max for row in question.rows}
    return "Texte libre"


def test_start_resumes_the_commune_draft(started, namur, member):
    again = diagnostic_start(municipality=namur, user=member)

    assert again.pk == started.pk
    assert Diagnostic.objects.filter(municipality=namur).count() == 1


def test_answer_save_increments_the_revision(started, manager):
    first = answer_save(
        diagnostic=started,
        question_code="gov_strategy",
        value="none",
        base_revision=None,
        user=manager,
    )
    second = answer_save(
        diagnostic=started,
        question_code="gov_strategy",
        value="adopted",
        base_revision=1,
        user=manager,
    )

    assert (first.revision, second.revision) == (1, 2)
    assert answers_of(started)["gov_strategy"] == "adopted"


def test_answer_save_detects_a_colleagues_change(started, manager, member):
    answer_save(
        diagnostic=started, question_code="gov_strategy", value="none", base_revision=0, user=member
    )

    with pytest.raises(AnswerConflict) as conflict:
        answer_save(
            diagnostic=started,
            question_code="gov_strategy",
            value="adopted",
            base_revision=0,
            user=manager,
        )

    assert (conflict.value.value, conflict.value.revision, conflict.value.updated_by) == (
        "none",
        1,
        "member@namur.example",
    )
    assert answers_of(started)["gov_strategy"] == "none"


def test_answer_save_force_overwrites_after_a_conflict(started, manager, member):
    answer_save(
        diagnostic=started, question_code="gov_strategy", value="none", base_revision=0, user=member
    )

    saved = answer_save(
        diagnostic=started,
        question_code="gov_strategy",
        value="adopted",
        base_revision=0,
        user=manager,
        force=True,
    )

    assert (saved.value, saved.revision) == ("adopted", 2)


def test_answer_save_rejects_invalid_values_and_unknown_questions(started, manager):
    with pytest.raises(InvalidAnswer) as invalid:
        answer_save(
            diagnostic=started,
            question_code="gov_strategy",
            value="maybe",
            base_revision=0,
            user=manager,
        )
    with pytest.raises(InvalidAnswer) as unknown:
        answer_save(
            diagnostic=started, question_code="nope", value="x", base_revision=0, user=manager
        )

    assert invalid.value.question_code == "gov_strategy"
    assert len(invalid.value.errors) == 1
    assert unknown.value.errors == ["unknown question"]
    assert answers_of(started) == {}


def test_answer_save_empty_value_clears_the_answer(started, manager):
    answer_save(
        diagnostic=started,
        question_code="gov_strategy",
        value="none",
        base_revision=0,
        user=manager,
    )

    answer_save(
        diagnostic=started, question_code="gov_strategy", value="", base_revision=1, user=manager
    )

    assert answers_of(started) == {}


def test_submit_names_the_missing_required_questions(started, manager):
    with pytest.raises(DiagnosticIncomplete) as incomplete:
        diagnostic_submit(diagnostic=started, user=manager)

    instrument = started.instrument_version.instrument
    assert incomplete.value.missing == missing_required(instrument, {})
    assert "gov_strategy" in incomplete.value.missing


def test_submit_scores_and_freezes_the_diagnostic(started, manager):
    instrument = started.instrument_version.instrument
    answers = _best_answers(instrument)
    hidden = hidden_questions(instrument, answers)
    for question in instrument.questions:  # in order, so conditions are answered first
        code, value = question.code, answers.get(question.code)
        if value is not None and code not in hidden:
            answer_save(
                diagnostic=started, question_code=code, value=value, base_revision=0, user=manager
            )

    submitted = diagnostic_submit(
        diagnostic=started, user=manager, when=dt.datetime(2026, 5, 4, tzinfo=dt.UTC)
    )

    assert (submitted.status, submitted.overall_level, submitted.overall_score) == (
        "submitted",
        5,
        100.0,
    )
    assert sorted(
        DomainScore.objects.filter(diagnostic=submitted).values_list("dimension", "level")
    ) == [(d.code, 5) for d in sorted(instrument.dimensions, key=lambda d: d.code)]
    with pytest.raises(DiagnosticError):
        answer_save(
            diagnostic=submitted,
            question_code="gov_strategy",
            value="none",
            base_revision=1,
            user=manager,
        )


def test_targets_are_validated_and_replaced(started):
    targets_set(
        diagnostic=started, targets={"gov": 4, "data": 3}, horizon_year=dt.date.today().year + 3
    )
    targets_set(diagnostic=started, targets={"gov": 5}, horizon_year=None)

    assert list(started.targets.values_list("dimension", "level")) == [("gov", 5)]
    with pytest.raises(DiagnosticError, match="Unknown domain: nope"):
        targets_set(diagnostic=started, targets={"nope": 2}, horizon_year=None)
    with pytest.raises(DiagnosticError):
        targets_set(diagnostic=started, targets={"gov": 6}, horizon_year=None)
    with pytest.raises(DiagnosticError):
        targets_set(diagnostic=started, targets={"gov": 3}, horizon_year=1999)


def test_only_submitted_diagnostics_are_published_one_at_a_time(started):
    with pytest.raises(DiagnosticError):
        diagnostic_publish(diagnostic=started, publish=True)
    Diagnostic.objects.filter(pk=started.pk).update(
        status="submitted", submitted_at=dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    )
    older = Diagnostic.objects.create(
        municipality=started.municipality,
        instrument_version=started.instrument_version,
        year=2025,
        status="submitted",
        submitted_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
        is_published=True,
    )
    started.refresh_from_db()

    diagnostic_publish(diagnostic=started, publish=True)

    assert list(Diagnostic.objects.filter(is_published=True).values_list("pk", flat=True)) == [
        started.pk
    ]
    diagnostic_publish(diagnostic=older, publish=False)
    assert not Diagnostic.objects.filter(is_published=True).exists()


def test_invitation_creates_a_member_from_the_emailed_link(
    namur, manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        invitation, token = invitation_create(
            municipality=namur,
            email="New.Colleague@Namur.example",
            role="member",
            invited_by=manager,
            accept_url="http://testserver/fr/invitation/TOKEN/",
        )

    assert len(mail.outbox) == 1
    assert f"http://testserver/fr/invitation/{token}/" in mail.outbox[0].body
    assert invitation.token_hash != token and len(invitation.token_hash) == 64
    user = invitation_accept(token=token, user=None, password="a-long-password-42")
    assert user.email == "new.colleague@namur.example"
    assert Membership.objects.get(user=user).municipality == namur
    with pytest.raises(InvitationError, match="already been used"):
        invitation_find(token)


def test_invitation_rejects_forged_expired_and_wrong_user_tokens(
    namur, manager, member, other_member
):
    with pytest.raises(InvitationError, match="not valid"):
        invitation_find("forged-token")
    invitation, token = invitation_create(
        municipality=namur,
        email="late@namur.example",
        role="member",
        invited_by=manager,
        accept_url="TOKEN",
    )
    with pytest.raises(InvitationError, match="signed in as someone else"):
        invitation_accept(token=token, user=other_member)
    invitation.expires_at = dt.datetime(2020, 1, 1, tzinfo=dt.UTC)
    invitation.save()
    with pytest.raises(InvitationError, match="expired"):
        invitation_find(token)
    with pytest.raises(InvitationError, match="already a member"):
        invitation_create(
            municipality=namur,
            email=member.email,
            role="member",
            invited_by=manager,
            accept_url="TOKEN",
        )
