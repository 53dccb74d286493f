"""Public resource pages: the filtered list, a resource's page and its banners, files, redirects."""

from __future__ import annotations

import subprocess

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import translation

from smartregion.knowledge import services
from smartregion.knowledge.models import Resource, ResourceFile, SlugRedirect
from tests.factories import ProjectFactory, ResourceFactory

pytestmark = pytest.mark.django_db


def _titles(response) -> list[str]:
    return [resource.title_fr for resource in response.context["page"].object_list]


def test_list_shows_listed_resources_only(client):
    ResourceFactory(slug="a", title_fr="A publié")
    ResourceFactory(slug="b", title_fr="B à revoir", state="needs_review")
    ResourceFactory(slug="c", title_fr="C brouillon", state="draft")
    ResourceFactory(slug="d", title_fr="D archivé", state="archived")

    response = client.get("/fr/knowledge/resources/")

    assert response.status_code == 200
    assert _titles(response) == ["A publié", "B à revoir"]


def test_list_filters_by_kind_theme_domain_audience_and_size(client):
    ResourceFactory(slug="a", title_fr="Données", themes=["data"], domains=["data"])
    ResourceFactory(slug="b", title_fr="Ouvertes", themes=["open_data"], domains=["gov"])
    ResourceFactory(slug="c", title_fr="Élus", audiences=["elected"], commune_sizes=["small"])
    ResourceFactory(slug="d", title_fr="FAQ", kind="faq", commune_sizes=["large"])

    def titles(query: str) -> list[str]:
        return _titles(client.get(f"/fr/knowledge/resources/?{query}"))

    assert titles("theme=data") == ["Données"]
    assert titles("domain=gov") == ["Ouvertes"]
    assert titles("audience=elected") == ["Élus"]
    assert titles("size=small") == ["Élus"]
    assert titles("kind=faq") == ["FAQ"]
    assert titles("kind=faq&size=small") == []
    assert titles("theme=nonsense") == ["FAQ", "Données", "Ouvertes", "Élus"]


def test_list_pages_by_twenty_and_keeps_filters_in_page_links(client):
    for number in range(25):
        ResourceFactory(slug=f"g{number:02}", title_fr=f"G{number:02}", themes=["data"])

    first = client.get("/fr/knowledge/resources/?theme=data")
    second = client.get("/fr/knowledge/resources/?kind=guide&page=2")

    assert (len(_titles(first)), len(_titles(second))) == (20, 5)
    assert 'href="?theme=data&amp;page=2"' in first.content.decode()


def test_list_query_count_is_constant(client, django_assert_num_queries):
    for number in range(30):
        ResourceFactory(slug=f"g{number:02}")
    with django_assert_num_queries(2):  # the count, the page
        client.get("/fr/knowledge/resources/?kind=guide&page=2")
    with django_assert_num_queries(2):
        client.get("/fr/knowledge/resources/")


def test_resource_page_renders_markdown_sanitised_and_metadata(client, namur):
    project = ProjectFactory(slug="wifi", title_fr="Wi-Fi", owner_municipality=namur)
    other = ResourceFactory(slug="autre", title_fr="Autre guide")
    resource = ResourceFactory(
        slug="donnees",
        title_fr="Les données",
        body_fr="## Titre\n\nDu **gras** <script>alert(1)</script> [lien](javascript:alert(1))",
        themes=["data"],
        domains=["data"],
        levels=[2, 3],
        audiences=["it"],
        authors="Centre",
        reading_minutes=4,
    )
    resource.related.add(other)
    resource.related_projects.add(project)

    html = client.get("/fr/knowledge/donnees/").content.decode()

    assert "<h2>Titre</h2>" in html
    assert "<strong>gras</strong>" in html
    assert "<script>alert" not in html
    assert 'href="javascript' not in html
    assert "Autre guide" in html and 'href="/fr/knowledge/autre/"' in html
    assert 'href="/fr/projects/wifi/"' in html
    assert "Centre" in html and "4 minutes" in html


@pytest.mark.parametrize("related", [0, 5])
def test_resource_page_query_count_is_constant(client, namur, django_assert_num_queries, related):
    resource = ResourceFactory(slug="g")
    for number in range(related):
        resource.related.add(ResourceFactory(slug=f"r{number}"))
        resource.related_projects.add(ProjectFactory(slug=f"p{number}", owner_municipality=namur))
    # the resource, its related resources, projects, files; the glossary's data version and terms
    # (the text's terms are linked; both are cached until the glossary changes)
    with django_assert_num_queries(6):
        client.get("/en/knowledge/g/")


def test_missing_translation_shows_french_with_banner(client):
    ResourceFactory(slug="g", title_fr="Titre FR", body_fr="Texte français")

    html = client.get("/en/knowledge/g/").content.decode()

    assert "Texte français" in html
    assert "shown in French" in html


