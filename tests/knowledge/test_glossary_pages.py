"""The glossary's pages: the A–Z index (letters, filter without JS) and one term's page."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse
from django.utils import translation

from smartregion.knowledge.models import GlossaryTerm, Kind, Resource

pytestmark = pytest.mark.django_db


def _term(slug: str, label_fr: str, **fields) -> GlossaryTerm:
    fields.setdefault("definition_fr", f"Définition de {label_fr}.")
    return GlossaryTerm.objects.create(slug=slug, label_fr=label_fr, **fields)


@pytest.fixture
def glossary() -> dict[str, GlossaryTerm]:
    terms = {
        "ecologie": _term("ecologie", "Écologie", label_en="Ecology"),
        "donnee": _term(
            "donnee",
            "Donnée",
            label_en="Data",
            label_de="Daten",
            definition_en="A recorded value.",
            synonyms_fr="information brute",
        ),
        "donnees-ouvertes": _term(
            "donnees-ouvertes",
            "Données ouvertes",
            definition_fr="Des données que chacun peut réutiliser librement.",
            sources="https://opendefinition.org/\nGuide du centre",
            eurovoc="http://eurovoc.europa.eu/6030",
        ),
        "api": _term("api", "API", label_en="API"),
        "3d": _term("3d", "3D"),
        "cache": _term("cache", "Caché", is_published=False),
    }
    terms["donnees-ouvertes"].related.add(terms["donnee"], terms["cache"])
    return terms


def _url(name: str, language: str = "fr", **kwargs) -> str:
    with translation.override(language):
        return reverse(f"knowledge:{name}", kwargs=kwargs or None)


def _labels(html: str) -> list[str]:
    return re.findall(r'<dt><a href="[^"]+"(?: lang="\w+")?>([^<]+)</a></dt>', html)


# ---------------------------------------------------------------------------------------------
# Index
# ---------------------------------------------------------------------------------------------


def test_index_lists_published_terms_a_to_z_ignoring_accents(client, glossary):
    response = client.get(_url("glossary"))

    html = response.content.decode()
    assert response.status_code == 200
    assert _labels(html) == ["API", "Donnée", "Données ouvertes", "Écologie", "3D"]
    assert '<h2 id="letter-E">E</h2>' in html
    assert 'id="letter-other"' in html
    assert "Caché" not in html


def test_index_in_english_uses_english_labels_and_marks_french_fallbacks(client, glossary):
    html = client.get(_url("glossary", "en")).content.decode()

    assert _labels(html) == ["API", "Data", "Données ouvertes", "Ecology", "3D"]
    assert (
        '<a href="/en/knowledge/glossary/donnees-ouvertes/" lang="fr">Données ouvertes</a>' in html
    )
    assert '<a href="/en/knowledge/glossary/donnee/">Data</a>' in html


def test_letter_navigation_links_letters_with_terms_only(client, glossary):
    html = client.get(_url("glossary")).content.decode()

    assert '<a href="#letter-A">A</a>' in html
    assert '<a href="#letter-D">D</a>' in html
    assert '<span class="letter-empty">B</span>' in html
    assert '<a href="#letter-B">' not in html


@pytest.mark.parametrize(
    ("query", "labels"),
    [
        ("donnee", ["Donnée", "Données ouvertes"]),
        ("DONNÉES", ["Données ouvertes"]),
        ("brute", ["Donnée"]),  # a synonym
        ("caché", []),  # unpublished
        ("x" * 500, []),
    ],
)
def test_filter_box_works_through_get(client, glossary, query, labels):
    html = client.get(_url("glossary"), {"q": query}).content.decode()

    assert _labels(html) == labels
    assert f'value="{query[:100]}"' in html


def test_index_queries_are_pinned(client, glossary, django_assert_num_queries):
    for index in range(20):
        _term(f"terme-{index}", f"Terme {index}")
    client.get(_url("glossary"))  # the data version is cached

    with django_assert_num_queries(1):  # the published terms
        response = client.get(_url("glossary"))
    assert len(_labels(response.content.decode())) == 25


# ---------------------------------------------------------------------------------------------
# Term
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def guide(glossary) -> Resource:
    Resource.objects.create(
        kind=Kind.GUIDE,
        slug="brouillon",
        title_fr="Brouillon",
        body_fr="Des données ouvertes.",
    )
    return Resource.objects.create(
        kind=Kind.GUIDE,
        slug="ouvrir-ses-donnees",
        title_fr="Ouvrir ses données",
        title_en="Opening your data",
        body_fr="Publier des données ouvertes sur un portail.",
        state=Resource.State.PUBLISHED,
    )


def test_term_page_shows_definition_sources_eurovoc_related_and_resources(client, guide):
    response = client.get(_url("term", slug="donnees-ouvertes"))

    html = response.content.decode()
    assert response.status_code == 200
    assert '<h1 id="term-title">Données ouvertes</h1>' in html
    assert "<p>Des données que chacun peut réutiliser librement.</p>" in html
    assert '<a href="https://opendefinition.org/">https://opendefinition.org/</a>' in html
    assert "<li>Guide du centre</li>" in html
    assert '<a href="http://eurovoc.europa.eu/6030">http://eurovoc.europa.eu/6030</a>' in html
    assert '<li><a href="/fr/knowledge/glossary/donnee/">Donnée</a></li>' in html
    assert "Caché" not in html
    assert '<li><a href="/fr/knowledge/ouvrir-ses-donnees/">Ouvrir ses données</a></li>' in html
    assert "Brouillon" not in html


def test_term_page_links_other_terms_in_the_definition(client, glossary):
    _term("reutilisation", "Réutilisation", definition_fr="Usage de données ouvertes.")

    html = client.get(_url("term", slug="reutilisation")).content.decode()

    assert (
        '<p>Usage de <a class="glossary-term" href="/fr/knowledge/glossary/donnees-ouvertes/">'
        "données ouvertes</a>.</p>"
    ) in html


def test_term_page_in_english_with_other_languages_tagged(client, glossary):
    html = client.get(_url("term", "en", slug="donnee")).content.decode()

    assert '<h1 id="term-title">Data</h1>' in html
    assert "<p>A recorded value.</p>" in html
    assert '<dt lang="fr">Français</dt><dd lang="fr">Donnée</dd>' in html
    assert '<dt lang="de">Deutsch</dt><dd lang="de">Daten</dd>' in html
    assert 'lang="nl"' not in html.split("<main")[1]
    assert '<ul lang="fr"><li>information brute</li></ul>' in html


def test_term_page_falls_back_to_french_with_a_notice(client, glossary):
    html = client.get(_url("term", "de", slug="donnees-ouvertes")).content.decode()

    assert '<h1 id="term-title" lang="fr">Données ouvertes</h1>' in html
    assert '<div class="prose" lang="fr">' in html


@pytest.mark.parametrize("slug", ["cache", "inconnu"])
def test_unpublished_or_unknown_term_is_not_found(client, glossary, slug):
    assert client.get(_url("term", slug=slug)).status_code == 404


def test_term_page_queries_are_pinned(client, guide, django_assert_num_queries):
    client.get(_url("term", slug="donnees-ouvertes"))  # phrases and data version cached

    with django_assert_num_queries(3):  # the term, its related terms, the resources using it
        client.get(_url("term", slug="donnees-ouvertes"))


def test_term_page_in_english_finds_french_texts_by_their_french_words(client, guide):
    Resource.objects.create(
        kind=Kind.GUIDE,
        slug="open-data-guide",
        title_fr="Guide",
        title_en="Open data guide",
        body_fr="Rien.",
        body_en="Open data for communes.",
        state=Resource.State.PUBLISHED,
    )
    GlossaryTerm.objects.filter(slug="donnees-ouvertes").update(label_en="Open data")

    html = client.get(_url("term", "en", slug="donnees-ouvertes")).content.decode()

    # The English label in English texts; the French label in a resource not translated.
    assert '<a href="/en/knowledge/open-data-guide/">Open data guide</a>' in html
    assert '<a href="/en/knowledge/ouvrir-ses-donnees/">Opening your data</a>' in html
