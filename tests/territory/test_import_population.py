"""`smartregion import population`: Statbel population files, good and broken."""

from __future__ import annotations

from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import translation

from smartregion.territory.models import Municipality, MunicipalityFigure


def run(*args: str) -> str:
    """Run the command in English, the source language the assertions are written in; the
    files here name a few communes, so they are imported as partial files."""
    out = StringIO()
    with translation.override("en"):
        call_command("import", "population", *args, "--partial", stdout=out, stderr=StringIO())
    return out.getvalue()


def fail(*args: str) -> str:
    with pytest.raises(CommandError) as caught:
        run(*args)
    assert caught.value.returncode == 2
    return str(caught.value)


def figures(year: int) -> dict[str, tuple[int | None, bool]]:
    rows = MunicipalityFigure.objects.filter(year=year).values_list(
        "municipality__refnis", "population", "derived"
    )
    return {code: (population, derived) for code, population, derived in rows}


def snapshot() -> list[tuple]:
    """Everything an import may touch, to prove a failed one changed nothing."""
    return [
        *MunicipalityFigure.objects.order_by("pk").values_list(),
        *Municipality.objects.order_by("pk").values_list("refnis", "population", "population_year"),
    ]


@pytest.mark.django_db
def test_population_wide_csv_with_bom_skips_aggregates_and_derives_merger(reference, files):
    out = run(str(files / "population_wide_bom.csv"), "--year", "2020")

    assert figures(2020) == {
        "92003": (26937, False),
        "92094": (110939, False),
        "82003": (16055, False),
        "82005": (3485, False),
        "82039": (16055 + 3485, True),
    }
    assert out.splitlines() == [
        "Population on 1 January 2020 imported.",
        "rows read: 9",
        "municipalities updated: 4",
        "aggregate rows skipped (regions, provinces, arrondissements): 5",
        "derived figures (merged municipalities): 1",
    ]
    namur = Municipality.objects.get(refnis="92094")
    assert (namur.population, namur.population_year) == (110939, 2020)
    assert namur.population_class is not None
    assert MunicipalityFigure.objects.get(municipality=namur, year=2020).source == (
        "Statbel, population on 1 January 2020 (population_wide_bom.csv)"
    )


@pytest.mark.django_db
def test_population_import_twice_gives_same_rows(reference, files):
    run(str(files / "population_wide_bom.csv"), "--year", "2020", "--source", "Statbel 2020")
    first = list(MunicipalityFigure.objects.order_by("pk").values_list())

    run(str(files / "population_wide_bom.csv"), "--year", "2020", "--source", "Statbel 2020")

    assert list(MunicipalityFigure.objects.order_by("pk").values_list()) == first
    assert len(first) == 5


@pytest.mark.django_db
def test_population_published_figure_wins_over_derived(reference, files, tmp_path):
    path = tmp_path / "with_successor.csv"
    path.write_text("REFNIS,Total\n82003,10\n82005,20\n82039,35\n", encoding="utf-8")

    run(str(path), "--year", "2025")

    assert figures(2025) == {"82003": (10, False), "82005": (20, False), "82039": (35, False)}


@pytest.mark.django_db
def test_population_semicolon_csv_with_french_headers(reference, files):
    run(str(files / "population_semicolon.csv"), "--year", "2024")

    assert figures(2024) == {
        "92094": (112000, False),
        "92003": (27500, False),
        "92035": (16900, False),
    }


@pytest.mark.django_db
def test_population_long_layout_sums_rows_and_reads_year_column(reference, files):
    out = run(str(files / "population_long.csv"))

    assert figures(2024) == {"92094": (197, False), "92003": (75, False)}
    assert "rows read: 6" in out
    assert "aggregate rows skipped (regions, provinces, arrondissements): 1" in out


