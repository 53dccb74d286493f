"""Open-data files and the Frictionless Data Package of an edition (pure, no database)."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import zipfile
from pathlib import Path

import frictionless
import openpyxl
import polars as pl
import pytest

from smartregion.opendata import files as opendata
from smartregion.opendata.types import (
    ContributorInfo,
    FieldInfo,
    FieldType,
    PackageInfo,
    SourceInfo,
    TableInfo,
)

CREATED = dt.datetime(2025, 6, 30, 14, 5, tzinfo=dt.UTC)


def _estimates_table() -> TableInfo:
    fields = [
        FieldInfo("question", FieldType.STRING, {"fr": "Question", "en": "Question"},
                  {"fr": "Code de la question", "en": "Question code"}, required=True),
        FieldInfo("province", FieldType.STRING, {"fr": "Province", "en": "Province"},
                  {"fr": "Code REFNIS de la province", "en": "REFNIS code of the province"}),
        FieldInfo("estimate", FieldType.NUMBER, {"fr": "Estimation", "en": "Estimate"},
                  {"fr": "Proportion estimée", "en": "Estimated proportion"}),
        FieldInfo("respondents", FieldType.INTEGER, {"fr": "Répondants", "en": "Respondents"},
                  {"fr": "Nombre de communes répondantes", "en": "Number of responding communes"}),
        FieldInfo("suppressed", FieldType.BOOLEAN, {"fr": "Masqué", "en": "Suppressed"},
                  {"fr": "Moins de 5 répondants", "en": "Fewer than 5 respondents"}),
        FieldInfo("closed_on", FieldType.DATE, {"fr": "Clôture", "en": "Closed on"},
                  {"fr": "Date de clôture de la vague", "en": "Date the wave closed"}),
    ]  # fmt: skip
    rows = [
        {"question": "strategy", "province": "50000", "estimate": 0.4123456789012345,
         "respondents": 31, "suppressed": False, "closed_on": dt.date(2025, 5, 31)},
        {"question": "strategy", "province": "80000", "estimate": None,
         "respondents": 3, "suppressed": True, "closed_on": dt.date(2025, 5, 31)},
        {"question": "obstacles", "province": "60000", "estimate": 0.5,
         "respondents": 40, "suppressed": False, "closed_on": dt.date(2025, 5, 31)},
        {"question": "obstacles", "province": None, "estimate": 1e-7,
         "respondents": 97, "suppressed": False, "closed_on": None},
    ]  # fmt: skip
    return TableInfo(
        name="estimates",
        titles={"fr": "Estimations", "en": "Estimates"},
        descriptions={"fr": "Une ligne par question et province", "en": "One row per question"},
        fields=fields,
        rows=rows,
    )


def _rates_table() -> TableInfo:
    fields = [
        FieldInfo("stratum", FieldType.STRING, {"fr": "Strate", "en": "Stratum"}),
        FieldInfo("invited", FieldType.INTEGER, {"fr": "Invitées", "en": "Invited"}),
        FieldInfo("rate", FieldType.NUMBER, {"fr": "Taux", "en": "Rate"}),
    ]
    rows = [
        {"stratum": "Liège, « 10 000–20 000 »", "invited": 84, "rate": 0.55},
        {"stratum": 'Namur, "small"\nrural', "invited": 38, "rate": 0.6},
    ]
    return TableInfo(
        name="response-rates",
        titles={"fr": "Taux de réponse", "en": "Response rates"},
        descriptions={"fr": "Taux par strate", "en": "Rates by stratum"},
        fields=fields,
        rows=rows,
        primary_key=("stratum",),
    )


def _package() -> PackageInfo:
    return PackageInfo(
        name="barometer-2025-r2",
        titles={"fr": "Baromètre 2025", "en": "Barometer 2025"},
        descriptions={"fr": "Résultats de la vague 2025", "en": "Results of the 2025 wave"},
        version="2025.2.0",
        revision=2,
        created=CREATED,
        homepage="https://observatory.example.org/editions/2025/",
        keywords={"fr": ["ville intelligente", "communes"], "en": ["smart city", "municipalities"]},
        sources=[SourceInfo({"fr": "Vague 2025", "en": "2025 wave"}, "https://example.org/w/25")],
        contributors=[
            ContributorInfo("Centre de référence", role="publisher", email="data@example.org"),
            ContributorInfo("A. Analyst", role="author", organization="Centre"),
        ],
    )


def test_table_to_csv_round_trips_header_and_rows():
    table = _rates_table()

    content = opendata.table_to_csv(table)

    rows = list(csv.reader(io.StringIO(content.decode("utf-8"), newline="")))
    assert rows == [
        ["stratum", "invited", "rate"],
        ["Liège, « 10 000–20 000 »", "84", "0.55"],
        ['Namur, "small"\nrural', "38", "0.6"],
    ]


def test_table_to_csv_writes_missing_booleans_dates_and_exact_floats():
    content = opendata.table_to_csv(_estimates_table())

    rows = list(csv.reader(io.StringIO(content.decode("utf-8"), newline="")))
    assert rows[0] == ["question", "province", "estimate", "respondents", "suppressed", "closed_on"]
    assert rows[1] == ["strategy", "50000", "0.4123456789012345", "31", "false", "2025-05-31"]
    assert rows[2] == ["strategy", "80000", "", "3", "true", "2025-05-31"]
    assert rows[4] == ["obstacles", "", "1e-07", "97", "false", ""]
    assert float(rows[1][2]) == 0.4123456789012345


def test_table_to_json_round_trips_rows():
    table = _estimates_table()

    loaded = json.loads(opendata.table_to_json(table))

    assert loaded[1] == {
        "question": "strategy",
        "province": "80000",
        "estimate": None,
        "respondents": 3,
        "suppressed": True,
        "closed_on": "2025-05-31",
    }
    assert [row["estimate"] for row in loaded] == [0.4123456789012345, None, 0.5, 1e-7]
    assert len(loaded) == 4


def test_table_to_parquet_round_trips_with_polars_types():
    table = _estimates_table()

    frame = pl.read_parquet(io.BytesIO(opendata.table_to_parquet(table)))

    assert frame.schema == {
        "question": pl.String,
        "province": pl.String,
        "estimate": pl.Float64,
        "respondents": pl.Int64,
        "suppressed": pl.Boolean,
        "closed_on": pl.Date,
    }
    assert frame.to_dicts() == [dict(row) for row in table.rows]


def test_tables_to_xlsx_round_trips_cells_and_describes_fields():
    tables = [_estimates_table(), _rates_table()]

    content = opendata.tables_to_xlsx(tables, language="en", created=CREATED)

    workbook = openpyxl.load_workbook(io.BytesIO(content))
    assert workbook.sheetnames == ["estimates", "response-rates", "_fields"]
    cells = list(workbook["estimates"].iter_rows(values_only=True))
    assert cells[0] == (
        "question",
        "province",
        "estimate",
        "respondents",
        "suppressed",
        "closed_on",
    )
    assert cells[1] == (
        "strategy", "50000", 0.4123456789012345, 31, False, dt.datetime(2025, 5, 31),
    )  # fmt: skip
    assert cells[2] == ("strategy", "80000", None, 3, True, dt.datetime(2025, 5, 31))
    assert cells[4] == ("obstacles", None, 1e-7, 97, False, None)
    rates = list(workbook["response-rates"].iter_rows(values_only=True))
    assert rates[2] == ('Namur, "small"\nrural', 38, 0.6)
    fields = list(workbook["_fields"].iter_rows(values_only=True))
    assert fields[1] == ("estimates", "question", "string", "Question", "Question code")
    assert fields[-1] == ("response-rates", "rate", "number", "Rate", None)


def test_tables_to_xlsx_is_reproducible():
    tables = [_estimates_table()]

    first = opendata.tables_to_xlsx(tables, language="fr", created=CREATED)
    second = opendata.tables_to_xlsx(tables, language="fr", created=CREATED)

    assert first == second


def test_tables_to_xlsx_rejects_a_table_named_like_the_fields_sheet():
    table = TableInfo("_fields", {}, {}, [FieldInfo("a", FieldType.STRING)], [])

    with pytest.raises(ValueError, match="_fields"):
        opendata.tables_to_xlsx([table], language="fr", created=CREATED)


def test_build_datapackage_describes_package_resources_and_schemas_in_the_language():
    tables = [_estimates_table(), _rates_table()]
    csv_bytes = opendata.table_to_csv(tables[1])

    descriptor = opendata.build_datapackage(_package(), tables, language="en")

    assert descriptor["name"] == "barometer-2025-r2"
    assert descriptor["title"] == "Barometer 2025"
    assert descriptor["version"] == "2025.2.0"
    assert descriptor["revision"] == 2
    assert descriptor["created"] == "2025-06-30T14:05:00+00:00"
    assert descriptor["licenses"] == [
        {
            "name": "CC-BY-4.0",
            "path": "https://creativecommons.org/licenses/by/4.0/",
            "title": "Creative Commons Attribution 4.0 International",
        }
    ]
    assert descriptor["sources"] == [{"title": "2025 wave", "path": "https://example.org/w/25"}]
    assert descriptor["contributors"] == [
        {"title": "Centre de référence", "role": "publisher", "email": "data@example.org"},
        {"title": "A. Analyst", "role": "author", "organization": "Centre"},
    ]
    assert descriptor["keywords"] == ["smart city", "municipalities"]
    rates = descriptor["resources"][1]
    assert rates["path"] == "data/response-rates.csv"
    assert rates["bytes"] == len(csv_bytes)
    assert rates["hash"] == "sha256:" + opendata.sha256_hex(csv_bytes)
    assert rates["schema"]["primaryKey"] == ["stratum"]
    assert rates["schema"]["missingValues"] == [""]
    assert descriptor["resources"][0]["schema"]["fields"][0] == {
        "name": "question",
        "type": "string",
        "title": "Question",
        "description": "Question code",
        "constraints": {"required": True},
    }


def test_build_datapackage_falls_back_to_the_first_language():
    descriptor = opendata.build_datapackage(_package(), [_rates_table()], language="de")

    assert descriptor["title"] == "Baromètre 2025"
    assert descriptor["resources"][0]["schema"]["fields"][2]["title"] == "Taux"


def _write_package(tmp_path: Path, language: str = "fr") -> Path:
    content = opendata.datapackage_zip(_package(), [_estimates_table(), _rates_table()],
                                       language=language)  # fmt: skip
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        archive.extractall(tmp_path)
    return tmp_path / "datapackage.json"


def test_datapackage_zip_holds_descriptor_and_csv_files(tmp_path):
    content = opendata.datapackage_zip(_package(), [_estimates_table(), _rates_table()],
                                       language="fr")  # fmt: skip

    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        names = archive.namelist()
        estimates = archive.read("data/estimates.csv")
    assert names == ["datapackage.json", "data/estimates.csv", "data/response-rates.csv"]
    assert estimates == opendata.table_to_csv(_estimates_table())


def test_datapackage_descriptor_is_valid_frictionless_metadata(tmp_path):
    descriptor_path = _write_package(tmp_path)
    descriptor = json.loads(descriptor_path.read_text(encoding="utf-8"))

    package = frictionless.Package(descriptor, basepath=str(tmp_path))

    assert package.name == "barometer-2025-r2"
    assert [r.name for r in package.resources] == ["estimates", "response-rates"]
    assert package.licenses[0]["name"] == "CC-BY-4.0"


@pytest.mark.parametrize("language", ["fr", "en"])
def test_datapackage_data_validates_against_its_schemas(tmp_path, language):
    descriptor_path = _write_package(tmp_path, language)

    report = frictionless.validate(str(descriptor_path))

    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "message"])
    assert [task.stats["rows"] for task in report.tasks] == [4, 2]


def test_datapackage_validation_catches_a_tampered_file(tmp_path):
    descriptor_path = _write_package(tmp_path)
    (tmp_path / "data" / "response-rates.csv").write_bytes(b"stratum,invited,rate\r\nx,many,0\r\n")

    report = frictionless.validate(str(descriptor_path))

    errors = {e[0] for e in report.flatten(["type"])}
    assert not report.valid
    assert {"hash-count", "byte-count", "type-error"} <= errors


def test_frictionless_reads_back_typed_rows(tmp_path):
    descriptor_path = _write_package(tmp_path)
    package = frictionless.Package(str(descriptor_path))

    rows = package.get_resource("estimates").read_rows()

    assert rows[1].to_dict() == {
        "question": "strategy",
        "province": "80000",
        "estimate": None,
        "respondents": 3,
        "suppressed": True,
        "closed_on": dt.date(2025, 5, 31),
    }
    assert float(rows[0]["estimate"]) == 0.4123456789012345
