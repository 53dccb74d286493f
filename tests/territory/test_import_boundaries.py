"""`smartregion import boundaries`: GeoJSON and TopoJSON outlines, good and broken."""

from __future__ import annotations

import json
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation
from pyproj import Geod, Transformer

from smartregion.territory.models import Boundary, Municipality, MunicipalityFigure

SQUARE = [(4.8, 50.4), (4.9, 50.4), (4.9, 50.5), (4.8, 50.5), (4.8, 50.4)]


def run(*args: str, stderr: StringIO | None = None) -> str:
    """Run the command in English, the source language the assertions are written in; the
    files here name a few communes, so they are imported as partial files."""
    out = StringIO()
    with translation.override("en"):
        call_command(
            "import", "boundaries", *args, "--partial", stdout=out, stderr=stderr or StringIO()
        )
    return out.getvalue()


def fail(*args: str) -> str:
    with pytest.raises(CommandError) as caught:
        run(*args)
    assert caught.value.returncode == 2
    return str(caught.value)


def neighbours(refnis: str) -> list[str]:
    municipality = Municipality.objects.get(refnis=refnis)
    return sorted(municipality.neighbours.values_list("refnis", flat=True))


def bbox(refnis: str) -> tuple[float, float, float, float]:
    b = Boundary.objects.get(municipality__refnis=refnis)
    return (b.min_lon, b.min_lat, b.max_lon, b.max_lat)


def square_km2(x0: float, y0: float, x1: float, y1: float) -> float:
    area, _ = Geod(ellps="GRS80").polygon_area_perimeter([x0, x1, x1, x0], [y0, y0, y1, y1])
    return abs(area) / 1e6


def snapshot() -> list[tuple]:
    """Everything an import may touch, to prove a failed one changed nothing."""
    through = Municipality.neighbours.through
    return [
        *Boundary.objects.order_by("pk").values_list(),
        *MunicipalityFigure.objects.order_by("pk").values_list(),
        *through.objects.order_by("pk").values_list(),
        *Municipality.objects.order_by("pk").values_list("refnis", "area_km2"),
    ]


@pytest.mark.django_db
def test_boundaries_geojson_outlines_areas_and_neighbours(reference, files):
    out = run(str(files / "boundaries_namur.geojson"), "--year", "2025")

    assert sorted(Boundary.objects.values_list("municipality__refnis", flat=True)) == [
        "92003", "92006", "92035", "92094",
    ]  # fmt: skip
    assert bbox("92094") == (4.8, 50.4, 4.9, 50.5)
    namur = Boundary.objects.get(municipality__refnis="92094")
    assert namur.geometry == {
        "type": "Polygon",
        "coordinates": [[[4.8, 50.4], [4.9, 50.4], [4.9, 50.5], [4.8, 50.5], [4.8, 50.4]]],
    }
    assert (namur.centroid_lon, namur.centroid_lat) == (4.85, 50.45)
    assert (namur.source, namur.derived) == ("boundaries_namur.geojson", False)
    assert neighbours("92094") == ["92003", "92035"]
    assert neighbours("92003") == ["92094"]
    assert neighbours("92006") == []
    area = MunicipalityFigure.objects.get(municipality__refnis="92094", year=2025).area_km2
    assert float(area) == pytest.approx(square_km2(4.8, 50.4, 4.9, 50.5), abs=0.01)
    assert Municipality.objects.get(refnis="92094").area_km2 == area
    assert out.splitlines()[:6] == [
        "Boundaries imported.",
        "features read: 4",
        "boundaries written: 4",
        "derived boundaries (merged municipalities): 0",
        "current municipalities without a boundary: 561",
        "neighbour pairs: 2",
    ]


@pytest.mark.django_db
def test_boundaries_import_twice_gives_same_rows(reference, files):
    run(str(files / "boundaries_namur.geojson"), "--year", "2025")
    first = [row[:-1] for row in Boundary.objects.order_by("pk").values_list()]  # minus imported_at
    figures = list(MunicipalityFigure.objects.order_by("pk").values_list())
    links = sorted(Municipality.neighbours.through.objects.values_list(
        "from_municipality__refnis", "to_municipality__refnis"))  # fmt: skip

    run(str(files / "boundaries_namur.geojson"), "--year", "2025")

    assert [row[:-1] for row in Boundary.objects.order_by("pk").values_list()] == first
    assert list(MunicipalityFigure.objects.order_by("pk").values_list()) == figures
    assert sorted(Municipality.neighbours.through.objects.values_list(
        "from_municipality__refnis", "to_municipality__refnis")) == links  # fmt: skip
    assert len(first) == 4 and len(links) == 4


