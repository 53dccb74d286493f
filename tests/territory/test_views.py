import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from smartregion.territory.models import Boundary, Municipality, MunicipalityFigure
from smartregion.territory.services import municipality_refresh_figures

pytestmark = pytest.mark.django_db


def _square(lon: float, lat: float, size: float = 0.1) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [
            [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
        ],
    }


def _add_boundary(refnis: str, lon: float, lat: float) -> Municipality:
    municipality = Municipality.objects.get(refnis=refnis)
    Boundary.objects.create(
        municipality=municipality,
        geometry=_square(lon, lat),
        min_lon=lon,
        min_lat=lat,
        max_lon=lon + 0.1,
        max_lat=lat + 0.1,
        centroid_lon=lon + 0.05,
        centroid_lat=lat + 0.05,
    )
    return municipality


def _rows(html: str) -> list[str]:
    return re.findall(r'<th scope="row"><a href="[^"]+">([^<]+)</a></th>', html)


def test_list_shows_the_first_page_of_walloon_communes_in_french(client, territory):
    response = client.get("/fr/communes/")

    html = response.content.decode()
    assert response.status_code == 200
    assert "261 communes trouvées." in html or "261 communes found." in html
    assert len(_rows(html)) == 50
    assert _rows(html)[0] == "Aiseau-Presles"


def test_list_search_is_accent_and_language_insensitive(client, territory):
    by_accentless = _rows(client.get("/fr/communes/", {"q": "liege"}).content.decode())
    by_accented = _rows(client.get("/fr/communes/", {"q": "ÉCAUSSINNES"}).content.decode())
    by_dutch = _rows(client.get("/fr/communes/", {"q": "luik"}).content.decode())
    by_german = _rows(client.get("/de/communes/", {"q": "kelmis"}).content.decode())
    by_code = _rows(client.get("/fr/communes/", {"q": "92094"}).content.decode())

    assert by_accentless == ["Liège"]
    assert by_accented == ["Ecaussinnes"]
    assert by_dutch == ["Liège"]
    assert by_german == ["Kelmis"]
    assert by_code == ["Namur"]


def test_list_filters_by_province_and_population_class(client, territory):
    for refnis, population in (("92094", 113000), ("92003", 4000), ("62063", 195000)):
        MunicipalityFigure.objects.create(
            municipality=Municipality.objects.get(refnis=refnis), year=2024, population=population
        )
    municipality_refresh_figures()

    namur_province = _rows(client.get("/fr/communes/", {"province": "90000"}).content.decode())
    large = _rows(
        client.get("/fr/communes/", {"size": "ge50k", "sort": "-population"}).content.decode()
    )

    assert len(namur_province) == 38
    assert large == ["Liège", "Namur"]


def test_list_sorts_unknown_figures_last(client, territory):
    MunicipalityFigure.objects.create(
        municipality=Municipality.objects.get(refnis="92094"), year=2024, population=113000
    )
    municipality_refresh_figures()

    ascending = _rows(client.get("/fr/communes/", {"sort": "population"}).content.decode())

    assert ascending[0] == "Namur"


def test_list_ignores_an_unknown_filter_and_says_so(client, territory):
    response = client.get("/fr/communes/", {"province": "99999"})

    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in html
    assert len(_rows(html)) == 50


def test_list_paginates(client, territory):
    html = client.get("/en/communes/", {"page": 6}).content.decode()

    assert len(_rows(html)) == 11
    assert 'aria-current="page">6<' in html


def test_list_runs_a_constant_number_of_queries(client, territory, django_assert_num_queries):
    client.get("/fr/communes/")  # warm caches
    with CaptureQueriesContext(connection) as small:
        client.get("/fr/communes/", {"province": "20002"})
    with CaptureQueriesContext(connection) as large:
        client.get("/fr/communes/", {"page": 2})

    # page, count, region, provinces, classes, and the year and source of population and area
    assert (len(small.captured_queries), len(large.captured_queries)) == (7, 7)


def test_profile_shows_key_figures_history_and_merger(client, territory):
    bastogne = Municipality.objects.get(refnis="82039")
    MunicipalityFigure.objects.create(
        municipality=bastogne, year=2024, population=19000, source="Statbel"
    )
    MunicipalityFigure.objects.create(
        municipality=bastogne, year=2023, population=18800, source="Statbel"
    )
    municipality_refresh_figures()

    html = client.get("/en/communes/82039/").content.decode()

    assert "<h1>Bastogne</h1>" in html
    assert "19,000" in html and "18,800" in html
    assert 'href="/en/communes/82003/"' in html and 'href="/en/communes/82005/"' in html


def test_profile_of_a_former_commune_names_its_successor(client, territory):
    html = client.get("/fr/communes/82005/").content.decode()

    assert "<h1>Bertogne</h1>" in html
    assert 'href="/fr/communes/82039/"' in html


