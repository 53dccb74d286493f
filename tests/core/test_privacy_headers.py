"""Private answers are never kept by a cache, no page may use devices, and /media/ is not served."""

from __future__ import annotations

import importlib

import pytest
from django.urls import Resolver404, clear_url_caches, resolve, reverse
from django.utils import timezone, translation

from smartregion.core.middleware import DEFAULT_PERMISSIONS_POLICY
from tests.factories import submitted

pytestmark = pytest.mark.django_db


def test_every_response_sends_the_permissions_policy(client, territory):
    urls = (
        "/fr/",
        "/fr/communes/",
        "/api/v1/municipalities/?limit=1",
        "/fr/no-such-page/",
        "/api/v1/no-such-route/",
        "/static/core/prepared.js",
    )
    for url in urls:
        response = client.get(url)
        assert (url, response["Permissions-Policy"]) == (url, DEFAULT_PERMISSIONS_POLICY)
    assert "camera=()" in DEFAULT_PERMISSIONS_POLICY
    assert "microphone=()" in DEFAULT_PERMISSIONS_POLICY
    assert "geolocation=()" in DEFAULT_PERMISSIONS_POLICY


def test_anonymous_public_page_is_not_marked_private(client, territory):
    response = client.get("/fr/communes/")

    assert "private" not in response.get("Cache-Control", "")


@pytest.mark.parametrize("url", ["/fr/", "/fr/communes/", "/en/accounts/api-tokens/"])
def test_any_page_for_a_signed_in_person_is_private_and_not_stored(client, member, url):
    client.force_login(member)

    response = client.get(url)

    assert (response.status_code, response["Cache-Control"]) == (200, "private, no-store")


def test_a_private_download_is_private_and_not_stored(client, member, namur, instrument_version):
    diagnostic = submitted(
        namur, instrument_version, 0.0, targets={}, horizon_year=timezone.localdate().year + 2
    )
    client.force_login(member)
    with translation.override("en"):
        url = reverse("diagnostic:export", kwargs={"pk": diagnostic.pk, "fmt": "csv"})

    response = client.get(url)

    assert (response.status_code, response["Cache-Control"]) == (200, "private, no-store")


def test_a_page_marked_private_is_not_stored_even_for_anonymous_visitors(client):
    # never_cache (the barometer's respondent pages, reached by a secret link) says "private".
    response = client.get("/healthz")

    assert response["Cache-Control"] == "private, no-store"
    assert "Expires" not in response


def test_media_is_not_routed_even_with_debug(settings):
    import config.urls

    settings.DEBUG = True
    try:
        importlib.reload(config.urls)
        clear_url_caches()
        with pytest.raises(Resolver404):
            resolve("/media/projects/1/secret.pdf")
    finally:
        settings.DEBUG = False
        importlib.reload(config.urls)
        clear_url_caches()
