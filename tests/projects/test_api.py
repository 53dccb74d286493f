"""Project routes of the API: every route for each role, with exact bodies."""

from __future__ import annotations

import pytest

from smartregion.accounts.models import ApiToken
from smartregion.accounts.tokens import api_token_create, api_token_revoke
from smartregion.api.api import api
from smartregion.projects.models import Indicator, Project, ProjectRevision
from smartregion.projects.search import project_reindex_all
from smartregion.territory.models import Municipality
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

BASE = "https://smart.example.org"
LIST = "/api/v1/projects/"


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.SMARTREGION_BASE_URL = BASE


def _bearer(user) -> dict[str, str]:
    _token, secret = api_token_create(user=user, name="tests")
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def revoked(member) -> dict[str, str]:
    token, secret = api_token_create(user=member, name="old")
    api_token_revoke(token=token)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}


@pytest.fixture
def published(namur, staff_user) -> Project:
    # Authors set as the services set them: a project row without them fails full_clean.
    return ProjectFactory(
        owner_municipality=namur,
        title_en="Public Wi-Fi",
        contact_name="Ada",
        created_by=staff_user,
        updated_by=staff_user,
    )


@pytest.fixture
def draft(namur, staff_user) -> Project:
    return ProjectFactory(
        owner_municipality=namur,
        slug="draft-plan",
        title_fr="Plan",
        state=Project.State.DRAFT,
        created_by=staff_user,
        updated_by=staff_user,
    )


def _summary(project: Project, **changes) -> dict:
    body = {
        "id": project.pk,
        "slug": project.slug,
        "url": f"{BASE}/fr/projects/{project.slug}/",
        "title": {"fr": project.title_fr, "en": project.title_en},
        "summary": {
            "fr": "Un accès gratuit à Internet dans les bibliothèques communales.",
            "en": "",
        },
        "status": "in_progress",
        "themes": ["people", "digital_inclusion"],
        "goals": [4, 10],
        "communes": [{"refnis": "92094", "name": "Namur"}],
        "first_published_at": "2026-03-01T09:00:00+00:00",
        "is_demo": False,
    }
    body.update(changes)
    return body


# ---------------------------------------------------------------------------------------------
# GET /projects/
# ---------------------------------------------------------------------------------------------


def test_list_is_public_and_holds_only_published(client, published, draft):
    response = client.get(LIST)

    assert response.status_code == 200
    assert response.json() == {
        "count": 1,
        "page": 1,
        "pages": 1,
        "page_size": 20,
        "items": [_summary(published)],
    }


@pytest.mark.parametrize("who", ["member", "other_member", "editor"])
def test_list_is_the_same_for_every_token(client, published, draft, who, request):
    user = request.getfixturevalue(who)

    response = client.get(LIST, **_bearer(user))

    assert [item["slug"] for item in response.json()["items"]] == ["wifi-public"]


def test_list_refuses_a_revoked_token(client, published, revoked):
    response = client.get(LIST, **revoked)

    assert (response.status_code, response.json()) == (401, {"detail": "Unauthorized"})


def test_list_filters_and_paginates(client, namur):
    for index in range(22):
        ProjectFactory(
            owner_municipality=namur,
            slug=f"bus-{index}",
            title_fr=f"Bus {index}",
            themes=["mobility"],
        )
    ProjectFactory(owner_municipality=namur, slug="portal", title_fr="Portail", themes=["data"])

    first = client.get(LIST, {"theme": "mobility"}).json()
    second = client.get(LIST, {"theme": "mobility", "page": 2}).json()

    assert (first["count"], first["pages"], len(first["items"])) == (22, 2, 20)
    assert (second["page"], len(second["items"])) == (2, 2)
    slugs = {item["slug"] for item in first["items"] + second["items"]}
    assert slugs == {f"bus-{index}" for index in range(22)}


def test_list_refuses_unknown_filter_values(client, published):
    response = client.get(LIST, {"theme": "space", "commune": ["92094", "00000"]})

    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {"loc": ["query", "theme"], "msg": "Unknown value “space”.", "type": "unknown_value"},
            {
                "loc": ["query", "commune"],
                "msg": "Unknown value “00000”.",
                "type": "unknown_value",
            },
        ]
    }


