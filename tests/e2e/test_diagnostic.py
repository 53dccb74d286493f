"""End-to-end tests of the maturity diagnostic in headless Chromium: keyboard, autosave, axe-core.

The commune manager signs in through the real form and fills sections with the keyboard alone
(Tab, Shift+Tab, arrows within radio groups, Space for checkboxes, typing). The other sections
are answered beforehand through the services: 65 questions by keyboard would make a long test
that proves nothing more.
"""

from __future__ import annotations

import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Locator, Page, expect

from smartregion.accounts.models import User
from smartregion.accounts.services import DEMO_PASSWORD, demo_accounts_create
from smartregion.diagnostic.models import Diagnostic, DiagnosticAnswer
from smartregion.diagnostic.services import answer_save, diagnostic_start, diagnostic_submit
from smartregion.instruments.definition import Instrument
from smartregion.instruments.scoring import hidden_questions
from smartregion.instruments.services import instrument_version_load
from tests.factories import MATURITY_INSTRUMENT, best_answer

from .browser import DESKTOP, NAMUR, SAVED, axe_violations, expect_saved, press, sign_in, tab_to

pytestmark = pytest.mark.e2e

MANAGER = "manager.namur@demo.smartregion.example"
MEMBER = "member.namur@demo.smartregion.example"
KEYBOARD_SECTIONS = ("organisation", "closing")


# ---------------------------------------------------------------------------------------------
# Arrange
# ---------------------------------------------------------------------------------------------


@pytest.fixture
def instrument(territory) -> Instrument:
    return instrument_version_load(path=MATURITY_INSTRUMENT).instrument


@pytest.fixture
def team(territory) -> dict[str, User]:
    """The demo accounts: Namur's manager and a member, with the demo password."""
    demo_accounts_create()
    return {
        "manager": User.objects.get(email=MANAGER),
        "member": User.objects.get(email=MEMBER),
    }


@pytest.fixture
def second_page(browser: Browser) -> Iterator[Page]:
    """A colleague's browser: another context, so another session."""
    context = browser.new_context(viewport=DESKTOP, locale="fr-BE")
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def _prefill(diagnostic: Diagnostic, instrument: Instrument, user: User, skip: tuple) -> None:
    """Best answers to every visible question outside `skip`, in questionnaire order."""
    answers: dict[str, Any] = {}
    for section in instrument.sections:
        if section.code in skip:
            continue
        for question in section.questions:
            if question.code in hidden_questions(instrument, answers):
                continue
            answers[question.code] = best_answer(question)
            answer_save(
                diagnostic=diagnostic,
                question_code=question.code,
                value=answers[question.code],
                base_revision=None,
                user=user,
            )


def _saved_answers(diagnostic: Diagnostic, codes) -> dict[str, Any]:
    rows = DiagnosticAnswer.objects.filter(diagnostic=diagnostic, question_code__in=codes)
    return {row.question_code: row.value for row in rows if row.value is not None}


def _expect_answers(diagnostic: Diagnostic, expected: dict[str, Any]) -> None:
    """The database holds these answers, once the last save sent from the page has landed."""
    for _ in range(50):
        if _saved_answers(diagnostic, expected) == expected:
            return
        time.sleep(0.1)
    assert _saved_answers(diagnostic, expected) == expected


# ---------------------------------------------------------------------------------------------
# Keyboard and page helpers
# ---------------------------------------------------------------------------------------------


def _radio(page: Page, code: str, index: int) -> Locator:
    return page.locator(f"#f-{code}-{index}")


# ---------------------------------------------------------------------------------------------
# The manager's journey
# ---------------------------------------------------------------------------------------------


