"""Open-data downloads of an edition: exact files, media types, reproducible bytes, Data Package."""

from __future__ import annotations

import copy
import csv
import hashlib
import io
import json
import zipfile

import frictionless
import openpyxl
import polars as pl
import pytest

from smartregion.barometer.models import Wave
from smartregion.core.models import PreparedFile
from smartregion.observatory import exports
from smartregion.observatory.models import Edition
from smartregion.observatory.services import edition_publish
from smartregion.territory.models import Municipality
from tests.factories import closed_wave

pytestmark = pytest.mark.django_db

RESULT_HEADER = [
    "question",
    "category",
    "breakdown",
    "base",
    "kind",
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "respondents",
    "population",
    "unweighted",
    "unweighted_se",
    "suppressed",
    "strata",
    "df",
    "method",
    "n_effective",
    "deff",
    "cv",
    "ci_width",
    "variance_fallback",
    "flag",
    "suppression",
]
TREND_HEADER = [
    "question",
    "category",
    "breakdown",
    "base",
    "kind",
    "comparison",
    "estimate_from",
    "estimate_to",
    "difference",
    "se",
    "ci_low",
    "ci_high",
    "respondents_from",
    "respondents_to",
    "suppressed",
    "df",
    "method",
    "suppression",
]
WEIGHTING_HEADER = [
    "cell",
    "provinces",
    "population_classes",
    "population",
    "respondents",
    "weight_min",
    "weight_median",
    "weight_max",
    "kish",
    "effective_respondents",
    "trimmed",
    "raked",
    "trim",
    "min_weighting_cell",
]
RESULT_FIGURES = (
    "estimate",
    "se",
    "ci_low",
    "ci_high",
    "unweighted",
    "unweighted_se",
    "df",
    "n_effective",
    "deff",
    "cv",
    "ci_width",
)
TREND_FIGURES = ("estimate_from", "estimate_to", "difference", "se", "ci_low", "ci_high", "df")


@pytest.fixture
def download(client, fetch_built):
    """GET an edition's file that nobody asked for yet: 503 while it is queued, then the file."""
    return lambda edition, name: fetch_built(client, _url(edition, name))


def _sha256(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def _url(edition, name: str) -> str:
    return f"/data/editions/{edition.slug}/r{edition.revision}/{name}"


def _rows(content: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(content.decode("utf-8"))))


def _result(edition, question: str, category: str, breakdown: str = "all") -> dict:
    return next(
        row
        for row in edition.data["results"]
        if (row["question"], row["category"], row["breakdown"]) == (question, category, breakdown)
    )


def _csv_line(row: dict, header: list[str]) -> list[str]:
    def cell(value):
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        return repr(value) if isinstance(value, float) else str(value)

    return [cell(row.get(name)) for name in header]


def test_results_csv_has_the_header_and_the_frozen_figures(download, published):
    edition = published.latest

    response = download(edition, "results.csv")

    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == (
        'attachment; filename="smartregion-barometer-2025-r2-results.csv"'
    )
    rows = _rows(response.content)
    assert rows[0] == RESULT_HEADER
    assert len(rows) == len(edition.data["results"]) + 1
    expected = _csv_line(_result(edition, "strategy_formal", "yes"), RESULT_HEADER)
    assert expected in rows
    assert expected[:5] == ["strategy_formal", "yes", "all", "substantive", "proportion"]


