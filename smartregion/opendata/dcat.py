"""DCAT-AP 3.0 catalogue of the platform's open data (barometer editions, projects…), built with
rdflib from plain dataclasses.

Besides the catalogue, datasets and distributions, the graph states the class and the vocabulary
membership of every controlled-vocabulary value it uses (a theme is a ``skos:Concept`` in the
data-theme scheme, a file type is in the file-type scheme, a licence is a ``dct:LicenseDocument``,
a download URL is an ``rdfs:Resource``…). DCAT-AP's SHACL shapes check these facts with
``sh:class`` and ``skos:inScheme`` constraints, and validators and harvesters do not fetch the
EU vocabularies: without these triples a correct catalogue would fail validation. They are true
statements copied from the vocabularies (labels supplied by the caller), not workarounds.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Mapping, Sequence
from typing import Protocol

from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL, RDF, RDFS, SKOS, XSD

from smartregion.opendata.types import (
    EU_AUTHORITY,
    AgentInfo,
    CatalogueInfo,
    ConceptInfo,
    ContactInfo,
    DatasetInfo,
    DistributionInfo,
    FileFormat,
    LicenceInfo,
    LocationInfo,
    PeriodInfo,
    SeriesInfo,
    Texts,
)

# rdflib's DCAT namespace is closed and predates DCAT 3 (dcat:version, dcat:inSeries…).
DCAT = Namespace("http://www.w3.org/ns/dcat#")
DCATAP = Namespace("http://data.europa.eu/r5r/")
GSP = Namespace("http://www.opengis.net/ont/geosparql#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
FILE_TYPE_SCHEME = URIRef(EU_AUTHORITY + "file-type")
IANA_MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"
# DCAT-AP's vocabulary shape (mdr-vocabularies.shape.ttl, :ChecksumAlgorithmRestriction) wants the
# algorithm IRI to start with https://spdx.org/rdf/terms, while the SPDX ontology names it in its
# http namespace. We use the https form the profile validates and state that it is the SPDX term.
SHA256 = URIRef("https://spdx.org/rdf/terms#checksumAlgorithm_sha256")

MEDIA_TYPES: Mapping[FileFormat, str] = {
    FileFormat.CSV: "text/csv",
    FileFormat.XLSX: "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    FileFormat.PARQUET: "application/vnd.apache.parquet",
    FileFormat.JSON: "application/json",
    FileFormat.GEOJSON: "application/geo+json",
    FileFormat.RDF_TURTLE: "text/turtle",
    FileFormat.JSON_LD: "application/ld+json",
    FileFormat.ZIP: "application/zip",
}

JSONLD_CONTEXT: Mapping[str, str] = {
    "dcat": str(DCAT),
    "dct": str(DCTERMS),
    "foaf": str(FOAF),
    "vcard": str(VCARD),
    "skos": str(SKOS),
    "spdx": str(SPDX),
    "adms": str(ADMS),
    "dcatap": str(DCATAP),
    "gsp": str(GSP),
    "rdfs": str(RDFS),
    "owl": str(OWL),
    "xsd": str(XSD),
}


# ---------------------------------------------------------------------------------------------
# Small builders
# ---------------------------------------------------------------------------------------------


def _texts(graph: Graph, subject: URIRef | BNode, predicate: URIRef, texts: Texts) -> None:
    for language, text in texts.items():
        graph.add((subject, predicate, Literal(text, lang=language)))


def _when(value: dt.date | dt.datetime) -> Literal:
    if isinstance(value, dt.datetime):
        return Literal(value.isoformat(), datatype=XSD.dateTime)
    return Literal(value.isoformat(), datatype=XSD.date)


class _Dated(Protocol):
    @property
    def issued(self) -> dt.date | dt.datetime | None: ...
    @property
    def modified(self) -> dt.date | dt.datetime | None: ...


def _add_dates(graph: Graph, subject: URIRef, info: _Dated) -> None:
    if info.issued:
        graph.add((subject, DCTERMS.issued, _when(info.issued)))
    if info.modified:
        graph.add((subject, DCTERMS.modified, _when(info.modified)))


def _typed(graph: Graph, uri: str, *classes: URIRef) -> URIRef:
    node = URIRef(uri)
    for cls in classes:
        graph.add((node, RDF.type, cls))
    return node


def _concept(graph: Graph, concept: ConceptInfo, *classes: URIRef) -> URIRef:
    """A vocabulary concept with its labels and scheme, so shapes need no external vocabulary."""
    node = _typed(graph, concept.uri, SKOS.Concept, *classes)
    _texts(graph, node, SKOS.prefLabel, concept.labels)
    if concept.scheme_uri:
        scheme = URIRef(concept.scheme_uri)
        graph.add((node, SKOS.inScheme, scheme))
        if concept.scheme_titles:
            graph.add((scheme, RDF.type, SKOS.ConceptScheme))
            _texts(graph, scheme, DCTERMS.title, concept.scheme_titles)
    return node


def _location(graph: Graph, location: LocationInfo) -> URIRef:
    node = _typed(graph, location.uri, DCTERMS.Location)
    _texts(graph, node, SKOS.prefLabel, location.labels)
    if location.scheme_uri:
        graph.add((node, SKOS.inScheme, URIRef(location.scheme_uri)))
    if location.bbox_wkt:
        graph.add((node, DCAT.bbox, Literal(location.bbox_wkt, datatype=GSP.wktLiteral)))
    if location.centroid_wkt:
        graph.add((node, DCAT.centroid, Literal(location.centroid_wkt, datatype=GSP.wktLiteral)))
    return node


def _licence(graph: Graph, licence: LicenceInfo) -> URIRef:
    node = _typed(graph, licence.eu_uri, DCTERMS.LicenseDocument)
    graph.add((node, RDFS.label, Literal(licence.title)))
    graph.add((node, RDFS.seeAlso, URIRef(licence.url)))
    if licence.type:
        graph.add((node, DCTERMS.type, _concept(graph, licence.type)))
    return node


def _document(graph: Graph, uri: str) -> URIRef:
    return _typed(graph, uri, FOAF.Document)


def _agent(graph: Graph, agent: AgentInfo) -> URIRef:
    node = _typed(graph, agent.uri, FOAF.Agent)
    _texts(graph, node, FOAF.name, agent.names)
    if agent.type:
        graph.add((node, DCTERMS.type, _concept(graph, agent.type)))
    if agent.homepage:
        graph.add((node, FOAF.homepage, _document(graph, agent.homepage)))
    if agent.email:
        graph.add((node, FOAF.mbox, URIRef(f"mailto:{agent.email}")))
    return node


def _contact(graph: Graph, contact: ContactInfo) -> URIRef | BNode:
    node: URIRef | BNode = URIRef(contact.uri) if contact.uri else BNode()
    graph.add((node, RDF.type, VCARD.Kind))
    graph.add((node, RDF.type, VCARD.Organization))
    _texts(graph, node, VCARD.fn, contact.names)
    graph.add((node, VCARD.hasEmail, URIRef(f"mailto:{contact.email}")))
    if contact.url:
        graph.add((node, VCARD.hasURL, URIRef(contact.url)))
    return node


def _period(graph: Graph, period: PeriodInfo) -> BNode:
    node = BNode()
    graph.add((node, RDF.type, DCTERMS.PeriodOfTime))
    graph.add((node, DCAT.startDate, _when(period.start)))
    graph.add((node, DCAT.endDate, _when(period.end)))
    return node


def _checksum(graph: Graph, sha256: str) -> BNode:
    node = BNode()
    graph.add((node, RDF.type, SPDX.Checksum))
    algorithm = _typed(graph, str(SHA256), SPDX.ChecksumAlgorithm)
    graph.add((algorithm, OWL.sameAs, SPDX.checksumAlgorithm_sha256))
    graph.add((node, SPDX.algorithm, algorithm))
    graph.add((node, SPDX.checksumValue, Literal(sha256.lower(), datatype=XSD.hexBinary)))
    return node


def _file_type(graph: Graph, file_format: FileFormat) -> URIRef:
    node = _typed(graph, f"{EU_AUTHORITY}file-type/{file_format.value}", DCTERMS.MediaTypeOrExtent)
    graph.add((node, SKOS.inScheme, FILE_TYPE_SCHEME))
    return node


def _media_type(graph: Graph, file_format: FileFormat) -> URIRef:
    return _typed(graph, IANA_MEDIA_TYPES + MEDIA_TYPES[file_format], DCTERMS.MediaType)


def _resource(graph: Graph, uri: str) -> URIRef:
    return _typed(graph, uri, RDFS.Resource)


# ---------------------------------------------------------------------------------------------
# Distributions, datasets, catalogue
# ---------------------------------------------------------------------------------------------


def add_distribution(graph: Graph, distribution: DistributionInfo) -> URIRef:
    node = _typed(graph, distribution.uri, DCAT.Distribution)
    graph.add((node, DCAT.accessURL, _resource(graph, distribution.access_url)))
    if distribution.download_url:
        graph.add((node, DCAT.downloadURL, _resource(graph, distribution.download_url)))
    graph.add((node, DCTERMS.format, _file_type(graph, distribution.format)))
    graph.add((node, DCAT.mediaType, _media_type(graph, distribution.format)))
    graph.add((node, DCTERMS.license, _licence(graph, distribution.licence)))
    if distribution.availability:
        availability = _concept(graph, distribution.availability)
        graph.add((node, DCATAP.availability, availability))
    _texts(graph, node, DCTERMS.title, distribution.titles)
    _texts(graph, node, DCTERMS.description, distribution.descriptions)
    _add_dates(graph, node, distribution)
    if distribution.byte_size is not None:
        size = Literal(distribution.byte_size, datatype=XSD.nonNegativeInteger)
        graph.add((node, DCAT.byteSize, size))
    if distribution.sha256:
        graph.add((node, SPDX.checksum, _checksum(graph, distribution.sha256)))
    for standard in distribution.conforms_to:
        graph.add((node, DCTERMS.conformsTo, _typed(graph, standard, DCTERMS.Standard)))
    return node


def _series(graph: Graph, series: SeriesInfo, dataset: DatasetInfo, publisher: URIRef) -> URIRef:
    """The series, described once however many of its editions the catalogue lists."""
    node = URIRef(series.uri)
    if (node, RDF.type, DCAT.DatasetSeries) in graph:
        return node
    graph.add((node, RDF.type, DCAT.DatasetSeries))
    _texts(graph, node, DCTERMS.title, series.titles)
    _texts(graph, node, DCTERMS.description, series.descriptions)
    graph.add((node, DCTERMS.publisher, publisher))
    graph.add((node, DCAT.contactPoint, _contact(graph, series.contact or dataset.contact)))
    return node


def _keywords(graph: Graph, node: URIRef, keywords: Mapping[str, Sequence[str]]) -> None:
    for language, words in keywords.items():
        for word in words:
            graph.add((node, DCAT.keyword, Literal(word, lang=language)))


def _dataset_context(graph: Graph, node: URIRef, dataset: DatasetInfo) -> None:
    """Coverage, themes, languages, rights: what a portal filters and facets on."""
    if dataset.temporal:
        graph.add((node, DCTERMS.temporal, _period(graph, dataset.temporal)))
    for location in dataset.spatial:
        graph.add((node, DCTERMS.spatial, _location(graph, location)))
    for theme in dataset.themes:
        graph.add((node, DCAT.theme, _concept(graph, theme)))
    for language in dataset.languages:
        graph.add((node, DCTERMS.language, _concept(graph, language, DCTERMS.LinguisticSystem)))
    if dataset.access_rights:
        rights = _concept(graph, dataset.access_rights, DCTERMS.RightsStatement)
        graph.add((node, DCTERMS.accessRights, rights))
    if dataset.accrual_periodicity:
        frequency = _concept(graph, dataset.accrual_periodicity, DCTERMS.Frequency)
        graph.add((node, DCTERMS.accrualPeriodicity, frequency))


def _dataset_versioning(
    graph: Graph, node: URIRef, dataset: DatasetInfo, publisher: URIRef
) -> None:
    if dataset.version:
        graph.add((node, DCAT.version, Literal(dataset.version)))
    _texts(graph, node, ADMS.versionNotes, dataset.version_notes)
    if dataset.previous_version_uri:
        graph.add((node, DCAT.previousVersion, URIRef(dataset.previous_version_uri)))
    if dataset.series:
        series = _series(graph, dataset.series, dataset, publisher)
        graph.add((node, DCAT.inSeries, series))


def add_dataset(graph: Graph, dataset: DatasetInfo, publisher: AgentInfo) -> URIRef:
    node = _typed(graph, dataset.uri, DCAT.Dataset)
    graph.add((node, DCTERMS.identifier, Literal(dataset.identifier)))
    _texts(graph, node, DCTERMS.title, dataset.titles)
    _texts(graph, node, DCTERMS.description, dataset.descriptions)
    _keywords(graph, node, dataset.keywords)
    publisher_node = _agent(graph, dataset.publisher or publisher)
    graph.add((node, DCTERMS.publisher, publisher_node))
    graph.add((node, DCAT.contactPoint, _contact(graph, dataset.contact)))
    _add_dates(graph, node, dataset)
    if dataset.landing_page:
        graph.add((node, DCAT.landingPage, _document(graph, dataset.landing_page)))
    _dataset_context(graph, node, dataset)
    _dataset_versioning(graph, node, dataset, publisher_node)
    for distribution in dataset.distributions:
        graph.add((node, DCAT.distribution, add_distribution(graph, distribution)))
    return node


def _theme_taxonomies(datasets: Iterable[DatasetInfo]) -> dict[str, ConceptInfo]:
    """Each scheme the datasets' themes come from, with one concept carrying its titles."""
    schemes: dict[str, ConceptInfo] = {}
    for dataset in datasets:
        for theme in dataset.themes:
            if theme.scheme_uri and (theme.scheme_uri not in schemes or theme.scheme_titles):
                schemes[theme.scheme_uri] = theme
    return schemes


