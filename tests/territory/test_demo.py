import pytest
from django.core.management import call_command

from smartregion.territory.models import Municipality, MunicipalityFigure
from smartregion.territory.services import DEMO_SOURCE, figures_create_demo

pytestmark = pytest.mark.django_db


def test_demo_figures_are_labelled_and_replaced_by_an_official_import(client, territory, tmp_path):
    assert figures_create_demo() == 565
    assert "Demonstration data" in client.get("/en/communes/").content.decode()
    csv = tmp_path / "population.csv"
    csv.write_text("NIS code,Woonplaats,Totaal\n92094,Namen,112000\n", encoding="utf-8")

    call_command("import", "population", str(csv), "--year", "2024", "--partial")

    assert not MunicipalityFigure.objects.filter(source=DEMO_SOURCE).exists()
    namur = Municipality.objects.get(refnis="92094")
    assert (namur.population, namur.population_year) == (112000, 2024)
    assert Municipality.objects.get(refnis="92003").population is None
    from django.core.cache import cache

    cache.clear()
    assert "Demonstration data" not in client.get("/en/communes/").content.decode()


def test_demo_figures_are_not_created_over_official_ones(territory):
    MunicipalityFigure.objects.create(
        municipality=Municipality.objects.get(refnis="92094"),
        year=2024,
        population=112000,
        source="Statbel",
    )

    assert figures_create_demo() == 0
    assert MunicipalityFigure.objects.count() == 1


def test_demo_command_is_idempotent(territory):
    call_command("demo", verbosity=0)
    counts = (Municipality.objects.count(), MunicipalityFigure.objects.count())

    call_command("demo", verbosity=0)

    assert (Municipality.objects.count(), MunicipalityFigure.objects.count()) == counts
