"""Fixtures for the territory tests: the reference registry, test files, the shared real data."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

FILES = Path(__file__).resolve().parent / "files"
SHARED_DATA = Path(os.environ.get("SMARTREGION_SHARED_DATA", "/work/shared/data"))


@pytest.fixture
def reference(territory):
    """The 565 current Belgian municipalities, 29 former ones and the 2025 mergers.

    Loaded once per test database (tests/conftest.py); each test's changes are rolled back.
    """


@pytest.fixture
def files() -> Path:
    return FILES


@pytest.fixture
def shared_data() -> Path:
    """The real Statbel files; tests using them are skipped where the folder is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data folder {SHARED_DATA} is absent")
    return SHARED_DATA
