"""Diagnostic fixtures: a Namur draft (the maturity instrument: tests/conftest.py)."""

from __future__ import annotations

import pytest

from smartregion.accounts.models import User
from smartregion.diagnostic.models import Diagnostic
from smartregion.diagnostic.services import diagnostic_start
from smartregion.territory.models import Municipality


@pytest.fixture
def draft(instrument_version, namur: Municipality, manager: User) -> Diagnostic:
    """Namur's draft diagnostic, started by its manager, without answers."""
    return diagnostic_start(municipality=namur, user=manager)
