"""The projects' open-data files in the platform's DCAT-AP catalogue (/data/catalog.ttl)."""

from __future__ import annotations

import ast
import datetime as dt
import json
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import override_settings
from django.utils import timezone
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, SKOS, XSD

import smartregion.opendata
import smartregion.projects
from smartregion.core.models import PreparedFile
from smartregion.core.pagecache import data_version_bump
from smartregion.opendata import dcat
from smartregion.opendata.files import sha256_hex
from smartregion.opendata.types import ContactInfo, DatasetInfo
from smartregion.projects import opendata
from smartregion.projects.models import Location, Project, ProjectRevision
from smartregion.projects.services import project_publish, project_unpublish
from tests.factories import ProjectFactory
from tests.opendata.shacl import PROFILE_SHAPES, needs_shapes, shacl

BASE = "http://testserver"
DCAT = dcat.DCAT
CATALOGUE = URIRef(f"{BASE}/data/catalog")
DATASET = URIRef(f"{BASE}/data/projects")
EU = "http://publications.europa.eu/resource/authority/"
IANA = "https://www.iana.org/assignments/media-types/"
FILES = {
    "csv": ("CSV", "text/csv"),
    "json": ("JSON", "application/json"),
    "geojson": ("GEOJSON", "application/geo+json"),
}


def _aware(*args: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime(*args))


@pytest.fixture
def published(namur) -> Project:
    """A published project with a location, and a draft that must stay out of every count."""
    project = ProjectFactory(
        owner_municipality=namur, start_date=dt.date(2024, 9, 1), end_date=dt.date(2027, 6, 30)
    )
    Location.objects.create(
        project=project,
        label="Bibliothèque",
        latitude=Decimal("50.4669"),
        longitude=Decimal("4.8675"),
    )
    ProjectFactory(
        owner_municipality=namur, slug="brouillon", state=Project.State.DRAFT, is_demo=True
    )
    Project.objects.filter(pk=project.pk).update(updated_at=_aware(2026, 4, 2, 9, 0))
    return project


def _catalogue(client, fetch_built) -> Graph:
    response = fetch_built(client, "/data/catalog.ttl")
    assert response.status_code == 200
    return Graph().parse(data=response.content, format="turtle")


def _catalogue_served(client) -> Graph:
    response = client.get("/data/catalog.ttl")
    assert (response.status_code, response.has_header("Cache-Control")) == (200, False)
    return Graph().parse(data=response.content, format="turtle")


def _dataset(absolute=lambda path: BASE + path) -> DatasetInfo:
    (dataset,) = opendata.catalogue_datasets(absolute)
    return dataset


# ---------------------------------------------------------------------------------------------
# The dataset
# ---------------------------------------------------------------------------------------------


def test_catalogue_lists_the_projects_dataset_for_harvesters(client, published, fetch_built):
    graph = _catalogue(client, fetch_built)

    assert (CATALOGUE, DCAT.dataset, DATASET) in graph
    assert graph.value(DATASET, DCTERMS.identifier) == Literal("smartregion-projects")
    assert Literal("Smart projects of the communes", lang="en") in set(
        graph.objects(DATASET, DCTERMS.title)
    )
    assert {lit.language for lit in graph.objects(DATASET, DCTERMS.title)} == {"fr", "en"}
    assert graph.value(DATASET, DCTERMS.issued) == Literal(
        "2026-03-01T09:00:00+00:00", datatype=XSD.dateTime
    )
    assert graph.value(DATASET, DCTERMS.modified) == Literal(
        "2026-04-02T07:00:00+00:00", datatype=XSD.dateTime
    )
    period = graph.value(DATASET, DCTERMS.temporal)
    assert graph.value(period, DCAT.startDate) == Literal("2024-09-01", datatype=XSD.date)
    assert graph.value(period, DCAT.endDate) == Literal("2027-06-30", datatype=XSD.date)
    assert graph.value(DATASET, DCAT.landingPage) == URIRef(f"{BASE}/fr/projects/")
    assert graph.value(DATASET, DCTERMS.spatial) == URIRef(f"{BASE}/data/regions/03000")
    assert graph.value(DATASET, DCTERMS.accrualPeriodicity) == URIRef(f"{EU}frequency/UPDATE_CONT")
    assert graph.value(DATASET, DCTERMS.accessRights) == URIRef(f"{EU}access-right/PUBLIC")
    assert {str(t).rsplit("/", 1)[1] for t in graph.objects(DATASET, DCAT.theme)} == {
        "GOVE",
        "REGI",
        "TECH",
    }
    assert {str(lang).rsplit("/", 1)[1] for lang in graph.objects(DATASET, DCTERMS.language)} == {
        "FRA",
        "ENG",
    }
    keywords = {str(k) for k in graph.objects(DATASET, DCAT.keyword) if k.language == "en"}
    assert keywords == {"projects", "municipalities", "smart region", "smart city"}
    assert graph.value(DATASET, DCAT.version) is None  # a live dataset, not a frozen revision


