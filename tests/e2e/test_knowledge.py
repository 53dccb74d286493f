"""End-to-end: from an editor's new guide to a commune's learning path and the site search.

A centre editor (by permission, not staff) writes a guide on data for communes at maturity level 1
in the editor, previews it, saves it and publishes it. A commune manager ticks a method step in
the commune's journey; the diagnostic's results page then shows the guide in the learning path of
the commune's weakest domain, and the site search finds it from the header's search box. axe-core
reports no violation on the editor, the journey and the search results.

The journey runs in English: its labels are the source strings.
"""

from __future__ import annotations

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from smartregion.accounts.models import Membership
from smartregion.accounts.services import DEMO_EDITOR_EMAIL, DEMO_PASSWORD, demo_accounts_create
from smartregion.knowledge.models import Kind, MethodPhase, Resource, StepProgress
from smartregion.knowledge.services import create_resource
from smartregion.territory.models import Municipality
from tests.factories import submitted

from .browser import axe_violations, sign_in

pytestmark = pytest.mark.e2e

DEMO_MANAGER_EMAIL = "manager.namur@demo.smartregion.example"
TITLE = "Ouvrir les données de la commune pas à pas"
# Data is the domain furthest from its target: the path starts with it.
TARGETS = {"data": 5, "gov": 2, "org": 2, "plan": 2, "eval": 2, "innov": 1, "sust": 1}


@pytest.fixture
def setting(territory, reference_population, instrument_version) -> dict:
    demo_accounts_create()
    manager = Membership.objects.get(user__email=DEMO_MANAGER_EMAIL)
    commune: Municipality = manager.municipality
    year = timezone.localdate().year + 2
    diagnostic = submitted(commune, instrument_version, 0.0, targets=TARGETS, horizon_year=year)
    step = create_resource(
        Resource(
            kind=Kind.METHOD_STEP,
            slug="inventaire-donnees",
            title_fr="Inventorier ses données",
            title_en="Take stock of your data",
            body_fr="Listez les jeux de données de la commune.",
            body_en="List the commune's datasets.",
            checklist_fr="Lister les services\nNommer un référent",
            checklist_en="List the departments\nName a data lead",
            method_phase=MethodPhase.PLANNING,
            method_order=1,
            domains=["data"],
            levels=[1, 2],
            state=Resource.State.PUBLISHED,
        ),
        user=None,
    )
    return {"commune": commune, "diagnostic": diagnostic, "step": step}


def _editor_writes_and_publishes(page: Page, base: str) -> None:
    sign_in(page, base, DEMO_EDITOR_EMAIL, DEMO_PASSWORD, lang="en")
    page.goto(f"{base}/en/knowledge/editor/new/")
    page.locator('[name="title_fr"]').fill(TITLE)
    page.locator('[name="summary_fr"]').fill("Un guide pour publier ses premiers jeux de données.")
    page.locator('[name="body_fr"]').fill(
        "## Commencer\n\nChoisissez trois jeux de données **utiles** aux habitants."
    )
    page.locator('[name="kind"]').select_option("guide")
    page.locator('[name="slug"]').fill("ouvrir-donnees-pas-a-pas")
    page.get_by_label("Data and technologies", exact=False).first.check()
    page.locator('[name="levels"][value="1"]').check()
    page.get_by_role("button", name="Preview").click()
    expect(page.locator(".preview").first).to_contain_text("utiles")
    assert axe_violations(page) == []  # the editor's form with its preview
    page.get_by_role("button", name="Save", exact=True).click()
    expect(page.get_by_text("The resource is saved as a draft.")).to_be_visible()
    page.get_by_role("button", name="Move to “Published”").click()
    expect(page.locator(".messages, [role=status]").first).to_be_visible()


def test_editor_publishes_manager_ticks_a_step_the_guide_is_on_the_path_and_found(
    page: Page, live_server, setting
):
    base = live_server.url
    commune, diagnostic, step = setting["commune"], setting["diagnostic"], setting["step"]

    _editor_writes_and_publishes(page, base)
    guide = Resource.objects.get(slug="ouvrir-donnees-pas-a-pas")
    assert (guide.state, guide.kind, guide.domains, guide.levels, guide.created_by.email) == (
        Resource.State.PUBLISHED,
        Kind.GUIDE,
        ["data"],
        [1],
        DEMO_EDITOR_EMAIL,
    )

    # The manager ticks the method step, in the commune's journey.
    page.context.clear_cookies()
    sign_in(page, base, DEMO_MANAGER_EMAIL, DEMO_PASSWORD, lang="en")
    page.goto(f"{base}/en/knowledge/journey/{commune.refnis}/")
    page.locator(f"#step-{step.pk}").get_by_text("Update “Take stock of your data”").click()
    form = page.locator(f"#step-{step.pk} form")
    form.get_by_label("Status").select_option(label="In progress")
    form.get_by_label("List the departments").check()
    form.get_by_role("button", name="Save “Take stock of your data”").click()
    expect(page.locator(f"#step-{step.pk}")).to_contain_text("In progress")
    assert axe_violations(page) == []
    progress = StepProgress.objects.get(municipality=commune, step=step)
    assert (progress.status, progress.checked) == (StepProgress.Status.IN_PROGRESS, [0])

    # The results page leads to the step, then to the new guide, for the weakest domain.
    page.goto(f"{base}/en/diagnostics/{diagnostic.pk}/results/")
    path = page.locator("section[aria-labelledby=learning-path-heading]")
    expect(path.get_by_role("link", name="Take stock of your data")).to_be_visible()
    expect(path.get_by_role("link", name=TITLE)).to_be_visible()

    # Anyone finds the guide from the header's search box.
    page.context.clear_cookies()
    page.goto(f"{base}/en/")
    header_search = page.get_by_role("search", name="Site search")
    header_search.get_by_role("searchbox").fill("donnees pas a pas")
    header_search.get_by_role("button", name="Search").click()
    expect(page.get_by_role("link", name=TITLE)).to_be_visible()
    assert axe_violations(page) == []