@pytest.mark.django_db
def test_population_year_column_with_several_years_needs_year(reference, tmp_path):
    path = tmp_path / "years.csv"
    path.write_text(
        "CD_YEAR,CD_REFNIS,CD_SEX,MS_POPULATION\n"
        "2023,92094,F,5\n2023,92094,M,6\n2024,92094,F,7\n2024,92094,M,8\n",
        encoding="utf-8",
    )
    assert fail(str(path)).splitlines() == [
        "Nothing was imported: 1 problem(s) found.",
        "  The file has several years (2023, 2024): choose one with --year.",
    ]

    out = run(str(path), "--year", "2023")

    assert figures(2023) == {"92094": (11, False)}
    assert "rows of other years skipped: 2" in out


@pytest.mark.django_db
def test_population_without_year_asks_for_it(reference, files):
    assert fail(str(files / "population_semicolon.csv")).splitlines()[1] == (
        "  The file has no year column: pass --year (population on 1 January)."
    )


@pytest.mark.django_db
def test_population_xlsx_with_title_rows_and_numeric_codes(reference, tmp_path):
    path = tmp_path / "population.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Population"
    sheet.append(["Population au 1er janvier 2024"])
    sheet.append([])
    sheet.append(["Code INS", "Commune", "Population"])
    sheet.append([92094, "Namur", 112000])
    sheet.append([3000, "Région wallonne", 3660000])  # Excel dropped the leading zero
    sheet.append(["92003", "Andenne", 27500.0])
    workbook.save(path)

    out = run(str(path), "--year", "2024")

    assert figures(2024) == {"92094": (112000, False), "92003": (27500, False)}
    assert "aggregate rows skipped (regions, provinces, arrondissements): 1" in out


@pytest.mark.django_db
def test_population_xlsx_errors_name_sheet_and_row(reference, tmp_path):
    path = tmp_path / "population.xlsx"
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "Data"
    sheet.append(["CD_REFNIS", "MS_POPULATION"])
    sheet.append(["92094", "beaucoup"])
    sheet.append(["92003"])
    workbook.save(path)

    assert fail(str(path), "--year", "2024").splitlines() == [
        "Nothing was imported: 2 problem(s) found.",
        "  sheet Data, row 2, column MS_POPULATION: not a whole number: “beaucoup”",
        "  sheet Data, row 3, column MS_POPULATION: missing population total",
    ]


@pytest.mark.django_db
def test_population_cp1252_file_is_refused_with_line_and_hint(reference, files):
    before = snapshot()

    message = fail(str(files / "population_cp1252.csv"), "--year", "2024")

    assert message.splitlines() == [
        "Nothing was imported: 1 problem(s) found.",
        "  line 4: byte 0xE9 is not valid UTF-8 (wrong encoding). Re-save the file as UTF-8 "
        "(in Excel: “CSV UTF-8”), or name its encoding, e.g. --encoding cp1252.",
    ]
    assert snapshot() == before


@pytest.mark.django_db
def test_population_cp1252_file_imports_with_explicit_encoding(reference, files):
    run(str(files / "population_cp1252.csv"), "--year", "2024", "--encoding", "cp1252")

    assert figures(2024)["92035"] == (16757, False)


