"""The staff overview: permissions, exact counts and distributions, constant query count."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from smartregion.diagnostic.models import Diagnostic
from smartregion.diagnostic.results import build_overview
from smartregion.diagnostic.services import diagnostic_start
from smartregion.territory.models import Municipality
from tests.factories import province_peers, submitted

pytestmark = pytest.mark.django_db
WALLONIA = "03000"


def _url() -> str:
    with translation.override("en"):
        return reverse("diagnostic:overview")


def test_overview_anonymous_is_sent_to_login(client, territory):
    response = client.get(_url())

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


@pytest.mark.parametrize("who", ["member", "manager", "other_member"])
def test_overview_is_refused_to_commune_users(client, who, request):
    client.force_login(request.getfixturevalue(who))

    assert client.get(_url()).status_code == 403


def test_overview_staff_sees_it(client, staff_user, instrument_version):
    client.force_login(staff_user)

    response = client.get(_url())

    assert response.status_code == 200
    assert len(response.context["overview"].communes) == 261


def test_overview_counts_and_distribution_use_the_latest_result(instrument_version, namur):
    liege = Municipality.objects.get(refnis="62063")
    submitted(namur, instrument_version, 0.0, year=2025)  # superseded by the next one
    submitted(namur, instrument_version, 1.0, year=2026)
    submitted(liege, instrument_version, 0.0, year=2026, is_demo=True)
    diagnostic_start(municipality=liege, user=None)

    with translation.override("en"):
        overview = build_overview(WALLONIA, "en")

    assert (overview.communes_with_result, overview.submitted, overview.drafts, overview.demo) == (
        2,
        3,
        1,
        1,
    )
    overall = overview.distribution[-1]
    assert overall.name == "Overall level"
    assert overall.counts == (1, 0, 0, 0, 1)
    assert overview.distribution[0].name == "Governance and policy"
    assert overview.distribution[0].counts == (1, 0, 0, 0, 1)
    with translation.override("en"):
        province_name = str(namur.province)
    namur_province = next(g for g in overview.by_province if g.label == province_name)
    assert (namur_province.communes, namur_province.with_result) == (38, 1)
    assert namur_province.rows[-1].counts == (0, 0, 0, 0, 1)
    lines = {line.municipality.refnis: line.latest for line in overview.communes}
    assert lines["92094"]["year"] == 2026 and lines["92094"]["overall_level"] == 5
    assert lines["62063"]["status"] == "draft"
    assert lines["25005"] is None


def test_overview_groups_cover_every_commune(instrument_version):
    overview = build_overview(WALLONIA, "en")

    classified = Municipality.objects.current().filter(
        region__refnis=WALLONIA, population_class__isnull=False
    )
    assert sum(g.communes for g in overview.by_population_class) == classified.count()
    assert sum(g.communes for g in overview.by_province) == 261


def test_overview_page_shows_tables(client, staff_user, instrument_version, namur):
    submitted(namur, instrument_version, 1.0, is_demo=True)
    client.force_login(staff_user)

    html = client.get(_url()).content.decode()

    assert "Number of communes at each level, by domain" in html
    assert "1 diagnostic is demonstration data." in html
    with translation.override("en"):
        results_url = reverse("diagnostic:results", kwargs={"pk": Diagnostic.objects.get().pk})
    assert f'href="{results_url}"' in html


def test_overview_query_count_is_constant(client, staff_user, instrument_version, namur):
    client.force_login(staff_user)
    peers = province_peers(namur, 20)
    for municipality in peers[:5]:
        submitted(municipality, instrument_version, 0.5)
    client.get(_url())  # warm the layout's cached demo-figures check
    with CaptureQueriesContext(connection) as small:
        client.get(_url())
    for municipality in peers[5:]:
        submitted(municipality, instrument_version, 0.7)
    submitted(namur, instrument_version, 0.2, year=2024)
    submitted(namur, instrument_version, 0.4, year=2025)
    with CaptureQueriesContext(connection) as large:
        client.get(_url())

    assert len(small.captured_queries) == len(large.captured_queries) == 6