def test_dataset_contact_and_publisher_are_the_platforms(client, published, settings, fetch_built):
    settings.SMARTREGION_PUBLISHER_EMAIL = "data@centre.example"
    graph = _catalogue(client, fetch_built)

    contact = graph.value(DATASET, DCAT.contactPoint)
    assert graph.value(contact, dcat.VCARD.hasEmail) == URIRef("mailto:data@centre.example")
    assert Literal("Smart projects catalogue", lang="en") in set(
        graph.objects(contact, dcat.VCARD.fn)
    )
    assert graph.value(DATASET, DCTERMS.publisher) == URIRef(f"{BASE}/#publisher")
    assert graph.value(CATALOGUE, DCTERMS.publisher) == URIRef(f"{BASE}/#publisher")


def test_description_has_no_demonstration_notice_without_demo_projects(published):
    description = _dataset().descriptions["en"]

    assert description.startswith("Smart projects that the communes and their partners")
    assert "emonstration" not in description


def test_description_warns_when_every_project_is_demonstration_data(published):
    Project.objects.filter(pk=published.pk).update(is_demo=True)

    description = _dataset().descriptions["en"]

    assert description.startswith("Demonstration data: these projects are synthetic. Smart")


def test_description_warns_when_some_projects_are_demonstration_data(published, namur):
    ProjectFactory(owner_municipality=namur, slug="demo-parking", is_demo=True)

    description = _dataset().descriptions["en"]

    assert description.startswith(
        "Includes demonstration data: the projects marked is_demo are synthetic. Smart"
    )


def test_no_published_project_means_no_dataset(client, namur, fetch_built):
    ProjectFactory(owner_municipality=namur, state=Project.State.SUBMITTED)

    assert opendata.catalogue_datasets(lambda path: BASE + path) == []
    assert (CATALOGUE, DCAT.dataset, DATASET) not in _catalogue(client, fetch_built)


def test_issued_is_the_first_publication_of_a_project_still_published(published, namur):
    ProjectFactory(
        owner_municipality=namur,
        slug="parking",
        published_at=_aware(2026, 5, 1, 8, 0),
        first_published_at=_aware(2025, 1, 10, 8, 0),
        start_date=dt.date(2023, 2, 1),
    )
    Project.objects.update(updated_at=_aware(2026, 5, 1, 8, 0))

    dataset = _dataset()

    assert dataset.issued == _aware(2025, 1, 10, 8, 0)
    assert dataset.modified == _aware(2026, 5, 1, 8, 0)
    assert (dataset.temporal.start, dataset.temporal.end) == (
        dt.date(2023, 2, 1),
        dt.date(2027, 6, 30),
    )


def test_modified_follows_a_withdrawal(published, namur, editor):
    other = ProjectFactory(owner_municipality=namur, slug="parking")
    Project.objects.filter(pk=other.pk).update(updated_at=_aware(2026, 4, 1, 9, 0))

    project_unpublish(project=other, user=editor, comment="Doublon du projet Wi-Fi.")

    withdrawn = ProjectRevision.objects.get(project=other, action="unpublished").created_at
    assert withdrawn > _aware(2026, 4, 2, 9, 0)
    assert _dataset().modified == withdrawn


# ---------------------------------------------------------------------------------------------
# Distributions: what they announce is what the file URLs serve
# ---------------------------------------------------------------------------------------------


def _assert_distributions_match_served_files(client, graph: Graph, base: str = BASE) -> None:
    dataset = URIRef(f"{base}/data/projects")
    assert set(graph.objects(dataset, DCAT.distribution)) == {
        URIRef(f"{dataset}#projects.{fmt}") for fmt in FILES
    }
    for fmt, (file_type, media_type) in FILES.items():
        distribution = URIRef(f"{dataset}#projects.{fmt}")
        response = client.get(f"/data/projects.{fmt}")
        served = response.content
        assert response.status_code == 200
        assert graph.value(distribution, DCAT.downloadURL) == URIRef(f"{base}/data/projects.{fmt}")
        assert graph.value(distribution, DCAT.accessURL) == URIRef(f"{base}/fr/projects/")
        assert graph.value(distribution, DCTERMS.format) == URIRef(f"{EU}file-type/{file_type}")
        assert graph.value(distribution, DCAT.mediaType) == URIRef(IANA + media_type)
        assert graph.value(distribution, DCTERMS.license) == URIRef(f"{EU}licence/CC_BY_4_0")
        assert graph.value(distribution, DCAT.byteSize) == Literal(
            len(served), datatype=XSD.nonNegativeInteger
        )
        checksum = graph.value(distribution, dcat.SPDX.checksum)
        assert str(graph.value(checksum, dcat.SPDX.checksumValue)) == sha256_hex(served)
        assert graph.value(checksum, dcat.SPDX.algorithm) == dcat.SHA256


