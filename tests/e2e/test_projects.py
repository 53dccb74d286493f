"""End-to-end test of the project catalogue in headless Chromium, checked with axe-core.

A commune member signs in, creates a project through the form and submits it; a centre editor
finds it in the review queue and publishes it; an anonymous visitor finds it by full-text search
(another word form, without the accent), opens it and sees it on the commune's profile. axe-core
reports no violation on the catalogue, a project page, the form and the showcase, in English and
French. A small demo catalogue (the same generator as `smartregion demo`) fills the pages around.

The journey runs in English: its labels are the source strings, so it does not depend on when
the French catalogue of translations is updated. The axe checks run in both languages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect

from smartregion.accounts.models import User
from smartregion.accounts.services import (
    DEMO_EDITOR_EMAIL,
    DEMO_MEMBER_EMAIL,
    DEMO_PASSWORD,
    demo_accounts_create,
)
from smartregion.projects.demo import projects_demo_create
from smartregion.projects.models import Project, ProjectRevision
from smartregion.projects.services import ProjectInput, project_create, project_submit
from smartregion.territory.models import Municipality

from .browser import DESKTOP, NAMUR, axe_violations, sign_in

pytestmark = pytest.mark.e2e

TITLE = "Réseau de sonomètres connectés au centre-ville"
SUMMARY = (
    "Des capteurs de bruit mesurent le niveau sonore des rues animées et publient les mesures."
)


@pytest.fixture
def catalogue(territory) -> None:
    """The demo accounts and a small demo catalogue (a few published and showcase projects)."""
    demo_accounts_create()
    projects_demo_create(count=15, today=dt.date(2026, 11, 26))


@pytest.fixture
def editor_page(browser: Browser) -> Iterator[Page]:
    """The editor's own browser: another context, so another session."""
    context = browser.new_context(viewport=DESKTOP, locale="fr-BE")
    context.set_default_timeout(10_000)
    yield context.new_page()
    context.close()


def _member_creates_and_submits(page: Page, base_url: str) -> None:
    sign_in(page, base_url, DEMO_MEMBER_EMAIL, DEMO_PASSWORD, lang="en")
    page.goto(f"{base_url}/en/projects/new/")
    expect(page.get_by_role("heading", level=1)).to_have_text("New project")
    assert axe_violations(page) == []  # the empty form

    page.get_by_label("Title (French)").fill(TITLE)
    page.get_by_label("Summary (French)").fill(SUMMARY)
    picker = page.get_by_role("combobox", name="Communes involved")
    picker.fill("Namen")
    picker.press("Enter")  # the first match, Namur
    page.get_by_label("Environment", exact=True).check()
    page.get_by_label("Data", exact=True).check()
    page.get_by_label("Status").select_option(label="In progress")
    page.get_by_label("Start date").fill("2026-03-01")
    page.get_by_role("button", name="Save the draft").click()

    expect(page.get_by_role("heading", level=1)).to_have_text(f"Edit “{TITLE}”")
    assert axe_violations(page) == []  # the form of a saved draft, with its files section
    page.get_by_role("button", name="Submit for review").click()
    expect(page.get_by_text("Awaiting review").first).to_be_visible()


def _editor_publishes(page: Page, base_url: str) -> None:
    sign_in(page, base_url, DEMO_EDITOR_EMAIL, DEMO_PASSWORD, lang="en")
    page.goto(f"{base_url}/en/projects/review/")
    page.get_by_role("link", name=TITLE).click()
    expect(page.get_by_role("heading", level=1)).to_have_text(f"Review “{TITLE}”")
    page.get_by_label("Comment").fill("Clair et complet, merci.")
    page.get_by_role("button", name="Publish", exact=True).click()
    page.wait_for_url(f"{base_url}/en/projects/review/")
    expect(page.get_by_role("link", name=TITLE)).to_have_count(0)


