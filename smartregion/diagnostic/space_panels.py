"""Sections other apps add to a commune's space in "My space" (today the commune's projects with
the editors' latest word; later its barometer answers, applications to calls), found through the
``SMARTREGION_SPACE_PANELS`` setting.

The diagnostic owns the space pages but sits below the apps that add to them, so it does not
import them: each registers a function ``(municipality, *, user) -> Panel | None`` by dotted path
(None: nothing to show to that person). The space view calls them, so their reads are the view's;
a panel's template only displays what it is given.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils.module_loading import import_string

from smartregion.accounts.models import User
from smartregion.territory.models import Municipality
from smartregion.territory.panels import Panel

SpacePanel = Callable[..., Panel | None]


def providers() -> list[SpacePanel]:
    return [import_string(path) for path in getattr(settings, "SMARTREGION_SPACE_PANELS", ())]


def space_panels(municipality: Municipality, *, user: User | AnonymousUser) -> list[Panel]:
    panels = (provider(municipality, user=user) for provider in providers())
    return [panel for panel in panels if panel is not None]