def test_distributions_announce_the_size_and_sha256_of_the_served_files(
    client, published, fetch_built
):
    graph = _catalogue(client, fetch_built)

    _assert_distributions_match_served_files(client, graph)
    features = json.loads(client.get("/data/projects.geojson").content)["features"]
    assert [f["geometry"]["coordinates"] for f in features] == [[4.8675, 50.4669]]


def test_distributions_match_files_downloaded_before_the_catalogue(client, published, fetch_built):
    for fmt in FILES:
        client.get(f"/data/projects.{fmt}")

    _assert_distributions_match_served_files(client, _catalogue(client, fetch_built))


@override_settings(SMARTREGION_BASE_URL="https://smartregion.example.org/")
def test_distributions_match_files_whose_links_use_the_public_address(
    client, published, fetch_built
):
    graph = _catalogue(client, fetch_built)

    # Every link of the catalogue, and of the files it measures, starts with the configured
    # address, whatever host the request came to.
    _assert_distributions_match_served_files(client, graph, "https://smartregion.example.org")
    assert not [term for term in graph.all_nodes() if str(term).startswith(BASE)]
    csv = client.get("/data/projects.csv").content.decode("utf-8-sig")
    assert "https://smartregion.example.org/fr/projects/wifi-public/" in csv


def test_distributions_describe_their_format_and_standard(client, published, fetch_built):
    graph = _catalogue(client, fetch_built)

    csv = URIRef(f"{DATASET}#projects.csv")
    geojson = URIRef(f"{DATASET}#projects.geojson")
    assert graph.value(csv, DCTERMS.conformsTo) == URIRef("https://www.rfc-editor.org/rfc/rfc4180")
    assert graph.value(geojson, DCTERMS.conformsTo) == URIRef(
        "https://www.rfc-editor.org/rfc/rfc7946"
    )
    assert Literal("Smart project locations (GeoJSON)", lang="en") in set(
        graph.objects(geojson, DCTERMS.title)
    )
    assert (URIRef(f"{EU}file-type/GEOJSON"), SKOS.inScheme, URIRef(f"{EU}file-type")) in graph


def test_catalogue_follows_a_newly_published_project(
    client, published, editor, django_capture_on_commit_callbacks, fetch_built
):
    before = _catalogue(client, fetch_built)
    draft = Project.objects.get(slug="brouillon")

    with django_capture_on_commit_callbacks(execute=True):  # the data version's cache is reset
        project_publish(project=draft, user=editor, notify=False)
    with django_capture_on_commit_callbacks(execute=True):  # the new state is queued, then built
        meanwhile = client.get("/data/catalog.ttl", HTTP_ACCEPT="text/turtle")
    after = _catalogue_served(client)

    # While the new state was queued, the previous catalogue was served, marked to ask again.
    assert (meanwhile.status_code, meanwhile["Cache-Control"]) == (200, "no-cache")
    assert isomorphic(Graph().parse(data=meanwhile.content, format="turtle"), before)

    size = URIRef(f"{DATASET}#projects.csv")
    assert (
        after.value(size, DCAT.byteSize).toPython() > before.value(size, DCAT.byteSize).toPython()
    )
    _assert_distributions_match_served_files(client, after)
    assert after.value(CATALOGUE, DCTERMS.modified) == after.value(DATASET, DCTERMS.modified)


# ---------------------------------------------------------------------------------------------
# The catalogue of the platform, its providers, queries
# ---------------------------------------------------------------------------------------------


def test_catalogue_speaks_of_the_platforms_open_data(client, published, fetch_built):
    graph = _catalogue(client, fetch_built)

    assert Literal("Open data of the smart region platform", lang="en") in set(
        graph.objects(CATALOGUE, DCTERMS.title)
    )
    description = str(
        next(d for d in graph.objects(CATALOGUE, DCTERMS.description) if d.language == "en")
    )
    assert "barometer" in description and "smart projects" in description
    assert graph.value(CATALOGUE, DCTERMS.issued) == graph.value(DATASET, DCTERMS.issued)


@override_settings(SMARTREGION_CATALOGUE_PROVIDERS=[])
def test_catalogue_without_the_projects_provider_leaves_projects_out(
    client, published, fetch_built
):
    assert (CATALOGUE, DCAT.dataset, DATASET) not in _catalogue(client, fetch_built)


