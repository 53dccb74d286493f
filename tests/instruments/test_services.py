"""Loading instrument files: creation, idempotence, updates, and immutability once answered."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from django.utils import translation

from smartregion.instruments.models import InstrumentVersion
from smartregion.instruments.registry import register_answer_checker, unregister_answer_checker
from smartregion.instruments.services import (
    InstrumentFileInvalid,
    InstrumentVersionFrozen,
    canonical_checksum,
    instrument_version_load,
)

from .helpers import FILES, REAL_INSTRUMENT

pytestmark = pytest.mark.django_db


@pytest.fixture
def tiny_file(tmp_path: Path) -> Path:
    path = tmp_path / "tiny.yaml"
    shutil.copy(FILES / "tiny.yaml", path)
    return path


@pytest.fixture
def answered():
    """Pretend another app holds answers to every version."""

    def checker(version: InstrumentVersion) -> bool:
        return True

    register_answer_checker(checker)
    yield
    unregister_answer_checker(checker)


def test_load_creates_a_version():
    version = instrument_version_load(path=REAL_INSTRUMENT)
    stored = InstrumentVersion.objects.get()
    assert (stored.slug, stored.version) == ("smartregion-maturity", "2026")
    assert stored.title_fr == "Diagnostic de maturité Smart Region"
    assert stored.title_en == "Smart Region maturity diagnostic"
    assert stored.checksum == canonical_checksum(stored.definition)
    assert len(stored.instrument.questions) == 65
    assert version.load_status == "created"


def test_load_same_file_twice_is_a_no_op():
    first = instrument_version_load(path=REAL_INSTRUMENT)
    second = instrument_version_load(path=REAL_INSTRUMENT)
    assert second.load_status == "unchanged"
    assert (second.pk, second.loaded_at) == (first.pk, first.loaded_at)
    assert InstrumentVersion.objects.count() == 1


def test_load_changed_file_without_answers_updates_it(tiny_file: Path):
    first = instrument_version_load(path=tiny_file)
    InstrumentVersion.objects.update(loaded_at=first.loaded_at - dt.timedelta(days=1))
    tiny_file.write_text(
        tiny_file.read_text().replace("Petit instrument", "Mini instrument"), encoding="utf-8"
    )
    second = instrument_version_load(path=tiny_file)
    stored = InstrumentVersion.objects.get()
    assert second.load_status == "updated"
    assert stored.title_fr == "Mini instrument"
    assert stored.checksum != first.checksum
    assert stored.loaded_at > first.loaded_at - dt.timedelta(days=1)


def test_load_changed_file_with_answers_is_refused(tiny_file: Path, answered):
    instrument_version_load(path=tiny_file)
    before = InstrumentVersion.objects.get()
    tiny_file.write_text(tiny_file.read_text().replace("Petit", "Grand"), encoding="utf-8")
    with pytest.raises(InstrumentVersionFrozen) as caught, translation.override("en"):
        instrument_version_load(path=tiny_file)
    assert str(caught.value) == (
        "version 1 of tiny already has answers; publish the change as a new version"
    )
    assert InstrumentVersion.objects.get().checksum == before.checksum


def test_load_unchanged_file_with_answers_is_still_a_no_op(tiny_file: Path, answered):
    instrument_version_load(path=tiny_file)
    assert instrument_version_load(path=tiny_file).load_status == "unchanged"


def test_load_new_version_starts_alongside(tiny_file: Path, answered):
    instrument_version_load(path=tiny_file)
    tiny_file.write_text(
        tiny_file.read_text().replace('version: "1"', 'version: "2"'), encoding="utf-8"
    )
    instrument_version_load(path=tiny_file)
    versions = InstrumentVersion.objects.values_list("slug", "version")
    assert list(versions) == [("tiny", "1"), ("tiny", "2")]


def test_has_answers_is_false_without_checkers(tiny_file: Path):
    assert instrument_version_load(path=tiny_file).has_answers() is False


def test_load_invalid_file_lists_errors_and_stores_nothing():
    with pytest.raises(InstrumentFileInvalid) as caught:
        instrument_version_load(path=FILES / "broken.yaml")
    assert len(caught.value.errors) == 8
    assert not InstrumentVersion.objects.exists()


def test_checksum_ignores_key_order():
    assert canonical_checksum({"a": 1, "b": [1, 2]}) == canonical_checksum({"b": [1, 2], "a": 1})
