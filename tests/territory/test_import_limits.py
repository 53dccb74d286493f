"""Imports refuse values the columns cannot hold and files that cover too little of a region;
every option a message suggests exists on the command that prints it."""

from __future__ import annotations

import argparse
import ast
import json
import re
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import call_command, load_command_class
from django.core.management.base import CommandError
from django.utils import translation

from smartregion.territory.importers.population import POPULATION_MAX
from smartregion.territory.models import Boundary, Municipality, MunicipalityFigure

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
SQUARE = [[4.8, 50.4], [4.9, 50.4], [4.9, 50.5], [4.8, 50.5], [4.8, 50.4]]


def _run(kind: str, *args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    with translation.override("en"):
        call_command("import", kind, *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def _refused(kind: str, *args: str) -> str:
    with pytest.raises(CommandError) as caught:
        _run(kind, *args)
    assert caught.value.returncode == 2
    return str(caught.value)


def _walloon_codes() -> list[str]:
    return sorted(
        Municipality.objects.current().in_region("03000").values_list("refnis", flat=True)
    )


def _population_csv(tmp_path: Path, rows: dict[str, object]) -> str:
    path = tmp_path / "population.csv"
    lines = ["NIS code,Totaal", *(f"{code},{value}" for code, value in rows.items())]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return str(path)


@pytest.mark.parametrize("value", [POPULATION_MAX + 1, 2**40, -5])
def test_population_that_does_not_fit_the_column_is_refused(reference, tmp_path, value):
    path = _population_csv(tmp_path, {"92094": value})

    message = _refused("population", path, "--year", "2024", "--partial")

    assert "line 2, column Totaal" in message
    assert not MunicipalityFigure.objects.exists()


def test_population_at_the_column_limit_is_imported(reference, tmp_path):
    path = _population_csv(tmp_path, {"92094": POPULATION_MAX})

    _run("population", path, "--year", "2024", "--partial")

    assert Municipality.objects.get(refnis="92094").population == POPULATION_MAX


def test_rows_summed_past_the_column_limit_are_refused(reference, tmp_path):
    path = tmp_path / "long.csv"
    path.write_text(
        f"CD_REFNIS,CD_SEX,MS_POPULATION\n92094,M,{POPULATION_MAX}\n92094,F,1\n", encoding="utf-8"
    )

    message = _refused("population", str(path), "--year", "2024", "--partial")

    assert f"REFNIS code 92094: population {POPULATION_MAX + 1} is more than the column" in message
    assert not MunicipalityFigure.objects.exists()


def test_a_file_covering_few_communes_is_refused_without_partial(reference, tmp_path):
    path = _population_csv(tmp_path, {"92094": 112000, "62063": 195000})

    message = _refused("population", path, "--year", "2024")

    assert message.splitlines() == [
        "Nothing was imported: 1 problem(s) found.",
        "  the file covers 2 of the 261 current communes of Walloon Region (0 %, expected at "
        "least 90 %): the others would keep their older data. Check the file, or pass "
        "--partial to import it anyway.",
    ]
    assert not MunicipalityFigure.objects.exists()


def test_a_partial_file_is_imported_with_partial_and_a_warning(reference, tmp_path):
    path = _population_csv(tmp_path, {"92094": 112000})

    _out, err = _run("population", path, "--year", "2024", "--partial")

    assert err.splitlines() == [
        "warning: the file covers 1 of the 261 current communes of Walloon Region (0 %): "
        "imported as a partial file (--partial), the others keep their older data."
    ]
    assert MunicipalityFigure.objects.count() == 1


def test_a_file_covering_the_whole_region_needs_no_option(reference, tmp_path):
    codes = _walloon_codes()
    path = _population_csv(tmp_path, dict.fromkeys(codes[: int(len(codes) * 0.9) + 1], 1000))

    _out, err = _run("population", path, "--year", "2024")

    assert err == ""
    assert MunicipalityFigure.objects.count() == int(len(codes) * 0.9) + 1


def test_boundaries_covering_few_communes_are_refused_without_partial(reference, tmp_path):
    path = tmp_path / "one.geojson"
    feature = {
        "type": "Feature",
        "properties": {"nis": "92094"},
        "geometry": {"type": "Polygon", "coordinates": [SQUARE]},
    }
    path.write_text(json.dumps({"type": "FeatureCollection", "features": [feature]}))

    message = _refused("boundaries", str(path), "--year", "2025")

    assert "the file covers 1 of the 261 current communes of Walloon Region" in message
    assert "--partial" in message
    assert not Boundary.objects.exists()


# --- every suggested option exists -------------------------------------------------------------

# The modules whose messages each command prints.
MESSAGES = {
    ("import", "population"): [
        "smartregion/territory/importers/common.py",
        "smartregion/territory/importers/coverage.py",
        "smartregion/territory/importers/tables.py",
        "smartregion/territory/importers/population.py",
        "smartregion/territory/management/commands/import.py",
    ],
    ("import", "boundaries"): [
        "smartregion/territory/importers/common.py",
        "smartregion/territory/importers/coverage.py",
        "smartregion/territory/importers/topojson.py",
        "smartregion/territory/importers/boundaries.py",
        "smartregion/territory/management/commands/import.py",
    ],
    ("observatory", "estimate"): [
        "smartregion/observatory/frames.py",
        "smartregion/observatory/management/commands/observatory.py",
    ],
}
OPTION = re.compile(r"(?<![\w-])--[a-z][a-z0-9-]*")


def _suggested_options(module: str) -> set[str]:
    """Options named in the module's string literals (messages; not the parser's own names)."""
    tree = ast.parse((ROOT / module).read_text(encoding="utf-8"))
    declared = {
        node.args[0].value
        for node in ast.walk(tree)
        if isinstance(node, ast.Call)
        and getattr(node.func, "attr", "") == "add_argument"
        and node.args
        and isinstance(node.args[0], ast.Constant)
    }
    texts = [
        node.value
        for node in ast.walk(tree)
        if isinstance(node, ast.Constant) and isinstance(node.value, str)
    ]
    return {option for text in texts for option in OPTION.findall(text)} - declared


def _parser_options(command: str, sub: str) -> set[str]:
    parser = load_command_class("smartregion." + _app(command), command).create_parser(
        "smartregion", command
    )
    subparsers = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    return set(subparsers.choices[sub]._option_string_actions)


def _app(command: str) -> str:
    return {"import": "territory", "observatory": "observatory"}[command]


@pytest.mark.parametrize(("command", "sub"), sorted(MESSAGES))
def test_every_option_a_message_suggests_exists_on_the_command(command, sub):
    suggested = set().union(*(_suggested_options(m) for m in MESSAGES[(command, sub)]))

    assert suggested - _parser_options(command, sub) == set()
    assert suggested  # the scan does find the options the messages name
