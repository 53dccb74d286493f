"""End-to-end fixtures: Debian's headless Chromium driven by Playwright against `live_server`.

Chromium comes from Debian (`/usr/bin/chromium`): Playwright's own browser download does not
work here. Each test gets a fresh browser context (no cookies or cache shared between tests);
the driver and the browser live for one test module.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, Playwright, sync_playwright

from .browser import CHROMIUM, CHROMIUM_ARGS, DESKTOP


@pytest.fixture(scope="module", autouse=True)
def _allow_sync_orm_beside_playwright() -> Iterator[None]:
    """Let tests use the ORM while Playwright's event loop runs in the same thread.

    Playwright's sync API keeps an asyncio loop running in the test thread, so Django takes every
    ORM call from the test (fixtures, test data) for a call from async code and raises
    SynchronousOnlyOperation. Here it is not: the test code is synchronous and the live server
    answers from its own thread with its own connection. The switch is on only while this
    package's tests run, so it hides nothing elsewhere in the suite.
    """
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        yield


@pytest.fixture(scope="module")
def playwright() -> Iterator[Playwright]:
    # Module scope, not session: the driver's loop must not outlive the e2e tests, or later
    # database tests in the same process would hit SynchronousOnlyOperation.
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="module")
def browser(playwright: Playwright) -> Iterator[Browser]:
    if not os.path.exists(CHROMIUM):
        pytest.skip(f"{CHROMIUM} is not installed (apt install chromium)")
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True
    )
    yield browser
    browser.close()


@pytest.fixture
def page(browser: Browser) -> Iterator[Page]:
    """A page in a fresh context, whose browser speaks French (fr-BE) like most visitors."""
    context = browser.new_context(viewport=DESKTOP, locale="fr-BE")
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()
