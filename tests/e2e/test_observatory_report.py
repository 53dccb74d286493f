"""End-to-end: the edition report and a question page in headless Chromium, on a phone and a
desktop: no horizontal scroll, charts drawn within the screen, and no axe-core violation."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from smartregion.barometer.models import Wave
from smartregion.observatory.services import edition_publish
from tests.factories import closed_wave

from .browser import DESKTOP, SCREENS, axe_violations

pytestmark = pytest.mark.django_db(transaction=True)
SLUG = "smartregion-barometer-2025"
PHONE_390 = {"width": 390, "height": 844}


@pytest.fixture
def editions(territory) -> None:
    for year, seed in ((2023, 1), (2025, 2)):
        wave = closed_wave(year, str(year), 0.5, seed=seed)
        Wave.objects.filter(pk=wave.pk).update(is_demo=True)
        wave.refresh_from_db()
        edition_publish(wave=wave, user=None)


@pytest.mark.parametrize("size", [PHONE_390, DESKTOP], ids=["phone", "desktop"])
def test_report_pages_fit_the_screen_and_pass_axe(page: Page, live_server, editions, size):
    page.set_viewport_size(size)
    page.set_default_timeout(60_000)  # the first visit renders every chart (then cached)
    SCREENS.mkdir(parents=True, exist_ok=True)
    violations = {}
    for lang in ("fr", "en"):
        for path in (
            f"/{lang}/observatory/{SLUG}/",
            f"/{lang}/observatory/{SLUG}/questions/strategy_formal/",
        ):
            page.goto(f"{live_server.url}{path}")
            expect(page.locator("h1")).to_be_visible()
            page.screenshot(
                path=SCREENS / f"report-{lang}-{path.count('/')}-{size['width']}.png",
                full_page=True,
            )
            width = page.evaluate("document.documentElement.scrollWidth")
            charts = page.evaluate(
                "Math.max(0, ...[...document.querySelectorAll('.observatory-chart img, "
                ".chart-svg svg')].map(e => e.getBoundingClientRect().right))"
            )
            assert (width, charts <= size["width"]) == (size["width"], True), path
            violations[path] = axe_violations(page)

    assert {path: found for path, found in violations.items() if found} == {}


def test_key_findings_come_first_and_link_to_their_question(page: Page, live_server, editions):
    page.goto(f"{live_server.url}/en/observatory/{SLUG}/")

    findings = page.locator(".findings-list li a")
    expect(page.locator("main h2").first).to_have_text("Key findings")
    assert 5 <= findings.count() <= 8
    findings.first.click()
    expect(page.locator(".breadcrumbs [aria-current=page]")).to_have_text(
        page.locator("h1").inner_text()
    )
