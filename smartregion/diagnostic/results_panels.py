"""Sections other apps add to a diagnostic's results page, under the recommendations (today the
knowledge app's learning path and where the commune stands in the method), found through the
``SMARTREGION_RESULTS_PANELS`` setting.

The diagnostic sits below the apps that add them, so it does not import them: each registers a
function ``(view, *, user) -> Panel | None`` by dotted path (`view` is the page's ResultsView;
None: nothing to show). The results view calls them, so their reads are the view's (the page's
pinned query count includes them); a panel's template only displays what it is given.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils.module_loading import import_string

from smartregion.accounts.models import User
from smartregion.territory.panels import Panel

from .results import ResultsView

ResultsPanel = Callable[..., Panel | None]


def providers() -> list[ResultsPanel]:
    return [import_string(path) for path in getattr(settings, "SMARTREGION_RESULTS_PANELS", ())]


def results_panels(view: ResultsView, *, user: User | AnonymousUser) -> list[Panel]:
    panels = (provider(view, user=user) for provider in providers())
    return [panel for panel in panels if panel is not None]
