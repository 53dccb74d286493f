"""Absolute links use the request's own address, or SMARTREGION_BASE_URL when it is set.

The demo served on another port (`PORT=8080 make demo`) once linked to port 8000 everywhere: the
Atom feeds, the API's `url` fields, the CSV and GeoJSON files, the DCAT catalogue. Each is read
here through a client on another host and port.
"""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.core import mail
from django.test import RequestFactory
from rdflib import Graph, URIRef

from smartregion.core.addresses import absolute_url, configured_base_url, site_base_url
from smartregion.core.models import PreparedFile
from smartregion.opendata import dcat
from smartregion.projects.models import Location
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

HOST = "127.0.0.1:8080"
HERE = f"http://{HOST}"
ATOM = "{http://www.w3.org/2005/Atom}"
DETAIL = "/fr/projects/wifi-public/"


@pytest.fixture(autouse=True)
def _no_configured_address(settings):
    settings.SMARTREGION_BASE_URL = ""


@pytest.fixture
def published(namur):
    project = ProjectFactory(owner_municipality=namur)
    Location.objects.create(
        project=project, label="Library", latitude=Decimal("50.4669"), longitude=Decimal("4.8675")
    )
    return project


@pytest.fixture
def there(client):
    """GET on the demo's other address."""
    return lambda url, **extra: client.get(url, HTTP_HOST=HOST, **extra)


def test_site_base_url_is_the_request_scheme_host_and_port():
    request = RequestFactory().get("/", HTTP_HOST=HOST)

    assert (site_base_url(request), absolute_url("/data/catalog", request)) == (
        HERE,
        f"{HERE}/data/catalog",
    )
    assert (site_base_url(None), configured_base_url()) == ("", "")


def test_site_base_url_prefers_the_configured_address(settings):
    settings.SMARTREGION_BASE_URL = "https://smartregion.example.org/"
    request = RequestFactory().get("/", HTTP_HOST=HOST)

    assert site_base_url(request) == "https://smartregion.example.org"
    assert site_base_url(None) == "https://smartregion.example.org"


def test_debug_settings_no_longer_default_to_port_8000(tmp_path):
    env = {k: v for k, v in os.environ.items() if k != "SMARTREGION_BASE_URL"}
    env.update(DEBUG="1", SMARTREGION_TESTING="0", SMARTREGION_VAR_DIR=str(tmp_path))
    env.update(DJANGO_SETTINGS_MODULE="config.settings")
    probe = "from django.conf import settings as s; print(repr(s.SMARTREGION_BASE_URL))"

    result = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, check=True
    )

    assert result.stdout.strip() == "''"


def test_feed_links_use_the_request_address(there, published):
    root = ET.fromstring(there("/fr/projects/feed.atom").content)  # noqa: S314 - our own output

    links = [link.get("href") for link in root.iter(f"{ATOM}link")]
    assert links == [f"{HERE}/fr/projects/", f"{HERE}/fr/projects/feed.atom", HERE + DETAIL]


def test_feed_links_use_the_configured_address_whatever_the_host(settings, there, published):
    settings.SMARTREGION_BASE_URL = "https://smartregion.example.org"

    root = ET.fromstring(there("/fr/projects/feed.atom").content)  # noqa: S314 - our own output

    entry = root.find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}link").get("href") == "https://smartregion.example.org" + DETAIL


def test_api_url_fields_use_the_request_address(there, published):
    listing = there("/api/v1/projects/").json()
    detail = there("/api/v1/projects/wifi-public").json()

    assert [item["url"] for item in listing["items"]] == [HERE + DETAIL]
    assert detail["url"] == HERE + DETAIL


def test_full_csv_and_geojson_use_the_request_address(there, published, fetch_built):
    csv_file = fetch_built(_Client(there), "/data/projects.csv")
    geojson = fetch_built(_Client(there), "/data/projects.geojson")

    rows = list(csv.DictReader(io.StringIO(csv_file.content.decode("utf-8-sig"))))
    assert [row["url"] for row in rows] == [HERE + DETAIL]
    features = json.loads(geojson.content)["features"]
    assert [feature["properties"]["url"] for feature in features] == [HERE + DETAIL]


def test_a_full_file_built_for_one_address_is_not_served_for_another(
    client, there, published, fetch_built
):
    fetch_built(_Client(there), "/data/projects.csv")

    # Another address has its own file: queued (503) rather than the other address's bytes.
    elsewhere = fetch_built(client, "/data/projects.csv")

    rows = list(csv.DictReader(io.StringIO(elsewhere.content.decode("utf-8-sig"))))
    assert [row["url"] for row in rows] == ["http://testserver" + DETAIL]


def test_filtered_csv_uses_the_request_address(there, published):
    response = there("/data/projects.csv?theme=people")

    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert [row["url"] for row in rows] == [HERE + DETAIL]


def test_dcat_catalogue_uses_the_request_address(there, published, fetch_built):
    response = fetch_built(_Client(there), "/data/catalog.ttl")
    graph = Graph().parse(data=response.content, format="turtle")

    dataset = URIRef(f"{HERE}/data/projects")
    assert (URIRef(f"{HERE}/data/catalog"), dcat.DCAT.dataset, dataset) in graph
    assert graph.value(URIRef(f"{dataset}#projects.csv"), dcat.DCAT.downloadURL) == URIRef(
        f"{HERE}/data/projects.csv"
    )
    elsewhere = {
        str(node) for node in graph.all_nodes() if "testserver" in str(node) or ":8000" in str(node)
    }
    assert elsewhere == set()


class _Client:
    """A client whose GETs all go to the other address (for `fetch_built`)."""

    def __init__(self, get):
        self.get = get


def test_showcase_pdf_is_prepared_for_the_address_that_asked(client, there, namur):
    ProjectFactory(owner_municipality=namur, showcase=True, title_en="Public Wi-Fi")

    there("/en/projects/showcase/wifi-public.pdf")
    client.get("/en/projects/showcase/wifi-public.pdf")

    # Its footer links to the project on that address: one prepared file per address.
    assert sorted(p["base_url"] for p in PreparedFile.objects.values_list("params", flat=True)) == [
        HERE,
        "http://testserver",
    ]


@pytest.mark.parametrize(
    ("configured", "expected"), [("", HERE), ("https://smartregion.example.org", None)]
)
def test_password_reset_link_uses_the_site_address(client, member, settings, configured, expected):
    settings.SMARTREGION_BASE_URL = configured

    client.post("/en/accounts/password/reset/", {"email": member.email}, HTTP_HOST=HOST)

    link = next(word for word in mail.outbox[0].body.split() if "/password/reset/key/" in word)
    assert link.startswith(f"{expected or configured}/en/accounts/password/reset/key/")
