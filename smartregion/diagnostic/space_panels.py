"""Sections other apps add to a commune's space (today the barometer's open wave and the
commune's contact addresses), found through the ``SMARTREGION_SPACE_PANELS`` setting.

The diagnostic owns "My space" but sits beside or below the apps with something to show there, so
it must not import them: each registers a function ``(municipality, *, user, language) -> Panel |
None`` by dotted path. The space view calls them, so their reads are the view's; a panel's
template only displays what it is given.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.utils.module_loading import import_string

from smartregion.accounts.models import User
from smartregion.territory.models import Municipality
from smartregion.territory.panels import Panel

SpacePanel = Callable[..., Panel | None]


def providers() -> list[SpacePanel]:
    return [import_string(path) for path in getattr(settings, "SMARTREGION_SPACE_PANELS", ())]


def space_panels(municipality: Municipality, *, user: User, language: str) -> list[Panel]:
    panels = (provider(municipality, user=user, language=language) for provider in providers())
    return [panel for panel in panels if panel is not None]