@pytest.mark.django_db
def test_boundaries_keep_population_of_same_year(reference, files, tmp_path):
    path = tmp_path / "pop.csv"
    path.write_text("REFNIS,Total\n92094,112000\n", encoding="utf-8")
    call_command(
        "import", "population", str(path), "--year", "2025", "--partial", stdout=StringIO()
    )

    run(str(files / "boundaries_namur.geojson"), "--year", "2025", "--source", "IGN")

    figure = MunicipalityFigure.objects.get(municipality__refnis="92094", year=2025)
    assert (figure.population, figure.source) == (
        112000,
        "Statbel, population on 1 January 2025 (pop.csv)",
    )
    assert figure.area_km2 is not None


@pytest.mark.django_db
def test_boundaries_lambert72_crs_is_reprojected(reference, files):
    run(str(files / "boundaries_lambert72.geojson"), "--year", "2025")

    assert bbox("92094") == pytest.approx((4.8, 50.4, 4.9, 50.5), abs=1e-6)
    coordinates = Boundary.objects.get(municipality__refnis="92094").geometry["coordinates"][0]
    assert coordinates == [[4.8, 50.4], [4.9, 50.4], [4.9, 50.5], [4.8, 50.5], [4.8, 50.4]]


@pytest.mark.django_db
def test_boundaries_lambert2008_short_crs_name_is_reprojected(reference, tmp_path):
    to_lambert = Transformer.from_crs("EPSG:4326", "EPSG:3812", always_xy=True)
    ring = [list(to_lambert.transform(x, y)) for x, y in SQUARE]
    path = tmp_path / "lambert2008.geojson"
    path.write_text(json.dumps({
        "type": "FeatureCollection",
        "crs": {"type": "name", "properties": {"name": "EPSG:3812"}},
        "features": [{"type": "Feature", "properties": {"NISCode": "92094"},
                      "geometry": {"type": "Polygon", "coordinates": [ring]}}],
    }))  # fmt: skip

    run(str(path), "--year", "2025")

    assert bbox("92094") == pytest.approx((4.8, 50.4, 4.9, 50.5), abs=1e-6)


@pytest.mark.django_db
def test_boundaries_without_features_is_refused(reference, tmp_path):
    path = tmp_path / "empty.geojson"
    path.write_text('{"type": "FeatureCollection", "features": []}')

    assert fail(str(path)).splitlines()[1] == "  The file has no features."


@pytest.mark.django_db
def test_boundaries_metric_coordinates_without_crs_are_refused(reference, files):
    assert fail(str(files / "boundaries_lambert72_no_crs.geojson")).splitlines() == [
        "Nothing was imported: 1 problem(s) found.",
        "  feature 1 (code 92094): coordinates (180595.2, 121100.2) are not longitude/latitude: "
        "the file probably lacks its “crs” member "
        "(e.g. Belgian Lambert 72 is urn:ogc:def:crs:EPSG::31370)",
    ]


@pytest.mark.django_db
def test_boundaries_topojson_dissolves_merged_municipality(reference, files):
    out = run(str(files / "boundaries_bastogne.topojson"), "--year", "2020")

    assert bbox("82003") == pytest.approx((5.6, 49.95, 5.8, 50.05))
    assert bbox("82005") == pytest.approx((5.6, 50.05, 5.8, 50.15))
    assert bbox("82039") == pytest.approx((5.6, 49.95, 5.8, 50.15))
    derived = Boundary.objects.get(municipality__refnis="82039")
    assert derived.derived is True
    assert derived.geometry["type"] == "Polygon"
    assert len(derived.geometry["coordinates"]) == 1  # one ring: the shared border is gone
    assert neighbours("82003") == ["82005"]
    assert neighbours("82039") == []
    areas = dict(
        MunicipalityFigure.objects.filter(year=2020).values_list("municipality__refnis", "area_km2")
    )
    assert areas["82039"] == pytest.approx(areas["82003"] + areas["82005"], abs=Decimal("0.02"))
    assert "derived boundaries (merged municipalities): 1" in out


