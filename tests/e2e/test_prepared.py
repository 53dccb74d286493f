"""The "being prepared" page in a browser: accessible, fits a phone, opens the file when ready."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from smartregion.core.models import PreparedFile
from smartregion.core.prepared import prepared_file_build_run

from .browser import SCREENS, axe_violations

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
    assert axe_violations(page) == []

    with page.expect_download(timeout=15_000) as download:
        prepared_file_build_run(PreparedFile.objects.get().pk)  # the worker's turn

    assert download.value.suggested_filename == "rapport.txt"
    expect(page.get_by_role("status")).to_have_text("Your file is ready.")
    expect(page.get_by_role("link", name="Download the file")).to_be_visible()


def test_a_failed_file_page_shows_staff_the_error_and_a_retry_without_axe_violation(
    page: Page, live_server, settings, transactional_db, client, staff_user
):
    settings.ROOT_URLCONF = "tests.core.prepared_support"
    client.force_login(staff_user)
    page.context.add_cookies(
        [{"name": "sessionid", "value": client.cookies["sessionid"].value, "url": live_server.url}]
    )

    response = page.goto(f"{live_server.url}/en/file/broken.txt?fail=1")

    assert response.status == 500
    expect(page.get_by_role("heading", level=1)).to_have_text("The file could not be prepared")
    expect(page.locator(".prepared-error")).to_contain_text("the builder of broken.txt broke")
    assert axe_violations(page) == []
    attempts = PreparedFile.objects.get().finished_at
    page.get_by_role("button", name="Try again").click()  # built again, and failing again

    page.wait_for_url(f"{live_server.url}/en/file/broken.txt?fail=1")
    expect(page.get_by_role("heading", level=1)).to_have_text("The file could not be prepared")
    assert PreparedFile.objects.get().finished_at > attempts
