"""The site search (/search/ and core/search.py): kinds, languages, facets, sync and cost.

Runs on SQLite and PostgreSQL (the suite runs on both): every expected list is exact, so equal
expectations mean equal rankings on both engines.
"""

from __future__ import annotations

import datetime as dt
import html as html_module
import re

import pytest
from django.core.management import CommandError, call_command

from smartregion.core.models import SearchDocument
from smartregion.core.search import (
    document_url,
    documents_reindex,
    highlight,
    parse_query,
    site_search,
)
from smartregion.knowledge.models import GlossaryTerm, Resource
from smartregion.projects.models import Project
from smartregion.projects.search import project_index
from smartregion.territory.models import Municipality
from tests.factories import ProjectFactory

NOW = dt.datetime(2026, 3, 1, 10, 0, tzinfo=dt.UTC)


def _resource(slug: str, *, day: int = 1, state: str = "published", **fields) -> Resource:
    published = NOW + dt.timedelta(days=day)
    fields.setdefault("title_fr", slug)
    return Resource.objects.create(
        slug=slug,
        kind=fields.pop("kind", "guide"),
        state=state,
        first_published_at=published,
        published_at=published,
        **fields,
    )


def _term(slug: str, **fields) -> GlossaryTerm:
    fields.setdefault("label_fr", slug)
    fields.setdefault("definition_fr", "Une définition.")
    return GlossaryTerm.objects.create(slug=slug, **fields)


def _slugs(results, kind: str) -> list[str]:
    rows = SearchDocument.objects.in_bulk([hit.document_id for hit in results.groups[kind]])
    return [
        rows[hit.document_id].url_kwargs.get("slug") or rows[hit.document_id].url_kwargs["refnis"]
        for hit in results.groups[kind]
    ]


def test_one_search_finds_every_kind_in_groups(namur):
    _resource("guide-velo", title_fr="Guide du vélo partagé à Namur")
    _term("velo-partage", label_fr="Vélo partagé", synonyms_fr="Vélopartage")
    project = ProjectFactory(owner_municipality=namur, slug="velos-namur", title_fr="Vélos à Namur")
    project_index(project.pk)
    results = site_search("namur")
    assert list(results.groups) == ["resource", "term", "project", "commune"]
    assert _slugs(results, "resource") == ["guide-velo"]
    assert _slugs(results, "term") == []
    assert _slugs(results, "project") == ["velos-namur"]
    # The commune first (its name is the title), then the province's other 37 communes.
    communes = _slugs(results, "commune")
    assert (communes[0], len(communes)) == ("92094", 38)
    assert _slugs(site_search("92094"), "commune") == ["92094"]
    assert _slugs(site_search("vélos"), "term") == ["velo-partage"]
    assert _slugs(site_search("velopartage"), "term") == ["velo-partage"]


def test_ranking_title_then_summary_then_body_then_newest(db):
    _resource("in-body", day=5, title_fr="Plan", body_fr="Un volet **compost**.")
    _resource("in-title-old", day=1, title_fr="Compost collectif")
    _resource("in-title-new", day=2, title_fr="Le compost au jardin")
    _resource("in-summary", day=9, title_fr="Quartier", summary_fr="Du compost partout.")
    assert _slugs(site_search("compost"), "resource") == [
        "in-title-new",
        "in-title-old",
        "in-summary",
        "in-body",
    ]


def test_a_theme_named_outranks_a_title_mention(db):
    _resource("title", day=2, title_fr="Mobilité douce", themes=["data"])
    _resource("themed", day=1, title_fr="Navettes", themes=["mobility"], summary_fr="La mobilité.")
    assert _slugs(site_search("mobilité"), "resource") == ["themed", "title"]


def test_only_listed_resources_and_published_terms_are_found(db):
    for state in ("draft", "review", "archived"):
        _resource(f"r-{state}", state=state, title_fr="Compost")
    _resource("r-needs-review", state="needs_review", title_fr="Compost")
    _term("hidden", label_fr="Compost caché", is_published=False)
    results = site_search("compost")
    assert _slugs(results, "resource") == ["r-needs-review"]
    assert _slugs(results, "term") == []


def test_archiving_a_resource_removes_it_from_the_index(db):
    resource = _resource("guide", title_fr="Compost")
    assert _slugs(site_search("compost"), "resource") == ["guide"]
    resource.state = Resource.State.ARCHIVED
    resource.save()
    assert _slugs(site_search("compost"), "resource") == []
    assert not SearchDocument.objects.filter(kind="resource").exists()


