"""The glossary as a SKOS concept scheme: exact triples, Turtle and JSON-LD that parse back."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import DCTERMS, FOAF, RDF, SKOS, XSD

from smartregion.knowledge import skos
from smartregion.knowledge.models import GlossaryTerm

BASE = "http://testserver"
SCHEME = URIRef(f"{BASE}/data/glossary")
OPEN = URIRef(f"{BASE}/data/glossary#donnees-ouvertes")
DATA = URIRef(f"{BASE}/data/glossary#donnee")
EUROVOC = URIRef("http://eurovoc.europa.eu/6030")
WHEN = timezone.make_aware(dt.datetime(2026, 3, 1, 10, 0))


def _when(value: str) -> Literal:
    return Literal(value, datatype=XSD.dateTime)


@pytest.fixture
def terms(db) -> list[GlossaryTerm]:
    open_data = GlossaryTerm.objects.create(
        slug="donnees-ouvertes",
        label_fr="Données ouvertes",
        label_en="Open data",
        label_de="",
        definition_fr="Des données que chacun peut réutiliser.",
        definition_en="Data anyone may reuse.",
        synonyms_fr="open data\ndonnées libres",
        sources="https://opendefinition.org/\nGuide du centre, 2022",
        eurovoc=str(EUROVOC),
    )
    data = GlossaryTerm.objects.create(
        slug="donnee", label_fr="Donnée", definition_fr="Une valeur mesurée.", label_nl="Gegeven"
    )
    hidden = GlossaryTerm.objects.create(
        slug="brouillon", label_fr="Brouillon", definition_fr="Pas prêt.", is_published=False
    )
    open_data.related.add(data, hidden)
    GlossaryTerm.objects.filter(slug="donnees-ouvertes").update(updated_at=WHEN)
    GlossaryTerm.objects.filter(slug="donnee").update(updated_at=WHEN - dt.timedelta(days=1))
    return [open_data, data]


def _expected() -> Graph:
    graph = Graph()
    triples = [
        (SCHEME, RDF.type, SKOS.ConceptScheme),
        (SCHEME, DCTERMS.title, Literal("Glossaire du territoire intelligent", lang="fr")),
        (SCHEME, DCTERMS.title, Literal("Smart territory glossary", lang="en")),
        (SCHEME, DCTERMS.modified, _when("2026-03-01T09:00:00+00:00")),
        (SCHEME, SKOS.hasTopConcept, OPEN),
        (SCHEME, SKOS.hasTopConcept, DATA),
        (OPEN, RDF.type, SKOS.Concept),
        (OPEN, SKOS.inScheme, SCHEME),
        (OPEN, SKOS.topConceptOf, SCHEME),
        (OPEN, SKOS.prefLabel, Literal("Données ouvertes", lang="fr")),
        (OPEN, SKOS.prefLabel, Literal("Open data", lang="en")),
        (OPEN, SKOS.altLabel, Literal("open data", lang="fr")),
        (OPEN, SKOS.altLabel, Literal("données libres", lang="fr")),
        (OPEN, SKOS.definition, Literal("Des données que chacun peut réutiliser.", lang="fr")),
        (OPEN, SKOS.definition, Literal("Data anyone may reuse.", lang="en")),
        (OPEN, SKOS.related, DATA),
        (OPEN, SKOS.exactMatch, EUROVOC),
        (OPEN, DCTERMS.source, URIRef("https://opendefinition.org/")),
        (OPEN, DCTERMS.source, Literal("Guide du centre, 2022")),
        (OPEN, DCTERMS.modified, _when("2026-03-01T09:00:00+00:00")),
        (OPEN, FOAF.page, URIRef(f"{BASE}/fr/knowledge/glossary/donnees-ouvertes/")),
        (DATA, RDF.type, SKOS.Concept),
        (DATA, SKOS.inScheme, SCHEME),
        (DATA, SKOS.topConceptOf, SCHEME),
        (DATA, SKOS.prefLabel, Literal("Donnée", lang="fr")),
        (DATA, SKOS.prefLabel, Literal("Gegeven", lang="nl")),
        (DATA, SKOS.definition, Literal("Une valeur mesurée.", lang="fr")),
        (DATA, SKOS.related, OPEN),  # the relation is symmetric
        (DATA, DCTERMS.modified, _when("2026-02-28T09:00:00+00:00")),
        (DATA, FOAF.page, URIRef(f"{BASE}/fr/knowledge/glossary/donnee/")),
    ]
    for triple in triples:
        graph.add(triple)
    return graph


def _graph(content: bytes, fmt: str) -> Graph:
    return Graph().parse(data=content, format=fmt)


def test_scheme_has_exactly_the_expected_triples(terms):
    graph = skos.scheme_graph(skos.published_records(BASE), BASE)

    assert isomorphic(graph, _expected())
    assert sorted(graph) == sorted(_expected())


def test_turtle_served_parses_back_to_the_same_graph(client, terms):
    response = client.get("/data/glossary.ttl")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/turtle; charset=utf-8"
    assert response["Access-Control-Allow-Origin"] == "*"
    assert isomorphic(_graph(response.content, "turtle"), _expected())


def test_jsonld_served_parses_back_to_the_same_graph(client, terms):
    response = client.get("/data/glossary.jsonld")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/ld+json"
    assert response.json()["@context"]["skos"] == str(SKOS)
    assert isomorphic(_graph(response.content, "json-ld"), _expected())


def test_empty_texts_are_left_out_and_every_literal_is_tagged(terms):
    graph = skos.scheme_graph(skos.published_records(BASE), BASE)

    labels = [o for o in graph.objects(None, SKOS.prefLabel)]
    assert all(label.language and str(label) for label in labels)
    assert Literal("", lang="de") not in labels


def test_unpublished_term_and_links_to_it_are_left_out(terms):
    graph = skos.scheme_graph(skos.published_records(BASE), BASE)

    assert not [t for t in graph if "brouillon" in " ".join(map(str, t))]


def test_the_same_terms_give_the_same_bytes(terms):
    records = skos.published_records(BASE)

    first = skos.serialise(skos.scheme_graph(records, BASE), "jsonld")
    again = skos.serialise(skos.scheme_graph(list(reversed(records)), BASE), "jsonld")

    assert first == again


def test_file_is_cached_until_a_term_changes(
    terms, django_assert_num_queries, django_capture_on_commit_callbacks
):
    before = skos.glossary_file("ttl", base_url=BASE)
    with django_assert_num_queries(0):
        assert skos.glossary_file("ttl", base_url=BASE) == before

    with django_capture_on_commit_callbacks(execute=True):
        terms[1].label_en = "Datum"
        terms[1].save()

    after = skos.glossary_file("ttl", base_url=BASE)
    assert (before.count, after.count) == (2, 2)
    assert (DATA, SKOS.prefLabel, Literal("Datum", lang="en")) in _graph(after.content, "turtle")


def test_no_published_term_gives_an_empty_scheme(db, client):
    graph = _graph(client.get("/data/glossary.ttl").content, "turtle")

    assert set(graph) == {
        (SCHEME, RDF.type, SKOS.ConceptScheme),
        (SCHEME, DCTERMS.title, Literal("Glossaire du territoire intelligent", lang="fr")),
        (SCHEME, DCTERMS.title, Literal("Smart territory glossary", lang="en")),
    }