def _fill_organisation_by_keyboard(page: Page) -> None:
    page.keyboard.press("Tab")  # the skip link, then straight to the main content
    page.keyboard.press("Enter")
    tab_to(page, _radio(page, "org_team", 0))
    expect(_radio(page, "org_team", 0)).to_have_css("outline-style", "solid")  # focus visible
    for _ in range(3):  # none → side_task → referent → team
        page.keyboard.press("ArrowDown")
    expect(_radio(page, "org_team", 3)).to_be_checked()
    expect_saved(page, "org_team")

    press(page, "Tab", then_focused=page.locator("#f-org_fte"))  # the follow-up, now shown
    page.keyboard.type("1,5")
    expect_saved(page, "org_fte")
    press(page, "Tab", then_focused=page.locator("#f-org_fte-dont_know"))

    press(page, "Tab", then_focused=_radio(page, "org_skills", 0))
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # no → on_demand → plan
    expect_saved(page, "org_skills")

    press(page, "Tab", then_focused=_radio(page, "org_expertise", 0))
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # give_up → supplier → support
    expect_saved(page, "org_expertise")

    press(page, "Tab", then_focused=_radio(page, "org_culture", 0))
    for _ in range(3):  # a scale laid out in a row: 1 → 4 with the right arrow
        page.keyboard.press("ArrowRight")
    expect_saved(page, "org_culture")

    press(page, "Tab", then_focused=_radio(page, "org_silos", 0))
    page.keyboard.press("Space")  # the focused first option: silos
    expect_saved(page, "org_silos")

    press(page, "Tab", then_focused=_radio(page, "org_budget", 0))
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowDown")  # none → per_project → yearly
    expect_saved(page, "org_budget")

    press(page, "Tab", then_focused=_radio(page, "org_funding", 0))
    page.keyboard.press("Space")  # regional_call
    press(page, "Tab", then_focused=_radio(page, "org_funding", 1))
    press(page, "Tab", then_focused=_radio(page, "org_funding", 2))
    page.keyboard.press("Space")  # partners
    expect_saved(page, "org_funding")

    # Second thoughts on the budget: back up with Shift+Tab, which lands on the checked radio.
    press(page, "Shift+Tab", then_focused=_radio(page, "org_funding", 1))
    press(page, "Shift+Tab", then_focused=_radio(page, "org_funding", 0))
    press(page, "Shift+Tab", then_focused=_radio(page, "org_budget", 2))
    page.keyboard.press("ArrowDown")  # yearly → multi_year
    expect_saved(page, "org_budget")


ORGANISATION = {
    "org_team": "team",
    "org_fte": 1.5,
    "org_skills": "plan",
    "org_expertise": "support",
    "org_culture": 4,
    "org_silos": "silos",
    "org_budget": "multi_year",
    "org_funding": ["regional_call", "partners"],
}


def _fill_closing_by_keyboard(page: Page) -> None:
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    tab_to(page, _radio(page, "closing_obstacles", 0))
    page.keyboard.press("Space")  # budget
    press(page, "Tab", then_focused=_radio(page, "closing_obstacles", 1))
    press(page, "Tab", then_focused=_radio(page, "closing_obstacles", 2))
    page.keyboard.press("Space")  # time
    expect_saved(page, "closing_obstacles")
    tab_to(page, page.locator("#f-closing_strengths"), limit=5)
    page.keyboard.type("Une équipe motivée")
    expect_saved(page, "closing_strengths")
    press(page, "Tab", then_focused=page.locator("#f-closing_support"))
    page.keyboard.type("Des marchés publics conjoints")
    expect_saved(page, "closing_support")


CLOSING = {
    "closing_obstacles": ["budget", "time"],
    "closing_strengths": "Une équipe motivée",
    "closing_support": "Des marchés publics conjoints",
}


def _pdf_text(path: Path) -> str:
    completed = subprocess.run(  # noqa: S603 (a fixed program on a file the test wrote)
        ["/usr/bin/pdftotext", str(path), "-"], capture_output=True, check=True, text=True
    )
    return completed.stdout


