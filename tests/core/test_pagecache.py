import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from smartregion.territory.models import Municipality, MunicipalityFigure
from smartregion.territory.services import municipality_refresh_figures

pytestmark = pytest.mark.django_db


def test_public_page_is_served_from_the_cache_without_queries(client, territory):
    first = client.get("/fr/communes/92094/")

    with CaptureQueriesContext(connection) as queries:
        second = client.get("/fr/communes/92094/")

    assert second.content == first.content
    assert len(queries.captured_queries) == 0


def test_public_page_changes_as_soon_as_the_data_changes(
    client, territory, django_capture_on_commit_callbacks
):
    assert "113" not in client.get("/en/communes/92094/").content.decode()

    with django_capture_on_commit_callbacks(execute=True):
        MunicipalityFigure.objects.create(
            municipality=Municipality.objects.get(refnis="92094"), year=2024, population=113113
        )
        municipality_refresh_figures()

    assert "113,113" in client.get("/en/communes/92094/").content.decode()


def test_pages_of_signed_in_users_are_never_cached(client, member):
    client.force_login(member)
    client.get("/fr/communes/")

    with CaptureQueriesContext(connection) as queries:
        response = client.get("/fr/communes/")

    assert member.email in response.content.decode()
    assert len(queries.captured_queries) > 0


def test_cached_pages_carry_no_csrf_token(client, territory):
    html = client.get("/fr/").content.decode()

    assert "csrfmiddlewaretoken" not in html


def test_data_version_is_read_from_the_shared_cache_without_a_query(db):
    from django.core.cache import cache

    from smartregion.core.pagecache import data_version

    cache.set("data-version:public", 41, timeout=None)  # as another process's bump leaves it

    with CaptureQueriesContext(connection) as queries:
        version = data_version()

    assert (version, len(queries.captured_queries)) == (41, 0)


def test_a_missing_data_version_is_read_once_from_the_database(db):
    from smartregion.core.models import DataVersion
    from smartregion.core.pagecache import data_version

    DataVersion.objects.update_or_create(key="public", defaults={"value": 7})

    with CaptureQueriesContext(connection) as queries:
        versions = [data_version(), data_version()]

    assert (versions, len(queries.captured_queries)) == ([7, 7], 1)


def test_a_committed_bump_stores_the_new_version_in_the_shared_cache(
    db, django_capture_on_commit_callbacks
):
    from django.core.cache import cache

    from smartregion.core.models import DataVersion
    from smartregion.core.pagecache import data_version, data_version_bump

    before = data_version()
    with django_capture_on_commit_callbacks(execute=True):
        data_version_bump()

    stored = DataVersion.objects.get(key="public").value
    assert (stored, cache.get("data-version:public")) == (before + 1, before + 1)
