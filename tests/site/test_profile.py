"""A commune's profile with every registered panel (published diagnostic, projects): their reads
run in the view, so the page's query count is pinned here with all of them present."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext, override_settings
from django.utils import timezone

from smartregion.accounts.models import Organisation
from smartregion.diagnostic.models import Diagnostic
from smartregion.instruments.services import instrument_version_load
from smartregion.projects.models import Project
from smartregion.territory.models import Municipality
from smartregion.territory.panels import profile_panels

pytestmark = pytest.mark.django_db

MATURITY = Path(settings.BASE_DIR) / "instruments" / "smartregion-maturity" / "2026.yaml"
# data version, municipality, its predecessors and successors (prefetched), neighbours, population
# history, the published diagnostic (panel), the commune's projects (panel), demo-figures notice
PROFILE_QUERIES = 9


def _published_diagnostic(municipality: Municipality) -> Diagnostic:
    version = instrument_version_load(path=MATURITY)
    levels = {dim.code: {"level": 3} for dim in version.instrument.dimensions}
    return Diagnostic.objects.create(
        municipality=municipality,
        instrument_version=version,
        year=2026,
        status=Diagnostic.Status.SUBMITTED,
        submitted_at=timezone.make_aware(dt.datetime(2026, 3, 1, 10)),
        is_published=True,
        overall_level=3,
        result={"dimensions": levels},
    )


def _project(municipality: Municipality, slug: str, **fields: object) -> Project:
    published = timezone.make_aware(dt.datetime(2026, 3, 1, 10))
    project = Project.objects.create(
        slug=slug,
        title_fr=f"Projet {slug}",
        summary_fr="Un projet.",
        status=Project.Status.IN_PROGRESS,
        themes=["people"],
        goals=[4],
        owner_municipality=municipality,
        state=Project.State.PUBLISHED,
        published_at=published,
        first_published_at=published,
        **fields,
    )
    project.municipalities.add(municipality)
    return project


@pytest.fixture
def full_profile(namur) -> Municipality:
    _published_diagnostic(namur)
    lead = Organisation.objects.create(
        name="BEP", slug="bep", kind=Organisation.Kind.INTERMUNICIPAL
    )
    for index in range(3):
        _project(namur, f"namur-{index}", lead=lead if index == 0 else None)
    _project(Municipality.objects.get(refnis="62063"), "liege")
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
