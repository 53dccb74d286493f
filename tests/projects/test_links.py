"""Projects seen from elsewhere: the commune profile, the diagnostic's recommendations, the menu."""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from smartregion.diagnostic.results import build_results
from smartregion.projects.models import Indicator, Project
from smartregion.projects.queries import ThemeMatch, recommendation_themes
from smartregion.territory.models import Municipality
from tests.factories import ProjectFactory, submitted

pytestmark = pytest.mark.django_db


# --- Recommendation → themes (pure) -------------------------------------------------------------


@pytest.mark.parametrize(
    ("dimension", "axes", "expected"),
    [
        ("gov", (), ThemeMatch(frozenset({"governance", "participation", "cooperation"}))),
        ("org", (), ThemeMatch(frozenset({"governance"}))),
        ("plan", (), ThemeMatch(frozenset({"governance"}))),
        ("eval", (), ThemeMatch(frozenset(), needs_indicators=True)),
        ("eval", ("governance",), ThemeMatch(frozenset({"governance"}), needs_indicators=True)),
        ("data", (), ThemeMatch(frozenset({"data"}))),
        ("innov", (), ThemeMatch(frozenset({"innovation"}))),
        ("sust", (), ThemeMatch(frozenset({"environment", "digital_inclusion"}))),
        ("gov", ("people",), ThemeMatch(frozenset({"people"}))),
        ("data", ("governance", "economy"), ThemeMatch(frozenset({"governance", "economy"}))),
        ("data", ("nonsense",), ThemeMatch(frozenset({"data"}))),
        ("unknown", (), ThemeMatch(frozenset())),
    ],
)
def test_recommendation_themes(dimension, axes, expected):
    assert recommendation_themes(dimension, axes) == expected


# --- Commune profile ---------------------------------------------------------------------------


def _profile_projects(html: str) -> list[str]:
    section = html.split('id="projects-heading"', 1)[1].split("</section>", 1)[0]
    return re.findall(r'href="/\w\w/projects/([a-z0-9-]+)/"', section)


def test_profile_lists_the_communes_published_projects(client, namur):
    liege = Municipality.objects.get(refnis="62063")
    ProjectFactory(owner_municipality=namur, slug="wifi", title_fr="Wi-Fi public")
    shared = ProjectFactory(owner_municipality=liege, slug="shared", title_fr="Projet partagé")
    shared.municipalities.add(namur)
    ProjectFactory(owner_municipality=namur, slug="draft", title_fr="Brouillon", state="draft")
    ProjectFactory(owner_municipality=liege, slug="elsewhere", title_fr="Ailleurs")

    html = client.get("/en/communes/92094/").content.decode()

    assert sorted(_profile_projects(html)) == ["shared", "wifi"]
    assert "2 published projects involve the commune." in html
    assert "Brouillon" not in html


def test_profile_without_projects_says_so(client, namur):
    html = client.get("/en/communes/92094/").content.decode()

    assert _profile_projects(html) == []
    assert "No published project involves the commune yet." in html


def test_profile_query_count_does_not_depend_on_projects(client, namur):
    def count() -> int:
        from django.core.cache import cache

        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            client.get("/en/communes/92094/")
        return len(queries.captured_queries)

    ProjectFactory(owner_municipality=namur, slug="first")
    one = count()
    for index in range(25):
        ProjectFactory(owner_municipality=namur, slug=f"p-{index}")

    # Past the 20 listed, one more query counts them all.
    assert count() == one + 1


# --- Diagnostic recommendations ----------------------------------------------------------------


def test_catalogue_route_of_the_instrument_resolves(instrument_version, namur):  # noqa: F811
    diagnostic = submitted(namur, instrument_version, 0.0)

    with translation.override("fr"):
        view = build_results(diagnostic, "fr")

    hrefs = {
        link.text: link.href
        for recommendation in view.recommendations
        for link in recommendation.links
    }
    assert hrefs["Catalogue des projets"] == "/fr/projects/"


def _recommendation(html: str, code: str) -> str:
    return html.split(f'id="rec-{code}"', 1)[1].split("</li>\n    \n", 1)[0]


def test_recommendations_link_peers_projects_on_the_same_themes(
    client,
    instrument_version,  # noqa: F811 - the diagnostic fixture
    namur,
    member,
):
    liege = Municipality.objects.get(refnis="62063")
    ProjectFactory(
        owner_municipality=liege,
        slug="strategie",
        title_fr="Stratégie smart",
        themes=["governance"],
    )
    ProjectFactory(
        owner_municipality=liege, slug="capteurs", title_fr="Capteurs", themes=["environment"]
    )
    measured = ProjectFactory(
        owner_municipality=liege, slug="mesure", title_fr="Tableau de bord", themes=["economy"]
    )
    Indicator.objects.create(project=measured, name_fr="Visites")
    ProjectFactory(
        owner_municipality=namur, slug="own", title_fr="Projet de Namur", themes=["governance"]
    )
    ProjectFactory(
        owner_municipality=liege,
        slug="hidden",
        title_fr="Caché",
        themes=["governance"],
        state="draft",
    )
    diagnostic = submitted(namur, instrument_version, 0.0)
    client.force_login(member)

    with translation.override("en"):
        url = reverse("diagnostic:results", kwargs={"pk": diagnostic.pk})
    html = client.get(url).content.decode()

    strategy = _recommendation(html, "gov_write_strategy")  # axes: governance
    assert re.findall(r'href="/en/projects/([a-z-]+)/"', strategy) == ["strategie"]
    assert 'href="/en/projects/?theme=governance">' in strategy
    evaluation = _recommendation(html, "eval_define_indicators")  # projects with indicators
    assert re.findall(r'href="/en/projects/([a-z-]+)/"', evaluation) == ["mesure"]
    assert "Projet de Namur" not in html
    assert "Caché" not in html


def test_menu_links_the_catalogue(client, territory):
    html = client.get("/en/").content.decode()

    assert '<a href="/en/projects/">Projects</a>' in html


def test_catalogue_marks_its_menu_entry_current(client, territory):
    html = client.get("/en/projects/").content.decode()

    assert '<a href="/en/projects/" aria-current="page">Projects</a>' in html
    assert Project.objects.count() == 0
