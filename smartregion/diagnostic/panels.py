"""The diagnostic's panel on a commune's profile (registered in ``SMARTREGION_PROFILE_PANELS``)."""

from __future__ import annotations

from dataclasses import dataclass

from smartregion.instruments.definition import Instrument
from smartregion.territory.models import Municipality
from smartregion.territory.panels import Panel

from . import queries


@dataclass(frozen=True)
class PublishedDomain:
    name: str
    level: int | None


@dataclass(frozen=True)
class PublishedResult:
    year: int
    overall_level: int | None
    is_demo: bool
    instrument_title: str
    domains: tuple[PublishedDomain, ...]


def published_diagnostic(municipality: Municipality, *, language: str) -> Panel | None:
    """The levels a manager chose to publish (never answers or scores), in one query."""
    diagnostic = queries.latest_published(municipality)
    if diagnostic is None:
        return None
    instrument = diagnostic.instrument_version.instrument
    stored = diagnostic.result.get("dimensions", {})
    maturity = PublishedResult(
        year=diagnostic.year,
        overall_level=diagnostic.overall_level,
        is_demo=diagnostic.is_demo,
        instrument_title=Instrument.text(instrument.title, language),
        domains=tuple(
            PublishedDomain(
                name=Instrument.text(dim.text, language),
                level=stored.get(dim.code, {}).get("level"),
            )
            for dim in instrument.dimensions
        ),
    )
    return Panel("diagnostic/panels/published.html", {"maturity": maturity})
