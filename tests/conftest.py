"""Shared fixtures. The territorial reference data is loaded once per test database."""

from __future__ import annotations

import pytest

from smartregion.accounts.models import Membership, User
from smartregion.territory.models import Municipality
from smartregion.territory.services import territory_load_reference


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        territory_load_reference()


@pytest.fixture(scope="session", autouse=True)
def _media_root_of_this_run(tmp_path_factory):
    """Uploads go to a folder of this run and xdist worker, never var/media nor another worker's."""
    from django.test import override_settings

    with override_settings(MEDIA_ROOT=tmp_path_factory.mktemp("media")):
        yield


@pytest.fixture
def territory(db) -> None:
    """The reference data, reloaded when a transactional test flushed it."""
    if not Municipality.objects.exists():
        territory_load_reference()


@pytest.fixture
def namur(territory) -> Municipality:
    return Municipality.objects.get(refnis="92094")


def make_user(email: str, *, staff: bool = False, password: str = "pw-for-tests-123") -> User:
    return User.objects.create_user(email=email, password=password, is_staff=staff)


@pytest.fixture
def staff_user(db) -> User:
    return make_user("staff@centre.example", staff=True)


@pytest.fixture
def manager(namur) -> User:
    user = make_user("manager@namur.example")
    Membership.objects.create(user=user, municipality=namur, role=Membership.Role.MANAGER)
    return user


@pytest.fixture
def member(namur) -> User:
    user = make_user("member@namur.example")
    Membership.objects.create(user=user, municipality=namur, role=Membership.Role.MEMBER)
    return user


@pytest.fixture
def other_member(territory) -> User:
    user = make_user("member@liege.example")
    Membership.objects.create(
        user=user, municipality=Municipality.objects.get(refnis="62063"), role="member"
    )
    return user


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Cached pages and versions never leak from one test into another."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()
