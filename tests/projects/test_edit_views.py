"""Editing and review pages: permission matrix, forms, conflicts, review, history, files."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from PIL import Image

from smartregion.accounts.models import Organisation
from smartregion.projects.models import Project, ProjectDocument, ProjectImage
from smartregion.projects.services import (
    ProjectInput,
    project_create,
    project_document_add,
    project_image_add,
    project_publish,
    project_submit,
    project_update,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

ROLES = [
    "anonymous",
    "other_member",
    "member",
    "manager",
    "organisation_member",
    "staff_user",
    "editor",
]


@pytest.fixture
def as_role(request, client):
    def login(role: str) -> Client:
        if role != "anonymous":
            client.force_login(request.getfixturevalue(role))
        return client

    return login


def _data(namur, **changes) -> ProjectInput:
    values = {
        "title_fr": "Budget participatif numérique",
        "summary_fr": "Les habitants proposent et votent en ligne.",
        "status": Project.Status.PLANNED,
        "themes": ["participation"],
        "municipality_ids": [namur.pk],
    }
    values.update(changes)
    return ProjectInput(**values)


@pytest.fixture
def draft(namur, member) -> Project:
    return project_create(user=member, owner_municipality=namur, data=_data(namur))


def _post_data(namur, project: Project | None = None, **changes) -> dict:
    data = {
        "title_fr": "Budget participatif numérique",
        "summary_fr": "Les habitants proposent et votent en ligne.",
        "status": "planned",
        "themes": ["participation"],
        "municipalities": [str(namur.pk)],
        "fundings-TOTAL_FORMS": "1",
        "fundings-INITIAL_FORMS": "0",
        "indicators-TOTAL_FORMS": "1",
        "indicators-INITIAL_FORMS": "0",
        "locations-TOTAL_FORMS": "1",
        "locations-INITIAL_FORMS": "0",
    }
    if project is not None:
        data["version"] = str(project.version)
    else:
        data["owner"] = f"municipality:{namur.pk}"
    data.update(changes)
    return data


def _html(response) -> str:
    return response.content.decode()


# --- permission matrix -------------------------------------------------------------------------

EXPECTED_DRAFT = {
    # role: (edit, history, review, submit)
    "anonymous": (302, 302, 302, 302),
    "other_member": (404, 404, 404, 404),
    "member": (200, 200, 403, 302),
    "manager": (200, 200, 403, 302),
    "organisation_member": (404, 404, 404, 404),
    "staff_user": (404, 404, 404, 404),
    "editor": (200, 200, 200, 302),
}


@pytest.mark.parametrize("role", ROLES)
def test_draft_pages_by_role(role, as_role, draft):
    client = as_role(role)
    codes = (
        client.get(f"/fr/projects/{draft.slug}/edit/").status_code,
        client.get(f"/fr/projects/{draft.slug}/history/").status_code,
        client.get(f"/fr/projects/{draft.slug}/review/").status_code,
        client.post(f"/fr/projects/{draft.slug}/submit/").status_code,
    )
    assert codes == EXPECTED_DRAFT[role]
    draft.refresh_from_db()
    expected_state = (
        "submitted" if EXPECTED_DRAFT[role][3] == 302 and role != "anonymous" else "draft"
    )
    assert draft.state == expected_state


EXPECTED_PUBLISHED = {
    # role: (edit, history, review)
    "anonymous": (302, 302, 302),
    "other_member": (403, 403, 403),
    "member": (200, 200, 403),
    "manager": (200, 200, 403),
    "organisation_member": (403, 403, 403),
    "staff_user": (403, 403, 403),
    "editor": (200, 200, 200),
}


@pytest.mark.parametrize("role", ROLES)
def test_published_pages_by_role(role, as_role, draft, editor):
    project_publish(project=draft, user=editor)
    client = as_role(role)

    codes = (
        client.get(f"/fr/projects/{draft.slug}/edit/").status_code,
        client.get(f"/fr/projects/{draft.slug}/history/").status_code,
        client.get(f"/fr/projects/{draft.slug}/review/").status_code,
    )

    assert codes == EXPECTED_PUBLISHED[role]


EXPECTED_LISTS = {
    # role: (mine, queue, create)
    "anonymous": (302, 302, 302),
    "other_member": (200, 403, 200),
    "member": (200, 403, 200),
    "manager": (200, 403, 200),
    "organisation_member": (200, 403, 200),
    "staff_user": (200, 403, 403),
    "editor": (200, 200, 200),
}


@pytest.mark.parametrize("role", ROLES)
def test_list_pages_by_role(role, as_role, territory):
    client = as_role(role)
    codes = (
        client.get("/fr/projects/mine/").status_code,
        client.get("/fr/projects/review/").status_code,
        client.get("/fr/projects/new/").status_code,
    )
    assert codes == EXPECTED_LISTS[role]


def test_organisation_member_edits_organisation_project(
    client, namur, organisation_member, organisation
):
    project = project_create(
        user=organisation_member, owner_organisation=organisation, data=_data(namur)
    )
    client.force_login(organisation_member)

    assert client.get(f"/fr/projects/{project.slug}/edit/").status_code == 200


# --- my projects and the queue --------------------------------------------------------------


def test_mine_lists_team_projects_in_all_states_with_constant_queries(
    client, namur, member, editor, django_assert_num_queries
):
    for index in range(3):
        project_create(
            user=member, owner_municipality=namur, data=_data(namur, title_fr=f"Projet {index}")
        )
    other = Project.objects.get(title_fr="Projet 1")
    project_submit(project=other, user=member)
    client.force_login(member)

    # session, user, memberships, actor rows, count, page, 2 × permissions
    with django_assert_num_queries(8):
        response = client.get("/fr/projects/mine/")

    html = _html(response)
    assert [t for t in ("Projet 0", "Projet 1", "Projet 2") if t in html] == [
        "Projet 0",
        "Projet 1",
        "Projet 2",
    ]
    assert html.count('action="/fr/projects/projet-') == 2  # submit buttons on the two drafts


def test_queue_lists_submitted_and_changed_published(client, namur, member, editor):
    submitted = project_create(
        user=member, owner_municipality=namur, data=_data(namur, title_fr="Soumis")
    )
    project_submit(project=submitted, user=member)
    changed = project_create(
        user=member, owner_municipality=namur, data=_data(namur, title_fr="Modifié")
    )
    project_publish(project=changed, user=editor)
    project_update(
        project=changed, user=member, data=_data(namur, title_fr="Modifié 2"), expected_version=1
    )
    project_create(user=member, owner_municipality=namur, data=_data(namur, title_fr="Brouillon"))
    client.force_login(editor)

    html = _html(client.get("/fr/projects/review/"))

    assert "Soumis" in html and "Modifié 2" in html and "Brouillon" not in html


# --- create and edit --------------------------------------------------------------------------


def test_create_saves_draft_and_redirects_to_form(client, namur, member):
    client.force_login(member)

    response = client.post(
        "/fr/projects/new/",
        _post_data(
            namur,
            **{
                "goals": ["11", "16"],
                "indicators-0-name_fr": "Votes",
                "indicators-0-target": "1000",
                "description_fr": '<p onclick="x">Texte</p>',
            },
        ),
    )

    project = Project.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/fr/projects/{project.slug}/edit/"
    assert (project.state, project.owner_municipality, project.goals) == ("draft", namur, [11, 16])
    assert project.description_fr == "<p>Texte</p>"
    assert [(i.name_fr, str(i.target)) for i in project.indicators.all()] == [
        ("Votes", "1000.0000")
    ]
    assert project.created_by == member


def test_create_refuses_owner_outside_user_teams(client, namur, member, organisation):
    client.force_login(member)

    response = client.post(
        "/fr/projects/new/", _post_data(namur, owner=f"organisation:{organisation.pk}")
    )

    assert response.status_code == 200
    assert Project.objects.count() == 0
    assert 'href="#id_owner"' in _html(response)


def test_create_shows_service_errors_next_to_fields_and_in_summary(client, namur, member):
    client.force_login(member)

    response = client.post(
        "/fr/projects/new/",
        _post_data(
            namur,
            showcase="on",
            start_date="2026-05-01",
            end_date="2026-01-01",
            **{"indicators-0-name_fr": "Votes", "indicators-0-target": "1e400"},
        ),
    )

    html = _html(response)
    assert Project.objects.count() == 0
    assert 'id="error-summary"' in html
    assert 'href="#id_title_en"' in html
    assert 'href="#id_end_date"' in html
    assert 'href="#id_indicators-0-target"' in html
    assert 'id="id_title_en_error"' in html
    assert 'aria-invalid="true"' in html


def test_create_shows_row_errors_in_summary(client, namur, member):
    client.force_login(member)

    response = client.post(
        "/fr/projects/new/", _post_data(namur, **{"locations-0-latitude": "50.1"})
    )

    assert Project.objects.count() == 0
    assert 'href="#id_locations-0-longitude"' in _html(response)


def test_edit_saves_and_moves_version(client, namur, member, draft):
    client.force_login(member)

    response = client.post(
        f"/fr/projects/{draft.slug}/edit/", _post_data(namur, draft, title_fr="Nouveau titre")
    )

    draft.refresh_from_db()
    assert response.status_code == 302
    assert (draft.title_fr, draft.version) == ("Nouveau titre", 2)


def test_edit_from_stale_version_shows_colleagues_changes_and_reapplies(
    client, namur, member, manager, draft
):
    project_update(
        project=draft,
        user=manager,
        data=_data(namur, summary_fr="Résumé du collègue.", title_fr="Titre du collègue"),
        expected_version=1,
    )
    client.force_login(member)

    response = client.post(
        f"/fr/projects/{draft.slug}/edit/",
        _post_data(namur, draft, title_fr="Mon titre", status="in_progress"),
    )

    html = _html(response)
    draft.refresh_from_db()
    assert response.status_code == 409
    assert (draft.title_fr, draft.status, draft.version) == ("Titre du collègue", "planned", 2)
    assert "Résumé du collègue." in html  # kept: the member had not touched the summary
    assert 'value="Mon titre"' in html  # the member's own change is re-applied
    assert 'name="version" value="2"' in html
    assert "manager@namur.example" in html


def test_edit_of_rejected_project_is_refused_to_team(client, namur, member, editor, draft):
    Project.objects.filter(pk=draft.pk).update(state="rejected")
    client.force_login(member)

    assert client.get(f"/fr/projects/{draft.slug}/edit/").status_code == 403


# --- review -----------------------------------------------------------------------------------


def test_editor_publishes_submitted_project(client, namur, member, editor, draft):
    project_submit(project=draft, user=member)
    client.force_login(editor)

    response = client.post(f"/fr/projects/{draft.slug}/review/", {"action": "publish"})

    draft.refresh_from_db()
    assert response.status_code == 302
    assert draft.state == "published"
    assert draft.revisions.first().author == editor


def test_request_changes_without_comment_shows_error(client, namur, member, editor, draft):
    project_submit(project=draft, user=member)
    client.force_login(editor)

    response = client.post(f"/fr/projects/{draft.slug}/review/", {"action": "request_changes"})

    draft.refresh_from_db()
    assert response.status_code == 200  # a form error on the page, not an error status
    assert draft.state == "submitted"
    assert 'href="#id_comment"' in _html(response)


def test_review_action_not_available_in_state_is_refused(client, namur, editor, draft):
    client.force_login(editor)

    response = client.post(
        f"/fr/projects/{draft.slug}/review/", {"action": "unpublish", "comment": "x"}
    )

    draft.refresh_from_db()
    assert response.status_code == 302
    assert draft.state == "draft"


def test_member_cannot_publish_through_review(client, namur, member, draft):
    client.force_login(member)

    response = client.post(f"/fr/projects/{draft.slug}/review/", {"action": "publish"})

    draft.refresh_from_db()
    assert (response.status_code, draft.state) == (403, "draft")


# --- history and compare -----------------------------------------------------------------------


def test_history_and_compare_show_who_and_what(client, namur, member, manager, draft):
    project_update(
        project=draft, user=manager, data=_data(namur, title_fr="Titre 2"), expected_version=1
    )
    client.force_login(member)

    history = _html(client.get(f"/fr/projects/{draft.slug}/history/"))
    compare = client.get(f"/fr/projects/{draft.slug}/compare/?older=1&newer=2")

    assert "manager@namur.example" in history and "member@namur.example" in history
    assert compare.status_code == 200
    assert "Titre 2" in _html(compare) and "Budget participatif numérique" in _html(compare)
    assert client.get(f"/fr/projects/{draft.slug}/compare/?older=1&newer=9").status_code == 404
    assert client.get(f"/fr/projects/{draft.slug}/compare/?older=x").status_code == 400


# --- files ------------------------------------------------------------------------------------


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (30, 20), (0, 90, 80)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }
    return tmp_path


def test_upload_image_and_serve_it_to_permitted_people_only(
    client, namur, member, other_member, draft, media
):
    client.force_login(member)

    response = client.post(
        f"/fr/projects/{draft.slug}/images/",
        {"file": SimpleUploadedFile("photo.png", _png(), "image/png"), "alt_fr": "Une place"},
    )

    image = ProjectImage.objects.get()
    assert response.status_code == 302
    assert image.file.name.startswith(f"projects/{draft.pk}/") and image.file.name.endswith(".jpg")
    served = client.get(f"/fr/projects/files/image/{image.pk}/")
    assert served.status_code == 200
    assert served["Content-Type"] == "image/jpeg"
    assert served["X-Content-Type-Options"] == "nosniff"
    assert served["Cache-Control"] == "private, no-store"
    client.force_login(other_member)
    assert client.get(f"/fr/projects/files/image/{image.pk}/").status_code == 404


def test_upload_bad_document_shows_error_and_saves_nothing(client, namur, member, draft, media):
    client.force_login(member)

    response = client.post(
        f"/fr/projects/{draft.slug}/documents/",
        {"file": SimpleUploadedFile("x.pdf", b"<script>", "application/pdf"), "title": "Plan"},
    )

    assert response.status_code == 400
    assert ProjectDocument.objects.count() == 0
    assert "“x.pdf” is not a PDF" in _html(response) or "x.pdf" in _html(response)
    assert list(media.rglob("*.*")) == []


def test_document_served_as_attachment_to_anyone_once_published(
    client, namur, member, editor, draft, media
):
    document = project_document_add(
        project=draft,
        user=member,
        upload=SimpleUploadedFile("plan.pdf", b"%PDF-1.7\n%%EOF", "application/pdf"),
        title="Plan",
    )
    assert client.get(f"/fr/projects/files/document/{document.pk}/").status_code == 404
    project_publish(project=draft, user=editor)

    response = client.get(f"/fr/projects/files/document/{document.pk}/")

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert (
        response["Content-Disposition"] == f'attachment; filename="{draft.slug}-{document.pk}.pdf"'
    )
    assert b"".join(response.streaming_content) == b"%PDF-1.7\n%%EOF"


@pytest.mark.parametrize(
    ("role", "status"), [("member", 302), ("other_member", 404), ("staff_user", 404)]
)
def test_file_remove_by_role(role, status, as_role, namur, member, draft, media):
    image = project_image_add(
        project=draft,
        user=member,
        upload=SimpleUploadedFile("p.png", _png()),
        alt_fr="Vue",
    )
    client = as_role(role)

    response = client.post(f"/fr/projects/{draft.slug}/files/image/{image.pk}/remove/")

    assert response.status_code == status
    assert ProjectImage.objects.filter(pk=image.pk).exists() is (status != 302)


# --- actors -----------------------------------------------------------------------------------


def test_actor_create_checks_enterprise_number_and_redirects_back(client, member):
    client.force_login(member)

    bad = client.post(
        "/fr/projects/actors/new/",
        {"name": "Lumière SA", "kind": "company", "enterprise_number": "0123.456.748"},
    )
    good = client.post(
        "/fr/projects/actors/new/",
        {
            "name": "Lumière SA",
            "kind": "company",
            "enterprise_number": "0123.456.749",
            "next": "/fr/projects/new/",
        },
    )

    assert bad.status_code == 400
    assert 'href="#id_enterprise_number"' in _html(bad)
    assert good.status_code == 302 and good["Location"] == "/fr/projects/new/"
    assert Organisation.objects.get(name="Lumière SA").enterprise_number == "0123456749"


def test_actor_create_ignores_offsite_next(client, member):
    client.force_login(member)

    response = client.post(
        "/fr/projects/actors/new/",
        {"name": "Asbl X", "kind": "association", "next": "https://evil.example/"},
    )

    assert response["Location"] == "/fr/projects/mine/"


def test_actor_create_refused_to_people_without_team(client, territory):
    client.force_login(UserFactory(email="nobody@example.org"))

    assert client.get("/fr/projects/actors/new/").status_code == 403
