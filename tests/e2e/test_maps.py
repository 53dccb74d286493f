"""The maps on the shipped reference outlines in headless Chromium: keyboard, phone width, axe.

The communes map (coloured by density), a commune profile with its neighbours, the projects map
and a project's "Where" box; each fits a phone, passes axe, and the communes map is walked by
keyboard (skip link, then a commune link that opens its profile).
"""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from smartregion.territory.models import Municipality
from tests.factories import ProjectFactory

from .browser import DESKTOP, PHONE, axe_violations

pytestmark = pytest.mark.e2e


@pytest.fixture
def reference(territory) -> str:
    call_command("load_reference", stdout=StringIO(), stderr=StringIO())
    project = ProjectFactory(owner_municipality=Municipality.objects.get(refnis="92094"))
    project.locations.create(label="Gare", latitude="50.4685", longitude="4.8619")
    return project.slug


def test_communes_map_by_keyboard(page: Page, live_server, reference):
    page.goto(f"{live_server.url}/fr/communes/map/")
    skip = page.locator("a.map-skip[href='#map-data']")
    skip.focus()
    expect(skip).to_be_visible()
    page.keyboard.press("Tab")
    focused = page.evaluate("document.activeElement.getAttribute('href')")
    assert focused.startswith("/fr/communes/") and focused != "/fr/communes/map/"
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}{focused}")


@pytest.mark.parametrize("screen", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_map_pages_fit_the_screen_and_pass_axe(page: Page, live_server, reference, screen):
    page.set_viewport_size(screen)
    for path in (
        "/fr/communes/map/",
        "/fr/communes/92094/",
        "/fr/projects/map/",
        f"/fr/projects/{reference}/",
    ):
        page.goto(f"{live_server.url}{path}")
        assert page.locator("svg.map .provinces path").count() >= 1, path
        rights = page.eval_on_selector_all(
            "svg.map", "maps => maps.map(m => m.getBoundingClientRect().right)"
        )
        assert max(rights) <= screen["width"], path  # the page itself: see the layout tests
        assert axe_violations(page) == [], path