def test_edits_and_deletions_follow(db):
    resource = _resource("guide", title_fr="Compost")
    term = _term("terme", label_fr="Compost")
    resource.title_fr = "Potager"
    resource.save()
    term.delete()
    assert _slugs(site_search("compost"), "resource") == []
    assert _slugs(site_search("compost"), "term") == []
    assert _slugs(site_search("potager"), "resource") == ["guide"]
    resource.delete()
    assert _slugs(site_search("potager"), "resource") == []


def test_facet_counts_are_the_results_each_facet_gives(db):
    _resource("a", title_fr="Compost A", themes=["environment"], domains=["sust"])
    _resource(
        "b", title_fr="Compost B", themes=["environment", "data"], domains=["data"], kind="tool"
    )
    _resource("c", title_fr="Compost C", themes=["data"], domains=["data", "gov"])
    _term("compost", label_fr="Compost", themes=["environment"])
    results = site_search("compost")
    assert dict(results.facet_counts["theme"]) == {"environment": 3, "data": 2}
    assert dict(results.facet_counts["domain"]) == {"sust": 1, "data": 2, "gov": 1}
    assert dict(results.facet_counts["kind"]) == {"guide": 2, "tool": 1}
    for facet, count in [("theme:environment", 3), ("theme:data", 2), ("domain:data", 2)]:
        assert site_search("compost", facets=[facet]).total == count, facet
    both = site_search("compost", facets=["theme:data", "domain:gov"])
    assert _slugs(both, "resource") == ["c"]
    assert dict(both.facet_counts["theme"]) == {"data": 1}


def test_reindex_rebuilds_every_kind(namur):
    _resource("guide", title_fr="Compost")
    SearchDocument.objects.all().delete()
    counts = documents_reindex()
    assert counts["resource"] == 1
    assert counts["commune"] > 200
    assert _slugs(site_search("compost"), "resource") == ["guide"]


def test_highlight_escapes_text_and_marks_query_words():
    parsed = parse_query("velo bibli")
    text = "<b>Vélos</b> & bibliothèque, vélodrome"
    assert highlight(text, parsed) == (
        "&lt;b&gt;<mark>Vélos</mark>&lt;/b&gt; &amp; <mark>bibliothèque</mark>, vélodrome"
    )


def test_hostile_queries_are_words(db):
    _resource("guide", title_fr="Compost et potager")
    for query in ['"compost', "compost*", "compost:*", "compost & | !", "compost) OR 1=1 --"]:
        assert _slugs(site_search(query), "resource") == ["guide"], query
    assert site_search("").total == 0
    assert site_search("?!").total == 0


# --- The page ----------------------------------------------------------------------------------


def _groups(html: str) -> list[tuple[str, str]]:
    """(group id, count shown in its heading) of the result groups, in order."""
    return re.findall(
        r'<h2 id="results-(\w+)-heading">[^<]*<span class="count">\((\d+)\)</span></h2>', html
    )


def _titles(html: str, kind: str) -> list[str]:
    section = html.split(f'id="results-{kind}"', 1)[1].split("</section>", 1)[0]
    return [
        html_module.unescape(" ".join(re.sub(r"<[^>]+>", " ", title).split()))
        for title in re.findall(r"<h3>(.*?)</h3>", section, flags=re.S)
    ]


def test_page_groups_results_by_kind_with_counts(client, namur):
    _resource("guide-namur", title_fr="Guide de Namur")
    _term("namurois", label_fr="Namurois")
    response = client.get("/fr/search/?q=namur")
    html = response.content.decode()
    assert response.status_code == 200
    assert _groups(html) == [("resource", "1"), ("term", "1"), ("commune", "38")]
    assert _titles(html, "resource") == ["Guide de Namur"]
    assert _titles(html, "commune")[0] == "Namur"
    assert len(_titles(html, "commune")) == 5
    assert "show=commune" in html


def test_page_shows_the_visitors_language_with_french_fallback(client, db):
    _resource("traduit", title_fr="Le compost", title_en="Composting", summary_en="How to compost.")
    _resource("non-traduit", day=2, title_fr="Compost en pied d'immeuble", summary_fr="Du compost.")
    html = client.get("/en/search/?q=compost").content.decode()
    assert _titles(html, "resource") == ["Compost en pied d'immeuble", "Composting"]
    assert '<span lang="fr">Compost en pied d&#x27;immeuble</span>' in html
    assert "<mark>compost</mark>." in html
    french = client.get("/fr/search/?q=compost").content.decode()
    assert _titles(french, "resource") == ["Compost en pied d'immeuble", "Le compost"]


def test_page_escapes_content_and_query(client, db):
    _resource("xss", title_fr="Compost <script>alert(1)</script>", summary_fr="compost & co")
    html = client.get("/fr/search/?q=compost%3Cscript%3E").content.decode()
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html
    assert "<mark>compost</mark> &amp; co" in html


