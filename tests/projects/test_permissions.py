"""Who may see, edit, review and create projects, role by role."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import AnonymousUser

from smartregion.accounts.models import Membership, Organisation
from smartregion.projects.permissions import (
    can_create_project,
    can_edit_project,
    can_moderate,
    can_view_history,
    can_view_project,
    owner_choices,
)
from tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "other_member",
    "member",
    "manager",
    "organisation_member",
    "staff_user",
    "editor",
]


def _user(request, role):
    return AnonymousUser() if role == "anonymous" else request.getfixturevalue(role)


# role: (view draft, edit draft, view published, edit published, history, moderate, create)
EXPECTED = {
    "anonymous": (False, False, True, False, False, False, False),
    "other_member": (False, False, True, False, False, False, True),
    "member": (True, True, True, True, True, False, True),
    "manager": (True, True, True, True, True, False, True),
    "organisation_member": (False, False, True, False, False, False, True),
    "staff_user": (False, False, True, False, False, False, False),
    "editor": (True, True, True, True, True, True, True),
}


@pytest.mark.parametrize("role", ROLES)
def test_permissions_of_commune_project_by_role(request, role, namur):
    user = _user(request, role)
    draft = ProjectFactory(owner_municipality=namur, slug="brouillon", state="draft")
    published = ProjectFactory(owner_municipality=namur, slug="publie")

    assert (
        can_view_project(user, draft),
        can_edit_project(user, draft),
        can_view_project(user, published),
        can_edit_project(user, published),
        can_view_history(user, draft),
        can_moderate(user),
        can_create_project(user),
    ) == EXPECTED[role]


def test_organisation_project_belongs_to_its_members_only(
    namur, organisation, organisation_member, member
):
    project = ProjectFactory(located=[namur], state="draft", owner_organisation=organisation)

    assert can_edit_project(organisation_member, project) is True
    assert can_edit_project(member, project) is False  # a commune involved is not the owner team


def test_commune_members_act_for_their_communes_actor_row(namur, member):
    actor = Organisation.objects.create(
        name="Ville de Namur", slug="ville-de-namur", kind="commune", municipality=namur
    )
    project = ProjectFactory(located=[namur], state="draft", owner_organisation=actor)

    assert can_edit_project(member, project) is True


def test_rejected_project_is_closed_to_its_team_but_not_to_editors(namur, member, editor):
    project = ProjectFactory(owner_municipality=namur, state="rejected")

    assert (can_view_project(member, project), can_edit_project(member, project)) == (True, False)
    assert can_edit_project(editor, project) is True


def test_inactive_user_has_no_rights(namur, member):
    member.is_active = False
    project = ProjectFactory(owner_municipality=namur, state="draft")

    assert (can_view_project(member, project), can_create_project(member)) == (False, False)


def test_superuser_is_editor(territory):
    admin = UserFactory(email="root@centre.example", is_staff=True)
    admin.is_superuser = True
    admin.save()

    assert can_moderate(admin) is True


def test_owner_choices_lists_the_users_teams(namur, member, organisation):
    Membership.objects.create(user=member, organisation=organisation)

    assert [(c.value, c.label) for c in owner_choices(member)] == [
        (f"municipality:{namur.pk}", "Namur"),
        (f"organisation:{organisation.pk}", "Intercommunale IDEA"),
    ]


def test_owner_choices_for_editors_cover_every_walloon_commune(editor, organisation):
    choices = owner_choices(editor)

    assert len([c for c in choices if c.municipality]) == 261
    assert [c.label for c in choices if c.organisation] == ["Intercommunale IDEA"]
