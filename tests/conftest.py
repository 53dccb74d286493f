"""Shared fixtures. The territorial reference data is loaded once per test database."""

from __future__ import annotations

import pytest

from smartregion.accounts.models import Membership, User
from smartregion.instruments.definition import Instrument
from smartregion.instruments.models import InstrumentVersion
from smartregion.instruments.services import instrument_version_load
from smartregion.territory.models import Municipality
from smartregion.territory.services import territory_load_reference
from tests.factories import (
    MATURITY_INSTRUMENT,
    MembershipFactory,
    UserFactory,
    load_reference_population,
)


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        territory_load_reference()


@pytest.fixture
def territory(db) -> None:
    """The reference data, reloaded when a transactional test flushed it."""
    if not Municipality.objects.exists():
        territory_load_reference()


@pytest.fixture
def reference_population(territory) -> None:
    load_reference_population()


@pytest.fixture
def namur(territory) -> Municipality:
    return Municipality.objects.get(refnis="92094")


@pytest.fixture
def staff_user(db) -> User:
    return UserFactory(email="staff@centre.example", is_staff=True)


@pytest.fixture
def manager(namur) -> User:
    return MembershipFactory(
        user__email="manager@namur.example", municipality=namur, role=Membership.Role.MANAGER
    ).user


@pytest.fixture
def member(namur) -> User:
    return MembershipFactory(user__email="member@namur.example", municipality=namur).user


@pytest.fixture
def other_member(territory) -> User:
    liege = Municipality.objects.get(refnis="62063")
    return MembershipFactory(user__email="member@liege.example", municipality=liege).user


_LOADED: dict[str, object] = {}


@pytest.fixture
def instrument_version(db) -> InstrumentVersion:
    """The real Smart Region maturity instrument, loaded as the current version.

    The first test loads it through the service (reading and validating the YAML takes ~0.4 s);
    later tests insert the same row directly.
    """
    if not _LOADED:
        version = instrument_version_load(path=MATURITY_INSTRUMENT)
        fields = ("slug", "version", "definition", "checksum", "title_fr", "title_en")
        _LOADED.update({name: getattr(version, name) for name in fields})
        return version
    return InstrumentVersion.objects.create(**_LOADED)


@pytest.fixture
def instrument(instrument_version) -> Instrument:
    return instrument_version.instrument


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Cached pages and versions never leak from one test into another."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _default_language():
    """Each test starts in the site's default language: a request to a /de/ page activates German
    in the thread (LocaleMiddleware never deactivates), and the next test would inherit it."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    """Uploads and prepared files go to the test's own folder, never to var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def fetch_prepared(django_capture_on_commit_callbacks):
    """GET a file built in the background, as a browser would: first the "being prepared" page.

    The first answer is 202; the build is queued when the request's transaction commits and the
    immediate task backend of the tests runs it then; the second GET serves the file.
    """

    def fetch(client, url, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            waiting = client.get(url, **extra)
        assert waiting.status_code == 202
        return client.get(url, **extra)

    return fetch


@pytest.fixture
def fetch_built(django_capture_on_commit_callbacks):
    """GET a data file built in the background, as a harvester would: the first answer is 503
    (the build is queued when the request commits, and the tests' immediate backend runs it
    then); the second serves the file."""

    def fetch(client, url, **extra):
        with django_capture_on_commit_callbacks(execute=True):
            waiting = client.get(url, **extra)
        assert (waiting.status_code, waiting["Retry-After"]) == (503, "10")
        return client.get(url, **extra)

    return fetch