def test_manager_fills_by_keyboard_submits_and_downloads_the_pdf(
    page: Page, live_server, instrument, team, tmp_path
):
    manager = team["manager"]
    base = live_server.url
    sign_in(page, base, MANAGER, DEMO_PASSWORD)
    page.get_by_role("navigation", name="Navigation principale").get_by_role(
        "link", name="Mon espace"
    ).click()
    page.wait_for_url(f"{base}/fr/space/{NAMUR}/")  # the only commune of the manager
    start = page.get_by_role("button", name="Commencer un nouveau diagnostic")
    start.focus()
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/fr/diagnostics/\d+/section/profile/$"))
    diagnostic = Diagnostic.objects.get(municipality__refnis=NAMUR)
    assert diagnostic.created_by == manager
    _prefill(diagnostic, instrument, manager, skip=KEYBOARD_SECTIONS)

    page.goto(f"{base}/fr/diagnostics/{diagnostic.pk}/section/organisation/")
    _fill_organisation_by_keyboard(page)
    _expect_answers(diagnostic, ORGANISATION)

    sections = page.get_by_role("navigation", name="Sections du diagnostic")
    tab_to(page, sections.get_by_role("link", name=re.compile(r"^9\. ")), limit=60)
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/section/closing/$"))
    _fill_closing_by_keyboard(page)
    _expect_answers(diagnostic, CLOSING)

    tab_to(page, page.get_by_role("button", name="Soumettre le diagnostic"), limit=10)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/fr/diagnostics/{diagnostic.pk}/submit/")  # the confirmation step
    assert Diagnostic.objects.get(pk=diagnostic.pk).is_draft
    assert axe_violations(page) == []
    tab_to(page, page.locator("input[name=confirm] + button"), limit=60)
    page.keyboard.press("Enter")
    page.wait_for_url(f"{base}/fr/diagnostics/{diagnostic.pk}/results/")
    expect(page.locator(".messages")).to_contain_text("Le diagnostic est soumis")
    overall = page.locator(".stat").filter(has_text="Niveau global").locator("dd")
    expect(overall).to_have_text("5 / 5")  # every other domain has its best answers
    organisation = page.locator("#domain-org + .domain-level")
    # (2×0.75 + 0.75 + 0.67 + 0.67 + 0.75 + 0 + 2×1 + 0.35+0.3) / 10 weights = 69.9 → level 4
    expect(organisation).to_have_text("Niveau 4 sur 5 score 70 / 100")

    download_link = page.get_by_role("link", name="Télécharger le rapport (PDF)")
    tab_to(page, download_link, limit=60)
    with page.expect_download() as download_info:
        page.keyboard.press("Enter")
    pdf = tmp_path / "report.pdf"
    download_info.value.save_as(pdf)
    assert pdf.read_bytes().startswith(b"%PDF-")
    text = _pdf_text(pdf)
    assert re.search(r"Diagnostic de maturité \d{4}\s:\sNamur", text)  # in the user's language
    assert re.search(r"Organisation et ressources humaines\s+70\s", text)


# ---------------------------------------------------------------------------------------------
# Two colleagues on one section; a network drop
# ---------------------------------------------------------------------------------------------


def _open_section(page: Page, base: str, email: str, diagnostic: Diagnostic, section: str):
    sign_in(page, base, email, DEMO_PASSWORD)
    page.goto(f"{base}/fr/diagnostics/{diagnostic.pk}/section/{section}/")


def _answer_row(diagnostic: Diagnostic, code: str) -> tuple[Any, int, str]:
    row = DiagnosticAnswer.objects.select_related("updated_by").get(
        diagnostic=diagnostic, question_code=code
    )
    return row.value, row.revision, row.updated_by.email


def test_colleagues_changing_one_answer_see_the_conflict_and_choose(
    page: Page, second_page: Page, live_server, instrument, team, namur
):
    diagnostic = diagnostic_start(municipality=namur, user=team["manager"])
    _open_section(page, live_server.url, MANAGER, diagnostic, "governance")
    _open_section(second_page, live_server.url, MEMBER, diagnostic, "governance")

    # The manager answers first; the member, whose page is older, answers differently.
    _radio(page, "gov_strategy", 3).check()  # adopted
    expect_saved(page, "gov_strategy")
    tab_to(second_page, _radio(second_page, "gov_strategy", 0))
    second_page.keyboard.press("Space")  # none
    status = second_page.locator("#q-gov_strategy .q-status")
    expect(status).to_have_text(
        re.compile(
            r"^Modifié par Manager à \d\d:\d\d : sa réponse est "  # French spacing: \s
            r"«\sElle est adoptée par le collège ou le conseil\s»\.$"
        )
    )
    assert axe_violations(second_page) == []  # the message and its buttons
    press(
        second_page, "Tab", then_focused=second_page.get_by_role("button", name="Garder la sienne")
    )
    second_page.keyboard.press("Enter")

    expect(status).to_have_text("Sa réponse est conservée.")
    expect(_radio(second_page, "gov_strategy", 3)).to_be_checked()
    expect(_radio(second_page, "gov_strategy", 3)).to_be_focused()  # not lost with the button
    assert _answer_row(diagnostic, "gov_strategy") == ("adopted", 1, MANAGER)

    # Same again on another question, but the member keeps their own answer.
    _radio(page, "gov_sponsor", 3).check()  # college
    expect_saved(page, "gov_sponsor")
    _radio(second_page, "gov_sponsor", 2).check()  # alderman
    expect(second_page.locator("#q-gov_sponsor .q-status")).to_contain_text("Modifié par Manager")
    second_page.keyboard.press("Tab")
    press(
        second_page,
        "Tab",
        then_focused=second_page.get_by_role("button", name="Utiliser la mienne"),
    )
    second_page.keyboard.press("Enter")

    expect_saved(second_page, "gov_sponsor")
    expect(_radio(second_page, "gov_sponsor", 2)).to_be_focused()
    assert _answer_row(diagnostic, "gov_sponsor") == ("alderman", 2, MEMBER)


