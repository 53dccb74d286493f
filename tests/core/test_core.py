from unittest import mock

import pytest
from django.db.utils import OperationalError

pytestmark = pytest.mark.django_db


def test_healthz_answers_200_when_the_database_answers(client):
    response = client.get("/healthz")

    assert (response.status_code, response.json()) == (200, {"status": "ok", "database": "ok"})


def test_healthz_answers_503_when_the_database_fails(client):
    with mock.patch(
        "smartregion.core.views.connection.cursor", side_effect=OperationalError("down")
    ):
        response = client.get("/healthz")

    assert (response.status_code, response.json()) == (
        503,
        {"status": "unavailable", "database": "down"},
    )


def test_root_redirects_to_the_french_home(client):
    response = client.get("/")

    assert (response.status_code, response["Location"]) == (302, "/fr/")


def test_language_links_keep_the_current_page_and_query(client, territory):
    html = client.get("/fr/communes/", {"q": "namur"}).content.decode()

    assert 'href="/en/communes/?q=namur" lang="en"' in html
    assert 'href="/de/communes/?q=namur" lang="de"' in html
    assert 'href="/fr/communes/?q=namur" lang="fr" hreflang="fr" aria-current="true"' in html


def test_pages_carry_a_strict_content_security_policy(client, territory):
    policy = client.get("/fr/")["Content-Security-Policy"]

    assert "script-src 'self'" in policy
    assert "unsafe-inline" not in policy


def test_api_speaks_english_unless_the_client_asks_otherwise(client, territory):
    english = client.get("/api/v1/municipalities/00000/")
    french = client.get("/api/v1/municipalities/00000/", HTTP_ACCEPT_LANGUAGE="fr")

    assert english.json() == {"detail": "No municipality has the REFNIS code 00000."}
    assert french.json() == {"detail": "Aucune commune ne porte le code REFNIS 00000."}
