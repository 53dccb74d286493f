"""Public pages of the catalogue: a project's page, the list with facets, the map of projects."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from smartregion.accounts.models import Membership, Organisation
from smartregion.projects.models import (
    Indicator,
    Location,
    Project,
    ProjectDocument,
    ProjectFunding,
    ProjectImage,
)
from smartregion.territory.models import Municipality
from tests.factories import ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db


def _h1(html: str) -> str:
    match = re.search(r"<h1[^>]*>(.*?)</h1>", html, re.S)
    return match.group(1).strip() if match else ""


def _detail_links(html: str) -> list[str]:
    """The project pages linked from result cards and the map, in page order."""
    return re.findall(r'href="/(?:fr|en)/projects/([a-z0-9-]+)/"', html)


@pytest.fixture
def liege(territory) -> Municipality:
    return Municipality.objects.get(refnis="62063")


@pytest.fixture
def full_project(namur, liege, organisation) -> Project:
    """A published project with every part its page shows."""
    partner = Organisation.objects.create(
        name="Université de Namur", slug="unamur", kind=Organisation.Kind.RESEARCH
    )
    project = ProjectFactory(
        owner_municipality=namur,
        slug="capteurs-air",
        title_fr="Capteurs de qualité de l’air",
        title_en="Air quality sensors",
        summary_en="Low-cost sensors measure the air near schools.",
        description_fr="<p>Des capteurs <strong>mesurent</strong> l’air.</p>",
        lessons_fr="<p>Calibrer les capteurs chaque année.</p>",
        themes=["environment", "data"],
        goals=[3, 11],
        lead=organisation,
        budget_eur=Decimal("120000"),
        website="https://air.namur.example",
        contact_name="Anne Dupont",
        contact_email="anne@namur.example",
        start_date=dt.date(2024, 3, 1),
    )
    project.municipalities.add(liege)
    project.partners.add(partner)
    ProjectFunding.objects.create(
        project=project, source="eu", label="FEDER 2021-2027", amount_eur=Decimal("60000")
    )
    ProjectFunding.objects.create(project=project, source="own", amount_eur=Decimal("60000"))
    Indicator.objects.create(
        project=project,
        name_fr="Capteurs installés",
        name_en="Sensors installed",
        unit="capteurs",
        baseline=Decimal("0"),
        target=Decimal("40"),
        achieved=Decimal("32"),
        measured_on=dt.date(2025, 12, 31),
    )
    Location.objects.create(
        project=project, label="École des Bruyères", latitude="50.4669", longitude="4.8675"
    )
    return project


# --- Project page ------------------------------------------------------------------------------


def test_detail_shows_every_part_of_a_published_project_in_french(client, full_project):
    response = client.get("/fr/projects/capteurs-air/")

    html = response.content.decode()
    assert response.status_code == 200
    assert _h1(html) == "Capteurs de qualité de l’air"
    assert "<p>Des capteurs <strong>mesurent</strong> l’air.</p>" in html  # sanitised HTML, as is
    assert "<p>Calibrer les capteurs chaque année.</p>" in html
    assert 'href="/fr/communes/92094/">Namur</a>' in html
    assert 'href="/fr/communes/62063/">Liège</a>' in html
    assert 'href="/fr/projects/actors/idea/">Intercommunale IDEA</a>' in html
    assert 'href="/fr/projects/actors/unamur/">Université de Namur</a>' in html
    assert "FEDER 2021-2027" in html
    assert "Capteurs installés" in html
    assert "<caption>" in html.split('class="indicators"')[1].split("</table>")[0]
    assert 'aria-label="Capteurs de qualité de l’air — École des Bruyères"' in html
    assert "mailto:anne@namur.example" in html
    assert "Demonstration data." not in html


def test_detail_in_english_shows_english_fields_and_falls_back_to_french(client, full_project):
    html = client.get("/en/projects/capteurs-air/").content.decode()

    assert _h1(html) == "Air quality sensors"
    assert "Low-cost sensors measure the air near schools." in html
    assert "Sensors installed" in html
    # No English description: the French one, marked as French for screen readers.
    assert '<div class="rich-text" lang="fr"><p>Des capteurs <strong>mesurent</strong>' in html
    assert "has no English version yet" not in html


def test_detail_in_english_without_translation_says_so(client, namur):
    ProjectFactory(owner_municipality=namur, slug="wifi", title_fr="Wi-Fi public")

    html = client.get("/en/projects/wifi/").content.decode()

    assert _h1(html) == "Wi-Fi public"
    assert 'id="project-title" lang="fr"' in html
    assert "This project has no English version yet: it is shown in French." in html


def test_detail_labels_demonstration_data(client, namur):
    ProjectFactory(owner_municipality=namur, slug="demo", is_demo=True)

    html = client.get("/en/projects/demo/").content.decode()

    assert "Demonstration data." in html


def test_detail_of_unknown_project_is_404(client, territory):
    assert client.get("/fr/projects/nothing-here/").status_code == 404


@pytest.fixture
def draft(namur) -> Project:
    return ProjectFactory(
        owner_municipality=namur, slug="brouillon", title_fr="Projet en brouillon", state="draft"
    )


@pytest.mark.parametrize("state", ["draft", "submitted", "changes_requested", "rejected"])
def test_detail_of_unpublished_project_is_404_for_anonymous(client, namur, state):
    ProjectFactory(owner_municipality=namur, slug="hidden", state=state)

    assert client.get("/fr/projects/hidden/").status_code == 404


def test_detail_of_draft_is_404_for_another_commune(client, draft, other_member):
    client.force_login(other_member)

    assert client.get("/fr/projects/brouillon/").status_code == 404


def test_detail_of_draft_is_404_for_an_organisation_outside_the_project(
    client, draft, organisation_member
):
    client.force_login(organisation_member)

    assert client.get("/fr/projects/brouillon/").status_code == 404


def test_detail_of_draft_is_404_for_staff_without_the_editor_permission(client, draft, staff_user):
    client.force_login(staff_user)

    assert client.get("/fr/projects/brouillon/").status_code == 404


def test_detail_of_draft_shows_to_the_owner_commune_member(client, draft, member):
    client.force_login(member)

    response = client.get("/en/projects/brouillon/")

    html = response.content.decode()
    assert response.status_code == 200
    assert _h1(html) == "Projet en brouillon"
    assert "Not public: Draft." in html


def test_detail_of_draft_shows_to_an_editor(client, draft, editor):
    client.force_login(editor)

    response = client.get("/en/projects/brouillon/")

    assert response.status_code == 200
    assert _h1(response.content.decode()) == "Projet en brouillon"


def test_detail_of_organisation_draft_shows_to_its_members(client, namur, organisation):
    ProjectFactory(
        located=[namur],
        slug="org-draft",
        state="draft",
        owner_organisation=organisation,
    )
    user = UserFactory(email="someone@idea.example")
    Membership.objects.create(user=user, organisation=organisation)
    client.force_login(user)

    assert client.get("/fr/projects/org-draft/").status_code == 200


def test_detail_anonymous_page_is_cached_until_data_changes(client, full_project):
    from smartregion.core.pagecache import data_version_bump

    first = client.get("/fr/projects/capteurs-air/").content.decode()
    Project.objects.filter(pk=full_project.pk).update(title_fr="Titre changé")
    cached = client.get("/fr/projects/capteurs-air/").content.decode()
    data_version_bump()
    from django.core.cache import cache

    cache.delete("data-version:public")
    fresh = client.get("/fr/projects/capteurs-air/").content.decode()

    assert _h1(first) == _h1(cached) == "Capteurs de qualité de l’air"
    assert _h1(fresh) == "Titre changé"


def test_detail_query_count_is_constant(
    client, full_project, other_member, django_assert_num_queries
):
    # Signed in, so the page is rendered each time (no page cache); the first view builds the
    # catalogue index that "similar projects" reads.
    ProjectFactory(
        owner_municipality=full_project.owner_municipality, slug="arbres", themes=["environment"]
    )
    client.force_login(other_member)
    client.get("/fr/projects/capteurs-air/")
    with django_assert_num_queries(QUERIES_DETAIL):
        client.get("/fr/projects/capteurs-air/")
    for index in range(3):
        Indicator.objects.create(project=full_project, name_fr=f"Indicateur {index}")
        Location.objects.create(project=full_project, latitude="50.5", longitude="5.0")
        ProjectFunding.objects.create(project=full_project, source="province")
    with django_assert_num_queries(QUERIES_DETAIL):
        client.get("/fr/projects/capteurs-air/")


# session, user, project + 7 prefetches, the user's permissions (2) and teams (2), region,
# outline frame, similar projects with their communes (2)
QUERIES_DETAIL = 18


def test_detail_shows_edit_and_history_links_to_the_team_only(client, draft, member, full_project):
    client.force_login(member)
    own = client.get("/fr/projects/brouillon/").content.decode()
    client.logout()
    anonymous = client.get("/fr/projects/capteurs-air/").content.decode()

    assert 'href="/fr/projects/brouillon/edit/"' in own
    assert 'href="/fr/projects/brouillon/history/"' in own
    assert "/edit/" not in anonymous
    assert "/history/" not in anonymous


def test_detail_shows_edit_link_to_an_editor_on_a_published_project(client, editor, full_project):
    client.force_login(editor)

    html = client.get("/fr/projects/capteurs-air/").content.decode()

    assert 'href="/fr/projects/capteurs-air/edit/"' in html


def test_detail_lists_images_with_alt_text_and_documents(client, full_project):
    image = ProjectImage.objects.create(
        project=full_project,
        file="projects/1/photo.webp",
        alt_fr="Un capteur sur un lampadaire",
        alt_en="A sensor on a lamp post",
        width=800,
        height=600,
        credit="Ville de Namur",
    )
    document = ProjectDocument.objects.create(
        project=full_project,
        file="projects/1/rapport.pdf",
        title="Rapport final",
        content_type="application/pdf",
        size=2048,
    )

    html = client.get("/en/projects/capteurs-air/").content.decode()

    assert (
        f'<img src="/en/projects/files/image/{image.pk}/" alt="A sensor on a lamp post" '
        'width="800" height="600" loading="lazy">'
    ) in html
    assert f'<a href="/en/projects/files/document/{document.pk}/">Rapport final</a>' in html


def test_detail_links_the_english_showcase_version(client, full_project):
    Project.objects.filter(pk=full_project.pk).update(showcase=True)

    html = client.get("/fr/projects/capteurs-air/").content.decode()

    assert 'href="/en/projects/showcase/capteurs-air/" hreflang="en"' in html


# --- Map ---------------------------------------------------------------------------------------


def test_map_draws_a_linked_dot_per_location_and_a_table(client, full_project, namur):
    later = timezone.make_aware(dt.datetime(2026, 4, 1, 10, 0))
    other = ProjectFactory(
        owner_municipality=namur,
        slug="second",
        title_fr="Deuxième projet",
        first_published_at=later,
    )
    Location.objects.create(project=other, label="Citadelle", latitude="50.46", longitude="4.86")
    hidden = ProjectFactory(
        owner_municipality=namur, slug="hidden", title_fr="Caché", state="draft"
    )
    Location.objects.create(project=hidden, latitude="50.4", longitude="4.8")

    html = client.get("/fr/projects/map/").content.decode()

    svg = html.split("<svg", 1)[1].split("</svg>")[0]
    # In the catalogue's order: newest first.
    assert re.findall(r'aria-label="([^"]+)"', svg) == [
        "Deuxième projet — Citadelle",
        "Capteurs de qualité de l’air — École des Bruyères",
    ]
    assert svg.count("<circle") == 2
    table = html.split("<table>", 1)[1]
    assert re.findall(r'href="/fr/projects/([a-z-]+)/"', table) == ["second", "capteurs-air"]
    assert "Caché" not in html


def test_map_honours_the_catalogue_filters(client, full_project, namur):
    bus = ProjectFactory(owner_municipality=namur, slug="bus", title_fr="Bus", themes=["mobility"])
    Location.objects.create(project=bus, label="Gare", latitude="50.47", longitude="4.86")

    html = client.get("/fr/projects/map/", {"theme": "mobility"}).content.decode()

    svg = html.split("<svg", 1)[1].split("</svg>")[0]
    assert re.findall(r'aria-label="([^"]+)"', svg) == ["Bus — Gare"]
    assert 'href="/fr/projects/?theme=mobility"' in html


def test_map_query_count_is_constant(client, full_project, namur, django_assert_num_queries):
    from django.core.cache import cache

    client.get("/fr/projects/map/")
    cache.clear()
    client.get("/fr/projects/map/?warm")  # rebuilds the catalogue index after the clear
    with django_assert_num_queries(QUERIES_MAP):
        client.get("/fr/projects/map/?a")
    for index in range(5):
        project = ProjectFactory(owner_municipality=namur, slug=f"more-{index}")
        Location.objects.create(project=project, latitude="50.4", longitude="4.9")
    cache.clear()
    client.get("/fr/projects/map/?warm")
    with django_assert_num_queries(QUERIES_MAP):
        client.get("/fr/projects/map/?b")


# projects with their communes (2), places, region, outline frame (the data version and the
# demo notice were read by the warm-up request)
QUERIES_MAP = 5


def test_map_without_places_says_so(client, territory):
    response = client.get("/en/projects/map/")

    html = response.content.decode()
    assert '<svg class="map project-map"' not in html
    assert "No published project matching these filters has a place on the map." in html


# --- Catalogue ---------------------------------------------------------------------------------


@pytest.fixture
def catalogue(namur, liege, organisation) -> dict[str, Project]:
    """Three published projects and one draft, across themes, communes and funding."""
    later = timezone.make_aware(dt.datetime(2026, 4, 1, 10, 0))
    wifi = ProjectFactory(
        owner_municipality=namur, slug="wifi", title_fr="Wi-Fi public", themes=["digital_inclusion"]
    )
    bus = ProjectFactory(
        owner_municipality=liege,
        slug="bus",
        title_fr="Bus à la demande",
        themes=["mobility"],
        status=Project.Status.COMPLETED,
        lead=organisation,
        first_published_at=later,
        published_at=later,
    )
    ProjectFunding.objects.create(project=bus, source="eu")
    data = ProjectFactory(
        owner_municipality=namur,
        slug="open-data",
        title_fr="Portail de données ouvertes",
        themes=["data", "mobility"],
    )
    draft = ProjectFactory(
        owner_municipality=namur, slug="secret", title_fr="Projet secret", state="draft"
    )
    return {"wifi": wifi, "bus": bus, "data": data, "draft": draft}


def _results(html: str) -> list[str]:
    listing = html.split('class="result-list"', 1)
    if len(listing) < 2:
        return []
    card_link = r'<h3 id="project-\d+-title"><a href="/\w\w/projects/([a-z0-9-]+)/"'
    return re.findall(card_link, listing[1])


def _facet(html: str, name: str) -> dict[str, str]:
    """Facet checkboxes of `name`: value → count, as the page shows them."""
    found = re.findall(
        rf'name="{name}" value="([^"]+)"[^>]*>\s*<label[^>]*>[^<]*'
        r'<span class="facet-count">\((\d+)',
        html,
    )
    return dict(found)


def test_catalogue_lists_published_projects_newest_first(client, catalogue):
    response = client.get("/en/projects/")

    html = response.content.decode()
    assert response.status_code == 200
    assert _results(html) == ["bus", "open-data", "wifi"]  # same date: the latest added first
    assert "Projet secret" not in html
    assert "3 projects found." in html
    assert 'href="/data/projects.csv"' in html
    assert 'href="/en/projects/feed.atom"' in html


def test_catalogue_facets_filter_and_count(client, catalogue):
    html = client.get("/en/projects/", {"theme": "mobility"}).content.decode()

    assert set(_results(html)) == {"bus", "open-data"}
    assert "2 projects found." in html
    # The theme facet counts without its own filter; others count within it.
    assert _facet(html, "theme") == {"mobility": "2", "data": "1", "digital_inclusion": "1"}
    assert _facet(html, "status") == {"in_progress": "1", "completed": "1"}
    assert _facet(html, "funding") == {"eu": "1"}
    assert 'name="theme" value="mobility" id="facet-theme-mobility" checked' in html
    assert 'href="/en/projects/?">Clear “Theme”</a>' in html


def test_catalogue_reports_invalid_parameters_and_ignores_them(client, catalogue):
    html = client.get(
        "/en/projects/", {"theme": ["mobility", "bogus"], "sort": "weird", "page": "x"}
    ).content.decode()

    assert set(_results(html)) == {"bus", "open-data"}
    assert 'role="alert"' in html
    assert "“weird”" in html
    assert "bogus" in html


def test_catalogue_paginates(client, namur):
    for index in range(23):
        ProjectFactory(
            owner_municipality=namur, slug=f"p-{index:02d}", title_fr=f"Projet {index:02d}"
        )

    first = client.get("/en/projects/", {"sort": "title"}).content.decode()
    second = client.get("/en/projects/", {"sort": "title", "page": "2"}).content.decode()

    assert _results(first) == [f"p-{index:02d}" for index in range(20)]
    assert _results(second) == ["p-20", "p-21", "p-22"]
    assert 'href="/en/projects/?sort=title&amp;page=2" rel="next"' in first
    assert "Showing 21–23." in second


def test_catalogue_query_count_is_constant(
    client,
    namur,
    liege,
    organisation,
    other_member,
    django_assert_num_queries,
    django_capture_on_commit_callbacks,
):
    client.force_login(other_member)  # signed in: no whole-page cache
    ProjectFactory(
        owner_municipality=namur, slug="one", lead=organisation, is_demo=True
    ).municipalities.add(liege)
    client.get("/fr/projects/", {"theme": "mobility"})  # builds the index; no card drawn
    with django_assert_num_queries(QUERIES_CATALOGUE_COLD):
        client.get("/fr/projects/", {"theme": "people"})
    with django_assert_num_queries(QUERIES_CATALOGUE_WARM):
        html = client.get("/fr/projects/", {"theme": "people", "sort": "title"}).content
    assert _results(html.decode()) == ["one"]
    for index in range(15):
        ProjectFactory(
            owner_municipality=namur, slug=f"more-{index}", lead=organisation
        ).municipalities.add(liege)
    from smartregion.core.pagecache import data_version_bump

    with django_capture_on_commit_callbacks(execute=True):
        data_version_bump()
    client.get("/fr/projects/", {"theme": "mobility"})  # rebuilds the index for the new version
    with django_assert_num_queries(QUERIES_CATALOGUE_COLD):
        client.get("/fr/projects/", {"theme": "people"})
    with django_assert_num_queries(QUERIES_CATALOGUE_WARM):
        html = client.get("/fr/projects/", {"theme": "people", "sort": "title"}).content
    assert len(_results(html.decode())) == 16


def test_catalogue_cards_are_cached_per_language_and_data(
    client, namur, django_capture_on_commit_callbacks
):
    project = ProjectFactory(
        owner_municipality=namur, slug="one", title_fr="Wi-Fi public", title_en="Public Wi-Fi"
    )
    assert (
        'href="/fr/projects/one/">Wi-Fi public</a>' in client.get("/fr/projects/").content.decode()
    )
    html = client.get("/en/projects/").content.decode()
    assert 'href="/en/projects/one/">Public Wi-Fi</a>' in html
    Project.objects.filter(pk=project.pk).update(title_fr="Wi-Fi gratuit")
    from smartregion.core.pagecache import data_version_bump

    with django_capture_on_commit_callbacks(execute=True):
        data_version_bump()
    html = client.get("/fr/projects/", {"sort": "title"}).content.decode()
    assert 'href="/fr/projects/one/">Wi-Fi gratuit</a>' in html


# Signed in: session, user; then, for cards not drawn before, the projects with their communes.
QUERIES_CATALOGUE_COLD = 4
QUERIES_CATALOGUE_WARM = 2