BROKEN = {
    "population_unknown_code.csv": [
        "Nothing was imported: 3 problem(s) found.",
        "  line 3, column NIS code: unknown REFNIS code 92999: "
        "not a municipality in the registry (current or former)",
        "  line 4, column NIS code: malformed REFNIS code “9209”: expected five digits, "
        "e.g. 92094 (a leading zero lost, e.g. by Excel?)",
        "  line 5, column NIS code: malformed REFNIS code “92O94”: expected five digits, "
        "e.g. 92094",
    ],
    "population_duplicate.csv": [
        "Nothing was imported: 1 problem(s) found.",
        "  line 4, column NIS code: duplicate REFNIS code 92094: already on line 2",
    ],
    "population_non_numeric.csv": [
        "Nothing was imported: 3 problem(s) found.",
        "  line 2, column Totaal: not a whole number: “110 939”",
        "  line 3, column Totaal: not a whole number: “n/a”",
        "  line 4, column Totaal: missing population total",
    ],
    "population_negative.csv": [
        "Nothing was imported: 1 problem(s) found.",
        "  line 3, column Totaal: negative population: -26937",
    ],
    "population_missing_column.csv": [
        "Nothing was imported: 1 problem(s) found.",
        "  line 1: missing column for the population total: expected one of totaal, total, "
        "population, ms_population, bevolking, population totale; "
        "found NIS code, Woonplaats, Mannen, Vrouwen",
    ],
    "population_truncated.csv": [
        "Nothing was imported: 1 problem(s) found.",
        "  line 4, column Mannen: missing value: the row has 2 of 5 fields; is the file truncated?",
    ],
    "population_empty.csv": [
        "Nothing was imported: 1 problem(s) found.",
        "  The file is empty.",
    ],
}


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(BROKEN))
def test_population_broken_file_lists_problems_and_changes_nothing(reference, files, name):
    run(str(files / "population_semicolon.csv"), "--year", "2024")
    before = snapshot()

    message = fail(str(files / name), "--year", "2024")

    assert message.splitlines() == BROKEN[name]
    assert snapshot() == before


@pytest.mark.django_db
def test_population_header_without_rows_is_refused(reference, tmp_path):
    path = tmp_path / "header_only.csv"
    path.write_text("NIS code,Totaal\n", encoding="utf-8")

    assert fail(str(path), "--year", "2024").splitlines()[1] == (
        "  The file has a header but no data rows."
    )


@pytest.mark.django_db
def test_population_long_error_list_is_capped(reference, tmp_path):
    path = tmp_path / "many.csv"
    path.write_text("NIS code,Totaal\n" + "92094,x\n" * 60, encoding="utf-8")

    lines = fail(str(path), "--year", "2024").splitlines()

    assert lines[0] == "Nothing was imported: 60 problem(s) found."
    assert len(lines) == 1 + 50 + 1
    assert lines[-1] == "  … and 10 more."


@pytest.mark.django_db
def test_population_dry_run_writes_nothing(reference, files):
    out = run(str(files / "population_wide_bom.csv"), "--year", "2020", "--dry-run")

    assert out.splitlines()[0] == "Population on 1 January 2020: dry run, nothing written."
    assert "derived figures (merged municipalities): 1" in out
    assert MunicipalityFigure.objects.count() == 0


@pytest.mark.django_db
def test_population_missing_file_is_bad_input(reference, tmp_path):
    assert fail(str(tmp_path / "nope.csv"), "--year", "2024").splitlines()[1] == (
        f"  File not found: {tmp_path / 'nope.csv'}"
    )


@pytest.mark.django_db
def test_population_url_is_downloaded(reference, files, monkeypatch):
    data = (files / "population_semicolon.csv").read_bytes()

    def fake_urlopen(url: str, timeout: float) -> object:
        import io

        assert url == "https://statbel.example/pop.csv"
        return io.BytesIO(data)

    monkeypatch.setattr("urllib.request.urlopen", fake_urlopen)

    run("https://statbel.example/pop.csv", "--year", "2024")

    assert figures(2024)["92094"] == (112000, False)


@pytest.mark.django_db
def test_population_real_statbel_2020_file(reference, shared_data: Path):
    out = run(str(shared_data / "statbel_population_by_municipality_2020.csv"), "--year", "2020")

    walloon = MunicipalityFigure.objects.filter(year=2020, municipality__region__refnis="03000")
    current = walloon.filter(municipality__in=Municipality.objects.current())
    assert sum(walloon.filter(derived=False).values_list("population", flat=True)) == 3_645_243
    assert current.count() == 261
    assert sum(current.values_list("population", flat=True)) == 3_645_243
    result = figures(2020)
    assert result["82003"] == (16276, False)
    assert result["82005"] == (3656, False)
    assert result["82039"] == (16276 + 3656, True)
    assert "municipalities updated: 581" in out
