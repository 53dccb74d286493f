"""/data/catalog.ttl and .jsonld are built in the background: a request never waits on the build;
harvesters get 503 with Retry-After, browsers the "being prepared" page, then everyone the file;
a change to the open data queues the build for the configured site address."""

from __future__ import annotations

import pytest
from rdflib import Graph

from smartregion.core.models import PreparedFile
from smartregion.opendata.builds import open_data_changed

pytestmark = pytest.mark.django_db


def test_a_harvester_is_told_to_come_back_then_gets_the_catalogue(client, territory):
    waiting = client.get("/data/catalog.ttl", HTTP_ACCEPT="text/turtle")

    assert (waiting.status_code, waiting["Retry-After"], waiting["Cache-Control"]) == (
        503,
        "10",
        "no-store",
    )
    assert PreparedFile.objects.get().status == PreparedFile.Status.QUEUED


def test_a_browser_sees_the_being_prepared_page(client, territory):
    waiting = client.get("/data/catalog.jsonld", HTTP_ACCEPT="text/html,*/*")

    assert (waiting.status_code, waiting["Content-Type"]) == (202, "text/html; charset=utf-8")


def test_the_catalogue_is_served_once_built(client, territory, fetch_built):
    response = fetch_built(client, "/data/catalog.ttl")

    assert (response.status_code, response["Content-Type"]) == (200, "text/turtle; charset=utf-8")
    assert len(Graph().parse(data=response.content, format="turtle")) > 0


def test_a_change_queues_the_catalogue_for_the_site_address(
    territory, settings, django_capture_on_commit_callbacks
):
    settings.SMARTREGION_BASE_URL = "https://smart.example"

    with django_capture_on_commit_callbacks(execute=True):
        open_data_changed()

    built = PreparedFile.objects.order_by("key")
    assert [(p.family, p.status) for p in built] == [
        ("opendata.catalogue:jsonld:https://smart.example", PreparedFile.Status.READY),
        ("opendata.catalogue:ttl:https://smart.example", PreparedFile.Status.READY),
    ]