def test_list_filters_by_commune(client, published, namur):
    in_namur = client.get(LIST, {"commune": "92094"}).json()
    in_liege = client.get(LIST, {"commune": "62063"}).json()

    assert [item["slug"] for item in in_namur["items"]] == [published.slug]
    assert in_liege["count"] == 0


def test_list_query_count_is_constant(client, namur, django_assert_num_queries):
    for index in range(5):
        ProjectFactory(owner_municipality=namur, slug=f"p{index}", title_fr=f"P{index}")
    client.get(LIST)  # builds the catalogue's per-process index

    with django_assert_num_queries(2):  # projects, communes with their province (version cached)
        client.get(LIST)


# ---------------------------------------------------------------------------------------------
# GET /projects/{slug}
# ---------------------------------------------------------------------------------------------


def test_read_published_project_anonymously(client, published):
    Indicator.objects.create(project=published, name_fr="Usagers", target=100, achieved=50)

    response = client.get(f"{LIST}wifi-public")

    body = response.json()
    assert response.status_code == 200
    assert body["indicators"] == [
        {
            "name": {"fr": "Usagers", "en": ""},
            "unit": "",
            "baseline": None,
            "target": 100.0,
            "achieved": 50.0,
            "measured_on": None,
        }
    ]
    assert {k: body[k] for k in ("state", "version", "owner", "contact_name", "url")} == {
        "state": "published",
        "version": 1,
        "owner": {"municipality": "92094", "organisation": None},
        "contact_name": "Ada",
        "url": f"{BASE}/fr/projects/wifi-public/",
    }


@pytest.mark.parametrize("who", [None, "other_member"])
def test_read_unpublished_is_404_for_outsiders(client, draft, who, request):
    headers = _bearer(request.getfixturevalue(who)) if who else {}

    response = client.get(f"{LIST}draft-plan", **headers)

    assert (response.status_code, response.json()) == (404, {"detail": "No such project."})


@pytest.mark.parametrize("who", ["member", "editor"])
def test_read_unpublished_for_team_and_editor(client, draft, who, request):
    response = client.get(f"{LIST}draft-plan", **_bearer(request.getfixturevalue(who)))

    assert response.status_code == 200
    assert (response.json()["slug"], response.json()["state"]) == ("draft-plan", "draft")


def test_read_unpublished_with_session(client, draft, member):
    client.force_login(member)

    assert client.get(f"{LIST}draft-plan").json()["state"] == "draft"


def test_read_with_revoked_token_is_401(client, published, revoked):
    assert client.get(f"{LIST}wifi-public", **revoked).status_code == 401


def test_read_unknown_project_is_404(client, territory):
    assert client.get(f"{LIST}nope").status_code == 404


# ---------------------------------------------------------------------------------------------
# POST /projects/
# ---------------------------------------------------------------------------------------------

NEW = {
    "owner": "municipality:92094",
    "title_fr": "Capteurs de qualité de l'air",
    "summary_fr": "Des capteurs près des écoles.",
    "status": "planned",
    "themes": ["environment"],
    "municipalities": ["92094"],
    "goals": [3, 11],
    "indicators": [{"name_fr": "Capteurs", "target": "12"}],
    "locations": [{"latitude": 50.4669, "longitude": 4.8675, "label": "École"}],
}


def test_create_by_member_makes_a_draft(client, member):
    response = client.post(LIST, NEW, content_type="application/json", **_bearer(member))

    body = response.json()
    project = Project.objects.get()
    assert response.status_code == 201
    assert (project.slug, project.state, project.owner_municipality.refnis) == (
        "capteurs-de-qualite-de-lair",
        "draft",
        "92094",
    )
    assert (body["slug"], body["state"], body["version"], body["goals"]) == (
        project.slug,
        "draft",
        1,
        [3, 11],
    )
    assert body["indicators"][0]["target"] == 12.0
    assert body["locations"] == [{"label": "École", "latitude": 50.4669, "longitude": 4.8675}]
    assert list(project.revisions.values_list("action", "author")) == [
        (ProjectRevision.Action.CREATED, member.pk)
    ]


