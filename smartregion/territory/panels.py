"""Panels of other apps on a commune's profile (published diagnostic, projects, later events and
calls), found through the ``SMARTREGION_PROFILE_PANELS`` setting.

Why a setting of dotted paths rather than imports: the territory sits below every app that has
something to say about a commune, so it must not import them; the setting lists them in one
greppable place, in the profile's order, and a test or a deployment overrides it. Each panel's
reads run in the profile view, through the panel function, so the page's query count (pinned in
tests) includes them; the panel's template only displays what it is given (no template tag
queries the database).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.module_loading import import_string

from .models import Municipality


@dataclass(frozen=True)
class Panel:
    """One section of the profile: a template included with ``panel`` set to ``context``."""

    template: str
    context: Mapping[str, Any] = field(default_factory=dict)


PanelProvider = Callable[..., Panel | None]
"""``(municipality, *, language) -> Panel | None``: None when the app has nothing to show."""


def providers() -> list[PanelProvider]:
    """The functions the setting names, in its order (a path that does not import fails loudly)."""
    return [import_string(path) for path in getattr(settings, "SMARTREGION_PROFILE_PANELS", ())]


def profile_panels(municipality: Municipality, *, language: str) -> list[Panel]:
    panels = (provider(municipality, language=language) for provider in providers())
    return [panel for panel in panels if panel is not None]
