"""Rows the method, path and case-study tests arrange (not a test module)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Permission

from smartregion.accounts.models import User
from smartregion.knowledge.models import Kind, Resource
from tests.factories import UserFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def resource(slug: str, kind: str = Kind.GUIDE, **fields: Any) -> Resource:
    """A published resource (French title from the slug unless given)."""
    fields.setdefault("title_fr", slug.replace("-", " ").capitalize())
    fields.setdefault("state", Resource.State.PUBLISHED)
    return Resource.objects.create(kind=kind, slug=slug, **fields)


def step(slug: str, phase: int, order: int, **fields: Any) -> Resource:
    return resource(slug, Kind.METHOD_STEP, method_phase=phase, method_order=order, **fields)


def editor(email: str = "editor@centre.example") -> User:
    user = UserFactory(email=email)
    user.user_permissions.add(Permission.objects.get(codename="edit_resource"))
    return User.objects.get(pk=user.pk)  # a fresh row: no cached permissions
