"""The open reference data shipped in the package, loaded by `load_reference` via the importers."""

from __future__ import annotations

import fnmatch
import re
import tomllib
from decimal import Decimal
from io import StringIO
from pathlib import Path

import pytest
from django.core.cache import cache
from django.core.management import call_command
from django.db import transaction
from django.db.models import Sum
from django.utils import translation

from smartregion.territory import reference
from smartregion.territory.models import Boundary, Municipality, MunicipalityFigure
from smartregion.territory.reference import BOUNDARIES_SOURCE, REFERENCE_DIR
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db
WALLONIA = "03000"
ROOT = Path(__file__).resolve().parents[2]


def load_reference() -> str:
    out = StringIO()
    call_command("load_reference", stdout=out, stderr=StringIO())
    return out.getvalue()


@pytest.fixture(scope="class")
def loaded(django_db_setup, django_db_blocker):
    """`load_reference` once for the class, rolled back after its last test."""
    with django_db_blocker.unblock(), transaction.atomic():
        cache.clear()
        yield load_reference()
        transaction.set_rollback(True)


def test_every_reference_file_has_its_source_and_licence_and_is_packaged():
    globs = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"][
        "package-data"
    ]["*"]
    data = sorted(p.name for p in REFERENCE_DIR.iterdir() if not p.name.endswith(".txt"))
    assert data == [
        "README.md",
        "belgium_municipalities_2019_topojson.json",
        "statbel_population_by_municipality_2020.csv",
    ]
    for name in data[1:]:
        assert (REFERENCE_DIR / f"{name}.source.txt").is_file()
        assert (REFERENCE_DIR / f"{name}.LICENSE.txt").is_file()
    licence = (REFERENCE_DIR / f"{data[1]}.LICENSE.txt").read_text()
    assert "CC0 1.0" in licence and "Copyright (c) 2020 Arne Hoefkens" in licence
    for path in REFERENCE_DIR.iterdir():
        relative = path.relative_to(ROOT / "smartregion" / "territory").as_posix()
        assert any(fnmatch.fnmatch(relative, glob) for glob in globs), relative


def _province_paths(html: str) -> int:
    group = re.search(r'<g class="provinces" aria-hidden="true">(.*?)</g>', html, re.DOTALL)
    return group.group(1).count('<path d="M') if group else 0


class TestLoadReference:
    def test_wallonia_gets_real_populations_outlines_and_neighbours(self, loaded):
        walloon = Municipality.objects.current().filter(region__refnis=WALLONIA)

        assert walloon.count() == 261
        assert walloon.filter(boundary__isnull=False).count() == 261
        assert walloon.filter(population__isnull=False, area_km2__isnull=False).count() == 261
        assert walloon.aggregate(total=Sum("population"))["total"] == 3_645_243
        assert set(walloon.values_list("population_year", flat=True)) == {2020}

    def test_known_communes_have_statbel_population_and_measured_area(self, loaded):
        figures = {
            m.refnis: (m.population, m.area_km2, round(m.density))
            for m in Municipality.objects.filter(refnis__in=["92094", "52011", "62063"])
        }

        # Areas are measured on the (quantised) outlines in an equal-area projection.
        assert figures == {
            "92094": (111_432, Decimal("172.52"), 646),
            "52011": (202_746, Decimal("101.49"), 1998),
            "62063": (197_217, Decimal("74.10"), 2661),
        }

    def test_bastogne_and_bertogne_are_dissolved_into_82039(self, loaded):
        new, old, bertogne = (
            Municipality.objects.get(refnis=code) for code in ("82039", "82003", "82005")
        )

        assert new.population == old.population + bertogne.population == 19_932
        assert new.boundary.derived is True
        assert abs(new.area_km2 - (old.area_km2 + bertogne.area_km2)) <= Decimal("0.05")
        current_neighbours = set(new.neighbours.current().values_list("refnis", flat=True))
        assert "82009" in current_neighbours  # Fauvillers
        assert not {"82003", "82005"} & current_neighbours

    def test_mesen_stays_in_flanders_whatever_its_file_region_code(self, loaded):
        mesen = Municipality.objects.get(refnis="33016")

        assert mesen.region.refnis == "02000"
        assert mesen.population == 1047

    def test_population_is_labelled_1_january_2020_statbel(self, loaded):
        figure = MunicipalityFigure.objects.get(municipality__refnis="92094", year=2020)

        assert (figure.population, figure.source, figure.derived) == (111_432, "Statbel", False)
        assert MunicipalityFigure.objects.get(municipality__refnis="92094", year=2025).source == (
            BOUNDARIES_SOURCE
        )

    def test_a_second_run_changes_nothing_and_skips_the_outlines(self, loaded):
        before = sorted(Boundary.objects.values_list("municipality__refnis", "imported_at"))
        figures = MunicipalityFigure.objects.count()

        out = load_reference()

        assert "the reference outlines are already loaded" in out
        assert sorted(Boundary.objects.values_list("municipality__refnis", "imported_at")) == before
        assert MunicipalityFigure.objects.count() == figures

    def test_outlines_from_another_file_are_never_overwritten(self, loaded):
        Boundary.objects.filter(municipality__refnis="92094").update(source="IGN 2025")

        out = load_reference()

        assert "not loaded over them" in out
        assert Boundary.objects.get(municipality__refnis="92094").source == "IGN 2025"


