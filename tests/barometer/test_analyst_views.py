"""The analyst's pages: only centre staff run waves; opening, tracking, reminders, export, close."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from django.core import mail

from smartregion.barometer.models import Wave, WaveMember
from smartregion.instruments.services import instrument_version_load
from smartregion.territory.models import Municipality, Region

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def version(db):
    return instrument_version_load(path=ROOT / "instruments/smartregion-barometer/2025.yaml")


@pytest.fixture
def wave(territory, version):
    return Wave.objects.create(
        title_fr="Baromètre 2025",
        year=2025,
        instrument_version=version,
        region=Region.objects.get(refnis="03000"),
        population_date=dt.date(2025, 1, 1),
    )


@pytest.mark.parametrize(
    ("who", "status", "open_status"),
    [
        ("anonymous", 302, 302),  # to the sign-in page
        ("member", 403, 403),
        ("manager", 403, 403),
        ("staff_user", 200, 302),  # opened, back to the wave
    ],
)
def test_wave_pages_are_for_centre_staff_only(client, request, wave, who, status, open_status):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))

    for url in (
        "/fr/barometer/waves/",
        f"/fr/barometer/waves/{wave.pk}/",
        "/fr/barometer/waves/new/",
    ):
        assert client.get(url).status_code == status
    assert client.post(f"/fr/barometer/waves/{wave.pk}/open/").status_code == open_status
    if who != "staff_user":
        wave.refresh_from_db()
        assert wave.status == "draft"


def test_staff_creates_a_wave_with_validated_reminder_days(client, staff_user, version, territory):
    client.force_login(staff_user)
    data = {
        "title_fr": "Baromètre 2027",
        "title_en": "Barometer 2027",
        "year": 2027,
        "instrument_version": version.pk,
        "region": Region.objects.get(refnis="03000").pk,
        "population_date": "2027-01-01",
        "closes_on": "2027-03-31",
    }

    bad = client.post("/en/barometer/waves/new/", {**data, "reminder_days": "14, soon"})
    good = client.post("/en/barometer/waves/new/", {**data, "reminder_days": "28; 14"})

    assert "Write whole numbers of days separated by commas." in bad.content.decode()
    wave = Wave.objects.get(year=2027)
    assert good["Location"] == f"/en/barometer/waves/{wave.pk}/"
    assert (wave.reminder_days, wave.status) == ([14, 28], "draft")


def test_staff_opens_tracks_reminds_exports_and_closes(
    client, staff_user, wave, django_capture_on_commit_callbacks
):
    Municipality.objects.filter(refnis="92094").update(contact_email="smartcity@namur.example.org")
    client.force_login(staff_user)

    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/en/barometer/waves/{wave.pk}/open/")
    page = client.get(f"/en/barometer/waves/{wave.pk}/").content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/en/barometer/waves/{wave.pk}/remind/")
    export = client.get(f"/en/barometer/waves/{wave.pk}/non-respondents.csv")
    client.post(f"/en/barometer/waves/{wave.pk}/close/")

    assert WaveMember.objects.filter(wave=wave).count() == 261
    assert "0 of 261 communes have submitted their answers." in page
    assert len(mail.outbox) == 2
    assert "/fr/barometer/r/" in mail.outbox[0].body or "/en/barometer/r/" in mail.outbox[0].body
    rows = export.content.decode("utf-8-sig").splitlines()
    assert rows[0] == "refnis,commune,province,population_class,email,status,reminders"
    assert len(rows) == 262
    assert "92094,Namur,90000," in next(row for row in rows if row.startswith("92094"))
    wave.refresh_from_db()
    assert wave.status == "closed"


def test_wave_detail_runs_a_constant_number_of_queries(
    client, staff_user, wave, django_assert_max_num_queries
):
    client.force_login(staff_user)
    client.post(f"/en/barometer/waves/{wave.pk}/open/")

    with django_assert_max_num_queries(12):
        client.get(f"/en/barometer/waves/{wave.pk}/")
