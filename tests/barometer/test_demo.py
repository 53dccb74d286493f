"""Demo barometer: four closed waves (published as chained editions by the observatory's demo, as
the demo command does), plausible rates and drift, a panel, idempotent, silent (no email),
everything labelled as demonstration data."""

from __future__ import annotations

import datetime as dt
import io
from collections import Counter, defaultdict

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone, translation

from smartregion.accounts.models import Membership
from smartregion.barometer.demo import barometer_demo_create
from smartregion.barometer.models import Response, ResponseAnswer, Wave, WaveLink, WaveMember
from smartregion.barometer.queries import response_rates
from smartregion.barometer.services import answers_of, wave_open
from smartregion.instruments.progress import missing_required
from smartregion.instruments.scoring import validate_answers
from smartregion.observatory.demo import observatory_demo_create
from smartregion.observatory.models import Edition
from smartregion.territory.models import Municipality, Region
from tests.factories import load_reference_population

pytestmark = pytest.mark.django_db

YEARS = [2019, 2021, 2023, 2025]
WALLOON_BRABANT = "20002"


@pytest.fixture(scope="class")
def demo(django_db_setup, django_db_blocker):
    """The demo, built once for the class in a transaction rolled back after its last test (each
    test runs in a savepoint inside it)."""
    with django_db_blocker.unblock(), transaction.atomic():
        load_reference_population()  # as the demo command does first
        demo = barometer_demo_create()
        yield demo, observatory_demo_create()
        transaction.set_rollback(True)


def _estimate(edition: Edition, question: str, category: str | None = None) -> float:
    return next(
        row["estimate"]
        for row in edition.data["results"]
        if row["question"] == question
        and row["breakdown"] == "all"
        and (category is None or row["category"] == category)
    )


class TestDemoData:
    """One demo for all these tests (it takes seconds to build)."""

    def test_four_closed_demo_waves_published_as_chained_editions(self, demo):
        waves = list(Wave.objects.order_by("year").select_related("instrument_version"))
        editions = list(Edition.objects.order_by("year"))

        barometer, published = demo
        assert (barometer.created, published) == (4, 4)
        assert [w.year for w in waves] == YEARS
        assert [w.instrument_version.version for w in waves] == ["2023", "2023", "2023", "2025"]
        assert all(w.is_demo and w.status == Wave.Status.CLOSED for w in waves)
        assert [w.title_fr for w in waves][0] == "Baromètre Smart Region 2019"
        assert [w.title_en for w in waves][-1] == "Smart Region barometer 2025"
        for wave in waves:
            assert wave.opened_at.year == wave.closes_on.year == wave.closed_at.year == wave.year
            assert wave.opened_at.date() < wave.closes_on < wave.closed_at.date()
            assert wave.population_date == dt.date(2025, 1, 1)
        assert [(e.wave_id, e.year, e.revision, e.is_demo) for e in editions] == [
            (w.pk, w.year, 1, True) for w in waves
        ]
        assert all(
            e.published_at.year == e.year and e.published_at > e.wave.closed_at for e in editions
        )
        assert [e.data["previous"] for e in editions] == [
            None,
            {"slug": "smartregion-barometer-2019", "revision": 1, "year": 2019},
            {"slug": "smartregion-barometer-2021", "revision": 1, "year": 2021},
            {"slug": "smartregion-barometer-2023", "revision": 1, "year": 2023},
        ]
        assert {row["comparison"] for row in editions[-1].data["trends"]} == {
            "independent",
            "panel",
        }

    def test_responses_are_valid_dated_in_the_fieldwork_and_say_who_answered(self, demo):
        for wave in Wave.objects.select_related("instrument_version"):
            instrument = wave.instrument_version.instrument
            end = timezone.make_aware(dt.datetime.combine(wave.closes_on, dt.time(23, 59)))
            submitted = Response.objects.filter(wave=wave, status=Response.Status.SUBMITTED)
            for response in submitted:
                answers = answers_of(response)
                assert not validate_answers(instrument, answers)
                assert not missing_required(instrument, answers)
                assert wave.opened_at <= response.started_at <= response.submitted_at <= end
                assert response.updated_at == response.submitted_at
                assert response.respondent_role  # the FR label of resp_role
            started = Response.objects.filter(wave=wave, status=Response.Status.IN_PROGRESS)
            assert 0 < started.count() < submitted.count()
            assert all(wave.opened_at <= r.updated_at <= end for r in started)
        assert not ResponseAnswer.objects.filter(updated_at__year__gt=2025).exists()

    def test_members_are_frozen_as_wave_open_freezes_them_without_email(self, demo):
        demo_wave = Wave.objects.get(year=2025)
        wave = Wave.objects.create(
            title_fr="Contrôle",
            year=2026,
            instrument_version=demo_wave.instrument_version,
            region=demo_wave.region,
            population_date=dt.date(2025, 1, 1),
        )
        wave_open(wave=wave, link_for=lambda token: token)
        fields = ("municipality_id", "province_id", "population_class_id", "population")

        assert set(WaveMember.objects.filter(wave=demo_wave).values_list(*fields)) == set(
            WaveMember.objects.filter(wave=wave).values_list(*fields)
        )
        assert WaveMember.objects.filter(wave=demo_wave).count() == 261
        assert not WaveMember.objects.filter(wave__is_demo=True).exclude(email="").exists()
        assert WaveLink.objects.filter(member__wave__is_demo=True).count() == 4 * 261

    def test_rates_vary_by_province_and_size_and_a_panel_answers_every_wave(self, demo):
        waves = list(Wave.objects.order_by("year"))
        rates = [response_rates(w) for w in waves]

        overall = [(r["all"][0].submitted, r["all"][0].population) for r in rates]
        assert overall == [(120, 261), (144, 261), (133, 261), (164, 261)]
        assert [(w.year, w.population, w.submitted) for w in demo[0].waves] == [
            (year, population, submitted)
            for year, (submitted, population) in zip(YEARS, overall, strict=True)
        ]
        assert all(0.40 <= w.rate <= 0.70 for w in demo[0].waves)
        for wave_rates in rates:
            by_province = {r.key: r.rate for r in wave_rates["province"]}
            assert max(by_province.values()) - min(by_province.values()) >= 0.10
            assert by_province[WALLOON_BRABANT] > wave_rates["all"][0].rate
        # Larger communes answer more often: the largest class beats the smallest over the waves.
        pooled: dict[str, list[int]] = defaultdict(lambda: [0, 0])
        for wave_rates in rates:
            for r in wave_rates["population_class"]:
                pooled[r.key][0] += r.submitted
                pooled[r.key][1] += r.population
        assert pooled["ge50k"][0] / pooled["ge50k"][1] > pooled["lt5k"][0] / pooled["lt5k"][1] + 0.1

        per_commune = Counter(
            Response.objects.filter(status=Response.Status.SUBMITTED).values_list(
                "member__municipality_id", flat=True
            )
        )
        assert demo[0].panel == Counter(per_commune.values())[4] == 56

    def test_answers_drift_towards_more_engagement(self, demo):
        editions = list(Edition.objects.order_by("year"))
        strategy = [_estimate(e, "strategy_formal", "yes") for e in editions]
        progress = [_estimate(e, "progress_self") for e in editions]

        assert strategy == sorted(strategy) and strategy[-1] - strategy[0] > 0.15
        assert progress == sorted(progress) and progress[-1] - progress[0] > 1.5
        assert 0.2 < strategy[0] < 0.4  # the real barometers: 30 % in 2020, 40 % in 2021

    def test_a_missing_wave_is_added_and_published_without_republishing_the_others(self, demo):
        Edition.objects.filter(year=2025).delete()
        Wave.objects.filter(year=2025).delete()
        earlier = dict(Edition.objects.values_list("year", "checksum"))

        again = barometer_demo_create()
        published = observatory_demo_create()

        assert (again.created, published) == (1, 1)
        assert dict(Edition.objects.exclude(year=2025).values_list("year", "checksum")) == earlier
        assert Edition.objects.get(year=2025).data["previous"]["year"] == 2023
        assert Response.objects.filter(wave__year=2025, status="submitted").count() == 164


