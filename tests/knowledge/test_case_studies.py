"""Living case studies: made from a completed project by an editor, figures read live,
replicated as a draft project by a commune member."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from smartregion.accounts.models import Membership
from smartregion.knowledge.models import Kind, Resource, ResourceRevision
from smartregion.knowledge.queries import case_study_figures
from smartregion.projects.models import Indicator, Project, ProjectFunding
from smartregion.territory.models import Municipality
from tests.factories import MembershipFactory, ProjectFactory
from tests.knowledge.method_support import editor, resource

pytestmark = pytest.mark.django_db


@pytest.fixture
def liege(territory):
    return Municipality.objects.get(refnis="62063")


@pytest.fixture
def project(liege):
    project = ProjectFactory(
        slug="capteurs",
        title_fr="Capteurs de qualité de l'air",
        title_en="Air quality sensors",
        summary_fr="Un réseau de capteurs.",
        owner_municipality=liege,
        status=Project.Status.COMPLETED,
        themes=["environment", "data"],
        budget_eur=Decimal("120000"),
        lessons_fr="<p>Impliquer les écoles.</p>",
    )
    ProjectFunding.objects.create(
        project=project, source="regional_call", amount_eur=Decimal("60000")
    )
    ProjectFunding.objects.create(
        project=project, source="own", label="Budget communal", amount_eur=Decimal("60000")
    )
    Indicator.objects.create(
        project=project,
        name_fr="Capteurs installés",
        name_en="Sensors installed",
        unit="capteurs",
        baseline=Decimal("0"),
        target=Decimal("40"),
        achieved=Decimal("38"),
        position=0,
    )
    Indicator.objects.create(
        project=project, name_fr="Écoles associées", unit="écoles", target=Decimal("5"), position=1
    )
    return project


def _create_url(project):
    return f"/en/knowledge/case-studies/new/{project.slug}/"


# --- creating ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [("member", 403), ("manager", 403), ("other_member", 403), ("staff_user", 403)],
)
def test_only_editors_create_case_studies(client, request, project, who, status):
    client.force_login(request.getfixturevalue(who))

    assert client.get(_create_url(project)).status_code == status
    assert client.post(_create_url(project)).status_code == status
    assert Resource.objects.count() == 0


def test_anonymous_is_sent_to_sign_in(client, project):
    response = client.post(_create_url(project))

    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/")


def test_editor_turns_a_completed_project_into_a_draft_case_study(client, project):
    user = editor()
    client.force_login(user)

    response = client.post(_create_url(project))

    case = Resource.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/en/knowledge/case-studies/{case.slug}/"
    assert (case.kind, case.state, case.slug, case.project, case.owner) == (
        Kind.CASE_STUDY,
        Resource.State.DRAFT,
        "case-capteurs",
        project,
        user,
    )
    assert (case.title_fr, case.title_en, case.summary_fr, case.themes) == (
        "Capteurs de qualité de l'air",
        "Air quality sensors",
        "Un réseau de capteurs.",
        ["environment", "data"],
    )
    assert list(ResourceRevision.objects.values_list("resource_id", "number")) == [(case.pk, 1)]


def test_a_project_not_completed_is_refused(client, project):
    Project.objects.filter(pk=project.pk).update(status=Project.Status.IN_PROGRESS)
    client.force_login(editor())

    page = client.get(_create_url(project)).content.decode()
    response = client.post(_create_url(project), follow=True)

    assert (
        "Only a completed project can become a case study: this one is not completed yet." in page
    )
    assert "Only a completed project can become a case study." in response.content.decode()
    assert Resource.objects.count() == 0


def test_an_unpublished_project_is_404(client, liege):
    draft = ProjectFactory(
        slug="brouillon", owner_municipality=liege, status="completed", state="draft"
    )
    client.force_login(editor())

    assert client.post(_create_url(draft)).status_code == 404


def test_a_second_case_study_of_the_same_project_is_not_made(client, project):
    client.force_login(editor())
    client.post(_create_url(project))

    response = client.post(_create_url(project))

    assert response["Location"] == "/en/knowledge/case-studies/case-capteurs/"
    assert Resource.objects.count() == 1


# --- the page and its live figures --------------------------------------------------------------


@pytest.fixture
def case(project):
    return resource(
        "case-capteurs",
        Kind.CASE_STUDY,
        title_fr="Des capteurs à Liège",
        title_en="Sensors in Liège",
        body_en="What **worked**.\n\n<script>alert(1)</script>",
        project=project,
    )


def test_figures_are_read_from_the_project(case, project, liege):
    from django.utils import translation

    with translation.override("en"):
        figures = case_study_figures(case)

    assert figures["available"] is True
    assert (figures["status"], figures["budget_eur"], figures["funding_total"]) == (
        "completed",
        Decimal("120000.00"),
        Decimal("120000.00"),
    )
    assert figures["fundings"] == [
        {"source": "Regional call for projects", "label": "", "amount_eur": Decimal("60000.00")},
        {"source": "Own funds", "label": "Budget communal", "amount_eur": Decimal("60000.00")},
    ]
    assert [
        (i["name"], i["unit"], i["baseline"], i["target"], i["achieved"])
        for i in figures["indicators"]
    ] == [
        ("Sensors installed", "capteurs", Decimal("0.00"), Decimal("40.00"), Decimal("38.00")),
        ("Écoles associées", "écoles", None, Decimal("5.00"), None),
    ]
    assert figures["lessons"] == "<p>Impliquer les écoles.</p>"
    assert figures["communes"] == [liege.name]


def test_a_project_update_shows_at_once_on_the_page(client, case, project):
    first = client.get("/en/knowledge/case-studies/case-capteurs/").content.decode()
    Project.objects.filter(pk=project.pk).update(budget_eur=Decimal("150000"))
    Indicator.objects.filter(project=project, position=0).update(achieved=Decimal("40"))

    second = client.get("/en/knowledge/case-studies/case-capteurs/").content.decode()

    assert "120,000 €" in first and "150,000 €" not in first
    assert "150,000 €" in second
    assert (
        '<th scope="row">Sensors installed</th><td>capteurs</td><td>0</td><td>40</td><td>40</td>'
        in second
    )


def test_the_page_shows_the_sanitised_analysis(client, case):
    html = client.get("/en/knowledge/case-studies/case-capteurs/").content.decode()

    assert "<h1>Sensors in Liège</h1>" in html
    assert "What <strong>worked</strong>." in html
    assert "<script>alert(1)</script>" not in html


def test_a_project_withdrawn_from_the_catalogue_shows_no_figures(client, case, project):
    Project.objects.filter(pk=project.pk).update(state=Project.State.CHANGES_REQUESTED)

    html = client.get("/en/knowledge/case-studies/case-capteurs/").content.decode()

    assert "The project of this case study is no longer in the catalogue." in html
    assert "Replicate this" not in html


def test_case_study_page_runs_a_constant_number_of_queries(
    client, case, project, django_assert_num_queries
):
    client.get("/en/knowledge/case-studies/case-capteurs/")  # the glossary's terms, now cached
    # resource with its project, project, fundings, indicators, communes
    with django_assert_num_queries(5):
        client.get("/en/knowledge/case-studies/case-capteurs/")
    for n in range(8):
        Indicator.objects.create(project=project, name_fr=f"Indicateur {n}", position=n + 2)
        ProjectFunding.objects.create(project=project, source="eu", amount_eur=Decimal(n))
    with django_assert_num_queries(5):
        client.get("/en/knowledge/case-studies/case-capteurs/")


@pytest.mark.parametrize(
    ("who", "status"), [(None, 404), ("member", 404), ("staff_user", 404), ("editor", 200)]
)
def test_a_draft_case_study_is_seen_by_editors_only(client, request, case, who, status):
    Resource.objects.filter(pk=case.pk).update(state=Resource.State.DRAFT)
    if who == "editor":
        client.force_login(editor())
    elif who:
        client.force_login(request.getfixturevalue(who))

    assert client.get("/en/knowledge/case-studies/case-capteurs/").status_code == status


# --- replicate ---------------------------------------------------------------------------------


def _replicate(client, municipality):
    return client.post(
        "/en/knowledge/case-studies/case-capteurs/replicate/",
        {"municipality": str(municipality.pk)},
    )


def test_a_member_replicates_the_project_as_a_draft_of_their_commune(
    client, case, project, namur, member
):
    client.force_login(member)

    response = _replicate(client, namur)

    draft = Project.objects.exclude(pk=project.pk).get()
    assert response.status_code == 302
    assert response["Location"] == reverse("projects:edit", kwargs={"slug": draft.slug}).replace(
        "/fr/", "/en/"
    )
    assert (
        draft.state,
        draft.status,
        draft.owner_municipality,
        draft.themes,
        draft.created_by,
    ) == (
        Project.State.DRAFT,
        Project.Status.IDEA,
        namur,
        ["environment", "data"],
        member,
    )
    assert list(draft.municipalities.all()) == [namur]
    assert list(
        draft.indicators.values_list("name_fr", "name_en", "unit", "baseline", "target", "achieved")
    ) == [
        ("Capteurs installés", "Sensors installed", "capteurs", None, None, None),
        ("Écoles associées", "", "écoles", None, None, None),
    ]
    assert 'href="http://testserver/fr/projects/capteurs/"' in draft.description_fr
    assert "http://testserver/fr/knowledge/case-studies/case-capteurs/" in draft.description_fr
    assert draft.budget_eur is None and not draft.fundings.exists()


def test_replicate_shows_the_form_to_members(client, case, namur, member):
    client.force_login(member)

    html = client.get("/en/knowledge/case-studies/case-capteurs/").content.decode()

    assert f'<option value="{namur.pk}">Namur</option>' in html


def test_replicate_for_a_commune_one_is_not_member_of_is_refused(client, case, liege, member):
    client.force_login(member)

    response = _replicate(client, liege)

    assert response.status_code == 403
    assert Project.objects.count() == 1


@pytest.mark.parametrize("who", ["staff_user", "other_member"])
def test_replicate_for_namur_is_refused_to_non_members(client, request, case, namur, who):
    client.force_login(request.getfixturevalue(who))

    assert _replicate(client, namur).status_code == 403
    assert Project.objects.count() == 1


def test_replicate_needs_sign_in(client, case, namur):
    response = _replicate(client, namur)

    assert response.status_code == 302
    assert Project.objects.count() == 1


def test_a_member_of_two_communes_picks_one(client, case, project, namur, liege, member):
    MembershipFactory(user=member, municipality=liege, role=Membership.Role.MEMBER)
    client.force_login(member)

    _replicate(client, liege)

    assert Project.objects.exclude(pk=project.pk).get().owner_municipality == liege
