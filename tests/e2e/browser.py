"""What the end-to-end tests share: Debian's Chromium, screen sizes, sign-in, keyboard walks, axe.

A helper module, not a test module: test modules import from here, never from each other.
"""

from __future__ import annotations

import re
from pathlib import Path

from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Locator, Page, expect

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 700}
NAMUR = "92094"
SCREENS = Path("/tmp/screens")  # noqa: S108 (pictures for a human to look at, never read back)
# "Saved" and the time, as the questionnaire script writes it on French pages.
SAVED = re.compile(r"^Enregistré \d")

# WCAG 2.0 and 2.1, levels A and AA: the platform's target. Best-practice rules (landmark-one-main,
# region, heading-order...) run too: they catch real structural slips at no cost.
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "best-practice"]
AXE = Axe()
_EMAIL_LABEL = {"fr": "Adresse e-mail", "en": "Email address"}


def axe_violations(page: Page) -> list[str]:
    """axe-core's violations on the page, one readable line each: rule, impact, help, targets."""
    options = {"runOnly": {"type": "tag", "values": AXE_TAGS}, "resultTypes": ["violations"]}
    results = AXE.run(page, options=options)
    return [
        f"{page.url} {violation['id']} ({violation['impact']}): {violation['help']} -> "
        + "; ".join(" ".join(node["target"]) for node in violation["nodes"])
        for violation in results.response["violations"]
    ]


def sign_in(page: Page, base_url: str, email: str, password: str, *, lang: str = "fr") -> None:
    """Sign in by keyboard as a person does: email, Tab, password, Enter; lands on the home page."""
    page.goto(f"{base_url}/{lang}/accounts/login/")
    page.get_by_label(_EMAIL_LABEL[lang]).press_sequentially(email)
    page.keyboard.press("Tab")
    page.keyboard.type(password)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base_url}/{lang}/")


def tab_to(page: Page, target: Locator, limit: int = 40) -> None:
    """Press Tab until `target` has the focus, as a keyboard user walks down a page."""
    for _ in range(limit):
        if target.evaluate("element => element === document.activeElement"):
            return
        page.keyboard.press("Tab")
    raise AssertionError(f"{target} not reached in {limit} presses of Tab")


def press(page: Page, key: str, *, then_focused: Locator) -> None:
    page.keyboard.press(key)
    expect(then_focused).to_be_focused()


def expect_saved(page: Page, code: str) -> None:
    """The question says its answer is saved (the script sends quick successive changes as one)."""
    expect(page.locator(f"#q-{code} .q-status")).to_have_text(SAVED)
