"""Roles of the knowledge pages: an editor holds the permission `knowledge.edit_resource`."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission

from smartregion.accounts.models import User
from tests.factories import UserFactory


@pytest.fixture
def editor(db) -> User:
    user = UserFactory(email="editor@centre.example")
    user.user_permissions.add(Permission.objects.get(codename="edit_resource"))
    return User.objects.get(pk=user.pk)  # a fresh instance: no stale permission cache


@pytest.fixture
def roles(db, editor, staff_user, member, manager, other_member) -> dict[str, User | None]:
    """Every column of the permission matrix (the editor is the only one allowed)."""
    return {
        "anonymous": None,
        "other_member": other_member,
        "member": member,
        "manager": manager,
        "staff": staff_user,
        "editor": editor,
    }
