"""Publishing a closed wave from the observatory's staff route, linked from the barometer's wave
page: only centre staff publish; the message links to the new edition revision."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages

from smartregion.barometer.models import Wave
from smartregion.instruments.models import InstrumentVersion
from smartregion.observatory.models import Edition
from smartregion.territory.models import Region

pytestmark = pytest.mark.django_db
SLUG = "smartregion-barometer-2025"


@pytest.fixture
def draft_wave(territory, closed_wave) -> Wave:
    return Wave.objects.create(
        title_fr="Baromètre 2027",
        year=2027,
        instrument_version=InstrumentVersion.objects.get(pk=closed_wave.instrument_version_id),
        region=Region.objects.get(refnis="03000"),
        population_date=dt.date(2027, 1, 1),
    )


def _messages(response) -> list[str]:
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.mark.parametrize(
    ("who", "status"),
    [("anonymous", 302), ("member", 403), ("manager", 403), ("other_member", 403)],
)
def test_only_centre_staff_publish(client, request, closed_wave, who, status):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))

    response = client.post(f"/en/observatory/waves/{closed_wave.pk}/publish/")

    assert response.status_code == status
    if who == "anonymous":
        assert response["Location"].startswith("/en/accounts/login/")
    assert Edition.objects.count() == 0


def test_staff_publishes_a_closed_wave_and_the_message_links_to_the_edition(
    client, staff_user, closed_wave
):
    client.force_login(staff_user)

    response = client.post(f"/en/observatory/waves/{closed_wave.pk}/publish/")

    edition = Edition.objects.get()
    assert (edition.wave, edition.slug, edition.revision, edition.published_by) == (
        closed_wave,
        SLUG,
        1,
        staff_user,
    )
    assert response["Location"] == f"/en/barometer/waves/{closed_wave.pk}/"
    assert _messages(response) == [
        f'Published: Barometer 2025, revision 1. <a href="/en/observatory/{SLUG}/r1/">'
        "See the edition</a>."
    ]


def test_publishing_a_wave_that_is_not_closed_says_why(client, staff_user, draft_wave):
    client.force_login(staff_user)

    response = client.post(f"/en/observatory/waves/{draft_wave.pk}/publish/")

    assert response["Location"] == f"/en/barometer/waves/{draft_wave.pk}/"
    assert _messages(response) == ["Only a closed wave can be published: close it first."]
    assert Edition.objects.count() == 0


def test_publish_route_refuses_get_and_unknown_waves(client, staff_user, closed_wave):
    client.force_login(staff_user)

    assert client.get(f"/en/observatory/waves/{closed_wave.pk}/publish/").status_code == 405
    assert client.post("/en/observatory/waves/999999/publish/").status_code == 404


def test_wave_page_of_a_closed_wave_links_the_observatory_publish_route(
    client, staff_user, closed_wave
):
    client.force_login(staff_user)

    page = client.get(f"/en/barometer/waves/{closed_wave.pk}/").content.decode()

    assert f'action="/en/observatory/waves/{closed_wave.pk}/publish/"' in page
