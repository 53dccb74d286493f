"""Open-data files of published projects: CSV, JSON, GeoJSON."""

from __future__ import annotations

import csv
import hashlib
import io
import json
from decimal import Decimal

import pytest
from django.core.cache import cache

from smartregion.accounts.models import Organisation
from smartregion.core.models import PreparedFile
from smartregion.core.pagecache import data_version, data_version_bump
from smartregion.projects import exports
from smartregion.projects.models import Indicator, Location, Project, ProjectFunding
from smartregion.territory.models import Municipality
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

BASE = "https://smart.example.org"


@pytest.fixture(autouse=True)
def _base_url(settings):
    settings.SMARTREGION_BASE_URL = BASE


@pytest.fixture
def full_file(client, fetch_built):
    """GET a full file nobody asked for in this data version: 503 while queued, then the file."""
    return lambda fmt: fetch_built(client, f"/data/projects.{fmt}")


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


@pytest.fixture
def liege(territory) -> Municipality:
    return Municipality.objects.get(refnis="62063")


@pytest.fixture
def full_project(namur, liege) -> Project:
    lead = Organisation.objects.create(
        name="BEP", slug="bep", kind=Organisation.Kind.INTERMUNICIPAL
    )
    partner = Organisation.objects.create(
        name="UNamur", slug="unamur", kind=Organisation.Kind.RESEARCH
    )
    project = ProjectFactory(
        owner_municipality=namur,
        title_en="Public Wi-Fi in libraries",
        summary_en="Free Internet access.",
        description_fr="<p>Douze bornes.</p>",
        budget_eur=Decimal("120000.50"),
        lead=lead,
        website="https://wifi.namur.example",
        contact_name="Ada Lovelace",
        contact_email="ada@namur.example",
    )
    project.municipalities.add(liege)
    project.partners.add(partner)
    ProjectFunding.objects.create(project=project, source="regional_call", amount_eur=60000)
    ProjectFunding.objects.create(project=project, source="own", amount_eur=Decimal("20000.25"))
    ProjectFunding.objects.create(project=project, source="own", label="Budget 2027")
    Indicator.objects.create(
        project=project,
        name_fr="Usagers",
        name_en="Users",
        unit="people",
        baseline=0,
        target=1000,
        achieved=Decimal("750.5"),
    )
    Location.objects.create(
        project=project, label="Bibliothèque", latitude=50.4669, longitude=4.8675
    )
    Location.objects.create(project=project, latitude=Decimal("50.632557"), longitude=5.579666)
    return project


@pytest.fixture
def unpublished(namur) -> list[Project]:
    return [
        ProjectFactory(
            owner_municipality=namur, slug=f"hidden-{state}", title_fr=f"Caché {state}", state=state
        )
        for state in ("draft", "submitted", "changes_requested", "rejected")
    ]


def _csv_rows(response) -> list[dict[str, str]]:
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")
    return list(csv.DictReader(io.StringIO(text[1:])))


