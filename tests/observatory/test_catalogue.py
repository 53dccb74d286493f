"""The DCAT-AP catalogue served at /data/catalog.ttl and .jsonld: published editions, and the
datasets of the providers in SMARTREGION_CATALOGUE_PROVIDERS (the projects by default)."""

from __future__ import annotations

import json
import os
from pathlib import Path
from tempfile import TemporaryDirectory

import pytest
from django.http import HttpResponse
from django.test import Client, override_settings
from pyshacl import validate
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, FOAF, SH, XSD

from smartregion.core.models import PreparedFile
from smartregion.observatory import exports
from smartregion.opendata import dcat
from smartregion.opendata import files as opendata
from smartregion.opendata.catalogue import texts
from smartregion.projects.models import Project
from smartregion.territory.models import Municipality
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

SHAPES_DIR = Path(os.environ.get("SMARTREGION_SHARED_DATA", "/work/shared/data")) / "dcat-ap/3.0.0"
needs_shapes = pytest.mark.skipif(
    not SHAPES_DIR.is_dir(), reason=f"DCAT-AP 3.0.0 SHACL shapes not found in {SHAPES_DIR}"
)
BASE = "http://testserver"
DCAT = dcat.DCAT


def _dataset(edition) -> URIRef:
    return URIRef(f"{BASE}/data/editions/{edition.slug}/r{edition.revision}")


PROJECTS = URIRef(f"{BASE}/data/projects")


@pytest.fixture(scope="module")
def project(django_db_setup, django_db_blocker) -> Project:
    """A published project, committed for the module like the editions (so the whole catalogue,
    editions and projects, goes through the SHACL shapes)."""
    with django_db_blocker.unblock():
        project = ProjectFactory(
            owner_municipality=Municipality.objects.get(refnis="92094"), slug="catalogue-wifi"
        )
    yield project
    with django_db_blocker.unblock():
        Project.objects.filter(pk=project.pk).delete()


@pytest.fixture(scope="module")
def served(published, project, django_db_blocker) -> dict[str, HttpResponse]:
    """Both serialisations, fetched once: building every file of three editions takes seconds."""
    with (
        django_db_blocker.unblock(),
        TemporaryDirectory() as media,
        override_settings(MEDIA_ROOT=media),
    ):
        client = Client()
        # Outside a transaction the build runs when it is queued: the first answer is the file.
        yield {name: client.get(f"/data/catalog.{name}") for name in ("ttl", "jsonld")}
        PreparedFile.objects.all().delete()


@pytest.fixture
def turtle(served) -> Graph:
    return Graph().parse(data=served["ttl"].content, format="turtle")


def test_catalogue_is_served_as_turtle_and_jsonld(served):
    assert served["ttl"].status_code == served["jsonld"].status_code == 200
    assert served["ttl"]["Content-Type"] == "text/turtle; charset=utf-8"
    assert served["jsonld"]["Content-Type"] == "application/ld+json"


def test_catalogue_lists_one_dataset_per_revision(turtle, published):
    catalogue = URIRef(f"{BASE}/data/catalog")

    assert set(turtle.objects(catalogue, DCAT.dataset)) == {
        _dataset(published.first),
        _dataset(published.old),
        _dataset(published.latest),
        PROJECTS,
    }
    assert (_dataset(published.latest), DCAT.previousVersion, _dataset(published.old)) in turtle
    assert turtle.value(_dataset(published.latest), DCAT.version) == Literal("2025.2")


def test_catalogue_describes_an_edition_for_harvesters(turtle, published):
    dataset = _dataset(published.latest)

    assert turtle.value(dataset, DCTERMS.identifier) == Literal("smartregion-barometer-2025-r2")
    assert Literal("Barometer 2025", lang="en") in set(turtle.objects(dataset, DCTERMS.title))
    period = turtle.value(dataset, DCTERMS.temporal)
    assert turtle.value(period, DCAT.startDate) == Literal("2025-01-01", datatype=XSD.date)
    assert turtle.value(period, DCAT.endDate) == Literal("2025-12-31", datatype=XSD.date)
    spatial = turtle.value(dataset, DCTERMS.spatial)
    assert spatial == URIRef(f"{BASE}/data/regions/03000")
    assert Literal("Région wallonne", lang="fr") in set(
        turtle.objects(spatial, dcat.SKOS.prefLabel)
    )
    themes = {str(t).rsplit("/", 1)[1] for t in turtle.objects(dataset, DCAT.theme)}
    assert themes == {"GOVE", "REGI", "TECH"}
    contact = turtle.value(dataset, DCAT.contactPoint)
    assert str(turtle.value(contact, dcat.VCARD.hasEmail)).startswith("mailto:")
    assert turtle.value(dataset, DCAT.landingPage) == URIRef(
        f"{BASE}/fr/observatory/smartregion-barometer-2025/r2/"
    )
    assert len(set(turtle.objects(dataset, DCAT.distribution))) == len(exports.DOWNLOADS)


