"""The Atom feed of new and updated resources."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from tests.factories import ResourceFactory

pytestmark = pytest.mark.django_db
ATOM = "{http://www.w3.org/2005/Atom}"


def test_feed_lists_listed_resources_with_stable_ids_and_site_links(client, settings):
    settings.SMARTREGION_BASE_URL = "https://smartregion.example.org"
    guide = ResourceFactory(slug="g", title_fr="Guide FR", title_en="Guide EN", themes=["data"])
    ResourceFactory(slug="draft", state="draft")
    ResourceFactory(slug="old", state="archived")

    response = client.get("/en/knowledge/resources/feed/")

    assert response["Content-Type"].startswith("application/atom+xml")
    root = ET.fromstring(response.content)  # noqa: S314 - our own output, in a test
    entries = root.findall(f"{ATOM}entry")
    assert [entry.findtext(f"{ATOM}title") for entry in entries] == ["Guide EN"]
    assert (
        entries[0].findtext(f"{ATOM}id")
        == f"tag:smartregion.example.org,2026-03-01:resource:{guide.pk}"
    )
    assert (
        entries[0].find(f"{ATOM}link").get("href")
        == "https://smartregion.example.org/en/knowledge/g/"
    )
    assert [c.get("term") for c in entries[0].findall(f"{ATOM}category")] == ["guide", "data"]


def test_feed_falls_back_to_french_title(client):
    ResourceFactory(slug="g", title_fr="Guide FR")

    root = ET.fromstring(client.get("/de/knowledge/resources/feed/").content)  # noqa: S314

    assert [entry.findtext(f"{ATOM}title") for entry in root.findall(f"{ATOM}entry")] == [
        "Guide FR"
    ]