@pytest.mark.django_db
def test_boundaries_bowtie_is_repaired_with_a_warning(reference, files):
    errors = StringIO()

    run(str(files / "boundaries_bowtie.geojson"), "--year", "2025", stderr=errors)

    assert errors.getvalue().splitlines() == [
        "warning: feature 1 (code 92094): invalid geometry repaired "
        "(Self-intersection[4.85 50.45])",
        "warning: the file covers 2 of the 261 current communes of Walloon Region (0 %): imported "
        "as a partial file (--partial), the others keep their older data.",
    ]
    geometry = Boundary.objects.get(municipality__refnis="92094").geometry
    assert geometry["type"] == "MultiPolygon"
    assert len(geometry["coordinates"]) == 2


@pytest.mark.django_db
def test_boundaries_bad_features_are_all_listed_and_nothing_changes(reference, files):
    run(str(files / "boundaries_namur.geojson"), "--year", "2025")
    before = snapshot()

    message = fail(str(files / "boundaries_bad_features.geojson"), "--year", "2025")

    assert message.splitlines() == [
        "Nothing was imported: 5 problem(s) found.",
        "  feature 2 (code 92003): geometry is Point; expected Polygon or MultiPolygon",
        "  feature 3 (code 92999): unknown REFNIS code: "
        "not a municipality in the registry (current or former)",
        "  feature 4 (code 92094): duplicate code: also feature 1",
        "  feature 5 (code 92006): empty geometry",
        "  feature 6: no REFNIS code (looked for the properties "
        "nis, NIS, CD_REFNIS, refnis, NISCode, niscode, CODE_INS, code; "
        "name the right one with --code-property)",
    ]
    assert snapshot() == before


@pytest.mark.django_db
def test_boundaries_truncated_json_names_line_and_column(reference, files):
    message = fail(str(files / "boundaries_truncated.geojson"))

    assert message.splitlines() == [
        "Nothing was imported: 1 problem(s) found.",
        "  line 68, column 4: invalid JSON (truncated file?): Expecting ',' delimiter",
    ]


@pytest.mark.django_db
def test_boundaries_code_property_option(reference, tmp_path):
    path = tmp_path / "custom.geojson"
    ring = [[4.8, 50.4], [4.9, 50.4], [4.9, 50.5], [4.8, 50.5], [4.8, 50.4]]
    feature = {"type": "Feature", "properties": {"ins": 92094, "nis": "bogus"},
               "geometry": {"type": "Polygon", "coordinates": [ring]}}  # fmt: skip
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))

    run(str(path), "--code-property", "ins", "--tolerance", "0", "--dry-run")
    assert Boundary.objects.count() == 0

    run(str(path), "--code-property", "ins", "--tolerance", "0")
    assert Boundary.objects.get().municipality.refnis == "92094"


@pytest.mark.django_db
def test_boundaries_not_geojson_is_refused(reference, tmp_path):
    path = tmp_path / "point.json"
    path.write_text('{"type": "Point", "coordinates": [4.8, 50.4]}')

    assert fail(str(path)).splitlines()[1] == (
        "  Expected a GeoJSON FeatureCollection or a TopoJSON Topology; found type “Point”."
    )


@pytest.mark.django_db
def test_boundaries_real_topojson_covers_the_261_walloon_communes(reference, shared_data: Path):
    out = run(str(shared_data / "belgium_municipalities_2019_topojson.json"), "--year", "2020")

    walloon = Municipality.objects.current().filter(region__refnis="03000")
    assert walloon.count() == 261
    assert walloon.filter(boundary__isnull=False).count() == 261
    assert Boundary.objects.get(municipality__refnis="82039").derived is True
    assert "features read: 581" in out
    assert "current municipalities without a boundary: 0" in out
    assert "92003" in neighbours("92094")
    namur = MunicipalityFigure.objects.get(municipality__refnis="92094", year=2020)
    assert 170 < namur.area_km2 < 182  # Statbel: 175.69 km²
