"""Fixtures of the project catalogue: an editor, an organisation member, projects in each state."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from smartregion.accounts.models import Organisation, User
from tests.factories import MembershipFactory, OrganisationFactory, UserFactory


@pytest.fixture
def editor(db) -> User:
    """A centre editor: staff holding the permission to review and publish projects."""
    user = UserFactory(email="editor@centre.example", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="moderate_project"))
    return User.objects.get(pk=user.pk)  # fresh, so the permission cache is empty


@pytest.fixture
def organisation(db) -> Organisation:
    return OrganisationFactory(name="Intercommunale IDEA", slug="idea")


@pytest.fixture
def organisation_member(organisation) -> User:
    return MembershipFactory(user__email="member@idea.example", organisation=organisation).user