def test_member_submits_editor_publishes_visitor_finds_it(
    page: Page, editor_page: Page, live_server, catalogue
):
    base = live_server.url

    _member_creates_and_submits(page, base)
    _editor_publishes(editor_page, base)

    project = Project.objects.get(title_fr=TITLE)
    assert (project.state, project.owner_municipality.refnis) == (Project.State.PUBLISHED, NAMUR)
    assert list(project.revisions.order_by("number").values_list("action", "author__email")) == [
        (ProjectRevision.Action.CREATED, DEMO_MEMBER_EMAIL),
        (ProjectRevision.Action.SUBMITTED, DEMO_MEMBER_EMAIL),
        (ProjectRevision.Action.PUBLISHED, DEMO_EDITOR_EMAIL),
    ]
    # A visitor, signed out, searches another form of a word, without its accent.
    page.context.clear_cookies()
    page.goto(f"{base}/en/projects/")
    page.get_by_label("Search projects").fill("sonometre")
    catalogue_search = page.get_by_role("form", name="Search and filter projects")
    catalogue_search.get_by_role("button", name="Search", exact=True).click()
    results = page.get_by_role("link", name=TITLE)
    expect(results).to_have_count(1)
    assert axe_violations(page) == []  # the catalogue with search results and facets
    results.click()
    expect(page.get_by_role("heading", level=1)).to_have_text(TITLE)
    expect(page.get_by_text(SUMMARY)).to_be_visible()
    assert axe_violations(page) == []  # the project page

    page.goto(f"{base}/en/communes/{NAMUR}/")
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()
    page.get_by_role("link", name=TITLE).click()
    page.wait_for_url(f"{base}/en/projects/{project.slug}/")


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_axe_finds_no_violation_on_the_project_pages(page: Page, live_server, catalogue, lang):
    base = f"{live_server.url}/{lang}/projects"
    published = Project.objects.filter(state=Project.State.PUBLISHED)
    showcase = published.filter(showcase=True).first()
    other = published.filter(showcase=False, locations__isnull=False).first()
    assert showcase is not None and other is not None
    pages = [
        f"{base}/",
        f"{base}/?theme=environment&status=completed",
        f"{base}/{other.slug}/",
        f"{base}/{showcase.slug}/",
        f"{base}/showcase/",
        f"{base}/showcase/{showcase.slug}/",
        f"{base}/map/",
        f"{base}/actors/",
    ]
    violations: list[str] = []
    for address in pages:
        response = page.goto(address)
        assert response is not None and response.status == 200, address
        violations += axe_violations(page)
    # The form, signed in as the demo commune's member.
    sign_in(page, live_server.url, DEMO_MEMBER_EMAIL, DEMO_PASSWORD, lang="en")
    page.goto(f"{base}/new/")
    violations += axe_violations(page)
    page.locator("form.project-form button[type=submit]").click()  # empty: errors shown
    expect(page.locator(".error-summary")).to_be_visible()
    violations += axe_violations(page)
    assert violations == []


def test_request_changes_without_comment_is_a_form_error_then_the_team_reads_it(
    page: Page, editor_page: Page, live_server, catalogue
):
    member = User.objects.get(email=DEMO_MEMBER_EMAIL)
    namur = Municipality.objects.get(refnis=NAMUR)
    data = ProjectInput(
        title_fr=TITLE,
        summary_fr=SUMMARY,
        description_fr="<p>Douze capteurs place d'Armes.</p>",
        status="in_progress",
        themes=["environment"],
        municipality_ids=[namur.pk],
        indicators=[{"name_fr": "Capteurs installés", "target": "12"}],
    )
    project = project_create(user=member, owner_municipality=namur, data=data)
    project_submit(project=project, user=member)
    base = live_server.url

    sign_in(editor_page, base, DEMO_EDITOR_EMAIL, DEMO_PASSWORD, lang="en")
    editor_page.goto(f"{base}/en/projects/{project.slug}/review/")
    expect(editor_page.get_by_text("Douze capteurs place d'Armes.")).to_be_visible()
    expect(editor_page.get_by_role("rowheader", name="Capteurs installés")).to_be_visible()
    editor_page.get_by_role("button", name="Request changes").click()

    comment = editor_page.get_by_label("Comment for the team")
    expect(comment).to_have_attribute("aria-invalid", "true")
    expect(comment).to_have_accessible_description(
        "A comment is required to request changes, reject or withdraw a project. "
        "Say why, so the team knows what to do."
    )
    expect(editor_page.get_by_role("alert")).to_contain_text("Say why, so the team knows")
    project.refresh_from_db()
    assert project.state == "submitted"
    assert axe_violations(editor_page) == []

    comment.fill("Ajoutez le budget et les partenaires.")
    editor_page.get_by_role("button", name="Request changes").click()
    expect(editor_page.get_by_role("status")).to_contain_text(
        "Changes requested from the team of Namur."
    )

    sign_in(page, base, DEMO_MEMBER_EMAIL, DEMO_PASSWORD, lang="en")
    page.goto(f"{base}/en/projects/{project.slug}/edit/")
    note = page.get_by_role("note")
    expect(note).to_contain_text("What the editors ask you to change")
    expect(note).to_contain_text("Ajoutez le budget et les partenaires.")
    assert axe_violations(page) == []
