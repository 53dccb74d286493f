"""The directory of actors and an actor's page."""

from __future__ import annotations

import re

import pytest

from smartregion.accounts.models import Organisation
from smartregion.territory.models import Municipality
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db


def _names(html: str) -> list[str]:
    return re.findall(r'<h2><a href="/\w\w/projects/actors/[a-z0-9-]+/">([^<]+)</a></h2>', html)


@pytest.fixture
def actors(organisation, namur) -> dict[str, Organisation]:
    lab = Organisation.objects.create(
        name="Laboratoire des données",
        slug="labo-donnees",
        kind=Organisation.Kind.RESEARCH,
        themes=["data", "innovation"],
        enterprise_number="0123456749",
        website="https://labo.example",
    )
    company = Organisation.objects.create(
        name="Mobilité SA", slug="mobilite-sa", kind=Organisation.Kind.COMPANY, themes=["mobility"]
    )
    commune = Organisation.objects.create(
        name="Ville de Namur", slug="namur", kind=Organisation.Kind.COMMUNE, municipality=namur
    )
    return {"idea": organisation, "lab": lab, "company": company, "commune": commune}


def test_actor_list_shows_actors_by_name_with_project_counts(client, actors, namur):
    project = ProjectFactory(owner_municipality=namur, slug="p1", lead=actors["lab"])
    project.partners.add(actors["company"], actors["idea"])
    hidden = ProjectFactory(
        owner_municipality=namur, slug="p2", state="draft", lead=actors["company"]
    )
    hidden.partners.add(actors["lab"])

    html = client.get("/en/projects/actors/").content.decode()

    assert _names(html) == [
        "Intercommunale IDEA",
        "Laboratoire des données",
        "Mobilité SA",
        "Ville de Namur",
    ]
    assert "4 actors found." in html
    lab_card = html.split("Laboratoire des données", 1)[1].split("</li>\n  \n  <li")[0]
    assert "Leads 1 project · partner in 0 projects" in lab_card
    company_card = html.split(">Mobilité SA<", 1)[1]
    assert "Leads 0 projects · partner in 1 project" in company_card


def test_actor_list_filters_by_type_theme_and_name(client, actors):
    by_kind = client.get("/en/projects/actors/", {"kind": "company"}).content.decode()
    by_theme = client.get("/en/projects/actors/", {"theme": "data"}).content.decode()
    by_name = client.get("/en/projects/actors/", {"q": "namur"}).content.decode()

    assert _names(by_kind) == ["Mobilité SA"]
    assert _names(by_theme) == ["Laboratoire des données"]
    assert _names(by_name) == ["Ville de Namur"]


def test_actor_list_reports_an_invalid_filter_and_keeps_the_others(client, actors):
    html = client.get("/en/projects/actors/", {"kind": "spaceship", "theme": "mobility"}).content
    html = html.decode()

    assert _names(html) == ["Mobilité SA"]
    assert "Some filters were not understood and were ignored:" in html
    assert "Type: Select a valid choice. spaceship is not one of the available choices." in html


def test_actor_list_paginates(client, db):
    for index in range(35):
        Organisation.objects.create(
            name=f"Actor {index:02d}", slug=f"actor-{index:02d}", kind="company"
        )

    second = client.get("/en/projects/actors/", {"page": "2"}).content.decode()

    assert _names(second) == [f"Actor {index:02d}" for index in range(30, 35)]


def test_actor_list_query_count_is_constant(client, db, django_assert_num_queries):
    Organisation.objects.create(name="Only", slug="only", kind="company")
    with django_assert_num_queries(QUERIES_ACTORS):
        client.get("/en/projects/actors/")
    for index in range(10):
        Organisation.objects.create(name=f"More {index}", slug=f"more-{index}", kind="company")
    from django.core.cache import cache

    cache.clear()
    with django_assert_num_queries(QUERIES_ACTORS):
        client.get("/en/projects/actors/")


# data version, count, page of actors with their counts
QUERIES_ACTORS = 3


def test_actor_page_shows_details_and_published_projects_only(client, actors, namur):
    led = ProjectFactory(
        owner_municipality=namur, slug="led", title_fr="Projet mené", lead=actors["lab"]
    )
    joined = ProjectFactory(
        owner_municipality=namur, slug="joined", title_fr="Projet rejoint", lead=actors["idea"]
    )
    joined.partners.add(actors["lab"])
    draft = ProjectFactory(
        owner_municipality=namur, slug="draft", title_fr="Brouillon", state="draft"
    )
    draft.partners.add(actors["lab"])

    html = client.get("/en/projects/actors/labo-donnees/").content.decode()

    assert "<h1>Laboratoire des données</h1>" in html
    assert "0123.456.749" in html
    assert 'href="https://labo.example"' in html
    assert "Research" in html
    led_part, joined_part = html.split('id="joined-heading"')
    assert 'href="/en/projects/led/"' in led_part
    assert 'href="/en/projects/joined/"' in joined_part
    assert "Brouillon" not in html
    assert led.pk and joined.pk


def test_actor_page_of_a_commune_links_its_profile(client, actors):
    html = client.get("/fr/projects/actors/namur/").content.decode()

    assert 'href="/fr/communes/92094/">Namur</a>' in html


def test_actor_page_of_unknown_actor_is_404(client, db):
    assert client.get("/fr/projects/actors/nobody/").status_code == 404


def test_actor_page_query_count_is_constant(client, actors, namur, django_assert_num_queries):
    ProjectFactory(owner_municipality=namur, slug="a", lead=actors["lab"])
    ProjectFactory(owner_municipality=namur, slug="c", lead=actors["idea"]).partners.add(
        actors["lab"]
    )
    with django_assert_num_queries(QUERIES_ACTOR):
        client.get("/en/projects/actors/labo-donnees/")
    for index in range(5):
        project = ProjectFactory(owner_municipality=namur, slug=f"b-{index}", lead=actors["idea"])
        project.partners.add(actors["lab"])
        project.municipalities.add(Municipality.objects.get(refnis="62063"))
    from django.core.cache import cache

    cache.clear()
    with django_assert_num_queries(QUERIES_ACTOR):
        client.get("/en/projects/actors/labo-donnees/")


# data version, actor, led projects + communes, joined projects + communes
QUERIES_ACTOR = 6
