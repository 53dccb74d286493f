"""Atom feeds of newly published projects."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from django.utils import timezone

from smartregion.projects.models import Project
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

ATOM = "{http://www.w3.org/2005/Atom}"
BASE = "https://smart.example.org"


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.SMARTREGION_BASE_URL = BASE


def _at(day: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(2026, 3, day, 10, 0))


def _feed(client, url: str) -> ET.Element:
    response = client.get(url)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    return ET.fromstring(response.content)  # noqa: S314 - our own output, in a test


def _entries(root: ET.Element) -> list[dict[str, object]]:
    return [
        {
            "id": entry.findtext(f"{ATOM}id"),
            "title": entry.findtext(f"{ATOM}title"),
            "link": entry.find(f"{ATOM}link").get("href"),
            "updated": entry.findtext(f"{ATOM}updated"),
            "published": entry.findtext(f"{ATOM}published"),
            "summary": entry.findtext(f"{ATOM}summary"),
            "categories": [c.get("term") for c in entry.findall(f"{ATOM}category")],
        }
        for entry in root.findall(f"{ATOM}entry")
    ]


def test_feed_lists_published_projects_newest_first(client, namur):
    first = ProjectFactory(
        owner_municipality=namur, slug="first", title_fr="Premier", themes=["mobility"]
    )
    second = ProjectFactory(
        owner_municipality=namur,
        slug="second",
        title_fr="Second",
        themes=["data", "governance"],
        first_published_at=_at(5),
        published_at=_at(9),
    )
    ProjectFactory(
        owner_municipality=namur, slug="draft", title_fr="Brouillon", state=Project.State.DRAFT
    )
    ProjectFactory(
        owner_municipality=namur, slug="submitted", title_fr="Soumis", state=Project.State.SUBMITTED
    )

    root = _feed(client, "/fr/projects/feed.atom")

    assert root.findtext(f"{ATOM}id") == "tag:smart.example.org,2026-01-01:projects:fr"
    assert root.find(f"{ATOM}link[@rel='self']").get("href") == f"{BASE}/fr/projects/feed.atom"
    assert _entries(root) == [
        {
            "id": f"tag:smart.example.org,2026-03-05:project:{second.pk}",
            "title": "Second",
            "link": f"{BASE}/fr/projects/second/",
            "updated": "2026-03-09T09:00:00+00:00",
            "published": "2026-03-05T09:00:00+00:00",
            "summary": "Un accès gratuit à Internet dans les bibliothèques communales.",
            "categories": ["data", "governance"],
        },
        {
            "id": f"tag:smart.example.org,2026-03-01:project:{first.pk}",
            "title": "Premier",
            "link": f"{BASE}/fr/projects/first/",
            "updated": "2026-03-01T09:00:00+00:00",
            "published": "2026-03-01T09:00:00+00:00",
            "summary": "Un accès gratuit à Internet dans les bibliothèques communales.",
            "categories": ["mobility"],
        },
    ]


def test_feed_entry_id_survives_a_new_slug_and_title(client, namur):
    project = ProjectFactory(owner_municipality=namur)
    before = _entries(_feed(client, "/en/projects/feed.atom"))[0]["id"]

    Project.objects.filter(pk=project.pk).update(slug="renamed", title_fr="Nouveau titre")

    assert _entries(_feed(client, "/en/projects/feed.atom"))[0]["id"] == before


def test_feed_in_english_uses_english_titles_with_french_fallback(client, namur):
    ProjectFactory(
        owner_municipality=namur, slug="a", title_en="Public Wi-Fi", first_published_at=_at(2)
    )
    ProjectFactory(owner_municipality=namur, slug="b", title_fr="Sans traduction")

    titles = [e["title"] for e in _entries(_feed(client, "/en/projects/feed.atom"))]

    assert titles == ["Public Wi-Fi", "Sans traduction"]


def test_feed_keeps_the_50_most_recent(client, namur):
    for day in range(1, 29):
        for hour in (1, 2):
            ProjectFactory(
                owner_municipality=namur,
                slug=f"p-{day}-{hour}",
                title_fr=f"P {day} {hour}",
                first_published_at=timezone.make_aware(dt.datetime(2026, 2, day, hour)),
            )

    entries = _entries(_feed(client, "/fr/projects/feed.atom"))

    assert len(entries) == 50
    assert entries[0]["title"] == "P 28 2"
    assert entries[-1]["title"] == "P 4 1"


def test_showcase_feed_is_english_and_only_showcase(client, namur):
    shown = ProjectFactory(
        owner_municipality=namur, slug="shown", title_en="Smart lighting", showcase=True
    )
    ProjectFactory(owner_municipality=namur, slug="hidden", title_fr="Pas en vitrine")
    ProjectFactory(owner_municipality=namur, slug="draft", showcase=True, state=Project.State.DRAFT)

    root = _feed(client, "/fr/projects/showcase/feed.atom")

    assert root.findtext(f"{ATOM}title") == "Smart Region: newly showcased smart projects"
    assert [(e["id"], e["title"], e["link"], e["categories"]) for e in _entries(root)] == [
        (
            f"tag:smart.example.org,2026-03-01:project:{shown.pk}",
            "Smart lighting",
            f"{BASE}/en/projects/showcase/shown/",
            ["people", "digital_inclusion"],
        )
    ]


def test_feed_without_base_url_uses_request_host(client, namur, settings):
    settings.SMARTREGION_BASE_URL = ""
    ProjectFactory(owner_municipality=namur)

    entries = _entries(_feed(client, "/fr/projects/feed.atom"))

    assert entries[0]["link"] == "http://testserver/fr/projects/wifi-public/"
