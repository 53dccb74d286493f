"""The project form without JavaScript: communes typed by name (any language) or code, places
given by a commune (its centre) or by coordinates."""

from __future__ import annotations

from decimal import Decimal

import pytest

from smartregion.projects.models import Location, Project
from smartregion.territory.models import Boundary

pytestmark = pytest.mark.django_db

SQUARE = {"type": "Polygon", "coordinates": [[[4.8, 50.4], [4.9, 50.4], [4.9, 50.5], [4.8, 50.4]]]}


def _post(namur, **changes) -> dict:
    data = {
        "owner": f"municipality:{namur.pk}",
        "title_fr": "Budget participatif numérique",
        "summary_fr": "Les habitants proposent et votent en ligne.",
        "status": "planned",
        "themes": ["participation"],
        "fundings-TOTAL_FORMS": "1",
        "fundings-INITIAL_FORMS": "0",
        "indicators-TOTAL_FORMS": "1",
        "indicators-INITIAL_FORMS": "0",
        "locations-TOTAL_FORMS": "1",
        "locations-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return data


@pytest.fixture
def namur_outline(namur) -> Boundary:
    return Boundary.objects.create(
        municipality=namur,
        geometry=SQUARE,
        min_lon=4.8,
        min_lat=50.4,
        max_lon=4.9,
        max_lat=50.5,
        centroid_lon=4.862021,
        centroid_lat=50.465384,
        source="test",
    )


def test_communes_typed_in_any_language_or_by_code_are_added(client, namur, member):
    client.force_login(member)

    response = client.post(
        "/fr/projects/new/",
        _post(namur, municipalities=[str(namur.pk)], more_municipalities="Luik, 52011; namen"),
    )

    assert response.status_code == 302
    project = Project.objects.get()
    assert sorted(project.municipalities.values_list("refnis", flat=True)) == [
        "52011",
        "62063",
        "92094",
    ]


def test_an_unknown_commune_name_is_a_field_error_and_nothing_is_saved(client, namur, member):
    client.force_login(member)

    response = client.post("/en/projects/new/", _post(namur, more_municipalities="Namur, Atlantis"))

    assert response.status_code == 200
    assert "No commune of the region is called “Atlantis”" in response.content.decode()
    assert not Project.objects.exists()


def test_no_commune_at_all_is_still_refused(client, namur, member):
    client.force_login(member)

    response = client.post("/en/projects/new/", _post(namur))

    assert response.status_code == 200
    assert "Choose at least one commune." in response.content.decode()
    assert not Project.objects.exists()


def test_a_place_named_by_its_commune_is_put_at_the_commune_centre(
    client, namur, member, namur_outline
):
    client.force_login(member)

    response = client.post(
        "/fr/projects/new/",
        _post(namur, more_municipalities="92094", **{"locations-0-municipality": "Namen"}),
    )

    assert response.status_code == 302
    assert list(Location.objects.values_list("label", "latitude", "longitude")) == [
        ("Namur", Decimal("50.465384"), Decimal("4.862021"))
    ]


def test_coordinates_are_still_accepted_and_win_over_a_commune(
    client, namur, member, namur_outline
):
    client.force_login(member)
    place = {
        "locations-0-label": "Gare",
        "locations-0-municipality": "Namur",
        "locations-0-latitude": "50.4685",
        "locations-0-longitude": "4.8619",
    }

    client.post("/fr/projects/new/", _post(namur, more_municipalities="Namur", **place))

    assert list(Location.objects.values_list("label", "latitude", "longitude")) == [
        ("Gare", Decimal("50.468500"), Decimal("4.861900"))
    ]


@pytest.mark.parametrize(
    ("place", "message"),
    [
        (
            {"locations-0-latitude": "50.46"},
            "Give both the latitude and the longitude, or a commune.",
        ),
        ({"locations-0-municipality": "Atlantis"}, "No commune of the region is called “Atlantis”"),
        (
            {"locations-0-municipality": "Liège"},
            "The outline of Liège is not loaded: give its coordinates.",
        ),
    ],
)
def test_a_place_without_usable_position_is_a_row_error(
    client, namur, member, namur_outline, place, message
):
    client.force_login(member)

    response = client.post("/en/projects/new/", _post(namur, more_municipalities="Namur", **place))

    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Project.objects.exists()


def test_the_form_serves_the_plain_select_with_searchable_names_and_the_place_map(
    client, namur, member, namur_outline
):
    client.force_login(member)

    html = client.get("/en/projects/new/").content.decode()

    assert f'<option value="{namur.pk}" data-names="namen | namur | 92094">Namur</option>' in html
    assert 'name="more_municipalities"' in html
    assert 'data-place-map data-min-lon="4.79800000"' in html
    assert html.count('<script src="/static/projects/picker.js" defer></script>') == 1
