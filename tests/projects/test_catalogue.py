"""The catalogue selector: parsing, filters, disjunctive facet counts, sorting, pages, queries."""

from __future__ import annotations

import datetime as dt

import pytest
from django.http import QueryDict
from django.utils import timezone, translation

from smartregion.core.pagecache import data_version_bump
from smartregion.projects.catalogue import (
    CatalogueQuery,
    catalogue_index_reset,
    catalogue_page,
    projects_for_themes,
    similar_projects,
)
from smartregion.projects.models import FundingSource, Project, ProjectFunding
from smartregion.projects.search import project_index
from smartregion.territory.models import Municipality
from tests.factories import ProjectFactory


@pytest.fixture(autouse=True)
def _fresh_index():
    catalogue_index_reset()
    yield
    catalogue_index_reset()


def _published(municipality, slug, *, day=1, funding=None, **fields) -> Project:
    when = timezone.make_aware(dt.datetime(2026, 1, day, 10, 0))
    project = ProjectFactory(
        owner_municipality=municipality,
        slug=slug,
        title_fr=fields.pop("title_fr", slug.capitalize()),
        published_at=when,
        first_published_at=when,
        **fields,
    )
    for source in funding or ():
        ProjectFunding.objects.create(project=project, source=source)
    project_index(project.pk)
    return project


@pytest.fixture
def catalogue(namur):
    """Five published projects in Namur, Liège and Arlon, one draft; newest is `e`."""
    liege = Municipality.objects.get(refnis="62063")
    arlon = Municipality.objects.get(refnis="81001")
    projects = {
        "a": _published(
            namur,
            "a",
            day=1,
            themes=["mobility"],
            goals=[11],
            funding=[FundingSource.EU],
            title_fr="Vélos partagés",
            status="completed",
            start_date=dt.date(2020, 1, 1),
        ),
        "b": _published(
            namur,
            "b",
            day=2,
            themes=["mobility", "data"],
            goals=[9, 11],
            funding=[FundingSource.OWN],
            title_fr="Bornes de recharge",
            start_date=dt.date(2023, 5, 1),
        ),
        "c": _published(
            liege,
            "c",
            day=3,
            themes=["data"],
            goals=[9],
            funding=[FundingSource.EU, FundingSource.OWN],
            title_fr="Données ouvertes",
        ),
        "d": _published(
            arlon,
            "d",
            day=4,
            themes=["environment"],
            goals=[13],
            title_fr="Compost collectif",
            start_date=dt.date(2021, 3, 1),
        ),
        "e": _published(
            liege,
            "e",
            day=5,
            themes=["mobility"],
            goals=[11, 13],
            title_fr="Zones 30 apaisées",
            status="planned",
        ),
    }
    ProjectFactory(
        owner_municipality=namur, slug="draft", title_fr="Vélos brouillon", state="draft"
    )
    return projects


def _ids(page) -> list[str]:
    return [project.slug for project in page.projects]


def _counts(page, name) -> dict[str, int]:
    facet = next(facet for facet in page.facets if facet.name == name)
    return {value.code: value.count for value in facet.values}


def _page(params: str = "", language: str = "fr"):
    with translation.override(language):
        return catalogue_page(CatalogueQuery.from_params(QueryDict(params)), language=language)


def test_from_params_keeps_valid_values_and_names_invalid_ones(catalogue):
    with translation.override("en"):
        query = CatalogueQuery.from_params(
            QueryDict(
                "q=+vélo+&theme=mobility&theme=nope&theme=mobility&goal=11&goal=18&status=idea"
                "&province=60000&province=99999&size=lt5k&size=huge&funding=eu&funding=cash"
                "&sort=random&page=abc"
            )
        )
    assert query.q == "vélo"
    assert query.theme == ["mobility"]
    assert query.goal == ["11"]
    assert query.status == ["idea"]
    assert query.province == ["60000"]
    assert query.size == ["lt5k"]
    assert query.funding == ["eu"]
    assert query.sort == ""
    assert query.page == 1
    assert query.errors == [
        "Unknown theme “nope”: ignored.",
        "Unknown Sustainable Development Goal “18”: ignored.",
        "Unknown province “99999”: ignored.",
        "Unknown population class “huge”: ignored.",
        "Unknown funding source “cash”: ignored.",
        "Unknown sort order “random”: ignored.",
        "Page “abc” does not exist: page 1 shown.",
    ]


def test_commune_filter_narrows_results_and_facets(catalogue):
    page = _page("commune=62063")  # Liège

    assert _ids(page) == ["e", "c"]
    assert _counts(page, "theme") == {"mobility": 1, "data": 1}
    assert page.query.querystring() == "?commune=62063"


