"""Fixtures of the project catalogue: an editor, an organisation member, projects in each state."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import Permission
from django.utils import timezone

from smartregion.accounts.models import Membership, Organisation, User
from smartregion.projects.models import Project
from smartregion.territory.models import Municipality
from tests.conftest import make_user


@pytest.fixture
def editor(db) -> User:
    """A centre editor: staff holding the permission to review and publish projects."""
    user = make_user("editor@centre.example", staff=True)
    user.user_permissions.add(Permission.objects.get(codename="moderate_project"))
    return User.objects.get(pk=user.pk)  # fresh, so the permission cache is empty


@pytest.fixture
def organisation(db) -> Organisation:
    return Organisation.objects.create(
        name="Intercommunale IDEA", slug="idea", kind=Organisation.Kind.INTERMUNICIPAL
    )


@pytest.fixture
def organisation_member(organisation) -> User:
    user = make_user("member@idea.example")
    Membership.objects.create(user=user, organisation=organisation, role=Membership.Role.MEMBER)
    return user


def make_project(
    municipality: Municipality,
    *,
    slug: str = "wifi-public",
    title_fr: str = "Wi-Fi public dans les bibliothèques",
    state: str = Project.State.PUBLISHED,
    themes: list[str] | None = None,
    **fields: object,
) -> Project:
    """A project row as a test needs it (no revision, no index): use services to test workflow."""
    published = timezone.make_aware(dt.datetime(2026, 3, 1, 10, 0))
    values: dict[str, object] = {
        "summary_fr": "Un accès gratuit à Internet dans les bibliothèques communales.",
        "status": Project.Status.IN_PROGRESS,
        "themes": themes or ["people", "digital_inclusion"],
        "goals": [4, 10],
        "owner_municipality": municipality,
        "state": state,
    }
    if state == Project.State.PUBLISHED:
        values.update(published_at=published, first_published_at=published)
    values.update(fields)
    project = Project.objects.create(slug=slug, title_fr=title_fr, **values)
    project.municipalities.add(municipality)
    return project
