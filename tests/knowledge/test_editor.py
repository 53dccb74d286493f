"""Editors' pages: the permission matrix, creating, editing (stale saves refused), preview,
uploads and the workflow buttons."""

from __future__ import annotations

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from smartregion.knowledge import services
from smartregion.knowledge.models import Resource, ResourceFile
from tests.factories import ResourceFactory

pytestmark = pytest.mark.django_db

# (method, path) of every editor page; "g" is the resource the matrix arranges.
# The editor's status: an empty POST re-shows a form (200), is refused (400) or redirects back
# with an error message (302).
EDITOR_VIEWS = [
    ("get", "/fr/knowledge/editor/new/", 200),
    ("post", "/fr/knowledge/editor/new/", 200),
    ("get", "/fr/knowledge/editor/translations/", 200),
    ("get", "/fr/knowledge/editor/review/", 200),
    ("get", "/fr/knowledge/editor/g/", 200),
    ("post", "/fr/knowledge/editor/g/", 200),
    ("post", "/fr/knowledge/editor/g/state/", 302),
    ("post", "/fr/knowledge/editor/g/files/", 400),
    ("get", "/fr/knowledge/editor/g/history/", 200),
    ("get", "/fr/knowledge/editor/g/compare/?older=1&newer=2", 200),
    ("post", "/fr/knowledge/editor/g/confirm/", 302),
]
DENIED = {"other_member": 403, "member": 403, "manager": 403, "staff": 403}


def _arranged(editor) -> Resource:
    resource = services.create_resource(
        Resource(kind="guide", slug="g", title_fr="G", body_fr="x"), user=editor
    )
    resource.body_fr = "y"
    services.save_resource(resource, user=editor)
    return resource


@pytest.mark.parametrize(("method", "path", "allowed"), EDITOR_VIEWS)
def test_editor_views_permission_matrix(client, roles, editor, method, path, allowed):
    _arranged(editor)
    statuses, login = {}, ""
    for role, user in roles.items():
        client.logout()
        if user is not None:
            client.force_login(user)
        response = getattr(client, method)(path)
        statuses[role] = response.status_code
        if role == "anonymous":
            login = response["Location"].split("?")[0]

    assert statuses == {"anonymous": 302, **DENIED, "editor": allowed}
    assert login == "/fr/accounts/login/"


def _form(**values) -> dict:
    data = {
        "kind": "guide",
        "slug": "nouveau",
        "title_fr": "Nouveau guide",
        "body_fr": "Du *texte*.",
        "licence": "CC-BY-4.0",
        "significance": "minor",
        "comment": "",
    }
    data.update(values)
    return data


def test_create_saves_revision_one_and_redirects_to_the_editor(client, editor):
    client.force_login(editor)

    response = client.post(
        "/fr/knowledge/editor/new/", _form(themes=["data"], comment="Premier jet")
    )

    resource = Resource.objects.get(slug="nouveau")
    assert (response.status_code, response["Location"]) == (302, "/fr/knowledge/editor/nouveau/")
    assert (resource.state, resource.version, resource.owner, resource.themes) == (
        "draft",
        1,
        editor,
        ["data"],
    )
    assert list(resource.revisions.values_list("number", "comment")) == [(1, "Premier jet")]


def test_create_without_french_title_names_the_field(client, editor):
    client.force_login(editor)

    response = client.post("/fr/knowledge/editor/new/", _form(title_fr=""))

    assert response.status_code == 200
    assert "title_fr" in response.context["form"].errors
    assert 'href="#id_title_fr"' in response.content.decode()
    assert not Resource.objects.exists()


