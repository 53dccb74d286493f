"""What other apps show under each recommendation of a diagnostic's results (today the projects'
"published projects of other communes on this subject"; later guides, calls, offers), found
through the ``SMARTREGION_RECOMMENDATION_PANELS`` setting.

The diagnostic sits below the apps that have something to offer for a recommendation, so it must
not import them: each registers a function ``(view) -> {recommendation code: Panel}`` by dotted
path. The results view calls them, so their reads are the view's (the page's query count, pinned in
tests, includes them); a panel's template only displays what it is given.
"""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.utils.module_loading import import_string

from smartregion.territory.panels import Panel

from .results import ResultsView

RecommendationPanels = Callable[[ResultsView], dict[str, Panel]]


def providers() -> list[RecommendationPanels]:
    paths = getattr(settings, "SMARTREGION_RECOMMENDATION_PANELS", ())
    return [import_string(path) for path in paths]


def recommendation_panels(view: ResultsView) -> dict[str, list[Panel]]:
    """Recommendation code → the panels shown under it, in the setting's order."""
    panels: dict[str, list[Panel]] = {}
    for provider in providers():
        for code, panel in provider(view).items():
            panels.setdefault(code, []).append(panel)
    return panels