def test_suppressed_cells_have_empty_figures_in_the_csv(
    client, published, territory, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # publishing queues the files
        sparse = edition_publish(wave=closed_wave(2027, "2025", 0.12, seed=3), user=None)

    rows = _rows(client.get(_url(sparse, "results.csv")).content)

    suppressed = [row for row in rows[1:] if row[13] == "true"]
    assert suppressed
    assert {tuple(row[5:9]) for row in suppressed} == {("", "", "", "")}


def test_trends_csv_lists_independent_and_panel_comparisons(download, published):
    edition = published.latest

    rows = _rows(download(edition, "trends.csv").content)

    assert rows[0] == TREND_HEADER
    first = edition.data["trends"][0]
    assert rows[1] == _csv_line(first, TREND_HEADER)
    assert {row[5] for row in rows[1:]} == {"independent", "panel"}


def test_rates_csv_is_exact(download, published):
    rates = published.latest.data["rates"]

    rows = _rows(download(published.latest, "rates.csv").content)

    overall = rates["all"][0]
    assert rows[0] == ["breakdown", "key", "label", "population", "submitted", "rate"]
    assert rows[1] == ["all", "all", "", "261", str(overall["submitted"]), repr(overall["rate"])]
    assert rows[2][:4] == ["province", "20002", "Province du Brabant wallon", "27"]
    assert len(rows) == 1 + 1 + len(rates["province"]) + len(rates["population_class"])


def test_public_answers_csv_lists_only_public_questions_by_commune(download, published):
    edition = published.latest
    public = {q["code"] for q in edition.data["questions"] if q["public"]}

    rows = _rows(download(edition, "public-answers.csv").content)

    assert rows[0] == ["refnis", "commune", "question", "value"]
    assert {row[2].split(".")[0] for row in rows[1:]} <= public
    assert "budget_annual" not in {row[2] for row in rows[1:]}
    refnis, value = sorted(edition.data["public_answers"]["strategy_formal"].items())[0]
    name = Municipality.objects.get(refnis=refnis).name_fr
    assert [refnis, name, "strategy_formal", value] in rows
    axes = [row for row in rows if row[2] == "priority_axes" and row[0] == refnis]
    assert [row[3] for row in axes] == list(edition.data["public_answers"]["priority_axes"][refnis])


def test_results_xlsx_holds_every_table_and_the_field_descriptions(download, published):
    edition = published.latest

    response = download(edition, "results.xlsx")

    assert response["Content-Type"] == (
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    assert workbook.sheetnames == [
        "results",
        "trends",
        "rates",
        "weighting",
        "public-answers",
        "_fields",
    ]
    sheet = workbook["results"]
    header = [cell.value for cell in next(sheet.iter_rows(min_row=1, max_row=1))]
    first = [cell.value for cell in next(sheet.iter_rows(min_row=2, max_row=2))]
    assert header == RESULT_HEADER
    assert first == [edition.data["results"][0].get(name) for name in RESULT_HEADER]


def test_results_parquet_reads_back_with_polars(download, published):
    edition = published.latest

    response = download(edition, "results.parquet")

    assert response["Content-Type"] == "application/vnd.apache.parquet"
    frame = pl.read_parquet(io.BytesIO(response.content))
    assert frame.columns == RESULT_HEADER
    assert frame.height == len(edition.data["results"])
    row = frame.filter(
        (pl.col("question") == "strategy_formal")
        & (pl.col("category") == "yes")
        & (pl.col("breakdown") == "all")
    )
    assert row["estimate"].item() == _result(edition, "strategy_formal", "yes")["estimate"]
    assert frame.schema["respondents"] == pl.Int64
    assert frame.schema["suppressed"] == pl.Boolean


def test_results_json_is_an_array_of_rows(download, published):
    edition = published.latest

    response = download(edition, "results.json")

    assert response["Content-Type"] == "application/json"
    rows = json.loads(response.content)
    assert list(rows[0]) == RESULT_HEADER
    assert rows == [{k: r.get(k) for k in RESULT_HEADER} for r in edition.data["results"]]


def test_datapackage_validates_with_frictionless(download, published, tmp_path):
    edition = published.latest
    descriptor = download(edition, "datapackage.json")
    package = download(edition, "package.zip")

    assert package["Content-Type"] == "application/zip"
    zipfile.ZipFile(io.BytesIO(package.content)).extractall(tmp_path)
    report = frictionless.validate(str(tmp_path / "datapackage.json"))

    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert (tmp_path / "datapackage.json").read_bytes() == descriptor.content
    meta = json.loads(descriptor.content)
    assert (meta["name"], meta["version"], meta["revision"]) == (
        "smartregion-barometer-2025-r2",
        "2025.2",
        2,
    )
    assert meta["licenses"][0]["name"] == "CC-BY-4.0"
    assert meta["checksum"] == f"sha256:{edition.checksum}"
    assert meta["demo"] is True
    assert [r["name"] for r in meta["resources"]] == [
        "results",
        "trends",
        "rates",
        "weighting",
        "public-answers",
    ]
    estimate = next(f for f in meta["resources"][0]["schema"]["fields"] if f["name"] == "estimate")
    assert estimate == {
        "name": "estimate",
        "type": "number",
        "title": "estimate",
        "description": "Weighted estimate over the population of communes",
    }


def test_descriptor_resource_paths_resolve_next_to_it(client, download, published):
    edition = published.latest

    direct = download(edition, "results.csv")
    aliased = client.get(_url(edition, "data/results.csv"))

    assert (aliased.status_code, aliased.content) == (200, direct.content)


def test_served_files_are_the_stored_bytes_and_rebuild_to_the_same(download, published):
    edition = published.latest

    served = {name: download(edition, name) for name in exports.DOWNLOADS}

    stored = {p.params["name"]: p for p in PreparedFile.objects.filter(status="ready")}
    assert {name: (r.status_code, r["Cache-Control"]) for name, r in served.items()} == {
        name: (200, "public, max-age=31536000, immutable") for name in exports.DOWNLOADS
    }
    assert {name: (len(r.content), _sha256(r.content)) for name, r in served.items()} == {
        name: (stored[name].size, stored[name].sha256) for name in exports.DOWNLOADS
    }
    assert {name: r.content for name, r in served.items()} == {
        name: d.build(edition) for name, d in exports.DOWNLOADS.items()
    }


def test_publishing_queues_every_file_of_the_edition(
    published, territory, django_capture_on_commit_callbacks
):
    wave = closed_wave(2027, "2025", 0.2, seed=4)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        edition = edition_publish(wave=wave, user=None)

    built = PreparedFile.objects.filter(family__startswith=f"observatory.file:{edition.pk}:")
    assert len(callbacks) == len(exports.DOWNLOADS) + 2  # the files; the data version, catalogue
    assert sorted((p.key, p.status, p.filename) for p in built) == sorted(
        (
            f"observatory.file:{edition.pk}:{name}:{edition.checksum[:16]}",
            "ready",
            f"smartregion-barometer-2027-r1-{name}",
        )
        for name in exports.DOWNLOADS
    )


def test_a_file_not_built_yet_answers_at_once(client, published):
    url = _url(published.latest, "results.xlsx")

    harvester = client.get(url, HTTP_ACCEPT="*/*")
    browser = client.get(url, HTTP_ACCEPT="text/html,*/*")

    assert (harvester.status_code, harvester["Retry-After"], harvester["Cache-Control"]) == (
        503,
        "10",
        "no-store",
    )
    assert (browser.status_code, browser["Cache-Control"]) == (202, "no-store")
    assert "Votre fichier est en préparation".encode() in browser.content  # /data/: French
    assert PreparedFile.objects.get().status == PreparedFile.Status.QUEUED


def test_an_older_revision_keeps_its_own_files(download, published):
    old = download(published.old, "datapackage.json")

    assert json.loads(old.content)["revision"] == 1
    assert old["Content-Disposition"] == (
        'attachment; filename="smartregion-barometer-2025-r1-datapackage.json"'
    )


@pytest.mark.parametrize(
    "path",
    [
        "/data/editions/smartregion-barometer-2025/r2/results.exe",
        "/data/editions/smartregion-barometer-2025/r9/results.csv",
        "/data/editions/unknown-2025/r1/results.csv",
    ],
)
def test_unknown_files_are_404(client, published, path):
    assert client.get(path).status_code == 404


def test_downloads_cost_two_queries_once_built(
    client, download, published, django_assert_num_queries
):
    download(published.latest, "results.csv")

    with django_assert_num_queries(2):  # the edition, its prepared file
        response = client.get(_url(published.latest, "results.csv"))
    assert response.status_code == 200


WEIGHTING = {
    "raked": False,
    "trim": None,
    "min_weighting_cell": 8,
    "respondents": 20,
    "population": 60,
    "cells": [
        {
            "label": "=SUM(A1)",
            "provinces": ["20002", "10000"],
            "classes": ["c1"],
            "population": 27,
            "respondents": 9,
            "weight_min": 3.0,
            "weight_max": 3.0,
        },
        {
            "label": "10000 c2",
            "provinces": ["10000"],
            "classes": ["c2", "c3"],
            "population": 33,
            "respondents": 11,
            "weight_min": 3.0,
            "weight_max": 3.0,
        },
    ],
    "weights": {"min": 3.0, "median": 3.0, "max": 3.0},
    "kish": 1.0,
    "effective_respondents": 20.0,
    "trimmed": 0,
}


def _with_weighting(edition):
    """The edition, in memory only, as a revision that recorded its weighting report."""
    edition.data = {**edition.data, "weighting": WEIGHTING}
    return edition


def test_weighting_csv_is_the_weighting_report_in_safe_cells(published):
    edition = _with_weighting(published.latest)

    rows = _rows(exports.DOWNLOADS["weighting.csv"].build(edition))

    assert rows == [
        WEIGHTING_HEADER,
        ["all", "", "", "60", "20", "3.0", "3.0", "3.0", "1.0", "20.0", "0", "false", "", "8"],
        ["'=SUM(A1)", "20002 10000", "c1", "27", "9", "3.0", "", "3.0", "", "", "", "", "", ""],
        ["10000 c2", "10000", "c2 c3", "33", "11", "3.0", "", "3.0", "", "", "", "", "", ""],
    ]


def test_weighting_csv_of_a_revision_without_report_is_its_header(download, published):
    data = copy.deepcopy(published.latest.data)
    data.pop("weighting", None)  # as in a revision published before the report was recorded
    Edition.objects.filter(pk=published.latest.pk).update(data=data)
    edition = Edition.objects.get(pk=published.latest.pk)

    rows = _rows(download(edition, "weighting.csv").content)

    assert rows == [WEIGHTING_HEADER]


def test_datapackage_with_a_weighting_report_validates(published, tmp_path):
    edition = _with_weighting(published.latest)

    content = exports.DOWNLOADS["package.zip"].build(edition)

    zipfile.ZipFile(io.BytesIO(content)).extractall(tmp_path)
    report = frictionless.validate(str(tmp_path / "datapackage.json"))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "note"])
    assert (tmp_path / "data" / "weighting.csv").read_bytes() == exports.DOWNLOADS[
        "weighting.csv"
    ].build(edition)