def _catalogue_node(graph: Graph, catalogue: CatalogueInfo) -> URIRef:
    node = _typed(graph, catalogue.uri, DCAT.Catalog)
    _texts(graph, node, DCTERMS.title, catalogue.titles)
    _texts(graph, node, DCTERMS.description, catalogue.descriptions)
    graph.add((node, DCTERMS.publisher, _agent(graph, catalogue.publisher)))
    graph.add((node, DCTERMS.license, _licence(graph, catalogue.licence)))
    if catalogue.homepage:
        graph.add((node, FOAF.homepage, _document(graph, catalogue.homepage)))
    _add_dates(graph, node, catalogue)
    for language in catalogue.languages:
        graph.add((node, DCTERMS.language, _concept(graph, language, DCTERMS.LinguisticSystem)))
    for location in catalogue.spatial:
        graph.add((node, DCTERMS.spatial, _location(graph, location)))
    return node


def new_graph() -> Graph:
    graph = Graph()
    for prefix, namespace in JSONLD_CONTEXT.items():
        graph.bind(prefix, namespace)
    return graph


def build_catalogue(catalogue: CatalogueInfo, datasets: Sequence[DatasetInfo]) -> Graph:
    """The whole catalogue graph: catalogue, datasets, distributions and the vocabulary facts."""
    graph = new_graph()
    node = _catalogue_node(graph, catalogue)
    for scheme_uri, concept in _theme_taxonomies(datasets).items():
        _concept(graph, concept)
        graph.add((node, DCAT.themeTaxonomy, URIRef(scheme_uri)))
    for dataset in datasets:
        graph.add((node, DCAT.dataset, add_dataset(graph, dataset, catalogue.publisher)))
    return graph


def to_turtle(graph: Graph) -> bytes:
    return graph.serialize(format="turtle", encoding="utf-8")


def to_jsonld(graph: Graph) -> bytes:
    """JSON-LD compacted with a small @context (dcat, dct, foaf, vcard, xsd…)."""
    text = graph.serialize(format="json-ld", context=dict(JSONLD_CONTEXT), auto_compact=True)
    return json.dumps(json.loads(text), ensure_ascii=False, indent=2).encode("utf-8")
