"""What the base layout (core's `base.html`) shows around every page: the main navigation. The
layout knows no domain app; the site, which knows them all, says here which pages it links."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import HttpRequest
from django.urls import reverse
from django.utils.translation import gettext as _

from smartregion.barometer.permissions import can_run_waves


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
    }


def navigation(request: HttpRequest) -> list[NavigationLink]:
    """The main menu in its order; "My space" only for signed-in users, "Barometer" for staff."""
    links = [
        (_("Home"), reverse("site:home")),
        (_("Communes"), reverse("territory:list")),
        (_("Map"), reverse("territory:map")),
        (_("Projects"), reverse("projects:catalogue")),
        (_("Resources"), reverse("knowledge:resources")),
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
