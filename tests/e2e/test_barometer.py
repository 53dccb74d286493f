"""End-to-end tests of the barometer in headless Chromium: invitation link to published edition.

A commune's respondent opens the invitation link (no account), answers the last section with the
keyboard alone, and submits; the analyst signs in through the real form, sees the response rate,
closes the wave and publishes it; an anonymous visitor finds the edition on the observatory.
The other sections are answered beforehand through the services, in questionnaire order.

Many barometer strings have no French translation yet, so texts that may still show in English are
matched in either language (`_FR_OR_EN`); the rest is matched exactly.
"""

from __future__ import annotations

import datetime as dt
import random
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone, translation
from playwright.sync_api import Browser, Locator, Page, expect

from smartregion.barometer.answers import random_answers
from smartregion.barometer.models import Response, ResponseAnswer, Wave, WaveMember
from smartregion.barometer.services import response_answer_save, wave_close, wave_open
from smartregion.instruments.definition import Instrument
from smartregion.instruments.services import instrument_version_load
from smartregion.observatory.models import Edition
from smartregion.observatory.queries import suppression_text
from smartregion.observatory.services import edition_publish
from smartregion.territory.models import Municipality, Region
from tests.factories import UserFactory

from .browser import DESKTOP, NAMUR, axe_violations, expect_saved, press, sign_in, tab_to

pytestmark = pytest.mark.e2e

ROOT = Path(__file__).resolve().parents[2]
BAROMETER_2025 = ROOT / "instruments/smartregion-barometer/2025.yaml"
WALLOON_REGION = "03000"
STAFF_EMAIL = "analyst@centre.example"
STAFF_PASSWORD = "pw-for-tests-123"
KEYBOARD_SECTION = "partnerships"
SLUG = "smartregion-barometer-2025"


def _fr_or_en(french: str, english: str) -> re.Pattern:
    return re.compile(f"(?:{french}|{english})")


# ---------------------------------------------------------------------------------------------
# Arrange
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def instrument_version(territory):
    return instrument_version_load(path=BAROMETER_2025)


@pytest.fixture
def wave(instrument_version) -> Wave:
    return Wave.objects.create(
        title_fr="Baromètre des communes 2025",
        title_en="Barometer of the communes 2025",
        year=2025,
        instrument_version=instrument_version,
        region=Region.objects.get(refnis=WALLOON_REGION),
        population_date=dt.date(2025, 1, 1),
    )


@pytest.fixture
def namur_token(wave, live_server) -> str:
    """Open the wave (261 invitations) and return Namur's token."""
    link = f"{live_server.url}/fr/barometer/r/{{}}/"
    tokens = wave_open(wave=wave, link_for=link.format).tokens
    return tokens[Municipality.objects.get(refnis=NAMUR).pk]


@pytest.fixture
def staff(db):
    return UserFactory(email=STAFF_EMAIL, is_staff=True, password=STAFF_PASSWORD)


@pytest.fixture
def context_page(browser: Browser) -> Iterator:
    """Open further pages, each in its own context (its own cookies: another person)."""
    contexts = []

    def open_page() -> Page:
        context = browser.new_context(viewport=DESKTOP, locale="fr-BE")
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield open_page
    for context in contexts:
        context.close()


def _namur_member(wave: Wave) -> WaveMember:
    return WaveMember.objects.get(wave=wave, municipality__refnis=NAMUR)


def _prefill(member: WaveMember, instrument: Instrument, skip: tuple[str, ...]) -> None:
    """A complete, valid answer set, saved one answer at a time in questionnaire order."""
    answers = random_answers(instrument, random.Random(2025), 0.6)
    for section in instrument.sections:
        if section.code in skip:
            continue
        for question in section.questions:
            if question.code in answers:
                response_answer_save(
                    member=member, question_code=question.code, value=answers[question.code]
                )


def _others_submit(wave: Wave, share: float, seed: int) -> None:
    """About `share` of the other communes submitted plausible answers (straight to the rows)."""
    rng = random.Random(seed)
    instrument = wave.instrument_version.instrument
    for member in WaveMember.objects.filter(wave=wave).exclude(municipality__refnis=NAMUR):
        if rng.random() > share:
            continue
        response = Response.objects.create(
            wave=wave, member=member, status="submitted", submitted_at=timezone.now()
        )
        ResponseAnswer.objects.bulk_create(
            ResponseAnswer(response=response, question_code=code, value=value)
            for code, value in random_answers(instrument, rng, rng.random()).items()
        )


