"""Review: the dashboard and the daily `smartregion knowledge review` command with its emails."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core import mail
from django.core.management import CommandError, call_command
from django.utils import timezone

from smartregion.knowledge.models import Resource
from tests.factories import ResourceFactory, UserFactory

pytestmark = pytest.mark.django_db


def _past() -> dt.date:
    return timezone.localdate() - dt.timedelta(days=1)


def test_review_dashboard_lists_overdue_and_flagged_with_owner(client, editor):
    owner = UserFactory(email="owner@centre.example")
    ResourceFactory(slug="late", title_fr="En retard", review_by=_past(), owner=owner)
    ResourceFactory(slug="flagged", title_fr="Signalé", state="needs_review")
    ResourceFactory(slug="fine", review_by=timezone.localdate() + dt.timedelta(days=30))
    client.force_login(editor)

    response = client.get("/en/knowledge/editor/review/")

    assert [r.slug for r in response.context["resources"]] == ["late", "flagged"]
    assert "owner@centre.example" in response.content.decode()


def test_review_command_flags_then_reminds_each_owner_once(
    settings, django_capture_on_commit_callbacks
):
    settings.SMARTREGION_BASE_URL = "https://smartregion.example.org"
    owner = UserFactory(email="owner@centre.example", preferred_language="en")
    other = UserFactory(email="other@centre.example")
    ResourceFactory(slug="a", title_fr="A", title_en="Alpha", review_by=_past(), owner=owner)
    ResourceFactory(slug="b", title_fr="B", review_by=_past(), owner=owner)
    ResourceFactory(slug="c", title_fr="C", review_by=_past(), owner=other)
    ResourceFactory(slug="d", title_fr="D", review_by=timezone.localdate(), owner=other)

    output = io.StringIO()
    with django_capture_on_commit_callbacks(execute=True):
        call_command("knowledge", "review", stdout=output)
    first = sorted((m.to[0], m.subject) for m in mail.outbox)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("knowledge", "review", stdout=output)

    assert first == [
        ("other@centre.example", "Ressources à relire\xa0: 1"),  # in the owner's language
        ("owner@centre.example", "Resources to review: 2"),  # prefers English
    ]
    assert len(mail.outbox) == 2
    assert output.getvalue().splitlines() == [
        "3 resource(s) flagged as needing review",
        "2 reminder(s) sent",
        "0 resource(s) flagged as needing review",
        "0 reminder(s) sent",
    ]
    body = next(m.body for m in mail.outbox if m.to == ["owner@centre.example"])
    assert "Alpha" in body and "https://smartregion.example.org/fr/knowledge/editor/a/" in body
    assert set(Resource.objects.filter(state="needs_review").values_list("slug", flat=True)) == {
        "a",
        "b",
        "c",
    }
    assert Resource.objects.filter(review_reminded_at__isnull=False).count() == 3


def test_review_command_needs_the_site_address(settings):
    settings.SMARTREGION_BASE_URL = ""
    with pytest.raises(CommandError):
        call_command("knowledge", "review")


@pytest.mark.parametrize("count", [1, 12])
def test_dashboards_run_a_constant_number_of_queries(
    client, editor, django_assert_num_queries, count
):
    for number in range(count):
        ResourceFactory(slug=f"g{number}", state="needs_review", title_en="T", owner=editor)
    client.force_login(editor)

    with django_assert_num_queries(5):  # session, user, 2 permission caches, the rows
        client.get("/en/knowledge/editor/translations/")
    with django_assert_num_queries(5):
        client.get("/en/knowledge/editor/review/")
