"""The DCAT-AP 3.0 catalogue builder: content, serialisations, and the official SHACL shapes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, FOAF, RDF, SKOS, XSD

from smartregion.opendata import dcat
from smartregion.opendata import files as opendata
from smartregion.opendata.types import (
    ACCESS_PUBLIC,
    COUNTRY_SCHEME,
    FREQUENCY_CONTINUOUS,
    LANGUAGES,
    PUBLISHER_TYPE_ACADEMIA,
    THEME_GOVERNMENT,
    THEME_REGIONS,
    THEME_TECHNOLOGY,
    AgentInfo,
    CatalogueInfo,
    ContactInfo,
    DatasetInfo,
    DistributionInfo,
    FieldInfo,
    FieldType,
    FileFormat,
    LocationInfo,
    PeriodInfo,
    SeriesInfo,
    TableInfo,
)
from tests.opendata.shacl import needs_shapes, shacl

BASE = "https://observatory.example.org"
# An edition's files (GeoJSON is the projects', Turtle and JSON-LD the glossary's).
EDITION_FORMATS = (
    FileFormat.CSV,
    FileFormat.XLSX,
    FileFormat.PARQUET,
    FileFormat.JSON,
    FileFormat.ZIP,
)
CATALOGUE_URI = URIRef(f"{BASE}/data/catalog")
PUBLISHER_URI = URIRef(f"{BASE}/#centre")

# Example coverage; in the platform the region's record supplies these (nothing is hard-coded).
WALLONIA = LocationInfo(
    "https://sws.geonames.org/3337387/",
    {"fr": "Wallonie", "en": "Wallonia"},
    bbox_wkt="POLYGON((2.84 49.49,6.41 49.49,6.41 50.82,2.84 50.82,2.84 49.49))",
    centroid_wkt="POINT(4.80 50.40)",
)
BELGIUM = LocationInfo(
    "http://publications.europa.eu/resource/authority/country/BEL",
    {"fr": "Belgique", "en": "Belgium"},
    COUNTRY_SCHEME,
    bbox_wkt="POLYGON((2.54 49.50,6.41 49.50,6.41 51.51,2.54 51.51,2.54 49.50))",
    centroid_wkt="POINT(4.67 50.64)",
)
PUBLISHER = AgentInfo(
    str(PUBLISHER_URI),
    {"fr": "Centre de référence Smart Region", "en": "Smart Region reference centre"},
    type=PUBLISHER_TYPE_ACADEMIA,
    homepage="https://centre.example.org/",
    email="contact@centre.example.org",
)
CONTACT = ContactInfo({"fr": "Observatoire", "en": "Observatory"}, "data@centre.example.org")
SERIES = SeriesInfo(
    f"{BASE}/data/barometer",
    {"fr": "Baromètre des communes", "en": "Barometer of the communes"},
    {"fr": "Toutes les éditions", "en": "All editions"},
)


def _table() -> TableInfo:
    return TableInfo(
        name="estimates",
        titles={"fr": "Estimations", "en": "Estimates"},
        descriptions={"fr": "Estimations", "en": "Estimates"},
        fields=[FieldInfo("question", FieldType.STRING), FieldInfo("estimate", FieldType.NUMBER)],
        rows=[{"question": "strategy", "estimate": 0.4}, {"question": "budget", "estimate": 0.5}],
    )


def _file(file_format: FileFormat) -> bytes:
    created = dt.datetime(2025, 6, 30, tzinfo=dt.UTC)
    table = _table()
    return {
        FileFormat.CSV: lambda: opendata.table_to_csv(table),
        FileFormat.XLSX: lambda: opendata.tables_to_xlsx([table], language="fr", created=created),
        FileFormat.PARQUET: lambda: opendata.table_to_parquet(table),
        FileFormat.JSON: lambda: opendata.table_to_json(table),
        FileFormat.GEOJSON: lambda: json.dumps(
            {"type": "FeatureCollection", "features": []}
        ).encode(),
        FileFormat.ZIP: lambda: opendata.build_zip({"data/estimates.csv": b"question\r\n"}),
    }[file_format]()


def _distribution(edition: str, file_format: FileFormat) -> DistributionInfo:
    content = _file(file_format)
    extension = file_format.value.lower()
    return DistributionInfo(
        uri=f"{BASE}/data/editions/{edition}/{extension}",
        format=file_format,
        access_url=f"{BASE}/observatory/editions/{edition}/",
        download_url=f"{BASE}/data/editions/{edition}/barometer-{edition}.{extension}",
        titles={"fr": f"Résultats ({file_format.value})", "en": f"Results ({file_format.value})"},
        descriptions={"fr": "Tous les tableaux", "en": "All tables"},
        byte_size=len(content),
        sha256=opendata.sha256_hex(content),
        issued=dt.date(2025, 6, 30),
        conforms_to=(
            ["https://datapackage.org/standard/data-package/"]
            if file_format is FileFormat.ZIP
            else []
        ),
    )


def _dataset(year: int, revision: int, previous: str | None = None) -> DatasetInfo:
    edition = f"{year}-r{revision}"
    return DatasetInfo(
        uri=f"{BASE}/data/editions/{edition}",
        identifier=f"barometer-{edition}",
        titles={"fr": f"Baromètre {year}", "en": f"Barometer {year}"},
        descriptions={"fr": f"Résultats de la vague {year}", "en": f"Results of the {year} wave"},
        distributions=[_distribution(edition, f) for f in EDITION_FORMATS],
        contact=CONTACT,
        keywords={"fr": ["ville intelligente", "communes"], "en": ["smart city", "municipalities"]},
        themes=[THEME_GOVERNMENT, THEME_REGIONS, THEME_TECHNOLOGY],
        issued=dt.date(year, 6, 30),
        modified=dt.datetime(year, 7, 1, 9, 30, tzinfo=dt.UTC),
        temporal=PeriodInfo(dt.date(year, 3, 1), dt.date(year, 5, 31)),
        spatial=[WALLONIA, BELGIUM],
        landing_page=f"{BASE}/observatory/editions/{edition}/",
        version=f"{year}.{revision}",
        version_notes={"fr": f"Révision {revision}", "en": f"Revision {revision}"},
        languages=[LANGUAGES["fr"], LANGUAGES["en"]],
        access_rights=ACCESS_PUBLIC,
        series=SERIES,
        previous_version_uri=previous,
    )


PROJECTS_URI = f"{BASE}/data/projects"


def _projects_dataset() -> DatasetInfo:
    """A live dataset as another app provides it: continuously updated, no version or series."""
    files = [FileFormat.CSV, FileFormat.JSON, FileFormat.GEOJSON]
    return DatasetInfo(
        uri=PROJECTS_URI,
        identifier="projects",
        titles={"fr": "Projets des communes", "en": "Smart projects of the communes"},
        descriptions={"fr": "Projets publiés", "en": "Published projects"},
        distributions=[
            dataclasses.replace(
                _distribution("projects", f), uri=f"{PROJECTS_URI}#{f.value.lower()}"
            )
            for f in files
        ],
        contact=CONTACT,
        keywords={"fr": ["projets"], "en": ["projects"]},
        themes=[THEME_GOVERNMENT, THEME_REGIONS, THEME_TECHNOLOGY],
        issued=dt.datetime(2024, 3, 1, 10, 0, tzinfo=dt.UTC),
        modified=dt.datetime(2025, 7, 2, 8, 0, tzinfo=dt.UTC),
        temporal=PeriodInfo(dt.date(2019, 9, 1), dt.date(2027, 6, 30)),
        spatial=[WALLONIA],
        landing_page=f"{BASE}/fr/projects/",
        languages=[LANGUAGES["fr"], LANGUAGES["en"]],
        access_rights=ACCESS_PUBLIC,
        accrual_periodicity=FREQUENCY_CONTINUOUS,
    )


def _catalogue_info() -> CatalogueInfo:
    return CatalogueInfo(
        uri=str(CATALOGUE_URI),
        titles={"fr": "Données ouvertes de l'observatoire", "en": "Observatory open data"},
        descriptions={"fr": "Éditions du baromètre", "en": "Editions of the barometer"},
        publisher=PUBLISHER,
        homepage=f"{BASE}/",
        issued=dt.date(2023, 6, 30),
        modified=dt.date(2025, 7, 1),
        languages=[LANGUAGES["fr"], LANGUAGES["en"]],
        spatial=[WALLONIA],
    )


@pytest.fixture(scope="module")
def catalogue() -> Graph:
    datasets = [
        _dataset(2023, 1),
        _dataset(2025, 2, previous=f"{BASE}/data/editions/2025-r1"),
        _projects_dataset(),
    ]
    return dcat.build_catalogue(_catalogue_info(), datasets)


# ---------------------------------------------------------------------------------------------
# Content
# ---------------------------------------------------------------------------------------------


def test_build_catalogue_lists_datasets_publisher_and_theme_taxonomy(catalogue):
    datasets = set(catalogue.objects(CATALOGUE_URI, dcat.DCAT.dataset))

    assert datasets == {
        URIRef(f"{BASE}/data/editions/2023-r1"),
        URIRef(f"{BASE}/data/editions/2025-r2"),
        URIRef(PROJECTS_URI),
    }
    assert (CATALOGUE_URI, DCTERMS.publisher, PUBLISHER_URI) in catalogue
    names = set(catalogue.objects(PUBLISHER_URI, FOAF.name))
    assert Literal("Smart Region reference centre", lang="en") in names
    taxonomy = URIRef("http://publications.europa.eu/resource/authority/data-theme")
    assert set(catalogue.objects(CATALOGUE_URI, dcat.DCAT.themeTaxonomy)) == {taxonomy}
    assert (taxonomy, RDF.type, SKOS.ConceptScheme) in catalogue


def test_build_catalogue_describes_a_dataset_for_harvesters(catalogue):
    dataset = URIRef(f"{BASE}/data/editions/2025-r2")

    assert catalogue.value(dataset, DCTERMS.identifier) == Literal("barometer-2025-r2")
    assert catalogue.value(dataset, dcat.DCAT.version) == Literal("2025.2")
    assert Literal("Barometer 2025", lang="en") in set(catalogue.objects(dataset, DCTERMS.title))
    assert len(set(catalogue.objects(dataset, dcat.DCAT.distribution))) == 5
    period = catalogue.value(dataset, DCTERMS.temporal)
    assert catalogue.value(period, dcat.DCAT.startDate) == Literal("2025-03-01", datatype=XSD.date)
    assert catalogue.value(period, dcat.DCAT.endDate) == Literal("2025-05-31", datatype=XSD.date)
    assert set(catalogue.objects(dataset, DCTERMS.spatial)) == {
        URIRef(WALLONIA.uri),
        URIRef(BELGIUM.uri),
    }
    contact = catalogue.value(dataset, dcat.DCAT.contactPoint)
    assert catalogue.value(contact, dcat.VCARD.hasEmail) == URIRef("mailto:data@centre.example.org")
    gove = URIRef("http://publications.europa.eu/resource/authority/data-theme/GOVE")
    assert (dataset, dcat.DCAT.theme, gove) in catalogue
    assert (dataset, dcat.DCAT.inSeries, URIRef(SERIES.uri)) in catalogue
    previous = URIRef(f"{BASE}/data/editions/2025-r1")
    assert (dataset, dcat.DCAT.previousVersion, previous) in catalogue


def test_build_catalogue_describes_distributions_with_format_media_type_licence_and_checksum(
    catalogue,
):
    distribution = URIRef(f"{BASE}/data/editions/2025-r2/parquet")
    content = _file(FileFormat.PARQUET)

    assert catalogue.value(distribution, DCTERMS.format) == URIRef(
        "http://publications.europa.eu/resource/authority/file-type/PARQUET"
    )
    assert catalogue.value(distribution, dcat.DCAT.mediaType) == URIRef(
        "https://www.iana.org/assignments/media-types/application/vnd.apache.parquet"
    )
    assert catalogue.value(distribution, DCTERMS.license) == URIRef(
        "http://publications.europa.eu/resource/authority/licence/CC_BY_4_0"
    )
    assert catalogue.value(distribution, dcat.DCAT.downloadURL) == URIRef(
        f"{BASE}/data/editions/2025-r2/barometer-2025-r2.parquet"
    )
    assert catalogue.value(distribution, dcat.DCAT.byteSize) == Literal(
        len(content), datatype=XSD.nonNegativeInteger
    )
    checksum = catalogue.value(distribution, dcat.SPDX.checksum)
    value = catalogue.value(checksum, dcat.SPDX.checksumValue)
    assert str(value) == opendata.sha256_hex(content)
    assert catalogue.value(checksum, dcat.SPDX.algorithm) == dcat.SHA256


def test_build_catalogue_describes_a_continuously_updated_dataset_with_geojson(catalogue):
    dataset = URIRef(PROJECTS_URI)
    frequency = URIRef("http://publications.europa.eu/resource/authority/frequency/UPDATE_CONT")
    geojson = URIRef(f"{PROJECTS_URI}#geojson")

    assert catalogue.value(dataset, DCTERMS.accrualPeriodicity) == frequency
    assert (frequency, RDF.type, DCTERMS.Frequency) in catalogue
    assert catalogue.value(frequency, SKOS.inScheme) == URIRef(
        "http://publications.europa.eu/resource/authority/frequency"
    )
    assert catalogue.value(dataset, dcat.DCAT.version) is None
    period = catalogue.value(dataset, DCTERMS.temporal)
    assert catalogue.value(period, dcat.DCAT.startDate) == Literal("2019-09-01", datatype=XSD.date)
    assert catalogue.value(period, dcat.DCAT.endDate) == Literal("2027-06-30", datatype=XSD.date)
    assert catalogue.value(dataset, dcat.DCAT.inSeries) is None
    assert catalogue.value(geojson, DCTERMS.format) == URIRef(
        "http://publications.europa.eu/resource/authority/file-type/GEOJSON"
    )
    assert catalogue.value(geojson, dcat.DCAT.mediaType) == URIRef(
        "https://www.iana.org/assignments/media-types/application/geo+json"
    )


def test_build_catalogue_describes_a_shared_series_once(catalogue):
    series = URIRef(SERIES.uri)

    assert len(set(catalogue.objects(series, dcat.DCAT.contactPoint))) == 1
    assert len(set(catalogue.objects(series, DCTERMS.title))) == 2


# ---------------------------------------------------------------------------------------------
# Serialisations
# ---------------------------------------------------------------------------------------------


def test_turtle_parses_back_into_an_isomorphic_graph(catalogue):
    parsed = Graph().parse(data=dcat.to_turtle(catalogue), format="turtle")

    assert isomorphic(parsed, catalogue)


def test_jsonld_parses_back_into_an_isomorphic_graph(catalogue):
    parsed = Graph().parse(data=dcat.to_jsonld(catalogue), format="json-ld")

    assert len(parsed) == len(catalogue)
    assert isomorphic(parsed, catalogue)


def test_jsonld_is_compacted_with_the_catalogue_context(catalogue):
    document = json.loads(dcat.to_jsonld(catalogue))

    context = document["@context"]
    assert context["dcat"] == "http://www.w3.org/ns/dcat#"
    assert context["dct"] == "http://purl.org/dc/terms/"
    assert {"foaf", "vcard", "xsd"} <= set(context)
    nodes = {node["@id"]: node for node in document["@graph"]}
    assert "dcat:Catalog" in nodes[str(CATALOGUE_URI)]["@type"]


# ---------------------------------------------------------------------------------------------
# DCAT-AP 3.0 conformance (official SHACL shapes)
# ---------------------------------------------------------------------------------------------


@needs_shapes
def test_catalogue_conforms_to_the_dcat_ap_shapes(catalogue):
    conforms, results, text = shacl(catalogue, "dcat-ap-SHACL.ttl")

    assert conforms, text
    assert results == []


@needs_shapes
def test_catalogue_conforms_to_the_dcat_ap_range_shapes(catalogue):
    conforms, results, text = shacl(catalogue, "range.ttl")

    assert conforms, text
    assert results == []


@needs_shapes
def test_catalogue_conforms_to_the_dcat_ap_recommended_shapes(catalogue):
    conforms, results, text = shacl(catalogue, "shapes_recommended.ttl")

    assert conforms, text
    assert results == []


@needs_shapes
def test_catalogue_uses_the_controlled_vocabularies(catalogue):
    """No violation. The only results are warnings that our publisher is not in the EU
    corporate-body vocabulary (it lists EU institutions; a regional centre cannot be there)."""
    conforms, results, text = shacl(catalogue, "mdr-vocabularies.shape.ttl")

    violations = [r for r in results if r[0] != "Warning"]
    assert violations == [], text
    publisher = str(DCTERMS.publisher)
    assert results == [
        ("Warning", str(CATALOGUE_URI), publisher),
        ("Warning", f"{BASE}/data/editions/2023-r1", publisher),
        ("Warning", f"{BASE}/data/editions/2025-r2", publisher),
        ("Warning", PROJECTS_URI, publisher),
    ], text


@needs_shapes
def test_catalogue_has_no_violation_of_all_profile_shapes_together(catalogue):
    conforms, results, text = shacl(
        catalogue,
        "dcat-ap-SHACL.ttl",
        "range.ttl",
        "mdr-vocabularies.shape.ttl",
        "shapes_recommended.ttl",
        "deprecateduris.ttl",
    )

    assert [r for r in results if r[0] == "Violation"] == [], text


@needs_shapes
def test_split_shapes_file_only_disagrees_on_byte_size_datatype(catalogue):
    """shapes.ttl (the split copy) still types dcat:byteSize as xsd:decimal, while the combined
    dcat-ap-SHACL.ttl and the DCAT-AP 3.0 text say xsd:nonNegativeInteger; a literal has one
    datatype, so both cannot hold. We follow the combined file; nothing else may fail."""
    conforms, results, text = shacl(catalogue, "shapes.ttl")

    assert {path for _, _, path in results} == {str(dcat.DCAT.byteSize)}, text
    assert len(results) == 13  # 2 datasets x 5 distributions, 3 for the projects
