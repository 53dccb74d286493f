"""The search test corpus: each query's relevant projects come first, in order, on both databases.

The corpus (data/search_corpus.json) is judged by hand; bench/bench_search.py prints its
precision at 10. The same file runs on SQLite and PostgreSQL (the suite runs on both), so equal
expectations mean equal rankings.
"""

from __future__ import annotations

import pytest

from smartregion.projects.catalogue import CatalogueQuery, catalogue_page
from smartregion.projects.search import project_search
from tests.projects.search_corpus import corpus_create, corpus_load

CORPUS = corpus_load()


@pytest.fixture
def corpus_ids(namur) -> dict[str, int]:
    return corpus_create(CORPUS, owner=namur)


def test_corpus_has_at_least_thirty_queries():
    assert len(CORPUS["queries"]) >= 30
    keys = {project["key"] for project in CORPUS["projects"]}
    for case in CORPUS["queries"]:
        assert set(case["expected"]) <= keys, case["q"]


def test_corpus_queries_find_their_projects_first(corpus_ids):
    keys = {pk: key for key, pk in corpus_ids.items()}
    failures = []
    for case in CORPUS["queries"]:
        found = [keys[pk] for pk in project_search(case["q"])]
        if found[: len(case["expected"])] != case["expected"] or len(found) != case["total"]:
            failures.append((case["q"], found))
    assert failures == []


@pytest.mark.parametrize(
    "variants",
    [
        ("mobilité", "mobilite", "Mobilités", "MOBILITES", "mobilites"),
        ("vélo", "velo", "vélos", "Velos"),
        ("Liège", "Liege", "Luik", "Lüttich", "LIÈGE"),
        ("Namur", "Namen"),
        ("Mons", "Bergen"),
        ("Tournai", "Doornik"),
        ("environnement", "Umwelt", "milieu", "Environment"),
    ],
)
def test_accents_plurals_and_languages_give_the_same_ranking(corpus_ids, variants):
    rankings = {query: project_search(query) for query in variants}
    first = rankings[variants[0]]
    assert first != []
    assert rankings == dict.fromkeys(variants, first)


def test_title_theme_and_summary_rank_above_description_only(corpus_ids):
    found = project_search("mobilité")
    themed = [key for key, spec in _specs().items() if "mobility" in spec["themes"]]
    assert {_key(corpus_ids, pk) for pk in found[: len(themed)]} == set(themed)
    assert [_key(corpus_ids, pk) for pk in found[len(themed) :]] == [
        "hotel-de-ville",
        "led-tournai",
    ]


def _specs() -> dict[str, dict]:
    return {project["key"]: project for project in CORPUS["projects"]}


def _key(ids: dict[str, int], pk: int) -> str:
    return next(key for key, value in ids.items() if value == pk)


def test_catalogue_relevance_order_is_the_search_order(corpus_ids):
    for case in CORPUS["queries"]:
        query = CatalogueQuery(q=case["q"], sort="relevance")
        page = catalogue_page(query, language="fr", page_size=100)
        assert page.project_ids == project_search(case["q"]), case["q"]
