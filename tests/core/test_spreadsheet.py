"""Every CSV and XLSX export neutralises cells a spreadsheet would run as a formula (OWASP)."""

from __future__ import annotations

import csv
import datetime as dt
import io
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import openpyxl
import polars as pl
import pytest

from smartregion.barometer.models import Wave
from smartregion.core.spreadsheet import safe_cell, safe_text
from smartregion.diagnostic.exports import results_csv
from smartregion.instruments.services import instrument_version_load
from smartregion.observatory.management.commands.observatory import _neutralise_text
from smartregion.opendata.files import table_to_csv, tables_to_xlsx
from smartregion.opendata.types import FieldInfo, FieldType, TableInfo
from smartregion.projects.models import Project
from smartregion.territory.models import Municipality, Region
from tests.factories import ProjectFactory

ROOT = Path(__file__).resolve().parents[2]
HOSTILE = [
    '=HYPERLINK("http://evil.example","x")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(A1:A2)",
    "\t=1+1",
    "\r=1+1",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_text_a_spreadsheet_would_evaluate_gets_a_leading_quote(value):
    assert safe_text(value) == "'" + value


@pytest.mark.parametrize(
    "value",
    [-12.5, -3, Decimal("-1.25"), 0, True, None, dt.date(2025, 1, 1), "-12.5", "+3", "-1e-05"],
)
def test_genuine_numbers_and_other_values_stay_as_they_are(value):
    assert safe_cell(value) == value


@pytest.mark.parametrize("value", ["Namur", "", "a=b", "'=quoted already"])
def test_ordinary_text_is_unchanged(value):
    assert safe_text(value) == value


def _table(value) -> TableInfo:
    return TableInfo(
        name="hostile",
        titles={"fr": "Hostile"},
        descriptions={},
        fields=(
            FieldInfo("text", FieldType.STRING, {"fr": "=1+1"}),
            FieldInfo("figure", FieldType.NUMBER, {}),
        ),
        rows=({"text": value, "figure": -2.5},),
    )


@pytest.mark.parametrize("value", HOSTILE)
def test_open_data_csv_neutralises_text_and_keeps_negative_numbers(value):
    rows = list(csv.reader(io.StringIO(table_to_csv(_table(value)).decode(), newline="")))

    assert rows == [["text", "figure"], ["'" + value, "-2.5"]]


@pytest.mark.parametrize("value", HOSTILE)
def test_open_data_xlsx_has_no_formula_cell_and_keeps_numbers_numeric(value):
    created = dt.datetime(2025, 1, 1, tzinfo=dt.UTC)
    content = tables_to_xlsx([_table(value)], language="fr", created=created)
    workbook = openpyxl.load_workbook(io.BytesIO(content))

    cells = [cell for sheet in workbook for row in sheet.iter_rows() for cell in row]
    assert [c for c in cells if c.data_type == "f"] == []
    # XML turns a carriage return into a line feed; the quote is what matters.
    assert workbook["hostile"]["A2"].value == "'" + value.replace("\r", "\n")
    assert workbook["hostile"]["B2"].value == -2.5
    assert workbook["hostile"]["B2"].data_type == "n"
    assert workbook["_fields"]["D2"].value == "'=1+1"


def test_diagnostic_results_csv_neutralises_domain_names():
    domain = SimpleNamespace(
        code="gov", name="=1+1", score=-1.0, level=None, target=None, coverage=None,
        dont_know=0, not_applicable=0,
    )  # fmt: skip
    view = SimpleNamespace(
        domains=[domain], overall=None, overall_level=None, coverage=None,
        instrument=SimpleNamespace(title="@x"),
    )  # fmt: skip

    rows = list(csv.reader(io.StringIO(results_csv(view)[1:], newline="")))

    assert rows[1][:3] == ["gov", "'=1+1", "-1.0"]


def test_observatory_estimate_file_neutralises_text_columns():
    frame = pl.DataFrame({"category": ["=1+1", "yes"], "estimate": [-0.5, 0.5]})

    safe = _neutralise_text(frame)

    assert safe.to_dicts() == [
        {"category": "'=1+1", "estimate": -0.5},
        {"category": "yes", "estimate": 0.5},
    ]


@pytest.mark.django_db
def test_projects_csv_neutralises_hostile_titles(client, namur, fetch_built, settings):
    settings.SMARTREGION_BASE_URL = "https://smart.example.org"
    ProjectFactory(owner_municipality=namur, title_fr="=HYPERLINK(1)", summary_fr="-2+3")

    response = client.get("/data/projects.csv?commune=92094")
    rows = list(csv.DictReader(io.StringIO(response.content.decode("utf-8-sig"))))

    assert [(r["title_fr"], r["summary_fr"]) for r in rows] == [("'=HYPERLINK(1)", "'-2+3")]
    assert Project.objects.get().title_fr == "=HYPERLINK(1)"


@pytest.mark.django_db
def test_barometer_non_respondents_csv_neutralises_names_and_emails(client, staff_user, territory):
    version = instrument_version_load(path=ROOT / "tests/instruments/files/tiny.yaml")
    wave = Wave.objects.create(
        title_fr="B", year=2025, instrument_version=version,
        region=Region.objects.get(refnis="03000"), population_date=dt.date(2025, 1, 1),
    )  # fmt: skip
    Municipality.objects.filter(refnis="92094").update(
        name_fr="=cmd|'/C calc'!A0", contact_email="@evil@namur.example"
    )
    client.force_login(staff_user)
    client.post(f"/en/barometer/waves/{wave.pk}/open/")

    export = client.get(f"/en/barometer/waves/{wave.pk}/non-respondents.csv")
    rows = list(csv.DictReader(io.StringIO(export.content.decode("utf-8-sig"))))

    namur = next(r for r in rows if r["refnis"] == "92094")
    assert (namur["commune"], namur["email"]) == ("'=cmd|'/C calc'!A0", "'@evil@namur.example")
