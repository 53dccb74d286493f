"""End-to-end tests in headless Chromium: a visitor's journey, keyboard, axe-core, small screens.

Screenshots of the main pages land in /tmp/screens/ (not committed) for a human look at the design.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import Page, expect

from smartregion.territory.models import Boundary, Municipality, MunicipalityFigure
from smartregion.territory.services import municipality_refresh_figures

from .browser import DESKTOP, NAMUR, PHONE, SCREENS, axe_violations

pytestmark = pytest.mark.e2e


def _square(lon: float, lat: float, size: float = 0.1) -> dict:
    return {
        "type": "Polygon",
        "coordinates": [
            [[lon, lat], [lon + size, lat], [lon + size, lat + size], [lon, lat + size], [lon, lat]]
        ],
    }


def _add_boundaries() -> None:
    """Three adjacent squares with populations: Namur and two neighbours, enough for both maps."""
    placed = {}
    for refnis, lon, population in (
        (NAMUR, 4.8, 113_000),
        ("92003", 4.9, 27_000),
        ("92142", 4.7, 16_000),
    ):
        municipality = Municipality.objects.get(refnis=refnis)
        MunicipalityFigure.objects.create(
            municipality=municipality, year=2024, population=population
        )
        Boundary.objects.create(
            municipality=municipality,
            geometry=_square(lon, 50.4),
            min_lon=lon,
            min_lat=50.4,
            max_lon=lon + 0.1,
            max_lat=50.5,
            centroid_lon=lon + 0.05,
            centroid_lat=50.45,
        )
        placed[refnis] = municipality
    placed[NAMUR].neighbours.add(placed["92003"], placed["92142"])
    municipality_refresh_figures()  # also bumps the data version, so no cached page is stale


def test_visitor_switches_language_searches_a_commune_and_opens_its_profile(
    page: Page, live_server, territory
):
    page.goto(f"{live_server.url}/fr/")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("h1")).to_have_count(1)
    for landmark in ("banner", "main", "contentinfo"):
        expect(page.get_by_role(landmark)).to_have_count(1)
    expect(page.locator("nav.main-nav")).to_be_visible()

    page.locator(".language-switcher a[hreflang=en]").click()
    page.wait_for_url(f"{live_server.url}/en/")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator("h1")).to_have_text(
        "Smart Region: the toolbox for smart and sustainable communes"
    )

    page.get_by_role("navigation", name="Main navigation").get_by_role(
        "link", name="Communes"
    ).click()
    page.wait_for_url(f"{live_server.url}/en/communes/")
    search = page.get_by_label("Name or REFNIS code")
    search.fill("namur")
    search.press("Enter")
    page.wait_for_url(re.compile(r"/en/communes/\?q=namur"))
    rows = page.locator("table tbody th a")
    expect(rows).to_have_text(["Namur"])

    rows.first.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/en/communes/{NAMUR}/")
    expect(page.locator("h1")).to_have_text("Namur")


def test_language_switcher_keeps_the_page_and_its_query(page: Page, live_server, territory):
    page.goto(f"{live_server.url}/en/communes/?q=namur")

    page.locator(".language-switcher a[hreflang=fr]").click()

    page.wait_for_url(f"{live_server.url}/fr/communes/?q=namur")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator(".language-switcher a[aria-current=true]")).to_have_attribute(
        "hreflang", "fr"
    )


def test_keyboard_first_tab_reaches_the_skip_link_which_moves_focus_to_main(
    page: Page, live_server, territory
):
    page.goto(f"{live_server.url}/en/")

    page.keyboard.press("Tab")
    skip_link = page.locator(":focus")
    expect(skip_link).to_have_text("Skip to main content")
    expect(skip_link).to_be_visible()
    expect(skip_link).to_have_css("outline-style", "solid")  # the focus is visible
    page.keyboard.press("Enter")

    expect(page.locator("#main")).to_be_focused()


def test_axe_check_reports_a_broken_page(page: Page):
    """The harness itself: a silent failure to inject or run axe would pass every page."""
    page.set_content(
        '<html lang="en"><title>t</title><main><h1>t</h1><img src="x.png"></main></html>'
    )

    violations = axe_violations(page)

    assert [line.split(" ")[1] for line in violations] == ["image-alt"]


PAGES = {
    "home": "/{lang}/",
    "list": "/{lang}/communes/",
    "profile": f"/{{lang}}/communes/{NAMUR}/",
    "map": "/{lang}/communes/map/",
    "login": "/{lang}/accounts/login/",
}


@pytest.mark.parametrize("lang", ["fr", "en"])
def test_axe_finds_no_violation_on_the_main_pages(page: Page, live_server, territory, lang: str):
    """Every page in one test: each live_server test reloads the reference data (seconds)."""
    violations = []
    for name in PAGES:
        page.goto(live_server.url + PAGES[name].format(lang=lang))
        violations += axe_violations(page)
    _add_boundaries()
    for name in ("profile", "map"):
        page.goto(live_server.url + PAGES[name].format(lang=lang))
        expect(page.locator("svg.map a")).to_have_count(3)
        violations += axe_violations(page)

    assert violations == [], "axe-core violations:\n" + "\n".join(violations)


def test_phone_viewport_has_no_horizontal_scroll(page: Page, live_server, territory):
    _add_boundaries()
    page.set_viewport_size(PHONE)
    overflowing = {}
    for name in PAGES:
        page.goto(live_server.url + PAGES[name].format(lang="fr"))
        scroll, client = page.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.clientWidth]"
        )
        if scroll > client:
            overflowing[name] = scroll

    assert overflowing == {}, f"pages wider than the {PHONE['width']}px screen"


def test_screenshots_of_the_main_pages(page: Page, live_server, territory):
    """Not an assertion on looks: it leaves pictures in /tmp/screens/ for a human review."""
    _add_boundaries()
    SCREENS.mkdir(exist_ok=True)
    for size_name, size in (("desktop", DESKTOP), ("phone", PHONE)):
        page.set_viewport_size(size)
        for name in PAGES:
            page.goto(live_server.url + PAGES[name].format(lang="fr"))
            options = {
                "path": SCREENS / f"{name}-{size_name}.png",
                "full_page": True,  # the phone's first screens only: long lists are unreadable
                "clip": {"x": 0, "y": 0, **size, "height": 1600} if size is PHONE else None,
            }
            try:
                page.screenshot(**options)
            except PlaywrightError:  # a full-page capture a loaded machine refused: once more
                page.wait_for_timeout(500)
                page.screenshot(**options)

    assert {path.name for path in SCREENS.glob("*.png")} >= {
        f"{name}-{size}.png" for name in PAGES for size in ("desktop", "phone")
    }