def test_profile_in_german_uses_the_official_german_name(client, territory):
    html = client.get("/de/communes/63067/").content.decode()

    assert "<h1>Sankt Vith</h1>" in html


def test_profile_unknown_code_is_404(client, territory):
    assert client.get("/fr/communes/99999/").status_code == 404


def test_profile_shows_neighbours_on_a_map(client, territory):
    namur = _add_boundary("92094", 4.8, 50.4)
    _add_boundary("92003", 4.9, 50.4)
    namur.neighbours.add(Municipality.objects.get(refnis="92003"))

    html = client.get("/fr/communes/92094/").content.decode()

    assert html.count('<path class="fill-') == 2  # the commune and its neighbour
    assert html.count('<g class="provinces" aria-hidden="true"><path d="M') == 1
    assert 'href="/fr/communes/92003/"' in html


def test_profile_runs_a_constant_number_of_queries(client, territory):
    namur = _add_boundary("92094", 4.8, 50.4)
    client.get("/fr/communes/92094/")
    with CaptureQueriesContext(connection) as few:
        client.get("/fr/communes/92094/")
    for index, refnis in enumerate(["92003", "92006", "92035", "92045", "92048"]):
        _add_boundary(refnis, 4.9 + index * 0.1, 50.4)
        namur.neighbours.add(Municipality.objects.get(refnis=refnis))
        MunicipalityFigure.objects.create(
            municipality=namur, year=2015 + index, population=110000 + index
        )
    with CaptureQueriesContext(connection) as many:
        client.get("/fr/communes/92094/")

    assert len(few.captured_queries) == len(many.captured_queries)


def test_map_without_boundaries_says_so_without_showing_an_admin_command(client, territory):
    html = client.get("/en/communes/map/").content.decode()

    assert "The municipal boundaries have not been imported yet." in html
    assert "smartregion import" not in html
    assert "<path " not in html
    assert html.count('<th scope="row">') == 261


def test_map_colours_communes_by_the_chosen_figure(client, territory):
    for index, refnis in enumerate(["92094", "92003", "92006"]):
        municipality = _add_boundary(refnis, 4.8 + index * 0.1, 50.4)
        MunicipalityFigure.objects.create(
            municipality=municipality, year=2024, population=1000 * (index + 1), area_km2=10
        )
    municipality_refresh_figures()

    html = client.get("/fr/communes/map/", {"figure": "density"}).content.decode()

    assert html.count('<path class="fill-') == 3
    assert html.count('<g class="provinces" aria-hidden="true"><path d="M') == 1  # Namur's
    assert 'aria-label="Namur: 100"' in html
    assert "258 communes" in html  # without an outline yet


@pytest.mark.parametrize(
    ("language", "query", "expected"),
    [
        ("de", "Lüttich", ["Lüttich"]),
        ("fr", "Lüttich", ["Liège"]),
        ("nl", "Luik", ["Luik"]),
        ("en", "Liège", ["Liège"]),
        ("en", "Liege", ["Liège"]),
        ("fr", "Namen", ["Namur"]),
        ("de", "Namen", ["Namur"]),
        ("fr", "Bergen", ["Mons"]),
        ("de", "Bergen", ["Mons"]),
        ("fr", "Doornik", ["Tournai"]),
        ("en", "Doornik", ["Tournai"]),
        ("fr", "Aarlen", ["Arlon"]),
        ("de", "Arel", ["Arlon"]),
        ("de", "Bastnach", ["Bastogne"]),
        ("fr", "Waver", ["Wavre"]),
    ],
)
def test_list_search_finds_exonyms_in_every_site_language(
    client, territory, language, query, expected
):
    html = client.get(f"/{language}/communes/", {"q": query}).content.decode()

    assert _rows(html) == expected


def _province_links(html: str) -> list[tuple[str, str]]:
    return re.findall(r'<a href="\?province=(\d{5})">([^<]+)</a>', html)


@pytest.mark.parametrize(
    ("language", "query", "expected"),
    [
        ("de", "Lüttich", [("60000", "Provinz Lüttich")]),
        ("nl", "Luik", [("60000", "Provincie Luik")]),
        ("fr", "Liege", [("60000", "Province de Liège")]),
        ("en", "province of Liège", [("60000", "Province of Liège")]),
        ("nl", "Namen", [("90000", "Provincie Namen")]),
        ("de", "Hennegau", [("50000", "Provinz Hennegau")]),
        ("fr", "brabant", [("20002", "Province du Brabant wallon")]),
    ],
)
def test_list_search_links_the_province_of_that_name(client, territory, language, query, expected):
    html = client.get(f"/{language}/communes/", {"q": query}).content.decode()

    assert _province_links(html) == expected


@pytest.mark.parametrize("query", ["province", "Provinz", "Ciney", ""])
def test_list_search_links_no_province_for_other_words(client, territory, query):
    html = client.get("/fr/communes/", {"q": query}).content.decode()

    assert _province_links(html) == []