def test_an_answer_given_offline_is_kept_said_unsaved_and_sent_when_back_online(
    page: Page, live_server, instrument, team, namur
):
    diagnostic = diagnostic_start(municipality=namur, user=team["manager"])
    _open_section(page, live_server.url, MANAGER, diagnostic, "governance")

    page.context.set_offline(True)
    _radio(page, "gov_sponsor", 2).check()  # alderman
    status = page.locator("#q-gov_sponsor .q-status")
    expect(status).to_have_text(
        "Non enregistré : problème de réseau — votre réponse est conservée sur cette page, "
        "nouvel essai en cours"
    )
    expect(page.locator("#save-warning")).to_be_visible()
    assert axe_violations(page) == []
    assert not DiagnosticAnswer.objects.filter(diagnostic=diagnostic).exists()
    page.context.set_offline(False)

    expect(status).to_have_text(SAVED)
    expect(page.locator("#save-warning")).to_be_hidden()
    assert _answer_row(diagnostic, "gov_sponsor") == ("alderman", 1, MANAGER)


# ---------------------------------------------------------------------------------------------
# axe-core
# ---------------------------------------------------------------------------------------------


def test_axe_finds_no_violation_on_the_diagnostic_pages(
    page: Page, live_server, instrument, team, namur
):
    """The commune space, questionnaire sections, targets and results, in French and English.

    Also the states a page reaches only through a script or a post: an answer just saved, and a
    submission refused for unanswered questions.
    """
    manager = team["manager"]
    submitted = diagnostic_start(municipality=namur, user=manager, year=2025)
    _prefill(submitted, instrument, manager, skip=())
    diagnostic_submit(diagnostic=submitted, user=manager)
    draft = diagnostic_start(municipality=namur, user=manager)
    answer_save(  # a saved answer shows "answered by" under its question
        diagnostic=draft,
        question_code="gov_strategy",
        value="drafting",
        base_revision=0,
        user=manager,
    )
    sign_in(page, live_server.url, MANAGER, DEMO_PASSWORD)
    pages = [
        f"/{{lang}}/space/{NAMUR}/",
        f"/{{lang}}/diagnostics/{draft.pk}/section/governance/",
        f"/{{lang}}/diagnostics/{draft.pk}/section/data_technologies/",  # the matrix question
        f"/{{lang}}/diagnostics/{draft.pk}/targets/",
        f"/{{lang}}/diagnostics/{submitted.pk}/results/",
    ]
    violations = []
    for lang in ("fr", "en"):
        for path in pages:
            url = live_server.url + path.format(lang=lang)
            response = page.goto(url)
            assert (response.status, page.url) == (200, url)  # not a sign-in page or an error
            violations += axe_violations(page)

        page.goto(f"{live_server.url}/{lang}/diagnostics/{draft.pk}/section/governance/")
        _radio(page, "gov_sponsor", {"fr": 1, "en": 2}[lang]).check()
        saved = {"fr": SAVED, "en": re.compile(r"^Saved \d")}[lang]
        expect(page.locator("#q-gov_sponsor .q-status")).to_have_text(saved)
        violations += axe_violations(page)
        page.locator("#submit button").click()
        expect(page.locator("h1")).to_have_text(
            {
                "fr": "Le diagnostic ne peut pas encore être soumis",
                "en": "The diagnostic cannot be submitted yet",
            }[lang]
        )
        violations += axe_violations(page)

    assert violations == [], "axe-core violations:\n" + "\n".join(violations)