def other_provider(absolute) -> list[DatasetInfo]:
    """A provider another app could declare."""
    return [
        DatasetInfo(
            uri=absolute("/data/events"),
            identifier="events",
            titles={"en": "Events"},
            descriptions={"en": "Events of the ecosystem"},
            distributions=[],
            contact=ContactInfo({"en": "Ecosystem"}, "events@centre.example"),
        )
    ]


@override_settings(
    SMARTREGION_CATALOGUE_PROVIDERS=[
        "tests.projects.test_opendata.other_provider",
        "smartregion.projects.opendata.catalogue_datasets",
    ]
)
def test_catalogue_lists_every_configured_provider(client, published, fetch_built):
    graph = _catalogue(client, fetch_built)

    assert set(graph.objects(CATALOGUE, DCAT.dataset)) == {URIRef(f"{BASE}/data/events"), DATASET}


@override_settings(SMARTREGION_CATALOGUE_PROVIDERS=["smartregion.projects.opendata.nothing"])
def test_a_provider_that_does_not_import_fails_loudly(
    client, published, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        client.get("/data/catalog.ttl")

    failed = PreparedFile.objects.get(builder="smartregion.opendata.builds.catalogue_build")
    assert failed.status == PreparedFile.Status.FAILED
    assert "ImportError" in failed.error
    assert client.get("/data/catalog.ttl").status_code == 500  # and staff may retry it


def _imported_apps(package) -> set[str]:
    """The smartregion apps a package's modules import (its own name included)."""
    imported = set()
    for path in Path(package.__file__).parent.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module:
                imported.add(node.module)
            elif isinstance(node, ast.Import):
                imported.update(alias.name for alias in node.names)
    return {name.split(".")[1] for name in imported if name.startswith("smartregion.")}


def test_opendata_imports_no_app_above_it():
    """The catalogue sits below every app that publishes open data: core and territory only."""
    assert _imported_apps(smartregion.opendata) == {"core", "opendata", "territory"}


def test_projects_import_nothing_from_the_observatory():
    assert "observatory" not in _imported_apps(smartregion.projects)


def test_provider_queries_are_pinned_and_do_not_grow_with_projects(
    published, namur, django_assert_num_queries
):
    absolute = lambda path: BASE + path  # noqa: E731

    # counts and dates (2), region and its box (2), data version (1), each file built cold in
    # the catalogue's task (3 x 16: its prepared row created (4), claimed (2), the projects (6),
    # stored (1), older states pruned (2), read back (1))
    with django_assert_num_queries(53):
        opendata.catalogue_datasets(absolute)
    with django_assert_num_queries(7):  # the files are built: their rows (3), the version cached
        opendata.catalogue_datasets(absolute)

    for index in range(5):
        project = ProjectFactory(owner_municipality=namur, slug=f"project-{index}")
        Location.objects.create(project=project, latitude=50, longitude=4)
    data_version_bump()
    cache.clear()  # as after the data version's bump
    with django_assert_num_queries(53):  # the same with six projects
        opendata.catalogue_datasets(absolute)


def test_catalogue_view_queries_are_pinned(
    client, published, fetch_built, django_assert_num_queries
):
    fetch_built(client, "/data/catalog.ttl")

    with django_assert_num_queries(1):  # the prepared file's row (the data version is cached)
        client.get("/data/catalog.ttl")


# ---------------------------------------------------------------------------------------------
# DCAT-AP 3.0 conformance of the projects' part (the observatory's tests check it with editions)
# ---------------------------------------------------------------------------------------------


@needs_shapes
def test_catalogue_with_projects_has_no_violation_of_the_profile_shapes(
    client, published, namur, fetch_built
):
    ProjectFactory(owner_municipality=namur, slug="demo-parking", is_demo=True)
    graph = _catalogue(client, fetch_built)
    conforms, results, text = shacl(graph, *PROFILE_SHAPES)
    # Warnings only, all known: the publisher is not in the EU corporate-body vocabulary (it lists
    # EU bodies), the region is the platform's own record rather than an EU or GeoNames concept,
    # and the test database has no commune outlines for the region's bounding box and centroid.
    region = f"{BASE}/data/regions/03000"
    assert results == [
        ("Warning", str(CATALOGUE), str(DCTERMS.publisher)),
        ("Warning", str(CATALOGUE), str(DCTERMS.spatial)),
        ("Warning", str(DATASET), str(DCTERMS.publisher)),
        ("Warning", str(DATASET), str(DCTERMS.spatial)),
        ("Warning", region, str(DCAT.bbox)),
        ("Warning", region, str(DCAT.centroid)),
    ], text