def test_commune_filter_unknown_code_is_named(catalogue):
    with translation.override("en"):
        query = CatalogueQuery.from_params(QueryDict("commune=62063&commune=00000"))

    assert (query.commune, query.errors, query.invalid) == (
        ["62063"],
        ["Unknown commune code “00000”: ignored."],
        [("commune", "00000")],
    )


def test_querystring_toggles_one_value_and_resets_the_page(catalogue):
    query = CatalogueQuery.from_params(QueryDict("q=eau&theme=data&sort=title&page=3"))
    assert query.querystring() == "?q=eau&theme=data&sort=title"
    assert query.querystring(page=3) == "?q=eau&theme=data&sort=title&page=3"
    assert query.toggled("theme", "mobility") == "?q=eau&theme=data&theme=mobility&sort=title"
    assert query.toggled("theme", "data") == "?q=eau&sort=title"


def test_page_lists_published_projects_newest_first(catalogue):
    page = _page()
    assert _ids(page) == ["e", "d", "c", "b", "a"]
    assert (page.total, page.page, page.pages) == (5, 1, 1)


def test_facet_values_or_within_and_across(catalogue):
    assert _ids(_page("theme=data&theme=environment")) == ["d", "c", "b"]
    assert _ids(_page("theme=mobility&goal=13")) == ["e"]
    assert _ids(_page("theme=mobility&province=60000")) == ["e"]  # Liège province
    assert _ids(_page("funding=eu")) == ["c", "a"]
    assert _ids(_page("status=completed&status=planned")) == ["e", "a"]


def test_facet_counts_are_disjunctive(catalogue):
    page = _page("theme=mobility&funding=eu")
    assert _ids(page) == ["a"]
    # Themes counted over the EU-funded projects (a, c), not only over the mobility ones.
    assert _counts(page, "theme") == {"mobility": 1, "data": 1}
    # Fundings counted over mobility projects (a, b, e): b is own funds, e has none.
    assert _counts(page, "funding") == {"eu": 1, "own": 1}
    # Other facets counted over both filters.
    assert _counts(page, "goal") == {"11": 1}
    theme = next(facet for facet in page.facets if facet.name == "theme")
    assert [(v.code, v.selected) for v in theme.values] == [("mobility", True), ("data", False)]


def test_facets_list_province_and_size_labels_in_the_language(catalogue):
    page = _page(language="en")
    province = next(facet for facet in page.facets if facet.name == "province")
    assert [(v.code, v.label, v.count) for v in province.values] == [
        ("60000", "Province of Liège", 2),
        ("80000", "Province of Luxembourg", 1),
        ("90000", "Province of Namur", 2),
    ]
    assert [facet.name for facet in page.facets] == [
        "theme",
        "goal",
        "status",
        "province",
        "size",
        "funding",
    ]


def test_search_orders_by_relevance_and_combines_with_facets(catalogue):
    assert _ids(_page("q=velo")) == ["a"]
    # "Données" is the data theme's name: `b` (theme only) is found after `c` (title and theme).
    assert _ids(_page("q=donnees&theme=mobility")) == ["b"]
    page = _page("q=donnees")
    assert _ids(page) == ["c", "b"]
    assert _counts(page, "theme") == {"data": 2, "mobility": 1}


@pytest.mark.parametrize("few", [500, 0], ids=["few matches sorted", "order walked"])
def test_sorts(catalogue, monkeypatch, few):
    monkeypatch.setattr("smartregion.projects.catalogue.SORT_FEW", few)
    assert _ids(_page("sort=title")) == ["b", "d", "c", "a", "e"]
    assert _ids(_page("sort=start")) == ["b", "d", "a", "e", "c"]
    assert _ids(_page("sort=relevance")) == ["e", "d", "c", "b", "a"]  # no q: newest
    assert _ids(_page("sort=title&theme=mobility")) == ["b", "a", "e"]


@pytest.mark.parametrize("few", [500, 0], ids=["few matches sorted", "order walked"])
def test_sorted_pages_take_their_slice_of_the_order(catalogue, monkeypatch, few):
    monkeypatch.setattr("smartregion.projects.catalogue.SORT_FEW", few)
    pages = [
        _ids(catalogue_page(CatalogueQuery(sort=sort, page=number), language="fr", page_size=2))
        for sort in ("title", "start", "newest")
        for number in (1, 2, 3)
    ]
    assert pages == [
        ["b", "d"], ["c", "a"], ["e"],
        ["b", "d"], ["a", "e"], ["c"],
        ["e", "d"], ["c", "b"], ["a"],
    ]  # fmt: skip


