"""What the base layout (core's `base.html`) shows around every page: the main navigation and
the site-wide notices. The layout knows no domain app; the site, which knows them all, says here
which pages the navigation links and which notices every page carries."""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from smartregion.barometer.permissions import can_run_waves
from smartregion.territory.services import demo_figures_in_use

DEMO_FIGURES_KEY = "site:demo-figures"


@dataclass(frozen=True)
class NavigationLink:
    label: str
    url: str
    current: bool


def site(request: HttpRequest) -> dict[str, object]:
    return {
        "home_url": reverse("site:home"),
        "navigation": navigation(request),
        "footer_navigation": footer_navigation(request),
        "site_notices": notices(),
    }


def navigation(request: HttpRequest) -> list[NavigationLink]:
    """The main menu in its order; "My space" only for signed-in users, "Barometer" for staff."""
    links = [
        (_("Home"), reverse("site:home")),
        (_("Communes"), reverse("territory:list")),
        (_("Map"), reverse("territory:map")),
        (_("Projects"), reverse("projects:catalogue")),
        (_("Observatory"), reverse("observatory:index")),
        (_("API"), "/api/v1/docs"),
    ]
    if request.user.is_authenticated:
        links.append((_("My space"), reverse("diagnostic:space")))
    if can_run_waves(request.user):
        links.append((_("Barometer"), reverse("barometer:waves")))
    return [NavigationLink(label, url, request.path == url) for label, url in links]


def footer_navigation(request: HttpRequest) -> list[NavigationLink]:
    """The footer's links to the pages every public-sector site has."""
    links = [
        (_("Accessibility"), reverse("site:accessibility")),
        (_("Legal notice"), reverse("site:legal")),
        (_("Privacy"), reverse("site:privacy")),
        (_("Contact"), reverse("site:contact")),
    ]
    return [NavigationLink(label, url, request.path == url) for label, url in links]


def notices() -> list[str]:
    """Notices shown above every page's content (checked at most once a minute)."""
    demo = cache.get(DEMO_FIGURES_KEY)
    if demo is None:
        demo = demo_figures_in_use()
        cache.set(DEMO_FIGURES_KEY, demo, timeout=60)
    if not demo:
        return []
    return [
        _(
            "Demonstration data: population figures on this site are synthetic until official "
            "Statbel figures are imported."
        )
    ]