def test_every_column_of_every_table_is_typed_and_described(published):
    descriptor = json.loads(exports.DOWNLOADS["datapackage.json"].build(published.latest))

    schemas = {r["name"]: r["schema"]["fields"] for r in descriptor["resources"]}
    assert [f["name"] for f in schemas["results"]] == RESULT_HEADER
    assert [f["name"] for f in schemas["trends"]] == TREND_HEADER
    assert [f["name"] for f in schemas["weighting"]] == WEIGHTING_HEADER
    assert all(f["description"] for fields in schemas.values() for f in fields)
    types = {f["name"]: f["type"] for f in schemas["results"]}
    assert [types[name] for name in RESULT_HEADER[-7:]] == [
        "number",
        "number",
        "number",
        "number",
        "boolean",
        "string",
        "string",
    ]
    deff = next(f for f in schemas["results"] if f["name"] == "deff")
    assert deff["description"] == (
        "Design effect: variance of the estimate divided by the variance of a simple random "
        "sample of the same number of respondents, with the same finite population correction"
    )


def _withheld_figures(rows: list[dict], figures: tuple[str, ...]) -> set:
    """The figures of the withheld rows (only None, or empty in a CSV, may remain)."""
    return {row[name] for row in rows if row["suppressed"] in (True, "true") for name in figures}


