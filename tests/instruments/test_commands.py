"""`smartregion instrument validate|load`: exit codes and exact output."""

from __future__ import annotations

import shutil
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.utils import translation

from smartregion.instruments.models import InstrumentVersion
from smartregion.instruments.registry import register_answer_checker, unregister_answer_checker

from .helpers import FILES, REAL_INSTRUMENT, ROOT


@pytest.fixture(autouse=True)
def english():
    """Messages are translated; these tests pin the English wording."""
    with translation.override("en"):
        yield


def run(*args: str) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command("instrument", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_validate_real_instrument():
    out, err = run("validate", str(REAL_INSTRUMENT))
    assert out == "valid: 65 questions, 7 dimensions, 38 recommendations\n"
    assert err == ""


def test_validate_broken_file_exits_2_with_every_error():
    path = FILES / "broken.yaml"
    err = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("instrument", "validate", str(path), stdout=StringIO(), stderr=err)
    assert caught.value.returncode == 2
    assert str(caught.value) == "8 error(s)"
    assert err.getvalue().splitlines() == [
        f"{path}: title.en: English text is required",
        f"{path}: dimensions[0].weight: weight must be greater than 0, got 0",
        f"{path}: sections[0].questions[0].type: unknown question type 'dropdown' (expected "
        "one of: single_choice, multiple_choice, scale, number, yes_no, short_text, long_text, "
        "matrix)",
        f"{path}: sections[0].questions[1].options[1].code: duplicate option code 'a' (first "
        "used at sections[0].questions[1].options[0])",
        f"{path}: sections[0].questions[1].options[1].score: score 2 is outside 0..1",
        f"{path}: sections[0].questions[1].options: option scores of a scored question must "
        "run from 0 to 1 (here 0 to 0)",
        f"{path}: sections[0].questions[1].show_if.question: condition refers to question "
        "'q3', which comes later",
        f"{path}: recommendations[0].dimension: unknown dimension 'data' (declared: gov)",
    ]


def test_validate_reports_yaml_syntax_errors_by_line(tmp_path: Path):
    path = tmp_path / "bad.yaml"
    path.write_text("slug: x\nsections: [\n", encoding="utf-8")
    err = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("instrument", "validate", str(path), stdout=StringIO(), stderr=err)
    assert caught.value.returncode == 2
    assert err.getvalue() == (
        f"{path}: line 3, column 1: not valid YAML: expected the node content, but found "
        "'<stream end>'\n"
    )


def test_validate_missing_file_exits_2(tmp_path: Path):
    path = tmp_path / "missing.yaml"
    err = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("instrument", "validate", str(path), stdout=StringIO(), stderr=err)
    assert caught.value.returncode == 2
    assert err.getvalue() == f"{path}: cannot read the file: No such file or directory\n"


@pytest.mark.django_db
def test_load_directory_loads_every_instrument():
    loaded = [
        "smartregion-barometer 2023",
        "smartregion-barometer 2025",
        "smartregion-maturity 2026",
    ]
    out, _ = run("load", str(ROOT / "instruments"))
    assert out == "".join(f"created: {name}\n" for name in loaded)
    out, _ = run("load", str(ROOT / "instruments"))
    assert out == "".join(f"unchanged: {name}\n" for name in loaded)
    assert InstrumentVersion.objects.count() == 3


@pytest.mark.django_db
def test_load_directory_with_an_invalid_file_loads_nothing(tmp_path: Path):
    shutil.copy(FILES / "tiny.yaml", tmp_path / "a.yaml")
    shutil.copy(FILES / "broken.yaml", tmp_path / "b.yaml")
    err = StringIO()
    with pytest.raises(CommandError) as caught:
        call_command("instrument", "load", str(tmp_path), stdout=StringIO(), stderr=err)
    assert caught.value.returncode == 2
    assert str(caught.value) == "8 error(s): nothing was loaded"
    assert all(line.startswith(f"{tmp_path / 'b.yaml'}: ") for line in err.getvalue().splitlines())
    assert not InstrumentVersion.objects.exists()


@pytest.mark.django_db
def test_load_changed_answered_version_is_refused(tmp_path: Path):
    path = tmp_path / "tiny.yaml"
    shutil.copy(FILES / "tiny.yaml", path)
    run("load", str(path))
    path.write_text(path.read_text().replace("Petit", "Grand"), encoding="utf-8")

    def checker(version: InstrumentVersion) -> bool:
        return version.slug == "tiny"

    register_answer_checker(checker)
    try:
        with pytest.raises(CommandError) as caught:
            run("load", str(path))
    finally:
        unregister_answer_checker(checker)
    assert caught.value.returncode == 1
    assert str(caught.value) == (
        "version 1 of tiny already has answers; publish the change as a new version"
    )


@pytest.mark.django_db
def test_translations_may_be_added_to_an_answered_version(tmp_path: Path):
    path = tmp_path / "tiny.yaml"
    shutil.copy(FILES / "tiny.yaml", path)
    run("load", str(path))
    text = path.read_text(encoding="utf-8")
    path.write_text(
        text.replace(
            "title: {fr: Petit instrument, en: Tiny instrument}",
            "title: {fr: Petit instrument, en: Tiny instrument, de: Kleines Instrument}",
        ),
        encoding="utf-8",
    )

    def checker(version: InstrumentVersion) -> bool:
        return version.slug == "tiny"

    register_answer_checker(checker)
    try:
        out, _err = run("load", str(path))
    finally:
        unregister_answer_checker(checker)
    assert InstrumentVersion.objects.get(slug="tiny").definition["title"] == {
        "fr": "Petit instrument",
        "en": "Tiny instrument",
        "de": "Kleines Instrument",
    }