def test_pages_clamp_to_the_last(catalogue):
    with translation.override("fr"):
        query = CatalogueQuery.from_params(QueryDict("page=3"))
        page = catalogue_page(query, language="fr", page_size=2)
    assert _ids(page) == ["a"]
    assert (page.total, page.page, page.pages, page.first_number, page.last_number) == (
        5,
        3,
        3,
        5,
        5,
    )
    with translation.override("fr"):
        page = catalogue_page(
            CatalogueQuery.from_params(QueryDict("page=9")), language="fr", page_size=2
        )
    assert (_ids(page), page.page) == (["a"], 3)


def test_index_follows_the_data_version(catalogue, namur, django_capture_on_commit_callbacks):
    assert _page().total == 5
    _published(namur, "f", day=6)
    assert _page().total == 5  # same version: the process's index stands
    with django_capture_on_commit_callbacks(execute=True):
        data_version_bump()
    assert _ids(_page())[:1] == ["f"]


@pytest.mark.parametrize("params", ["", "q=velo", "theme=mobility&province=90000&sort=title"])
def test_page_queries_are_constant(catalogue, django_assert_num_queries, params):
    _page()  # builds the index for this data version
    expected = 3 if "q=" in params else 2  # search, projects, their communes
    with django_assert_num_queries(expected):
        page = _page(params)
        for project in page.projects:
            [m.province.name for m in project.municipalities.all()]
            str(project.lead)


def test_similar_projects_share_themes_goals_province_funding(catalogue):
    assert [p.slug for p in similar_projects(catalogue["a"])] == ["b", "e", "c"]
    assert [p.slug for p in similar_projects(catalogue["a"], limit=1)] == ["b"]
    assert [p.slug for p in similar_projects(catalogue["d"])] == ["e"]


def test_similar_projects_of_an_unpublished_project(catalogue, namur):
    draft = Project.objects.get(slug="draft")
    assert "draft" not in [p.slug for p in similar_projects(draft)]


def test_projects_for_themes_excludes_the_commune(catalogue, namur):
    assert [p.slug for p in projects_for_themes(["mobility", "data"])] == ["b", "e", "c"]
    assert [
        p.slug for p in projects_for_themes(["mobility", "data"], exclude_municipality=namur)
    ] == [
        "e",
        "c",
    ]
    assert projects_for_themes(["cooperation"]) == []


def test_repeated_text_search_is_answered_from_the_index(catalogue, django_assert_num_queries):
    assert _ids(_page("q=velo")) == ["a"]
    with django_assert_num_queries(2):  # projects and their communes; no search query
        ids = _ids(_page("q=VÉLO&status=completed&page=1"))
    assert ids == ["a"]


def test_page_loads_its_projects_only_when_asked(catalogue, django_assert_num_queries):
    _page()  # builds the index for this data version
    with django_assert_num_queries(0):
        page = _page("theme=mobility")
    assert page.project_ids == [catalogue[slug].pk for slug in ("e", "b", "a")]
    with django_assert_num_queries(2):  # projects and their communes, once
        assert _ids(page) == ["e", "b", "a"]
        assert _ids(page) == ["e", "b", "a"]


def test_cards_do_not_load_long_texts(catalogue, django_assert_num_queries):
    page = _page()
    assert page.projects[0].get_deferred_fields() == {
        "description_fr",
        "description_en",
        "lessons_fr",
        "lessons_en",
    }


def test_index_survives_an_evicted_marker_but_not_changed_data(catalogue, namur):
    from django.core.cache import cache

    assert _page().total == 5
    cache.delete("projects:catalogue-index-built")
    assert _page().total == 5  # same projects: trusted after one fingerprint query
    cache.delete("projects:catalogue-index-built")
    _published(namur, "f", day=6)
    assert _page().total == 6  # e.g. the next test's data, after a cache clear


def test_facet_checkboxes_escape_every_text():
    from smartregion.projects.catalogue import Facet, FacetValue
    from smartregion.projects.templatetags.projects_tags import facet_checkboxes

    facet = Facet("size", "Size", [FacetValue('a"b', "<i>Tiny</i> & co", 2, True, "projets")])

    assert facet_checkboxes(facet) == (
        '<li><input type="checkbox" name="size" value="a&quot;b" id="facet-size-a&quot;b" checked>'
        '\n<label for="facet-size-a&quot;b">&lt;i&gt;Tiny&lt;/i&gt; &amp; co '
        '<span class="facet-count">(2<span class="visually-hidden"> projets</span>)</span>'
        "</label></li>"
    )