def test_preview_renders_without_saving(client, editor):
    client.force_login(editor)

    response = client.post(
        "/fr/knowledge/editor/new/", _form(body_fr="## Aperçu\n\n**gras**", preview="1")
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h2>Aperçu</h2>" in html and "<strong>gras</strong>" in html
    assert not Resource.objects.exists()


def test_edit_with_stale_version_is_refused_with_message(client, editor):
    resource = _arranged(editor)  # at version 2
    client.force_login(editor)

    response = client.post(
        "/fr/knowledge/editor/g/", _form(slug="g", title_fr="G", body_fr="z", version=1)
    )

    resource.refresh_from_db()
    assert response.status_code == 200
    assert (
        "Quelqu’un a enregistré cette ressource après que vous l’avez ouverte (version 2)"
        in response.content.decode()
    )
    assert (resource.body_fr, resource.version) == ("y", 2)


def test_edit_saves_a_new_revision_with_message(client, editor):
    _arranged(editor)
    client.force_login(editor)

    response = client.post(
        "/fr/knowledge/editor/g/",
        _form(slug="g", title_fr="G", body_fr="z", version=2, comment="Typo", significance="major"),
        follow=True,
    )

    resource = Resource.objects.get(slug="g")
    assert "Révision 3 enregistrée." in response.content.decode()
    assert (resource.body_fr, resource.version, resource.source_version) == ("z", 3, 2)
    revision = resource.revisions.get(number=3)
    assert (revision.comment, revision.significance, revision.languages) == (
        "Typo",
        "major",
        ["fr"],
    )


def test_edit_sets_related_resources_and_refuses_unknown_slugs(client, editor):
    _arranged(editor)
    ResourceFactory(slug="autre")
    client.force_login(editor)

    refused = client.post(
        "/fr/knowledge/editor/g/",
        _form(slug="g", title_fr="G", body_fr="y", version=2, related_slugs="autre\ninconnu"),
    )
    client.post(
        "/fr/knowledge/editor/g/",
        _form(slug="g", title_fr="G", body_fr="y", version=2, related_slugs="autre"),
    )

    assert "Aucune ressource ne porte ces noms courts\xa0: inconnu" in refused.content.decode()
    assert list(Resource.objects.get(slug="g").related.values_list("slug", flat=True)) == ["autre"]


@pytest.mark.parametrize(
    ("start", "to", "message", "state"),
    [
        ("draft", "review", "The resource is now “In review”.", "review"),
        ("review", "published", "The resource is now “Published”.", "published"),
        ("published", "archived", "The resource is now “Archived”.", "archived"),
        ("draft", "needs_review", "A resource cannot go from “Draft” to “Needs review”.", "draft"),
        (
            "archived",
            "published",
            "A resource cannot go from “Archived” to “Published”.",
            "archived",
        ),
    ],
)
def test_workflow_buttons(client, editor, start, to, message, state):
    ResourceFactory(slug="g", state=start)
    client.force_login(editor)

    response = client.post("/en/knowledge/editor/g/state/", {"to": to}, follow=True)

    assert message in response.content.decode()
    assert Resource.objects.get(slug="g").state == state


def _png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (20, 10), "red").save(buffer, "PNG")
    return buffer.getvalue()


def test_upload_image_with_alt_text(client, editor):
    _arranged(editor)
    client.force_login(editor)
    upload = SimpleUploadedFile("schema.png", _png(), content_type="image/png")

    response = client.post(
        "/fr/knowledge/editor/g/files/",
        {
            "role": "image",
            "title": "Schéma",
            "alt_text": "Un schéma",
            "language": "fr",
            "file": upload,
        },
    )

    item = ResourceFile.objects.get()
    assert (response.status_code, item.role, item.alt_text, item.media_type) == (
        302,
        "image",
        "Un schéma",
        "image/jpeg",
    )  # re-encoded from its pixels by projects.uploads


def test_upload_image_without_alt_text_is_refused(client, editor):
    _arranged(editor)
    client.force_login(editor)
    upload = SimpleUploadedFile("schema.png", _png(), content_type="image/png")

    response = client.post(
        "/fr/knowledge/editor/g/files/",
        {"role": "image", "title": "Schéma", "language": "fr", "file": upload},
    )

    assert response.status_code == 400
    assert "Une image doit avoir une alternative textuelle." in response.content.decode()
    assert not ResourceFile.objects.exists()


def test_upload_bad_file_is_refused_with_message(client, editor):
    _arranged(editor)
    client.force_login(editor)
    upload = SimpleUploadedFile("virus.pdf", b"MZ not a pdf at all", content_type="application/pdf")

    response = client.post(
        "/fr/knowledge/editor/g/files/",
        {"role": "attachment", "title": "Modèle", "language": "fr", "file": upload},
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "virus.pdf" in html
    assert not ResourceFile.objects.exists()


def test_editor_banner_on_public_page_only_for_editors(client, editor, staff_user):
    ResourceFactory(slug="g", state="needs_review")

    client.force_login(staff_user)
    as_staff = client.get("/en/knowledge/g/").content.decode()
    client.force_login(editor)
    as_editor = client.get("/en/knowledge/g/").content.decode()

    assert "This resource needs review." not in as_staff
    assert "This resource needs review." in as_editor
    assert 'href="/en/knowledge/editor/g/"' in as_editor


@pytest.mark.parametrize("slug", ["resources", "new", "translations"])
def test_create_refuses_a_slug_another_page_uses(client, editor, slug):
    client.force_login(editor)

    response = client.post("/en/knowledge/editor/new/", _form(slug=slug))

    assert response.context["form"].errors["slug"] == [
        f"“{slug}” is the address of another page: choose another."
    ]
    assert not Resource.objects.exists()


def test_two_resources_without_key_can_be_created(client, editor):
    client.force_login(editor)

    client.post("/en/knowledge/editor/new/", _form(slug="un", key=""))
    client.post("/en/knowledge/editor/new/", _form(slug="deux", key=""))

    assert list(Resource.objects.order_by("slug").values_list("slug", "key")) == [
        ("deux", None),
        ("un", None),
    ]
