"""link_terms: each published term's first occurrence linked, never in links, headings or code."""

from __future__ import annotations

import re
import time

import pytest
from django.core.cache import cache
from hypothesis import given, settings
from hypothesis import strategies as st

from smartregion.knowledge.glossary import link_phrases, link_terms, phrases_build
from smartregion.knowledge.models import GlossaryTerm

pytestmark = pytest.mark.django_db


def _term(slug: str, label_fr: str, **fields) -> GlossaryTerm:
    return GlossaryTerm.objects.create(
        slug=slug, label_fr=label_fr, definition_fr=fields.pop("definition_fr", "Déf."), **fields
    )


@pytest.fixture
def terms() -> None:
    _term("donnees-ouvertes", "Données ouvertes", label_en="Open data", synonyms_fr="open data")
    _term("portail-donnees-ouvertes", "Portail de données ouvertes", label_en="Open data portal")
    _term("donnee", "Donnée", label_en="Data", synonyms_en="dataset\ndatasets")
    _term("interoperabilite", "Interopérabilité", label_en="Interoperability")
    _term("brouillon", "Cybersécurité", is_published=False)


def _link(slug: str, text: str, lang: str = "fr") -> str:
    return f'<a class="glossary-term" href="/{lang}/knowledge/glossary/{slug}/">{text}</a>'


def test_first_occurrence_only_is_linked(terms):
    html = "<p>L’interopérabilité d’abord. Puis l’interopérabilité encore.</p>"

    assert link_terms(html, "fr") == (
        f"<p>L’{_link('interoperabilite', 'interopérabilité')} d’abord. "
        "Puis l’interopérabilité encore.</p>"
    )


def test_case_and_accents_of_the_text_are_kept(terms):
    html = "<p>INTEROPÉRABILITÉ et Donnée.</p>"

    assert link_terms(html, "fr") == (
        f"<p>{_link('interoperabilite', 'INTEROPÉRABILITÉ')} et {_link('donnee', 'Donnée')}.</p>"
    )


def test_whole_words_only(terms):
    # "donnée" is not inside "données" nor "donnéesX"; the unpublished term is never linked.
    html = "<p>Des donnéesX, des données et la cybersécurité.</p>"

    assert link_terms(html, "fr") == html


def test_longest_match_wins(terms):
    html = "<p>Un portail de données ouvertes publie des données ouvertes.</p>"

    assert link_terms(html, "fr") == (
        f"<p>Un {_link('portail-donnees-ouvertes', 'portail de données ouvertes')} publie des "
        f"{_link('donnees-ouvertes', 'données ouvertes')}.</p>"
    )


def test_a_repeated_long_phrase_does_not_link_the_shorter_term_inside_it():
    phrases = phrases_build([("a", "/a/", ["open data"]), ("b", "/b/", ["data"])])

    html = "<p>open data, open data, data</p>"

    assert link_phrases(html, phrases) == (
        '<p><a class="glossary-term" href="/a/">open data</a>, open data, '
        '<a class="glossary-term" href="/b/">data</a></p>'
    )


def test_synonyms_are_linked(terms):
    html = "<p>Publish a dataset.</p>"

    assert link_terms(html, "en") == f"<p>Publish a {_link('donnee', 'dataset', 'en')}.</p>"


def test_french_labels_and_synonyms_stand_in_for_a_missing_translation(terms):
    # German: no label, no synonyms → the French ones, linked to the German page.
    html = "<p>Interopérabilité und open data.</p>"

    assert link_terms(html, "de") == (
        f"<p>{_link('interoperabilite', 'Interopérabilité', 'de')} und "
        f"{_link('donnees-ouvertes', 'open data', 'de')}.</p>"
    )


def test_a_translated_label_replaces_the_french_one(terms):
    html = "<p>Interopérabilité, interoperability.</p>"

    assert link_terms(html, "en") == (
        f"<p>Interopérabilité, {_link('interoperabilite', 'interoperability', 'en')}.</p>"
    )


