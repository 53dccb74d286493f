"""The English showcase: list, project page and one-page PDF."""

from __future__ import annotations

import re
import zlib
from decimal import Decimal

import pytest

from smartregion.projects import exports
from smartregion.projects.models import Indicator, Location, Project, ProjectFunding
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

LONG_TEXT = " ".join(["Sensors measure the air quality near every school of the commune."] * 120)


def _showcased(namur, **fields) -> Project:
    values = {
        "showcase": True,
        "title_en": "Public Wi-Fi in libraries",
        "summary_en": "Free Internet access in the commune's libraries.",
        "description_en": "<p>Twelve access points in <strong>four</strong> libraries.</p>",
    }
    values.update(fields)
    return ProjectFactory(owner_municipality=namur, **values)


def test_showcase_lists_only_published_showcase_projects(client, namur):
    _showcased(namur)
    ProjectFactory(owner_municipality=namur, slug="not-promoted", title_fr="Pas promu")
    _showcased(namur, slug="draft", title_en="A draft", state=Project.State.DRAFT)

    response = client.get("/fr/projects/showcase/")

    html = response.content.decode()
    assert response.status_code == 200
    assert re.findall(r'href="/en/projects/showcase/([\w-]+)/"', html) == ["wifi-public"]
    assert "Public Wi-Fi in libraries" in html
    assert "1 project." in html
    assert '<div lang="en">' in html
    assert '<html lang="fr">' in html


def test_showcase_content_is_english_under_any_prefix(client, namur):
    _showcased(namur)

    html = client.get("/de/projects/showcase/").content.decode()

    assert "Reuse the data" in html
    assert "In progress" in html


def test_showcase_filters_by_theme(client, namur):
    _showcased(namur, themes=["mobility"])
    _showcased(namur, slug="data-portal", title_en="Open data portal", themes=["data"])

    html = client.get("/en/projects/showcase/?theme=data").content.decode()

    assert re.findall(r'href="/en/projects/showcase/([\w-]+)/"', html) == ["data-portal"]
    assert 'href="?theme=data" aria-current="page"' in html


def test_showcase_ignores_unknown_theme(client, namur):
    _showcased(namur)

    html = client.get("/en/projects/showcase/?theme=nope").content.decode()

    assert re.findall(r'href="/en/projects/showcase/([\w-]+)/"', html) == ["wifi-public"]


def test_showcase_list_query_count_is_constant(client, namur, django_assert_num_queries):
    for index in range(5):
        _showcased(namur, slug=f"p{index}", title_en=f"Project {index}")

    # data version, count, themes in use, region, page rows, communes
    with django_assert_num_queries(6):
        client.get("/en/projects/showcase/")


