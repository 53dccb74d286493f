"""End-to-end test of the account settings in headless Chromium, checked with axe-core.

A commune member reaches the settings from the header's account link, goes through each page
(name and language, email, password, export, deletion) with axe finding no violation and the
content no wider than a phone, then deletes the account: signed out, and unable to sign in again.
The content is measured (`main`), not the whole page: the header on phones is the layout's work.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from smartregion.accounts.models import User
from smartregion.accounts.services import DEMO_MEMBER_EMAIL, DEMO_PASSWORD, demo_accounts_create

from .browser import PHONE, SCREENS, axe_violations, sign_in

pytestmark = pytest.mark.e2e

WIDEST = (
    "Math.max(...[...document.querySelectorAll('main *')]"
    ".map(e => e.getBoundingClientRect().right))"
)


@pytest.fixture
def accounts(territory) -> None:
    demo_accounts_create()


def test_member_goes_through_the_settings_then_deletes_the_account(
    page: Page, live_server, accounts
):
    base = live_server.url
    sign_in(page, base, DEMO_MEMBER_EMAIL, DEMO_PASSWORD, lang="en")
    page.set_viewport_size(PHONE)

    page.get_by_role("button", name="Menu").click()  # on a phone the account links are in the menu
    page.locator("header a[href='/en/accounts/settings/']").first.click()
    expect(page).to_have_url(f"{base}/en/accounts/settings/")
    seen = {}
    for path in ["/en/accounts/settings/", "/en/accounts/email/", "/en/accounts/password/change/"]:
        page.goto(base + path)
        seen[path] = (axe_violations(page), page.evaluate(WIDEST) <= PHONE["width"])
    page.goto(f"{base}/en/accounts/settings/export/")
    seen["export"] = (axe_violations(page), page.evaluate(WIDEST) <= PHONE["width"])
    with page.expect_download() as download:
        page.get_by_role("button", name="Download my data (JSON)").click()
    page.goto(f"{base}/en/accounts/settings/delete/")
    seen["delete"] = (axe_violations(page), page.evaluate(WIDEST) <= PHONE["width"])
    page.screenshot(path=SCREENS / "account-delete-phone.png", full_page=True)
    page.get_by_label("Your password").fill(DEMO_PASSWORD)
    page.get_by_label("I understand that my account will be deleted").check()
    page.get_by_role("button", name="Delete my account").click()

    assert seen == {key: ([], True) for key in seen}
    assert download.value.suggested_filename.startswith("smartregion-personal-data-")
    expect(page).to_have_url(f"{base}/en/")
    expect(page.locator(".messages")).to_contain_text("Your account is deleted.")
    assert not User.objects.filter(email=DEMO_MEMBER_EMAIL).exists()
