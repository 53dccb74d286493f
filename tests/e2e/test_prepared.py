"""The "being prepared" page in a browser: accessible, readable on a phone, and it opens the file."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from smartregion.core.models import PreparedFile
from smartregion.core.prepared import prepared_file_build_run

from .test_browser import SCREENS, _axe_violations

pytestmark = pytest.mark.e2e


@pytest.fixture
def waiting_file(settings, transactional_db):
    """A download route whose build is queued and waits (a queue that nobody works off yet)."""
    settings.ROOT_URLCONF = "tests.core.prepared_support"
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@pytest.mark.parametrize("width", [390, 1366])
def test_the_waiting_page_shows_progress_has_no_axe_violation_and_opens_the_file_when_ready(
    page: Page, live_server, waiting_file, width
):
    page.set_viewport_size({"width": width, "height": 800})
    page.goto(f"{live_server.url}/en/file/rapport.txt")

    expect(page.get_by_role("heading", level=1)).to_have_text("Your file is being prepared")
    expect(page.get_by_role("status")).to_have_text("Waiting for its turn.")
    expect(page.get_by_role("progressbar", name="Progress")).to_have_attribute("value", "0")
    expect(page.get_by_role("link", name="Check again")).to_have_attribute(
        "href", "/en/file/rapport.txt"
    )
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    SCREENS.mkdir(exist_ok=True)
    page.screenshot(path=SCREENS / f"prepared-{width}.png", full_page=True)
    assert _axe_violations(page) == []

    with page.expect_download(timeout=15_000) as download:
        prepared_file_build_run(PreparedFile.objects.get().pk)  # the worker's turn

    assert download.value.suggested_filename == "rapport.txt"
    expect(page.get_by_role("status")).to_have_text("Your file is ready.")
    expect(page.get_by_role("link", name="Download the file")).to_be_visible()
