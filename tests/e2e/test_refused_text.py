"""The page refusing unstorable text holds on a phone and on a desktop; axe finds nothing."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import Page

from .browser import axe_violations

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = Path("/tmp/hardening")  # noqa: S108 (pictures for a human to look at, never read back)


@pytest.mark.parametrize("width", [390, 1366])
def test_refused_text_page_fits_and_is_accessible(page: Page, live_server, territory, width):
    page.set_viewport_size({"width": width, "height": 800})

    response = page.goto(f"{live_server.url}/en/communes/?q=Na%00mur")

    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / f"refused-text-{width}.png"), full_page=True)
    assert response is not None and response.status == 422
    assert page.locator("h1").inner_text() == "Text that cannot be stored"
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    assert axe_violations(page) == []