def test_csv_has_one_row_per_published_project(full_file, full_project, unpublished):
    response = full_file("csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="projects.csv"'
    assert _csv_rows(response) == [
        {
            "id": str(full_project.pk),
            "slug": "wifi-public",
            "url": f"{BASE}/fr/projects/wifi-public/",
            "title_fr": "Wi-Fi public dans les bibliothèques",
            "title_en": "Public Wi-Fi in libraries",
            "summary_fr": "Un accès gratuit à Internet dans les bibliothèques communales.",
            "summary_en": "Free Internet access.",
            "status": "in_progress",
            "themes": "people;digital_inclusion",
            "goals": "4;10",
            "communes": "62063;92094",
            "commune_names": "Liège;Namur",
            "lead": "BEP",
            "partners": "UNamur",
            "start_date": "",
            "end_date": "",
            "budget_eur": "120000.5",
            "fundings_total_eur": "80000.25",
            "funding_sources": "regional_call;own",
            "indicators": "1",
            "website": "https://wifi.namur.example",
            "latitude": "50.4669",
            "longitude": "4.8675",
            "first_published_at": "2026-03-01T09:00:00+00:00",
            "published_at": "2026-03-01T09:00:00+00:00",
            "is_demo": "false",
        }
    ]


def test_csv_line_ends_are_crlf(full_file, full_project):
    body = full_file("csv").content

    assert body.count(b"\r\n") == 2


def test_exports_leave_out_contact_persons(full_file, full_project):
    for fmt in ("csv", "json", "geojson"):
        body = full_file(fmt).content.decode()
        assert "Ada Lovelace" not in body
        assert "ada@namur.example" not in body


def test_json_holds_full_nested_records_and_licence(full_file, full_project, unpublished):
    response = full_file("json")

    data = json.loads(response.content)
    assert response["Content-Type"] == "application/json"
    assert response["Content-Disposition"] == 'attachment; filename="projects.json"'
    metadata = data["metadata"]
    assert metadata["licence"] == {
        "name": "CC-BY-4.0",
        "title": "Creative Commons Attribution 4.0 International",
        "path": "https://creativecommons.org/licenses/by/4.0/",
    }
    assert (metadata["count"], metadata["filters"], metadata["source"]) == (1, {}, f"{BASE}/")
    full_project.refresh_from_db()
    assert metadata["modified"] == full_project.updated_at.isoformat(timespec="seconds")
    assert data["projects"] == [
        {
            "id": full_project.pk,
            "slug": "wifi-public",
            "url": f"{BASE}/fr/projects/wifi-public/",
            "title": {
                "fr": "Wi-Fi public dans les bibliothèques",
                "en": "Public Wi-Fi in libraries",
            },
            "summary": {
                "fr": "Un accès gratuit à Internet dans les bibliothèques communales.",
                "en": "Free Internet access.",
            },
            "description": {"fr": "<p>Douze bornes.</p>", "en": ""},
            "lessons": {"fr": "", "en": ""},
            "status": "in_progress",
            "themes": ["people", "digital_inclusion"],
            "goals": [4, 10],
            "communes": [
                {"refnis": "62063", "name": "Liège"},
                {"refnis": "92094", "name": "Namur"},
            ],
            "lead": {
                "name": "BEP",
                "slug": "bep",
                "kind": "intermunicipal",
                "enterprise_number": None,
            },
            "partners": [
                {"name": "UNamur", "slug": "unamur", "kind": "research", "enterprise_number": None}
            ],
            "start_date": None,
            "end_date": None,
            "budget_eur": 120000.5,
            "fundings": [
                {"source": "regional_call", "label": "", "amount_eur": 60000},
                {"source": "own", "label": "", "amount_eur": 20000.25},
                {"source": "own", "label": "Budget 2027", "amount_eur": None},
            ],
            "indicators": [
                {
                    "name": {"fr": "Usagers", "en": "Users"},
                    "unit": "people",
                    "baseline": 0,
                    "target": 1000,
                    "achieved": 750.5,
                    "measured_on": None,
                }
            ],
            "locations": [
                {"label": "Bibliothèque", "latitude": 50.4669, "longitude": 4.8675},
                {"label": "", "latitude": 50.632557, "longitude": 5.579666},
            ],
            "website": "https://wifi.namur.example",
            "showcase": False,
            "first_published_at": "2026-03-01T09:00:00+00:00",
            "published_at": "2026-03-01T09:00:00+00:00",
            "is_demo": False,
        }
    ]


def test_geojson_has_a_point_per_location_in_lon_lat_order(full_file, full_project, unpublished):
    response = full_file("geojson")

    data = json.loads(response.content)
    assert response["Content-Type"] == "application/geo+json"
    assert response["Content-Disposition"] == 'attachment; filename="projects.geojson"'
    assert data["type"] == "FeatureCollection"
    properties = {
        "id": full_project.pk,
        "slug": "wifi-public",
        "title": "Wi-Fi public dans les bibliothèques",
        "title_en": "Public Wi-Fi in libraries",
        "url": f"{BASE}/fr/projects/wifi-public/",
        "status": "in_progress",
        "themes": ["people", "digital_inclusion"],
        "is_demo": False,
    }
    assert data["features"] == [
        {
            "type": "Feature",
            "id": f"{full_project.pk}-1",
            "geometry": {"type": "Point", "coordinates": [4.8675, 50.4669]},
            "properties": {**properties, "place": "Bibliothèque"},
        },
        {
            "type": "Feature",
            "id": f"{full_project.pk}-2",
            "geometry": {"type": "Point", "coordinates": [5.579666, 50.632557]},
            "properties": {**properties, "place": ""},
        },
    ]


def test_exports_filter_like_the_catalogue(client, namur, liege):
    ProjectFactory(owner_municipality=namur, slug="bus", title_fr="Bus", themes=["mobility"])
    ProjectFactory(owner_municipality=liege, slug="data", title_fr="Données", themes=["data"])
    ProjectFactory(
        owner_municipality=liege, slug="lights", title_fr="Éclairage", themes=["environment"]
    )

    by_theme = _csv_rows(client.get("/data/projects.csv?theme=data&theme=mobility"))
    by_province = json.loads(
        client.get(f"/data/projects.json?province={liege.province.refnis}").content
    )

    assert [row["slug"] for row in by_theme] == ["bus", "data"]
    assert [p["slug"] for p in by_province["projects"]] == ["data", "lights"]
    assert by_province["metadata"]["filters"] == {"province": [liege.province.refnis]}


def test_exports_refuse_unknown_filter_values(client, full_project):
    response = client.get("/data/projects.csv?theme=space&commune=62063", HTTP_ACCEPT_LANGUAGE="en")

    assert response.status_code == 400
    assert response.content.decode() == "Unknown value “space” for the parameter “theme”."


def test_the_full_files_are_built_by_a_task_and_served_as_stored(
    full_file, namur, django_assert_num_queries, client
):
    ProjectFactory(owner_municipality=namur)
    served = {fmt: full_file(fmt) for fmt in ("csv", "json", "geojson")}
    cache.delete("data-version:public")

    with django_assert_num_queries(2):  # the data version, re-read; the prepared file
        again = client.get("/data/projects.json")

    stored = {p.params["fmt"]: p for p in PreparedFile.objects.all()}
    assert {fmt: (r.status_code, r["Cache-Control"], r["Access-Control-Allow-Origin"])
            for fmt, r in served.items()} == {
        fmt: (200, "public, max-age=300", "*") for fmt in ("csv", "json", "geojson")
    }  # fmt: skip
    assert {fmt: (len(r.content), _sha256(r.content)) for fmt, r in served.items()} == {
        fmt: (p.size, p.sha256) for fmt, p in stored.items()
    }
    assert {fmt: p.key for fmt, p in stored.items()} == {
        fmt: f"projects.file:{fmt}:{BASE}:{data_version()}" for fmt in ("csv", "json", "geojson")
    }
    assert again.content == served["json"].content


def test_a_full_file_not_built_yet_answers_at_once(client, namur):
    ProjectFactory(owner_municipality=namur)

    harvester = client.get("/data/projects.csv")
    browser = client.get("/data/projects.csv", HTTP_ACCEPT="text/html")

    assert (
        harvester.status_code,
        harvester["Retry-After"],
        harvester["Cache-Control"],
        harvester["Access-Control-Allow-Origin"],
    ) == (503, "10", "no-store", "*")
    assert (browser.status_code, browser["Cache-Control"]) == (202, "no-store")


def test_while_a_newer_state_is_built_the_previous_file_is_served(
    client, full_file, namur, django_capture_on_commit_callbacks
):
    ProjectFactory(owner_municipality=namur)
    before = full_file("json")
    ProjectFactory(owner_municipality=namur, slug="second", title_fr="Second")
    data_version_bump()
    cache.delete("data-version:public")

    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        meanwhile = client.get("/data/projects.json")
    states = list(PreparedFile.objects.order_by("pk").values_list("status", flat=True))
    callbacks[0]()  # the worker's turn
    after = client.get("/data/projects.json")

    assert (meanwhile.status_code, meanwhile["Cache-Control"], meanwhile.content) == (
        200,
        "no-cache",
        before.content,
    )
    assert states == ["ready", "queued"]
    assert (after.status_code, after["Cache-Control"]) == (200, "public, max-age=300")
    assert len(json.loads(after.content)["projects"]) == 2
    assert list(PreparedFile.objects.values_list("status", flat=True)) == ["ready"]  # pruned


def test_filtered_export_query_count_is_constant(client, namur, django_assert_num_queries):
    for index in range(6):
        project = ProjectFactory(owner_municipality=namur, slug=f"p{index}", title_fr=f"P{index}")
        Location.objects.create(project=project, latitude=50.4, longitude=4.8)
        Indicator.objects.create(project=project, name_fr="I", target=1)

    # data version; the catalogue's facet index, built once per data version (fingerprint,
    # projects, communes, fundings, provinces, commune codes, population classes); the matching
    # page (projects, communes); the projects with their lead, communes, partners, fundings,
    # indicators, locations
    with django_assert_num_queries(16):
        response = client.get("/data/projects.geojson?theme=people")
    assert len(json.loads(response.content)["features"]) == 6


def test_full_file_build_query_count_is_constant(namur, django_assert_num_queries):
    for index in range(6):
        project = ProjectFactory(owner_municipality=namur, slug=f"p{index}", title_fr=f"P{index}")
        Location.objects.create(project=project, latitude=50.4, longitude=4.8)
        Indicator.objects.create(project=project, name_fr="I", target=1)

    with django_assert_num_queries(6):  # the projects with their lead, then five prefetches
        built = exports.projects_file_build(progress=print, fmt="geojson", base_url=BASE)

    assert len(json.loads(built.content)["features"]) == 6
