"""A commune's profile with every registered panel (published diagnostic, projects): their reads
run in the view, so the page's query count is pinned here with all of them present."""

from __future__ import annotations

import re

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings

from smartregion.accounts.models import Organisation
from smartregion.diagnostic.models import Diagnostic
from smartregion.territory.models import Municipality
from smartregion.territory.panels import profile_panels
from tests.factories import OrganisationFactory, ProjectFactory, submitted

pytestmark = pytest.mark.django_db

# data version, municipality, its predecessors and successors (prefetched), neighbours, population
# history, the published diagnostic (panel), the commune's projects (panel), the year and source
# of its population and of its area
PROFILE_QUERIES = 10


@pytest.fixture
def full_profile(namur, instrument_version) -> Municipality:
    """Namur with a published diagnostic and three published projects (one with a lead), and a
    project elsewhere that its profile must not list."""
    diagnostic = submitted(namur, instrument_version, 0.5)
    Diagnostic.objects.filter(pk=diagnostic.pk).update(is_published=True)
    lead = OrganisationFactory(name="BEP", slug="bep", kind=Organisation.Kind.INTERMUNICIPAL)
    for index in range(3):
        ProjectFactory(
            owner_municipality=namur, slug=f"namur-{index}", lead=lead if index == 0 else None
        )
    ProjectFactory(owner_municipality=Municipality.objects.get(refnis="62063"), slug="liege")
    return namur


def _profile(client) -> tuple[str, int]:
    cache.clear()
    with CaptureQueriesContext(connection) as queries:
        html = client.get("/en/communes/92094/").content.decode()
    return html, len(queries.captured_queries)


def test_profile_with_every_panel_runs_a_pinned_number_of_queries(client, full_profile):
    html, count = _profile(client)

    sections = re.findall(r'<section aria-labelledby="([a-z-]+)"', html)
    assert sections == [
        "facts-heading",
        "neighbours-heading",
        "maturity-heading",
        "projects-heading",
    ]
    assert "3 published projects involve the commune." in html
    assert "Overall level: 3 of 5" in html
    assert count == PROFILE_QUERIES


def test_profile_shows_only_the_registered_panels(client, full_profile):
    with override_settings(SMARTREGION_PROFILE_PANELS=[]):
        html, count = _profile(client)

    sections = re.findall(r'<section aria-labelledby="([a-z-]+)"', html)
    assert sections == ["facts-heading", "neighbours-heading"]
    assert count == PROFILE_QUERIES - 2


def test_panels_come_in_the_settings_order_and_skip_apps_with_nothing_to_show(full_profile, namur):
    liege = Municipality.objects.get(refnis="62063")

    full = [panel.template for panel in profile_panels(namur, language="en")]
    without_diagnostic = [panel.template for panel in profile_panels(liege, language="en")]

    assert full == ["diagnostic/panels/published.html", "projects/panels/municipality.html"]
    assert without_diagnostic == ["projects/panels/municipality.html"]
