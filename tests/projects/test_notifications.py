"""Workflow emails: editors learn a project awaits them, the team learns the decision."""

from __future__ import annotations

import pytest
from django.core import mail

from smartregion.accounts.models import User
from smartregion.projects.models import Project
from smartregion.projects.services import (
    ProjectInput,
    project_create,
    project_publish,
    project_reject,
    project_request_changes,
    project_submit,
)
from tests.factories import UserFactory


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.SMARTREGION_BASE_URL = "https://smartregion.example"


def _draft(namur, member) -> Project:
    data = ProjectInput(
        title_fr="Capteurs de bruit",
        summary_fr="Mesurer le bruit près des écoles.",
        status=Project.Status.PLANNED,
        themes=["environment"],
        municipality_ids=[namur.pk],
    )
    return project_create(user=member, owner_municipality=namur, data=data)


@pytest.fixture
def english_editor(editor) -> User:
    editor.preferred_language = "en"
    editor.save(update_fields=["preferred_language"])
    return editor


def test_submit_emails_every_editor_in_their_language(
    namur, member, english_editor, django_capture_on_commit_callbacks
):
    UserFactory(email="plain-staff@centre.example", is_staff=True)  # staff without the permission
    project = _draft(namur, member)

    with django_capture_on_commit_callbacks(execute=True):
        project_submit(project=project, user=member, comment="Prêt pour relecture.")

    assert [message.to for message in mail.outbox] == [["editor@centre.example"]]
    message = mail.outbox[0]
    assert message.subject == "Project to review: Capteurs de bruit"
    assert "Prêt pour relecture." in message.body
    assert "https://smartregion.example/en/projects/capteurs-de-bruit/review/" in message.body


def test_decisions_email_the_team_in_french_not_the_editor(
    namur, member, manager, editor, django_capture_on_commit_callbacks
):
    project = _draft(namur, member)
    project_submit(project=project, user=member, notify=False)

    with django_capture_on_commit_callbacks(execute=True):
        project_request_changes(project=project, user=editor, comment="Ajoutez un indicateur.")

    assert sorted(message.to[0] for message in mail.outbox) == [
        "manager@namur.example",
        "member@namur.example",
    ]
    message = mail.outbox[0]
    assert message.subject == "Modifications demandées pour votre projet : Capteurs de bruit"
    assert "Ajoutez un indicateur." in message.body
    assert "https://smartregion.example/fr/projects/capteurs-de-bruit/edit/" in message.body


@pytest.mark.parametrize(
    ("decide", "path"),
    [
        (project_publish, "/fr/projects/capteurs-de-bruit/"),
        (project_reject, "/fr/projects/mine/"),
    ],
)
def test_publish_and_reject_link_where_the_team_can_go(
    namur, member, editor, django_capture_on_commit_callbacks, decide, path
):
    project = _draft(namur, member)
    project_submit(project=project, user=member, notify=False)

    with django_capture_on_commit_callbacks(execute=True):
        decide(project=project, user=editor, comment="Merci.")

    assert [message.to for message in mail.outbox] == [["member@namur.example"]]
    assert f"https://smartregion.example{path}" in mail.outbox[0].body


def test_notify_false_sends_nothing(namur, member, editor, django_capture_on_commit_callbacks):
    project = _draft(namur, member)

    with django_capture_on_commit_callbacks(execute=True):
        project_submit(project=project, user=member, notify=False)

    assert mail.outbox == []


def test_inactive_people_get_no_email(namur, member, editor, django_capture_on_commit_callbacks):
    editor.is_active = False
    editor.save(update_fields=["is_active"])
    project = _draft(namur, member)

    with django_capture_on_commit_callbacks(execute=True):
        project_submit(project=project, user=member)

    assert mail.outbox == []
