"""The glossary and the resources as datasets of the DCAT-AP catalogue, and their files."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import pytest
from django.test import override_settings
from django.utils import timezone
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS

from smartregion.knowledge import opendata
from smartregion.knowledge.models import GlossaryTerm, Kind, Resource
from smartregion.opendata import dcat
from smartregion.opendata.files import sha256_hex
from tests.opendata.shacl import PROFILE_SHAPES, needs_shapes, shacl

pytestmark = pytest.mark.django_db

BASE = "http://testserver"
DCAT = dcat.DCAT
CATALOGUE = URIRef(f"{BASE}/data/catalog")
GLOSSARY = URIRef(f"{BASE}/data/glossary-dataset")
RESOURCES = URIRef(f"{BASE}/data/resources")
EU = "http://publications.europa.eu/resource/authority/"
ONLY_KNOWLEDGE = ["smartregion.knowledge.opendata.catalogue_datasets"]
WHEN = timezone.make_aware(dt.datetime(2026, 3, 1, 10, 0))


@pytest.fixture
def content() -> None:
    GlossaryTerm.objects.create(
        slug="donnee", label_fr="Donnée", label_en="Data", definition_fr="Une valeur."
    )
    GlossaryTerm.objects.create(
        slug="cache", label_fr="Caché", definition_fr="Non.", is_published=False
    )
    Resource.objects.create(
        kind=Kind.GUIDE,
        slug="ouvrir-ses-donnees",
        title_fr="Ouvrir ses données",
        title_en="Opening your data",
        summary_fr='=HYPERLINK("http://evil")',
        themes=["data", "governance"],
        domains=["data"],
        levels=[1, 2],
        audiences=["it", "staff"],
        state=Resource.State.PUBLISHED,
        first_published_at=WHEN,
    )
    Resource.objects.create(kind=Kind.FAQ, slug="brouillon", title_fr="Brouillon")
    Resource.objects.filter(slug="ouvrir-ses-donnees").update(updated_at=WHEN)


def _catalogue(client, fetch_built) -> Graph:
    response = fetch_built(client, "/data/catalog.ttl")
    assert response.status_code == 200
    return Graph().parse(data=response.content, format="turtle")


@override_settings(SMARTREGION_CATALOGUE_PROVIDERS=ONLY_KNOWLEDGE)
def test_catalogue_lists_the_glossary_and_the_resources(client, content, fetch_built):
    graph = _catalogue(client, fetch_built)

    assert set(graph.objects(CATALOGUE, DCAT.dataset)) == {GLOSSARY, RESOURCES}
    assert graph.value(GLOSSARY, DCTERMS.identifier) == Literal("smartregion-glossary")
    assert Literal("Glossary of the smart territory", lang="en") in set(
        graph.objects(GLOSSARY, DCTERMS.title)
    )
    assert graph.value(GLOSSARY, DCAT.landingPage) == URIRef(f"{BASE}/fr/knowledge/glossary/")
    assert graph.value(RESOURCES, DCTERMS.issued) == Literal(
        "2026-03-01T09:00:00+00:00", datatype=dcat.XSD.dateTime
    )
    assert graph.value(GLOSSARY, DCTERMS.accrualPeriodicity) == URIRef(f"{EU}frequency/UPDATE_CONT")


@override_settings(SMARTREGION_CATALOGUE_PROVIDERS=ONLY_KNOWLEDGE)
def test_distributions_announce_format_size_and_checksum_of_the_served_files(
    client, content, fetch_built
):
    graph = _catalogue(client, fetch_built)

    expected = {
        f"{GLOSSARY}#glossary.ttl": ("/data/glossary.ttl", "RDF_TURTLE", "text/turtle"),
        f"{GLOSSARY}#glossary.jsonld": ("/data/glossary.jsonld", "JSON_LD", "application/ld+json"),
        f"{RESOURCES}#resources.csv": ("/data/resources.csv", "CSV", "text/csv"),
        f"{RESOURCES}#resources.json": ("/data/resources.json", "JSON", "application/json"),
    }
    found = {str(d) for s in (GLOSSARY, RESOURCES) for d in graph.objects(s, DCAT.distribution)}
    assert found == set(expected)
    for uri, (path, file_type, media_type) in expected.items():
        node = URIRef(uri)
        served = client.get(path).content
        assert graph.value(node, DCAT.downloadURL) == URIRef(BASE + path)
        assert graph.value(node, DCTERMS["format"]) == URIRef(f"{EU}file-type/{file_type}")
        assert graph.value(node, DCAT.mediaType) == URIRef(
            f"https://www.iana.org/assignments/media-types/{media_type}"
        )
        assert graph.value(node, DCAT.byteSize).toPython() == len(served)
        checksum = graph.value(node, dcat.SPDX.checksum)
        assert str(graph.value(checksum, dcat.SPDX.checksumValue)) == sha256_hex(served)


@override_settings(SMARTREGION_CATALOGUE_PROVIDERS=ONLY_KNOWLEDGE)
def test_nothing_published_means_no_dataset(client, fetch_built):
    assert set(_catalogue(client, fetch_built).objects(CATALOGUE, DCAT.dataset)) == set()


def test_resources_csv_lists_listed_resources_safely(client, content):
    response = client.get("/data/resources.csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0] == opendata.CSV_HEADER
    assert rows[1:] == [
        [
            "ouvrir-ses-donnees",
            "guide",
            "Ouvrir ses données",
            "Opening your data",
            "",
            "",
            '\'=HYPERLINK("http://evil")',
            "",
            "",
            "",
            "data;governance",
            "data",
            "1;2",
            "it;staff",
            "CC-BY-4.0",
            "http://testserver/fr/knowledge/ouvrir-ses-donnees/",
            "2026-03-01T09:00:00+00:00",
        ]
    ]


def test_resources_json_gives_records_with_texts_per_language(client, content):
    document = json.loads(client.get("/data/resources.json").content)

    assert (document["count"], document["modified"]) == (1, "2026-03-01T09:00:00+00:00")
    (record,) = document["resources"]
    assert record["title"] == {
        "fr": "Ouvrir ses données",
        "en": "Opening your data",
        "de": "",
        "nl": "",
    }
    assert (record["levels"], record["audience"]) == ([1, 2], ["it", "staff"])


@needs_shapes
def test_catalogue_with_the_knowledge_datasets_has_no_violation_of_the_profile_shapes(
    client, content, namur, fetch_built
):
    graph = _catalogue(client, fetch_built)  # every configured provider, ours included
    assert {GLOSSARY, RESOURCES} <= set(graph.objects(CATALOGUE, DCAT.dataset))
    conforms, results, text = shacl(graph, *PROFILE_SHAPES)
    assert [r for r in results if r[0] == "Violation"] == [], text
    # Warnings only, those the projects' test knows: the publisher is not in the EU
    # corporate-body vocabulary, the region is the platform's own record, and the test database
    # has no commune outlines for its bounding box and centroid.
    region = f"{BASE}/data/regions/03000"
    assert results == [
        ("Warning", str(CATALOGUE), str(DCTERMS.publisher)),
        ("Warning", str(CATALOGUE), str(DCTERMS.spatial)),
        ("Warning", str(GLOSSARY), str(DCTERMS.publisher)),
        ("Warning", str(GLOSSARY), str(DCTERMS.spatial)),
        ("Warning", region, str(DCAT.bbox)),
        ("Warning", region, str(DCAT.centroid)),
        ("Warning", str(RESOURCES), str(DCTERMS.publisher)),
        ("Warning", str(RESOURCES), str(DCTERMS.spatial)),
    ], text