def test_a_second_run_creates_nothing_and_no_email_is_ever_sent(
    territory, manager, django_capture_on_commit_callbacks
):
    """Namur has a manager and Liège a contact address: wave_open would have emailed them."""
    load_reference_population()
    Municipality.objects.filter(refnis="62063").update(contact_email="smart@liege.example")
    assert Membership.objects.filter(role=Membership.Role.MANAGER).exists()

    with django_capture_on_commit_callbacks(execute=True):
        barometer_demo_create()
        observatory_demo_create()
    counts = [
        m.objects.count() for m in (Wave, WaveMember, WaveLink, Response, ResponseAnswer, Edition)
    ]
    with django_capture_on_commit_callbacks(execute=True):
        again = barometer_demo_create()
        published = observatory_demo_create()

    assert (again.created, published, again.panel) == (0, 0, 56)
    assert [w.year for w in again.waves] == YEARS
    assert counts == [
        m.objects.count() for m in (Wave, WaveMember, WaveLink, Response, ResponseAnswer, Edition)
    ]
    assert counts[0] == 4 and counts[-1] == 4
    assert mail.outbox == []


def test_demo_command_prints_the_barometer_and_observatory_lines(territory):
    out = io.StringIO()

    with translation.override("en"):
        call_command("demo", stdout=out)

    assert (
        "Demo barometer: 4 waves created and closed; response rates 2019 46%, "
        "2021 55%, 2023 51%, 2025 63%; 56 communes answered every wave"
    ) in out.getvalue()
    assert "Demo observatory: 4 editions published (" in out.getvalue()
    assert Edition.objects.filter(is_demo=True).count() == 4
    open_wave = Wave.objects.get(is_demo=True, status="open")
    assert (
        f"Demo barometer: open wave {open_wave.year} created (tracking page "
        f"/en/barometer/waves/{open_wave.pk}/); 250 communes given fictitious contact addresses."
    ) in out.getvalue()
    assert Region.objects.get(refnis="03000").waves.filter(is_demo=True).count() == 5
    assert mail.outbox == []