class TestMapsOnTheReferenceData:
    def test_communes_map_is_coloured_by_density_with_provinces_legend_and_sources(
        self, loaded, client
    ):
        html = client.get("/en/communes/map/").content.decode()

        shapes = re.findall(r'<path class="(fill-\d|no-data)" d="M', html)
        assert (len(shapes), "no-data" in shapes) == (261, False)
        assert 'aria-label="Namur: 646"' in html  # inhabitants per km²
        assert _province_paths(html) == 5
        assert html.count('<span class="swatch fill-') == 5
        assert "Population: Statbel, population on 1 January 2020." in html
        assert "computed from the 2025 municipal outlines" in html
        assert "smartregion import boundaries" not in html
        assert html.count('<tr><th scope="row">') == 261  # the data table

    def test_profile_draws_the_neighbours_and_says_where_figures_come_from(self, loaded, client):
        html = client.get("/en/communes/92094/").content.decode()

        neighbours = re.search(r'<svg class="map".*?</svg>', html, re.DOTALL).group(0)
        assert neighbours.count('<path class="fill-1"') == 10
        assert neighbours.count('<path class="fill-focus"') == 1
        assert _province_paths(neighbours) >= 1
        assert '111,432 <span class="helptext">(1 January 2020, Statbel)</span>' in html
        assert '172.5 km² <span class="helptext">(2025 outlines)</span>' in html
        assert "646 inhabitants/km²" in html

    def test_home_page_says_which_year_the_region_population_is_from(self, loaded, client):
        html = client.get("/en/").content.decode()

        assert '<dd>3,645,243 <span class="helptext">(1 January 2020)</span></dd>' in html

    def test_communes_list_labels_the_population_year_and_sources(self, loaded, client):
        html = client.get("/en/communes/").content.decode()

        assert 'Population <span class="helptext">(1 January 2020)</span>' in html
        assert "Population: Statbel, population on 1 January 2020." in html

    def test_a_project_where_box_highlights_its_communes_over_the_region(self, loaded, client):
        namur = Municipality.objects.get(refnis="92094")
        project = ProjectFactory(owner_municipality=namur)
        project.locations.create(label="Gare", latitude="50.4685", longitude="4.8619")

        html = client.get(f"/en/projects/{project.slug}/").content.decode()

        where = re.search(r'<svg class="map project-map".*?</svg>', html, re.DOTALL).group(0)
        assert where.count('<path class="is-project"') == 1
        assert where.count("<path d=") == 260 + 5  # the other communes, the provinces
        assert where.count('<circle class="dot"') == 1

    def test_projects_map_draws_outlines_and_provinces(self, loaded, client):
        namur = Municipality.objects.get(refnis="92094")
        project = ProjectFactory(owner_municipality=namur)
        project.locations.create(label="Gare", latitude="50.4685", longitude="4.8619")

        html = client.get("/en/projects/map/").content.decode()

        assert _province_paths(html) == 5
        assert html.count('<circle class="dot"') == 1


def test_load_reference_runs_the_importers_and_reports(territory):
    with translation.override("en"):
        out = load_reference()

    assert "Population on 1 January 2020 imported." in out
    assert "derived boundaries (merged municipalities): 13" in out
    assert reference.boundary_codes() >= {"82003", "82005", "92094"}
    assert Boundary.objects.filter(source=BOUNDARIES_SOURCE, derived=True).count() == 13