def test_page_facets_are_links_and_selected_ones_removable(client, db):
    _resource("a", title_fr="Compost A", themes=["environment"])
    _resource("b", title_fr="Compost B", themes=["environment", "data"])
    html = client.get("/fr/search/?q=compost").content.decode()
    assert 'href="/fr/search/?q=compost&amp;theme=environment"' in html
    assert 'href="/fr/search/?q=compost&amp;theme=data"' in html
    filtered = client.get("/fr/search/?q=compost&theme=data&theme=bogus").content.decode()
    assert _titles(filtered, "resource") == ["Compost B"]
    assert 'href="/fr/search/?q=compost"' in filtered  # remove the filter
    assert '<input type="hidden" name="theme" value="data">' in filtered


def test_page_show_all_of_one_kind_is_paged(client, db):
    for number in range(25):
        _resource(f"r{number:02d}", day=number, title_fr=f"Compost {number}")
    first = client.get("/fr/search/?q=compost&show=resource").content.decode()
    assert len(_titles(first, "resource")) == 20
    assert _titles(first, "resource")[0] == "Compost 24"
    assert 'href="/fr/search/?q=compost&amp;show=resource&amp;page=2"' in first
    second = client.get("/fr/search/?q=compost&show=resource&page=2").content.decode()
    assert _titles(second, "resource") == [f"Compost {n}" for n in range(4, -1, -1)]
    past = client.get("/fr/search/?q=compost&show=resource&page=99").content.decode()
    assert _titles(past, "resource") == _titles(second, "resource")


def test_page_empty_and_nothing_found_offer_suggestions(client, db):
    empty = client.get("/fr/search/").content.decode()
    nothing = client.get("/fr/search/?q=zzzqqq").content.decode()
    for html in (empty, nothing):
        assert 'class="search-suggestions"' in html
        assert 'href="/fr/search/?q=Mobilit%C3%A9"' in html
    assert "zzzqqq" in nothing and 'role="status"' in nothing


def test_every_page_header_has_the_search_box(client, territory):
    for path in ("/fr/", "/fr/communes/", "/en/projects/", "/fr/search/?q=x"):
        html = client.get(path).content.decode()
        form = html.split('<form class="header-search"', 1)[1].split("</form>", 1)[0]
        assert 'role="search"' in form, path
        assert 'action="/' + path.split("/")[1] + '/search/"' in form, path
        assert '<label for="header-search-q"' in form
        assert '<input type="search" name="q" id="header-search-q"' in form
        assert '<button type="submit"' in form


def test_page_runs_the_same_queries_whatever_the_data(client, namur, django_assert_num_queries):
    _resource("one", title_fr="Compost", themes=["environment"])
    with django_assert_num_queries(2):
        client.get("/fr/search/?q=compost")
    for number in range(30):
        _resource(f"r{number}", title_fr="Compost", themes=["data"], domains=["gov"])
        _term(f"t{number}", label_fr=f"Compost {number}")
        project = ProjectFactory(owner_municipality=namur, slug=f"p{number}", title_fr="Compost")
        project_index(project.pk)
    with django_assert_num_queries(2):
        client.get("/fr/search/?q=compost")
    with django_assert_num_queries(2):
        client.get("/fr/search/?q=compost&show=resource&page=2&theme=data")
    with django_assert_num_queries(0):
        client.get("/fr/search/")


def test_reindex_command(db, capsys):
    _resource("guide", title_fr="Compost")
    SearchDocument.objects.all().delete()
    call_command("search", "reindex", "--kind", "resource")
    assert capsys.readouterr().out == "resource: 1 document(s) indexed\n"
    assert _slugs(site_search("compost"), "resource") == ["guide"]
    with pytest.raises(CommandError, match="Unknown kind 'event'"):
        call_command("search", "reindex", "--kind", "event")


def test_projects_follow_their_publication(namur):
    project = ProjectFactory(owner_municipality=namur, slug="compost", title_fr="Compost")
    project_index(project.pk)
    assert _slugs(site_search("compost"), "project") == ["compost"]
    Project.objects.filter(pk=project.pk).update(state=Project.State.SUBMITTED)
    project_index(project.pk)
    assert _slugs(site_search("compost"), "project") == []


def test_communes_are_those_of_the_sites_region(namur):
    region = Municipality.objects.in_region("03000")
    assert SearchDocument.objects.filter(kind="commune").count() == region.count()
    assert _slugs(site_search("Bruxelles"), "commune") == []
    assert _slugs(site_search("Doornik"), "commune") == ["57081"]


def test_a_route_not_installed_gives_no_link(db):
    assert document_url("territory:detail", {"refnis": "92094"}) == "/fr/communes/92094/"
    assert document_url("nowhere:page", {"slug": "x"}) == ""
