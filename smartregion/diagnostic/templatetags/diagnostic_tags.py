"""Template tags for pages outside the diagnostic app (the commune's public profile)."""

from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.utils.translation import get_language

from smartregion.instruments.definition import Instrument

from ..models import Diagnostic

register = template.Library()


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


@register.simple_tag
def published_diagnostic(municipality) -> PublishedResult | None:
    """The levels a manager chose to publish (never answers or scores), in one query."""
    diagnostic = (
        Diagnostic.objects.filter(
            municipality=municipality,
            is_published=True,
            status=Diagnostic.Status.SUBMITTED,
        )
        .select_related("instrument_version")
        .order_by("-submitted_at")
        .first()
    )
    if diagnostic is None:
        return None
    instrument = diagnostic.instrument_version.instrument
    lang = (get_language() or "fr")[:2]
    stored = diagnostic.result.get("dimensions", {})
    return PublishedResult(
        year=diagnostic.year,
        overall_level=diagnostic.overall_level,
        is_demo=diagnostic.is_demo,
        instrument_title=Instrument.text(instrument.title, lang),
        domains=tuple(
            PublishedDomain(
                name=Instrument.text(dim.text, lang),
                level=stored.get(dim.code, {}).get("level"),
            )
            for dim in instrument.dimensions
        ),
    )