def test_distribution_announces_the_size_and_sha256_of_the_served_bytes(
    client, turtle, published, fetch_built
):
    edition = published.latest
    distribution = URIRef(f"{_dataset(edition)}#results.parquet")
    url = f"{BASE}/data/editions/{edition.slug}/r2/results.parquet"

    # This test's media folder is not the catalogue's: the file is built again, to the same bytes.
    served = fetch_built(client, url.removeprefix(BASE)).content

    assert turtle.value(distribution, DCAT.downloadURL) == URIRef(url)
    assert turtle.value(distribution, DCAT.mediaType) == URIRef(
        "https://www.iana.org/assignments/media-types/application/vnd.apache.parquet"
    )
    assert turtle.value(distribution, DCTERMS.license) == URIRef(
        "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0"
    )
    assert turtle.value(distribution, DCAT.byteSize) == Literal(
        len(served), datatype=XSD.nonNegativeInteger
    )
    checksum = turtle.value(distribution, dcat.SPDX.checksum)
    assert str(turtle.value(checksum, dcat.SPDX.checksumValue)) == opendata.sha256_hex(served)


@override_settings(
    SMARTREGION={"PLATFORM_NAME": "Observatoire test", "DEFAULT_REGION": "03000"},
    SMARTREGION_PUBLISHER_EMAIL="data@centre.example",
)
def test_publisher_comes_from_the_settings(client, fetch_built, published):
    graph = Graph().parse(data=fetch_built(client, "/data/catalog.ttl").content, format="turtle")

    publisher = URIRef(f"{BASE}/#publisher")
    assert Literal("Observatoire test", lang="fr") in set(graph.objects(publisher, FOAF.name))
    assert graph.value(publisher, FOAF.mbox) == URIRef("mailto:data@centre.example")
    contact = graph.value(_dataset(published.first), DCAT.contactPoint)
    assert graph.value(contact, dcat.VCARD.hasEmail) == URIRef("mailto:data@centre.example")


def test_jsonld_holds_the_same_graph(served, turtle):
    response = served["jsonld"]

    assert json.loads(response.content)["@context"]["dcat"] == str(DCAT)
    assert isomorphic(Graph().parse(data=response.content, format="json-ld"), turtle)


def test_catalogue_is_built_once_per_data_version(
    client, published, fetch_built, django_assert_max_num_queries
):
    first = fetch_built(client, "/data/catalog.ttl")

    with django_assert_max_num_queries(1):  # the prepared file's row (the version is cached)
        again = client.get("/data/catalog.ttl")
    assert again.content == first.content


def test_catalogue_without_editions_lists_the_providers_datasets(
    client, fetch_built, published, project
):
    from smartregion.observatory.models import Edition

    Edition.objects.all().delete()
    graph = Graph().parse(data=fetch_built(client, "/data/catalog.ttl").content, format="turtle")

    assert set(graph.objects(URIRef(f"{BASE}/data/catalog"), DCAT.dataset)) == {PROJECTS}


@override_settings(SMARTREGION_CATALOGUE_PROVIDERS=[])
def test_catalogue_without_editions_nor_providers_is_an_empty_catalogue(
    client, fetch_built, published
):
    from smartregion.observatory.models import Edition

    Edition.objects.all().delete()
    graph = Graph().parse(data=fetch_built(client, "/data/catalog.ttl").content, format="turtle")

    assert set(graph.objects(URIRef(f"{BASE}/data/catalog"), DCAT.dataset)) == set()


@needs_shapes
def test_catalogue_conforms_to_dcat_ap_3(turtle):
    shapes = Graph().parse(SHAPES_DIR / "dcat-ap-SHACL.ttl")

    conforms, report, text = validate(turtle, shacl_graph=shapes, advanced=True)

    violations = [
        str(report.value(result, SH.focusNode))
        for result in report.objects(None, SH.result)
        if report.value(result, SH.resultSeverity) == SH.Violation
    ]
    assert violations == [], text
    assert conforms, text


@needs_shapes
def test_catalogue_has_no_violation_of_all_profile_shapes(turtle):
    """Range, controlled-vocabulary and recommended shapes too; only warnings may remain (our
    publisher is not in the EU corporate-body vocabulary, which lists EU institutions)."""
    shapes = Graph()
    for name in (
        "dcat-ap-SHACL.ttl",
        "range.ttl",
        "mdr-vocabularies.shape.ttl",
        "shapes_recommended.ttl",
        "deprecateduris.ttl",
    ):
        shapes.parse(SHAPES_DIR / name)

    conforms, report, text = validate(turtle, shacl_graph=shapes, advanced=True)

    severities = {report.value(r, SH.resultSeverity) for r in report.objects(None, SH.result)}
    assert SH.Violation not in severities, text


def test_download_titles_are_tagged_with_their_own_language(client, fetch_built, published):
    graph = Graph().parse(data=fetch_built(client, "/data/catalog.ttl").content, format="turtle")

    titles = {title for _, title in graph.subject_objects(DCTERMS.title)}
    assert Literal("Estimations (CSV)", lang="fr") in titles
    assert Literal("Estimates (CSV)", lang="en") in titles
    assert Literal("Estimates (CSV)", lang="fr") not in titles


def test_an_untranslated_text_is_published_in_english_only():
    assert texts("No catalogue has this sentence.") == {"en": "No catalogue has this sentence."}
    assert texts("Estimates (CSV)") == {"fr": "Estimations (CSV)", "en": "Estimates (CSV)"}
