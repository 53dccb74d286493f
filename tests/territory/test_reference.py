import datetime as dt

import pytest

from smartregion.territory.models import Municipality, PopulationClass, Province, Region, Succession
from smartregion.territory.services import territory_load_reference

pytestmark = pytest.mark.django_db


def test_reference_walloon_region_has_261_current_communes(territory):
    walloon = Municipality.objects.current(dt.date(2025, 6, 1)).in_region("03000")

    assert walloon.count() == 261
    by_province = {
        p.refnis: walloon.filter(province=p).count()
        for p in Province.objects.filter(region__refnis="03000")
    }
    assert by_province == {"20002": 27, "50000": 69, "60000": 84, "80000": 43, "90000": 38}


def test_reference_belgium_has_565_municipalities_in_2025_and_581_in_2024(territory):
    assert Municipality.objects.current(dt.date(2025, 1, 1)).count() == 565
    assert (
        Municipality.objects.current(dt.date(2024, 12, 31))
        .exclude(valid_from=dt.date(2025, 1, 1))
        .count()
        == 581
    )


def test_reference_walloon_region_had_262_communes_before_the_2025_merger(territory):
    before = Municipality.objects.in_region("03000").filter(
        valid_until__isnull=True, valid_from__isnull=True
    ) | Municipality.objects.in_region("03000").filter(valid_until=dt.date(2024, 12, 31))

    assert before.count() == 262


def test_reference_bastogne_merger_is_data(territory):
    bastogne = Municipality.objects.get(refnis="82039")

    predecessors = sorted(
        s.predecessor.refnis for s in Succession.objects.filter(successor=bastogne)
    )
    assert predecessors == ["82003", "82005"]
    assert bastogne.valid_from == dt.date(2025, 1, 1)
    old = Municipality.objects.get(refnis="82005")
    assert (old.name_fr, old.valid_until, old.is_current(dt.date(2025, 1, 1))) == (
        "Bertogne",
        dt.date(2024, 12, 31),
        False,
    )


def test_reference_names_in_three_languages(territory):
    kelmis = Municipality.objects.get(refnis="63040")
    liege = Region.objects.get(refnis="03000")

    assert (kelmis.name_fr, kelmis.name_nl, kelmis.name_de) == ("La Calamine", "Kelmis", "Kelmis")
    assert (liege.name_fr, liege.name_de, liege.name_en) == (
        "Région wallonne",
        "Wallonische Region",
        "Walloon Region",
    )


def test_reference_load_is_idempotent_and_keeps_figures(territory):
    namur = Municipality.objects.get(refnis="92094")
    namur.figures.create(year=2024, population=113000, source="test")
    counts = (
        Municipality.objects.count(),
        Succession.objects.count(),
        PopulationClass.objects.count(),
    )

    territory_load_reference()

    assert (
        Municipality.objects.count(),
        Succession.objects.count(),
        PopulationClass.objects.count(),
    ) == counts
    namur.refresh_from_db()
    assert (namur.population, namur.population_year, namur.population_class.code) == (
        113000,
        2024,
        "ge50k",
    )
