"""The project form's commune picker and map placement in headless Chromium, checked with axe.

A commune member finds communes by a name in another language and by REFNIS code with the
keyboard only, removes one, places the project's point by clicking the region map, saves, and
gets exactly those communes and that point. The shipped reference outlines are loaded as
`smartregion load_reference` loads them.
"""

from __future__ import annotations

from decimal import Decimal
from io import StringIO

import pytest
from django.core.management import call_command
from playwright.sync_api import Page, expect

from smartregion.accounts.services import DEMO_MEMBER_EMAIL, DEMO_PASSWORD, demo_accounts_create
from smartregion.projects.models import Project
from smartregion.territory.models import Municipality

from .browser import PHONE, axe_violations, sign_in

pytestmark = pytest.mark.e2e


@pytest.fixture
def reference(territory) -> None:
    call_command("load_reference", stdout=StringIO(), stderr=StringIO())
    demo_accounts_create()


def _chosen(page: Page) -> list[str]:
    return page.eval_on_selector(
        "select[name=municipalities]", "s => Array.from(s.selectedOptions).map(o => o.text)"
    )


def test_member_picks_communes_by_keyboard_and_places_a_point_on_the_map(
    page: Page, live_server, reference
):
    sign_in(page, live_server.url, DEMO_MEMBER_EMAIL, DEMO_PASSWORD, lang="en")
    page.goto(f"{live_server.url}/en/projects/new/")
    picker = page.get_by_role("combobox", name="Communes involved")
    expect(page.locator("select[name=municipalities]")).to_be_hidden()

    picker.press_sequentially("Luik")  # its Dutch name
    listbox = page.get_by_role("listbox")
    expect(listbox.get_by_role("option")).to_have_text(["Liège (62063)"])
    expect(picker).to_have_attribute("aria-expanded", "true")
    assert axe_violations(page) == []  # the open listbox
    picker.press("Enter")
    picker.press_sequentially("5201")
    expect(listbox.get_by_role("option").nth(1)).to_have_text("Charleroi (52011)")
    picker.press("ArrowDown")
    expect(picker).to_have_attribute(
        "aria-activedescendant", f"{picker.get_attribute('id')}-option-{_pk('52011')}"
    )
    picker.press("Enter")
    picker.press_sequentially("namen")
    picker.press("Enter")
    assert _chosen(page) == ["Charleroi", "Liège", "Namur"]
    page.get_by_role("button", name="Remove Liège").click()
    expect(picker).to_be_focused()
    assert _chosen(page) == ["Charleroi", "Namur"]

    page.get_by_label("Title (French)").fill("Capteurs de qualité de l'air")
    page.get_by_label("Summary (French)").fill("Des capteurs mesurent l'air des écoles.")
    page.get_by_label("Environment", exact=True).check()
    page.get_by_label("Status").select_option(label="In progress")
    place_map = page.locator("svg[data-place-map]")
    box = place_map.bounding_box()
    place_map.click(position={"x": box["width"] / 2, "y": box["height"] / 2})
    latitude = page.get_by_label("Latitude").input_value()
    assert 49.5 < float(latitude) < 50.8
    assert axe_violations(page) == []
    page.get_by_role("button", name="Save the draft").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Capteurs")
    project = Project.objects.get()
    assert sorted(project.municipalities.values_list("refnis", flat=True)) == ["52011", "92094"]
    assert [loc.latitude for loc in project.locations.all()] == [Decimal(latitude)]


def test_picker_and_place_map_fit_a_phone_and_pass_axe(page: Page, live_server, reference):
    page.set_viewport_size(PHONE)
    sign_in(page, live_server.url, DEMO_MEMBER_EMAIL, DEMO_PASSWORD, lang="fr")
    page.goto(f"{live_server.url}/fr/projects/new/")
    picker = page.locator("[role=combobox][aria-controls]")
    picker.press_sequentially("Namur")
    picker.press("Enter")

    assert page.locator(".picker-chosen li").all_inner_texts() == ["Namur ×"]
    widths = page.eval_on_selector_all(
        ".commune-picker > .picker-field, svg[data-place-map]",
        "nodes => nodes.map(n => n.getBoundingClientRect().right)",
    )
    assert max(widths) <= PHONE["width"]
    assert axe_violations(page) == []


def _pk(refnis: str) -> int:
    return Municipality.objects.get(refnis=refnis).pk