def _saved_answers(member: WaveMember, codes) -> dict[str, Any]:
    rows = ResponseAnswer.objects.filter(response__member=member, question_code__in=codes)
    return {row.question_code: row.value for row in rows if row.value is not None}


def _expect_answers(member: WaveMember, expected: dict[str, Any]) -> None:
    """The database holds these answers, once the last save sent from the page has landed."""
    for _ in range(50):
        if _saved_answers(member, expected) == expected:
            return
        time.sleep(0.1)
    assert _saved_answers(member, expected) == expected


# ---------------------------------------------------------------------------------------------
# Keyboard and page helpers
# ---------------------------------------------------------------------------------------------


def _option(page: Page, code: str, index: int) -> Locator:
    return page.locator(f"#f-{code}-{index}")


def _fill_partnerships_by_keyboard(page: Page) -> None:
    page.keyboard.press("Tab")  # the skip link, then straight to the main content
    page.keyboard.press("Enter")
    tab_to(page, _option(page, "partners", 0))
    page.keyboard.press("Space")  # intermunicipal
    press(page, "Tab", then_focused=_option(page, "partners", 1))
    press(page, "Tab", then_focused=_option(page, "partners", 2))
    page.keyboard.press("Space")  # province
    expect_saved(page, "partners")

    tab_to(page, _option(page, "intermunicipal_projects", 0), limit=10)
    page.keyboard.press("ArrowDown")  # several → one
    expect(_option(page, "intermunicipal_projects", 1)).to_be_checked()
    expect_saved(page, "intermunicipal_projects")

    press(page, "Tab", then_focused=page.locator("#f-comments"))
    page.keyboard.type("Un projet commun de mobilité")
    expect_saved(page, "comments")


PARTNERSHIPS = {
    "partners": ["intermunicipal", "province"],
    "intermunicipal_projects": "one",
    "comments": "Un projet commun de mobilité",
}


# ---------------------------------------------------------------------------------------------
# From the invitation link to the published edition
# ---------------------------------------------------------------------------------------------


def test_respondent_submits_analyst_publishes_and_the_public_sees_the_edition(
    page: Page, context_page, live_server, wave, namur_token, staff
):
    base = live_server.url
    member = _namur_member(wave)
    instrument = wave.instrument_version.instrument
    _prefill(member, instrument, skip=(KEYBOARD_SECTION,))

    # The respondent: the invitation link, no sign-in.
    page.goto(f"{base}/fr/barometer/r/{namur_token}/")
    expect(page.get_by_role("heading", level=1)).to_have_text("Baromètre des communes 2025")
    page.goto(f"{base}/fr/barometer/r/{namur_token}/{KEYBOARD_SECTION}/")
    _fill_partnerships_by_keyboard(page)
    _expect_answers(member, PARTNERSHIPS)

    tab_to(page, page.locator("button[name=action][value=next]"), limit=5)
    page.keyboard.press("Enter")  # the last section: save and review
    page.wait_for_url(f"{base}/fr/barometer/r/{namur_token}/submit/")
    tab_to(page, page.locator("form[action$='/submit/'] button[type=submit]"), limit=60)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/fr/barometer/r/{namur_token}/submit/")
    expect(page.locator(".respond-thanks")).to_contain_text(
        _fr_or_en("Merci", "Thank you — you can still correct your answers")
    )
    response = Response.objects.get(member=member)
    assert (response.status, response.submitted_at is not None) == ("submitted", True)

    # The analyst: the real sign-in form, the tracking page, close, publish.
    analyst = context_page()
    sign_in(analyst, base, STAFF_EMAIL, STAFF_PASSWORD)
    analyst.goto(f"{base}/fr/barometer/waves/{wave.pk}/")
    expect(analyst.locator("#rates-heading + p.lead")).to_have_text(
        re.compile(r"^1 commune sur 261 a soumis ses réponses\.\s+0 %$")
    )
    close = analyst.locator("form[action$='/close/'] button")
    expect(close).to_have_text("Clôturer la vague")
    close.focus()
    analyst.keyboard.press("Enter")
    publish = analyst.locator("form[action$='/publish/'] button")
    expect(publish).to_be_visible()
    wave.refresh_from_db()
    assert wave.status == Wave.Status.CLOSED
    # The publication is a task, run at once by the tests' backend inside this request (estimates,
    # disclosure control, findings, weighting report): a loaded CI machine may take over 10 s.
    publish.click(timeout=60_000)
    # Its page links the edition.
    analyst.wait_for_url(
        re.compile(rf"^{re.escape(base)}/fr/observatory/builds/[0-9a-f-]{{36}}/$"), timeout=60_000
    )
    edition_link = analyst.locator(".messages a", has_text=_fr_or_en("Voir l", "See the edition"))
    expect(edition_link).to_have_attribute("href", f"/fr/observatory/{SLUG}/r1/")
    edition = Edition.objects.get(wave=wave)
    assert (edition.slug, edition.revision, edition.published_by) == (SLUG, 1, staff)
    assert edition.data["rates"]["all"][0]["submitted"] == 1

    # The public: the observatory, the edition, a question and its figures.
    visitor = context_page()
    visitor.goto(f"{base}/fr/observatory/")
    visitor.locator(f"#latest-heading ~ p a[href='/fr/observatory/{SLUG}/']").click()
    visitor.wait_for_url(f"{base}/fr/observatory/{SLUG}/")
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Baromètre des communes 2025")
    question_path = f"/fr/observatory/{SLUG}/questions/intermunicipal_projects/"
    visitor.locator(f"a[href='{question_path}']").click()
    visitor.wait_for_url(f"{base}{question_path}")
    figures = visitor.locator("table.figures").first
    expect(figures).to_be_visible()
    rows = figures.locator("tbody tr")
    expect(rows.first.locator("th")).to_have_text("Oui, plusieurs")
    # One respondent: the count shows, every estimate is suppressed (fewer than 5), with why.
    with translation.override("fr"):
        withheld = f"—{suppression_text('respondents')}"
    expect(rows.first.locator("td")).to_have_text([withheld, "—", "1", "—", "—", "—"])