def _csv_records(content: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(content.decode("utf-8"))))


def test_withheld_cells_have_null_figures_in_every_file(published, territory):
    wave = closed_wave(2027, "2025", 0.12, seed=3)
    Wave.objects.filter(pk=wave.pk).update(is_demo=True)  # trends against the 2025 demo edition
    sparse = edition_publish(wave=wave, user=None)
    build = {name: d.build(sparse) for name, d in exports.DOWNLOADS.items()}
    archive = zipfile.ZipFile(io.BytesIO(build["package.zip"]))
    workbook = openpyxl.load_workbook(io.BytesIO(build["results.xlsx"]), read_only=True)

    def sheet(name: str) -> list[dict]:
        values = list(workbook[name].iter_rows(values_only=True))
        return [dict(zip(values[0], row, strict=True)) for row in values[1:]]

    results = {
        "results.csv": _csv_records(build["results.csv"]),
        "results.json": json.loads(build["results.json"]),
        "results.parquet": pl.read_parquet(io.BytesIO(build["results.parquet"])).to_dicts(),
        "results.xlsx": sheet("results"),
        "package.zip": _csv_records(archive.read("data/results.csv")),
    }
    trends = {
        "trends.csv": _csv_records(build["trends.csv"]),
        "results.xlsx": sheet("trends"),
        "package.zip": _csv_records(archive.read("data/trends.csv")),
    }

    withheld = sum(1 for row in sparse.data["results"] if row["suppressed"])
    assert withheld > 0
    assert {
        name: sum(r["suppressed"] in (True, "true") for r in rows) for name, rows in results.items()
    } == {name: withheld for name in results}
    assert {name: _withheld_figures(rows, RESULT_FIGURES) for name, rows in results.items()} == {
        "results.csv": {""},
        "results.json": {None},
        "results.parquet": {None},
        "results.xlsx": {None},
        "package.zip": {""},
    }
    hidden_trends = sum(1 for row in sparse.data["trends"] if row["suppressed"])
    assert hidden_trends > 0
    assert {name: _withheld_figures(rows, TREND_FIGURES) for name, rows in trends.items()} == {
        "trends.csv": {""},
        "results.xlsx": {None},
        "package.zip": {""},
    }