@pytest.mark.parametrize(
    "html",
    [
        '<p><a href="/x/">Interopérabilité</a> interopérabilité</p>',
        "<h2>Interopérabilité</h2><p>interopérabilité</p>",
        "<h6>Interopérabilité</h6><p>interopérabilité</p>",
        "<p><code>Interopérabilité</code> interopérabilité</p>",
        "<pre>Interopérabilité</pre><p>interopérabilité</p>",
    ],
)
def test_never_inside_links_headings_or_code_and_the_next_occurrence_is_linked(terms, html):
    skipped, rest = html.rsplit("interopérabilité", 1)

    assert link_terms(html, "fr") == skipped + _link("interoperabilite", "interopérabilité") + rest


def test_attributes_are_never_touched(terms):
    html = '<p><img src="/i.png" alt="Interopérabilité"> <abbr title="Donnée">D</abbr></p>'

    assert link_terms(html, "fr") == html


def test_markup_entities_and_comments_are_written_back(terms):
    html = "<p>A &amp; B &lt;donnée&gt;<!-- donnée --><br>x<em>y</em></p>"

    assert link_terms(html, "fr") == (
        f"<p>A &amp; B &lt;{_link('donnee', 'donnée')}&gt;<!-- donnée --><br>x<em>y</em></p>"
    )


def test_a_term_page_leaves_its_own_term_out(terms):
    html = "<p>Donnée et interopérabilité.</p>"

    assert link_terms(html, "fr", skip_slug="donnee") == (
        f"<p>Donnée et {_link('interoperabilite', 'interopérabilité')}.</p>"
    )


def test_phrases_are_cached_and_refreshed_when_a_term_is_saved(
    terms, django_assert_num_queries, django_capture_on_commit_callbacks
):
    link_terms("<p>x</p>", "fr")
    with django_assert_num_queries(0):
        assert link_terms("<p>Donnée</p>", "fr") == f"<p>{_link('donnee', 'Donnée')}</p>"

    with django_capture_on_commit_callbacks(execute=True):
        _term("ville-intelligente", "Ville intelligente")

    assert link_terms("<p>Ville intelligente</p>", "fr") == (
        f"<p>{_link('ville-intelligente', 'Ville intelligente')}</p>"
    )


def test_no_terms_returns_the_html_unchanged():
    cache.clear()
    assert link_terms("<p>Donnée</p>", "fr") == "<p>Donnée</p>"


def test_three_thousand_words_with_a_hundred_terms_link_quickly():
    phrases = phrases_build(
        [(f"t{i}", f"/t{i}/", [f"terme{i} composé", f"synonyme{i}"]) for i in range(100)]
    )
    words = [f"terme{i % 150} composé" if i % 7 == 0 else "mot" for i in range(3000)]
    html = "".join(f"<p>{' '.join(words[i : i + 50])}</p>" for i in range(0, 3000, 50))

    started = time.perf_counter()
    linked = link_phrases(html, phrases)
    elapsed = time.perf_counter() - started

    assert linked.count('class="glossary-term"') == 100
    assert elapsed < 0.2  # generous: bench/bench_glossary.py measures it (target < 20 ms)


@settings(max_examples=200, deadline=None)
@given(
    keys=st.sets(st.text(alphabet="ab é", min_size=1, max_size=5), min_size=1, max_size=8),
    text=st.text(alphabet="ab éÉ.", max_size=40),
)
def test_the_prefix_tree_pattern_matches_like_a_longest_first_alternation(keys, text):
    phrases = phrases_build([(f"t{i}", "/", [key]) for i, key in enumerate(sorted(keys))])
    if not phrases.targets:
        return
    ordered = sorted(phrases.targets, key=lambda key: (-len(key), key))
    naive = "|".join(r"\s+".join(map(re.escape, key.split())) for key in ordered)
    expected = re.compile(rf"(?<!\w)(?:{naive})(?!\w)", re.IGNORECASE)
    trie = re.compile(phrases.pattern, re.IGNORECASE)

    assert [m.span() for m in trie.finditer(text)] == [m.span() for m in expected.finditer(text)]