def test_showcase_detail_shows_english_content(client, namur):
    project = _showcased(namur, budget_eur=Decimal("120000"), goals=[4, 10])
    ProjectFunding.objects.create(
        project=project, source="regional_call", label="Smart territory 2023", amount_eur=60000
    )
    Indicator.objects.create(
        project=project, name_fr="Usagers", name_en="Users", target=1000, achieved=750
    )

    response = client.get("/fr/projects/showcase/wifi-public/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "<h1>Public Wi-Fi in libraries</h1>" in html
    assert "<p>Twelve access points in <strong>four</strong> libraries.</p>" in html
    assert "€120,000" in html
    assert "SDG 4: Quality education" in html
    assert "Regional call for projects" in html
    assert "750 (75 %)" in html
    assert 'href="/en/projects/showcase/wifi-public.pdf"' in html
    assert 'href="/en/projects/wifi-public/"' in html


def test_showcase_detail_marks_untranslated_text_as_french(client, namur):
    _showcased(namur, title_en="", summary_en="")

    html = client.get("/en/projects/showcase/wifi-public/").content.decode()

    assert '<h1 lang="fr">Wi-Fi public dans les bibliothèques</h1>' in html


def test_showcase_detail_sanitises_description_again(client, namur):
    _showcased(namur, description_en='<p onclick="x()">Hi<script>alert(1)</script></p>')

    html = client.get("/en/projects/showcase/wifi-public/").content.decode()

    assert "<p>Hi</p>" in html
    assert "alert(1)" not in html


@pytest.mark.parametrize(
    "fields",
    [
        {"showcase": False},
        {"state": Project.State.SUBMITTED},
        {"state": Project.State.DRAFT},
        {"state": Project.State.REJECTED},
    ],
)
def test_showcase_detail_and_pdf_404_outside_showcase(client, namur, fields):
    _showcased(namur, **fields)

    assert client.get("/en/projects/showcase/wifi-public/").status_code == 404
    assert client.get("/en/projects/showcase/wifi-public.pdf").status_code == 404


def test_showcase_detail_404_even_for_editor(client, namur, editor):
    _showcased(namur, state=Project.State.SUBMITTED)
    client.force_login(editor)

    assert client.get("/en/projects/showcase/wifi-public/").status_code == 404


# ---------------------------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------------------------


def _pdf_pages(pdf: bytes) -> int:
    """Page objects in the file, looking inside compressed object streams (no PDF library is
    installed; WeasyPrint compresses its objects)."""
    chunks = [pdf]
    for stream in re.findall(rb"stream\r?\n(.*?)\r?\nendstream", pdf, flags=re.S):
        try:
            chunks.append(zlib.decompress(stream))
        except zlib.error:
            continue
    return sum(len(re.findall(rb"/Type\s*/Page(?![s\w])", chunk)) for chunk in chunks)


def test_showcase_pdf_is_one_page(client, namur, fetch_prepared):
    _showcased(namur)

    response = fetch_prepared(client, "/en/projects/showcase/wifi-public.pdf")

    content = b"".join(response.streaming_content)
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"] == 'inline; filename="wifi-public.pdf"'
    assert content.startswith(b"%PDF-")
    assert _pdf_pages(content) == 1


def test_showcase_pdf_is_first_being_prepared_in_english(client, namur):
    _showcased(namur)

    response = client.get("/en/projects/showcase/wifi-public.pdf")

    html = response.content.decode()
    assert response.status_code == 202
    assert "<h1>Your file is being prepared</h1>" in html
    assert (
        '<a class="button" id="prepared-link" href="/en/projects/showcase/wifi-public.pdf">' in html
    )


def test_showcase_pdf_of_a_long_project_still_fits_one_page(namur, settings):
    settings.SMARTREGION_BASE_URL = "https://smart.example.org"
    project = _showcased(namur, description_en=LONG_TEXT, lessons_en=LONG_TEXT)
    for index in range(9):
        Indicator.objects.create(
            project=project, name_fr=f"I{index}", name_en=f"Indicator {index}", target=10
        )
        ProjectFunding.objects.create(project=project, source="eu", label=f"Fund {index}")
    Location.objects.create(project=project, latitude=50.4669, longitude=4.8675)
    project = _fetch(project)

    document = exports.project_pdf_document(project, base_url="https://smart.example.org")

    text = _document_text(document)
    assert len(document.pages) == 1
    assert "Read more:" in text
    assert "https://smart.example.org/en/projects/showcase/wifi-public/" in text
    assert "and 3 more indicators online" in text


def test_showcase_pdf_shows_key_figures(namur):
    project = _showcased(namur, budget_eur=Decimal("250000"), contact_name="Ada Lovelace")
    ProjectFunding.objects.create(project=project, source="eu", label="FEDER", amount_eur=100000)
    Indicator.objects.create(
        project=project, name_fr="Bornes", name_en="Access points", target=12, achieved=9
    )

    document = exports.project_pdf_document(_fetch(project), base_url="https://x.example")

    text = _document_text(document)
    assert "€250,000" in text
    assert "European funds — FEDER: €100,000" in text
    assert "Access points" in text
    assert "9 (75 %)" in text
    assert "Ada Lovelace" in text
    assert "4. Quality education" in text


def test_showcase_pdf_is_built_once_per_version(client, namur, monkeypatch, fetch_prepared):
    project = _showcased(namur)
    calls = []
    real = exports.project_pdf
    monkeypatch.setattr(
        exports, "project_pdf", lambda p, **kw: calls.append(p.version) or real(p, **kw)
    )

    fetch_prepared(client, "/en/projects/showcase/wifi-public.pdf")
    again = client.get("/en/projects/showcase/wifi-public.pdf")
    Project.objects.filter(pk=project.pk).update(version=2)
    fetch_prepared(client, "/en/projects/showcase/wifi-public.pdf")

    assert (again.status_code, calls) == (200, [1, 2])


def test_indicator_percent_of_target_counts_from_baseline():
    figure = exports.IndicatorFigure("x", "", Decimal(10), Decimal(30), Decimal(25), None)

    assert figure.percent_of_target == 75


def test_indicator_percent_of_target_needs_a_target():
    figure = exports.IndicatorFigure("x", "", None, None, Decimal(25), None)

    assert figure.percent_of_target is None


def _fetch(project: Project) -> Project:
    from smartregion.projects.views.showcase import showcase_project

    return showcase_project(project.slug)


def _document_text(document) -> str:
    """The text WeasyPrint laid out on the pages, in reading order."""
    texts: list[str] = []

    def walk(box):
        text = getattr(box, "text", None)
        if text:
            texts.append(text)
        for child in getattr(box, "children", []) or []:
            walk(child)

    for page in document.pages:
        walk(page._page_box)
    return re.sub(r"\s+", " ", " ".join(texts))