def test_outdated_translation_banner_links_to_french_source(client, editor):
    resource = ResourceFactory(
        slug="g", title_fr="Titre", body_fr="Texte", title_en="Title", body_en="Text"
    )
    Resource.objects.filter(pk=resource.pk).update(translation_versions={"en": 1})
    resource.refresh_from_db()
    resource.body_fr = "Texte tout neuf"
    services.save_resource(resource, user=editor, significance="major")

    html = client.get("/en/knowledge/g/").content.decode()

    assert "This translation is outdated" in html
    assert 'href="/fr/knowledge/g/"' in html
    assert "Text" in html and "shown in French" not in html


def test_archived_resource_is_readable_with_obsolete_banner(client):
    ResourceFactory(slug="g", state="archived")

    response = client.get("/en/knowledge/g/")

    assert response.status_code == 200
    assert "Obsolete." in response.content.decode()


@pytest.mark.parametrize("state", ["draft", "review"])
def test_unpublished_resource_is_404_except_for_editors(client, editor, member, state):
    ResourceFactory(slug="g", state=state)

    anonymous = client.get("/fr/knowledge/g/").status_code
    client.force_login(member)
    as_member = client.get("/fr/knowledge/g/").status_code
    client.force_login(editor)
    as_editor = client.get("/fr/knowledge/g/").status_code

    assert (anonymous, as_member, as_editor) == (404, 404, 200)


def test_old_slug_redirects_permanently(client, editor):
    resource = ResourceFactory(slug="ancien")
    resource.slug = "nouveau"
    services.save_resource(resource, user=editor)

    response = client.get("/fr/knowledge/ancien/")

    assert (response.status_code, response["Location"]) == (301, "/fr/knowledge/nouveau/")
    assert SlugRedirect.objects.get().old_slug == "ancien"


def _attachment(resource: Resource) -> ResourceFile:
    item = ResourceFile(
        resource=resource, role="attachment", title="Modèle", media_type="application/pdf", size=8
    )
    item.file.save("modele.pdf", ContentFile(b"%PDF-1.4"), save=True)
    return item


def test_attachment_downloads_from_public_resource_only(client):
    public = ResourceFactory(slug="pub")
    draft = ResourceFactory(slug="draft", state="draft")
    item, hidden = _attachment(public), _attachment(draft)

    response = client.get(f"/fr/knowledge/pub/files/{item.pk}/")
    refused = client.get(f"/fr/knowledge/draft/files/{hidden.pk}/")
    wrong_resource = client.get(f"/fr/knowledge/pub/files/{hidden.pk}/")

    assert (response.status_code, b"".join(response.streaming_content)) == (200, b"%PDF-1.4")
    assert response["Content-Disposition"] == f'attachment; filename="pub-{item.pk}.pdf"'
    assert (refused.status_code, wrong_resource.status_code) == (404, 404)
    assert (
        f"/fr/knowledge/pub/files/{item.pk}/" in client.get("/fr/knowledge/pub/").content.decode()
    )


def test_guide_pdf_is_built_and_has_the_title(client, fetch_prepared, tmp_path):
    ResourceFactory(slug="guide-pdf", title_fr="Guide de la stratégie", body_fr="Un **texte**.")

    page = client.get("/fr/knowledge/guide-pdf/").content.decode()
    response = fetch_prepared(client, "/fr/knowledge/guide-pdf/pdf/")

    assert 'href="/fr/knowledge/guide-pdf/pdf/"' in page
    content = b"".join(response.streaming_content)
    assert (response.status_code, response["Content-Type"]) == (200, "application/pdf")
    path = tmp_path / "guide.pdf"
    path.write_bytes(content)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Guide de la stratégie" in text
    assert "Un texte." in text


def test_pdf_only_for_guides(client):
    ResourceFactory(slug="faq", kind="faq")
    assert client.get("/fr/knowledge/faq/pdf/").status_code == 404


def test_method_and_glossary_prefixes_are_not_taken_by_resource_slugs():
    with translation.override("fr"):
        assert reverse("knowledge:resource", kwargs={"slug": "x"}) == "/fr/knowledge/x/"
        assert reverse("knowledge:resources") == "/fr/knowledge/resources/"


def test_resource_page_has_a_print_stylesheet_and_pdf_link_only_for_guides(client):
    ResourceFactory(slug="guide")
    ResourceFactory(slug="faq", kind="faq")

    guide = client.get("/fr/knowledge/guide/").content.decode()
    faq = client.get("/fr/knowledge/faq/").content.decode()

    assert '<link rel="stylesheet" href="/static/knowledge/print.css" media="print">' in guide
    assert ("/fr/knowledge/guide/pdf/" in guide, "/pdf/" in faq) == (True, False)
