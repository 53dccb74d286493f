"""An edit that does not say which version it started from (or says 0) never overwrites anything."""

from __future__ import annotations

import pytest

from smartregion.accounts.tokens import api_token_create
from smartregion.projects.models import Project
from smartregion.projects.services import (
    ProjectConflict,
    ProjectInput,
    project_create,
    project_update,
)

pytestmark = pytest.mark.django_db


def _data(namur, **changes) -> ProjectInput:
    values = {
        "title_fr": "Budget participatif numérique",
        "summary_fr": "Les habitants proposent et votent en ligne.",
        "status": Project.Status.PLANNED,
        "themes": ["participation"],
        "municipality_ids": [namur.pk],
    }
    return ProjectInput(**{**values, **changes})


@pytest.fixture
def changed(namur, member, manager) -> Project:
    """A project a colleague (the manager) saved after it was created: version 2."""
    project = project_create(user=member, owner_municipality=namur, data=_data(namur))
    return project_update(
        project=project,
        user=manager,
        data=_data(namur, title_fr="Titre du collègue"),
        expected_version=1,
    )


def _form(namur, **extra) -> dict[str, str]:
    return {
        "title_fr": "Mon titre",
        "summary_fr": "Les habitants proposent et votent en ligne.",
        "status": "planned",
        "themes": ["participation"],
        "municipalities": [str(namur.pk)],
        **{f"{name}-{count}": "0" for name in ("fundings", "indicators", "locations")
           for count in ("INITIAL_FORMS",)},
        **{f"{name}-TOTAL_FORMS": "1" for name in ("fundings", "indicators", "locations")},
        **extra,
    }  # fmt: skip


@pytest.mark.parametrize("version", [None, "", "0"])
def test_edit_form_without_a_version_is_refused_like_a_stale_one(
    client, namur, member, changed, version
):
    client.force_login(member)
    data = _form(namur) if version is None else _form(namur, version=version)

    response = client.post(f"/fr/projects/{changed.slug}/edit/", data)

    changed.refresh_from_db()
    assert response.status_code == 409
    assert (changed.title_fr, changed.version) == ("Titre du collègue", 2)
    assert 'name="version" value="2"' in response.content.decode()


def test_edit_form_with_the_current_version_saves(client, namur, member, changed):
    client.force_login(member)

    response = client.post(f"/fr/projects/{changed.slug}/edit/", _form(namur, version="2"))

    changed.refresh_from_db()
    assert response.status_code == 302
    assert (changed.title_fr, changed.version) == ("Mon titre", 3)


@pytest.mark.parametrize("version", [0, -1])
def test_service_refuses_a_version_that_names_none(namur, member, changed, version):
    with pytest.raises(ProjectConflict):
        project_update(
            project=changed, user=member, data=_data(namur, title_fr="X"), expected_version=version
        )

    changed.refresh_from_db()
    assert (changed.title_fr, changed.version) == ("Titre du collègue", 2)


def test_api_update_with_version_0_is_409_and_changes_nothing(client, member, changed):
    _token, secret = api_token_create(user=member, name="tests")

    response = client.patch(
        f"/api/v1/projects/{changed.slug}",
        {"version": 0, "title_fr": "Écrasé"},
        "application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )

    changed.refresh_from_db()
    assert (response.status_code, response.json()["current_version"]) == (409, 2)
    assert (changed.title_fr, changed.version) == ("Titre du collègue", 2)


@pytest.mark.parametrize("version", [-1, 2**31, None])
def test_api_update_with_an_impossible_version_is_422(client, member, changed, version):
    _token, secret = api_token_create(user=member, name="tests")

    response = client.patch(
        f"/api/v1/projects/{changed.slug}",
        {"version": version, "title_fr": "Écrasé"},
        "application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )

    changed.refresh_from_db()
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["body", "payload", "version"]
    assert changed.version == 2