# ---------------------------------------------------------------------------------------------
# Links that open nothing
# ---------------------------------------------------------------------------------------------


def test_forged_link_is_not_valid_and_a_link_after_closing_says_closed(
    page: Page, live_server, wave, namur_token
):
    base = live_server.url
    forged = page.goto(f"{base}/fr/barometer/r/{'x' * 43}/")
    assert forged.status == 404
    expect(page.locator("[role=alert]")).to_have_text(
        "Ce lien n’est pas valide. Vérifiez que vous l’avez copié en entier."
    )
    assert page.goto(f"{base}/fr/barometer/r/{namur_token}/").status == 200

    wave_close(wave=wave)

    closed = page.goto(f"{base}/fr/barometer/r/{namur_token}/")
    assert closed.status == 410
    expect(page.locator("[role=alert]")).to_have_text(
        _fr_or_en("clôturée? le", "This survey closed on")
    )
    section = page.goto(f"{base}/fr/barometer/r/{namur_token}/{KEYBOARD_SECTION}/")
    assert section.status == 410


# ---------------------------------------------------------------------------------------------
# axe-core
# ---------------------------------------------------------------------------------------------


def test_axe_finds_no_violation_on_the_barometer_and_observatory_pages(
    page: Page, context_page, live_server, wave, namur_token, staff
):
    """Respondent pages while the wave is open, then the analyst's and the public's pages."""
    base = live_server.url
    member = _namur_member(wave)
    instrument = wave.instrument_version.instrument
    _prefill(member, instrument, skip=(KEYBOARD_SECTION, "data", "digital_trust"))
    _others_submit(wave, share=0.5, seed=3)
    respondent = f"/{{lang}}/barometer/r/{namur_token}/"
    paths = [
        *(respondent.format(lang=lang) for lang in ("fr", "en")),
        *(f"{respondent.format(lang=lang)}strategy/" for lang in ("fr", "en")),
        f"{respondent.format(lang='fr')}submit/",
    ]
    violations: dict[str, list[str]] = {}
    for path in paths:
        page.goto(f"{base}{path}")
        violations[path] = axe_violations(page)

    analyst = context_page()
    sign_in(analyst, base, STAFF_EMAIL, STAFF_PASSWORD)
    analyst.goto(f"{base}/fr/barometer/waves/{wave.pk}/")
    violations["wave"] = axe_violations(analyst)

    edition_publish(wave=wave_close(wave=wave), user=staff)
    for lang in ("fr", "en"):
        for path in (
            f"/{lang}/observatory/",
            f"/{lang}/observatory/{SLUG}/",
            f"/{lang}/observatory/{SLUG}/questions/partners/",
        ):
            page.goto(f"{base}{path}")
            violations[path] = axe_violations(page)

    found = {path: lines for path, lines in violations.items() if lines}
    assert found == {}, "axe-core violations:\n" + "\n".join(
        line for lines in found.values() for line in lines
    )
