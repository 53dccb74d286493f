import pytest
from django.core.management import call_command

from smartregion.territory.models import Municipality, MunicipalityFigure
from smartregion.territory.services import DEMO_SOURCE

pytestmark = pytest.mark.django_db


def test_an_import_removes_synthetic_figures_of_an_older_demo(territory, tmp_path):
    namur = Municipality.objects.get(refnis="92094")
    MunicipalityFigure.objects.create(
        municipality=namur, year=2024, population=6624, source=DEMO_SOURCE
    )
    csv = tmp_path / "population.csv"
    csv.write_text("NIS code,Woonplaats,Totaal\n92094,Namen,112000\n", encoding="utf-8")

    call_command("import", "population", str(csv), "--year", "2024", "--partial")

    assert not MunicipalityFigure.objects.filter(source=DEMO_SOURCE).exists()
    namur.refresh_from_db()
    assert (namur.population, namur.population_year) == (112000, 2024)


def test_demo_command_is_idempotent(territory):
    call_command("demo", verbosity=0)
    counts = (Municipality.objects.count(), MunicipalityFigure.objects.count())

    call_command("demo", verbosity=0)

    assert (Municipality.objects.count(), MunicipalityFigure.objects.count()) == counts
    assert not MunicipalityFigure.objects.filter(source=DEMO_SOURCE).exists()
    assert Municipality.objects.get(refnis="52011").population == 202746