def test_create_for_another_commune_is_403(client, other_member):
    response = client.post(LIST, NEW, content_type="application/json", **_bearer(other_member))

    assert (response.status_code, response.json()) == (
        403,
        {"detail": "You may not create projects for “municipality:92094”."},
    )
    assert Project.objects.count() == 0


def test_create_by_editor_for_any_commune(client, editor, territory):
    response = client.post(LIST, NEW, content_type="application/json", **_bearer(editor))

    assert response.status_code == 201
    assert Project.objects.get().owner_municipality.refnis == "92094"


def test_create_needs_a_live_token(client, member, revoked):
    anonymous = client.post(LIST, NEW, content_type="application/json")
    with_revoked = client.post(LIST, NEW, content_type="application/json", **revoked)

    assert (anonymous.status_code, with_revoked.status_code) == (401, 401)
    assert Project.objects.count() == 0


def test_create_ignores_the_session(client, member):
    client.force_login(member)

    assert client.post(LIST, NEW, content_type="application/json").status_code == 401


def test_create_by_someone_without_team_is_403(client, territory):
    from tests.factories import UserFactory

    response = client.post(
        LIST, NEW, content_type="application/json", **_bearer(UserFactory(email="lone@x.example"))
    )

    assert (response.status_code, response.json()) == (
        403,
        {"detail": "Only members of a commune or an organisation create projects."},
    )


def test_create_with_bad_input_gives_paths(client, member):
    bad = {
        **NEW,
        "themes": [],
        "municipalities": ["92094", "99999"],
        "indicators": [{"name_fr": "", "target": "12"}],
        "lead": "ghost",
    }

    response = client.post(LIST, bad, content_type="application/json", **_bearer(member))

    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "loc": ["body", "municipalities", 1],
                "msg": "No commune has the REFNIS code “99999”.",
                "type": "invalid",
            },
            {
                "loc": ["body", "lead"],
                "msg": "No organisation has the short name “ghost”.",
                "type": "invalid",
            },
        ]
    }
    assert Project.objects.count() == 0


def test_create_with_invalid_fields_gives_service_paths(client, member):
    bad = {**NEW, "themes": [], "indicators": [{"name_fr": "", "target": "12"}]}

    response = client.post(LIST, bad, content_type="application/json", **_bearer(member))

    locs = sorted(tuple(map(str, item["loc"])) for item in response.json()["detail"])
    assert response.status_code == 422
    assert locs == [("body", "indicators", "0", "name_fr"), ("body", "themes")]


def test_create_with_malformed_body_is_422(client, member):
    response = client.post(
        LIST, {**NEW, "goals": "many"}, content_type="application/json", **_bearer(member)
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "payload", "goals"]


# ---------------------------------------------------------------------------------------------
# PATCH /projects/{slug}
# ---------------------------------------------------------------------------------------------


def test_update_by_member(client, member, draft):
    response = client.patch(
        f"{LIST}draft-plan",
        {"version": 1, "title_en": "Plan", "municipalities": ["92094", "62063"]},
        content_type="application/json",
        **_bearer(member),
    )

    draft.refresh_from_db()
    assert response.status_code == 200
    assert (draft.title_en, draft.version, draft.title_fr) == ("Plan", 2, "Plan")
    assert [c["refnis"] for c in response.json()["communes"]] == ["62063", "92094"]
    assert response.json()["version"] == 2


def test_update_with_stale_version_is_409(client, member, draft):
    headers = _bearer(member)
    client.patch(
        f"{LIST}draft-plan", {"version": 1, "title_en": "A"}, "application/json", **headers
    )

    response = client.patch(
        f"{LIST}draft-plan", {"version": 1, "title_en": "B"}, "application/json", **headers
    )

    body = response.json()
    draft.refresh_from_db()
    assert response.status_code == 409
    assert (body["detail"], body["current_version"]) == (
        "Someone else saved this project while you were editing it.",
        2,
    )
    assert [(r["action"], r["author"]) for r in body["revisions"]] == [
        ("updated", "member@namur.example")
    ]
    assert draft.title_en == "A"


