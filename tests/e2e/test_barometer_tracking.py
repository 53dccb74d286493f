"""End-to-end: an analyst runs an open wave on a phone (390 px): the tracking page, the communes
without an address, adding one, inviting it later, and the respondent links; axe finds nothing
and no page is wider than the screen. A manager then finds the wave in the commune's space."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page, expect

from smartregion.barometer.models import Wave, WaveMember
from smartregion.barometer.services import wave_open
from smartregion.territory.models import Municipality
from tests.factories import UserFactory, WaveFactory

from .browser import NAMUR, SCREENS, axe_violations, sign_in

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
PHONE_390 = {"width": 390, "height": 844}
PASSWORD = "pw-for-tests-123"


@pytest.fixture
def wave(territory) -> Wave:
    wave = WaveFactory(year=2026, version="2025")
    Municipality.objects.filter(refnis=NAMUR).update(contact_email="info@namur.example.org")
    wave_open(wave=wave, link_for=lambda token: token)
    return wave


@pytest.fixture
def phone(browser: Browser):
    context = browser.new_context(viewport=PHONE_390, locale="en-GB")
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


# What sticks out of the screen, outside the tables that scroll in their own region.
WIDEST = """() => [...document.querySelectorAll('body *')]
  .filter(e => e.getBoundingClientRect().right > window.innerWidth + 0.5)
  .filter(e => !(e.parentElement && e.parentElement.closest('.table-wrap')))
  .map(e => `${e.tagName}.${e.className}#${e.id} ${Math.round(e.getBoundingClientRect().right)}`)
  .slice(0, 8)"""


def _fits(page: Page) -> None:
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE_390["width"], f"{page.url} is {width} px wide: {page.evaluate(WIDEST)}"


def _look(page: Page, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENS / f"barometer-{name}.png"), full_page=False)


def test_an_analyst_tracks_adds_an_address_invites_and_copies_links_on_a_phone(
    phone: Page, live_server, wave
):
    UserFactory(email="analyst@centre.example", is_staff=True, password=PASSWORD)
    sign_in(phone, live_server.url, "analyst@centre.example", PASSWORD, lang="en")

    for path in ("/en/barometer/waves/", "/en/barometer/contacts/", "/en/barometer/waves/new/"):
        phone.goto(live_server.url + path)
        assert axe_violations(phone) == []
        _fits(phone)
    _look(phone, "contacts-390")
    phone.goto(f"{live_server.url}/en/barometer/waves/{wave.pk}/")
    expect(phone.locator("[data-progress=no_address]")).to_have_text("260")
    assert axe_violations(phone) == []
    _fits(phone)
    _look(phone, "tracking-390")

    phone.get_by_role("link", name="Not invited (no address)").click()
    expect(phone.locator("table.tracking tbody tr")).to_have_count(260)
    phone.locator("tr[data-refnis='62063']").get_by_role("link", name="Add an address").click()
    assert axe_violations(phone) == []
    _fits(phone)
    phone.get_by_label("Smart-city contact: email address").fill("smart@liege.example.org")
    phone.get_by_role("button", name="Save").click()
    expect(phone.locator("tr[data-refnis='62063']")).to_have_count(0)  # back on the filtered list

    phone.get_by_role("button", name="Invite the communes not invited yet").click()
    expect(phone.get_by_text("1 commune invited: Liège.")).to_be_visible()
    expect(phone.locator("[data-progress=no_address]")).to_have_text("259")
    assert WaveMember.objects.get(wave=wave, municipality__refnis="62063").invited_at is not None

    phone.get_by_role("link", name="Respondent links of every commune").click()
    expect(phone.locator("#link-92094")).to_have_value(
        re.compile(rf"^{live_server.url}/en/barometer/r/[0-9a-f]{{64}}/$")
    )
    assert axe_violations(phone) == []
    _fits(phone)
    _look(phone, "links-390")


def test_a_manager_finds_the_open_wave_in_the_communes_space(phone: Page, live_server, wave):
    from smartregion.accounts.models import Membership
    from tests.factories import MembershipFactory

    user = UserFactory(email="manager@namur.example", password=PASSWORD)
    MembershipFactory(
        user=user, municipality=Municipality.objects.get(refnis=NAMUR), role=Membership.Role.MANAGER
    )
    sign_in(phone, live_server.url, "manager@namur.example", PASSWORD, lang="en")

    phone.goto(f"{live_server.url}/en/space/{NAMUR}/")
    assert axe_violations(phone) == []
    _fits(phone)
    _look(phone, "space-390")
    phone.get_by_role("link", name="Answer the questionnaire").click()

    expect(phone.get_by_role("heading", level=1)).to_have_text("Barometer 2026")
