import pytest

from smartregion.territory.models import Municipality, MunicipalityFigure
from smartregion.territory.services import municipality_refresh_figures

pytestmark = pytest.mark.django_db


def test_api_lists_261_walloon_communes(client, territory):
    response = client.get("/api/v1/municipalities/", {"region": "03000"})

    body = response.json()
    assert response.status_code == 200
    assert body["count"] == 261
    assert len(body["items"]) == 100
    first = body["items"][0]
    assert set(first) == {
        "refnis",
        "names",
        "region",
        "province",
        "population",
        "population_year",
        "area_km2",
        "population_class",
        "valid_from",
        "valid_until",
    }


def test_api_one_municipality_with_names_province_and_figures(client, territory):
    namur = Municipality.objects.get(refnis="92094")
    MunicipalityFigure.objects.create(
        municipality=namur, year=2024, population=113000, area_km2="175.69"
    )
    municipality_refresh_figures()

    body = client.get("/api/v1/municipalities/92094/").json()

    assert body == {
        "refnis": "92094",
        "names": {"fr": "Namur", "nl": "Namen", "de": None, "en": None},
        "region": "03000",
        "province": {
            "refnis": "90000",
            "names": {
                "fr": "Province de Namur",
                "nl": "Provincie Namen",
                "de": "Provinz Namur",
                "en": "Province of Namur",
            },
        },
        "population": 113000,
        "population_year": 2024,
        "area_km2": "175.69",
        "population_class": "ge50k",
        "valid_from": None,
        "valid_until": None,
    }


def test_api_filters_by_province_and_searches_by_name(client, territory):
    brabant = client.get("/api/v1/municipalities/", {"province": "20002"}).json()
    search = client.get("/api/v1/municipalities/", {"q": "Lüttich luik"}).json()
    search = client.get("/api/v1/municipalities/", {"q": "luik"}).json()

    assert brabant["count"] == 27
    assert [item["refnis"] for item in search["items"]] == ["62063"]


def test_api_includes_former_municipalities_on_request(client, territory):
    current = client.get("/api/v1/municipalities/", {"q": "bertogne"}).json()
    historical = client.get(
        "/api/v1/municipalities/", {"q": "bertogne", "include_historical": "true"}
    ).json()

    assert current["count"] == 0
    assert historical["items"][0]["valid_until"] == "2024-12-31"


def test_api_unknown_code_is_404(client, territory):
    response = client.get("/api/v1/municipalities/00000/")

    assert response.status_code == 404


def test_api_rejects_a_malformed_filter_with_422(client, territory):
    response = client.get("/api/v1/municipalities/", {"region": "wallonia", "limit": 5000})

    assert response.status_code == 422
    locations = sorted(tuple(error["loc"]) for error in response.json()["detail"])
    assert locations == [("query", "limit"), ("query", "region")]


def test_api_openapi_document_is_served(client):
    spec = client.get("/api/v1/openapi.json").json()

    assert spec["info"]["title"] == "Smart Region API"
    assert "/api/v1/municipalities/" in spec["paths"]
    assert "/api/v1/municipalities/{refnis}/" in spec["paths"]


@pytest.mark.parametrize(
    ("query", "refnis"),
    [("Lüttich", "62063"), ("Bergen", "53053"), ("Doornik", "57081"), ("Namen", "92094")],
)
def test_api_search_finds_exonyms(client, territory, query, refnis):
    params = {"q": query, "region": "03000"}  # Flemish names hold "bergen" too (Geraardsbergen)
    search = client.get("/api/v1/municipalities/", params).json()

    assert [item["refnis"] for item in search["items"]] == [refnis]