def test_update_by_other_commune_member(client, other_member, draft, published):
    headers = _bearer(other_member)

    hidden = client.patch(f"{LIST}draft-plan", {"version": 1}, "application/json", **headers)
    public = client.patch(f"{LIST}wifi-public", {"version": 1}, "application/json", **headers)

    assert (hidden.status_code, hidden.json()) == (404, {"detail": "No such project."})
    assert (public.status_code, public.json()) == (
        403,
        {"detail": "Only the project's team and the centre's editors change it."},
    )


def test_update_by_editor(client, editor, published):
    response = client.patch(
        f"{LIST}wifi-public",
        {"version": 1, "status": "completed"},
        "application/json",
        **_bearer(editor),
    )

    published.refresh_from_db()
    assert (response.status_code, published.status, published.needs_review) == (
        200,
        "completed",
        False,
    )


def test_update_of_published_by_team_flags_review(client, member, published):
    client.patch(
        f"{LIST}wifi-public",
        {"version": 1, "status": "completed"},
        "application/json",
        **_bearer(member),
    )

    published.refresh_from_db()
    assert (published.status, published.needs_review, published.state) == (
        "completed",
        True,
        "published",
    )


def test_update_needs_a_live_token(client, revoked, draft):
    anonymous = client.patch(f"{LIST}draft-plan", {"version": 1}, "application/json")
    with_revoked = client.patch(f"{LIST}draft-plan", {"version": 1}, "application/json", **revoked)

    assert (anonymous.status_code, with_revoked.status_code) == (401, 401)


def test_update_with_bad_input_gives_paths(client, member, draft):
    response = client.patch(
        f"{LIST}draft-plan",
        {"version": 1, "locations": [{"latitude": 91, "longitude": 4}]},
        "application/json",
        **_bearer(member),
    )

    assert response.status_code == 422
    assert [item["loc"] for item in response.json()["detail"]] == [
        ["body", "locations", 0, "latitude"]
    ]
    draft.refresh_from_db()
    assert draft.version == 1


def test_update_without_version_is_422(client, member, draft):
    response = client.patch(
        f"{LIST}draft-plan", {"title_en": "x"}, "application/json", **_bearer(member)
    )

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "payload", "version"]


def test_revoking_membership_revokes_what_a_token_may_do(client, member, draft):
    headers = _bearer(member)
    member.memberships.all().delete()

    response = client.patch(f"{LIST}draft-plan", {"version": 1}, "application/json", **headers)

    assert response.status_code == 404
    assert ApiToken.objects.filter(user=member).count() == 1


def test_openapi_schema_builds_with_bearer_auth(territory):
    schema = api.get_openapi_schema()

    assert {"/api/v1/projects/", "/api/v1/projects/{slug}"} <= set(schema["paths"])
    assert set(schema["paths"]["/api/v1/projects/"]) == {"get", "post"}
    assert set(schema["paths"]["/api/v1/projects/{slug}"]) == {"get", "patch"}
    schemes = schema["components"]["securitySchemes"]
    assert {"type": "http", "scheme": "bearer"}.items() <= schemes["TokenAuth"].items()
    assert Municipality.objects.filter(refnis="62063").exists()


def test_list_search_finds_theme_names_and_commune_exonyms_best_first(client, namur):
    liege = Municipality.objects.get(refnis="62063")
    themed = ProjectFactory(owner_municipality=liege, slug="themed", themes=["mobility"])
    titled = ProjectFactory(
        owner_municipality=namur, slug="titled", themes=["data"], title_fr="Plan de mobilité"
    )
    project_reindex_all()

    by_theme = client.get(LIST, {"q": "Mobilität"}).json()
    by_word = client.get(LIST, {"q": "mobilites"}).json()
    by_exonym = client.get(LIST, {"q": "Lüttich"}).json()

    assert [item["slug"] for item in by_theme["items"]] == [themed.slug]
    # A project of the theme outranks one with the word in its title only (see search.py).
    assert [item["slug"] for item in by_word["items"]] == [themed.slug, titled.slug]
    assert [item["slug"] for item in by_exonym["items"]] == [themed.slug]
