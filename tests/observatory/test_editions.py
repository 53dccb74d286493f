"""Publishing closed waves as editions: figures, trends, public answers, revisions, checksums."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import translation

from smartregion.barometer.models import Response, Wave
from smartregion.barometer.services import wave_close, wave_open
from smartregion.instruments.services import instrument_version_load
from smartregion.observatory import charts
from smartregion.observatory.models import Edition
from smartregion.observatory.services import EditionError, checksum_of, edition_publish
from smartregion.territory.models import Region
from tests.factories import ROOT, closed_wave

pytestmark = pytest.mark.django_db


@pytest.fixture
def wave_2023(territory):
    return closed_wave(2023, "2023", 0.5, seed=1)


def test_publish_freezes_estimates_with_a_checksum(wave_2023, staff_user):
    edition = edition_publish(wave=wave_2023, user=staff_user)

    data = edition.data
    assert (edition.slug, edition.revision, edition.year) == ("smartregion-barometer-2023", 1, 2023)
    assert edition.checksum == checksum_of(data)
    strategy = [
        row
        for row in data["results"]
        if row["question"] == "strategy_formal" and row["breakdown"] == "all"
    ]
    assert {row["category"] for row in strategy} >= {"yes", "no"}
    submitted = Response.objects.filter(wave=wave_2023).count()
    assert data["rates"]["all"][0]["submitted"] == submitted
    assert data["rates"]["all"][0]["population"] == 261
    assert all(0 <= row["estimate"] <= 1 for row in strategy if row["estimate"] is not None)


def test_cells_under_five_respondents_are_suppressed(territory, staff_user):
    data = edition_publish(wave=closed_wave(2023, "2023", 0.12, seed=3), user=staff_user).data

    small = [row for row in data["results"] if row["respondents"] < 5]
    assert small
    assert all(row["suppressed"] and row["estimate"] is None for row in small)


def test_public_answers_cover_only_public_questions(wave_2023, staff_user):
    data = edition_publish(wave=wave_2023, user=staff_user).data

    public = {q["code"] for q in data["questions"] if q["public"]}
    assert set(data["public_answers"]) <= public
    assert "budget_annual" not in data["public_answers"]
    assert (
        len(data["public_answers"]["strategy_formal"])
        == Response.objects.filter(wave=wave_2023).count()
    )


def test_republishing_creates_a_new_revision_and_keeps_the_old(wave_2023, staff_user):
    first = edition_publish(wave=wave_2023, user=staff_user)
    second = edition_publish(wave=wave_2023, user=staff_user)

    first.refresh_from_db()
    assert (first.revision, second.revision) == (1, 2)
    assert first.checksum == second.checksum == checksum_of(first.data)
    assert Edition.objects.count() == 2


def test_only_closed_waves_with_responses_are_published(territory, staff_user):
    version = instrument_version_load(path=ROOT / "instruments/smartregion-barometer/2025.yaml")
    wave = Wave.objects.create(
        title_fr="Baromètre 2025",
        year=2025,
        instrument_version=version,
        region=Region.objects.get(refnis="03000"),
        population_date=dt.date(2025, 1, 1),
    )

    with pytest.raises(EditionError, match="Seule une vague clôturée peut être publiée"):
        edition_publish(wave=wave, user=staff_user)
    wave_open(wave=wave, link_for=lambda token: token)
    wave_close(wave=wave)
    with translation.override("en"), pytest.raises(EditionError, match="no submitted response"):
        edition_publish(wave=wave, user=staff_user)


def test_trends_compare_with_the_previous_edition_on_shared_questions(wave_2023, staff_user):
    edition_publish(wave=wave_2023, user=staff_user)
    wave_2025 = closed_wave(2025, "2025", 0.6, seed=2)

    data = edition_publish(wave=wave_2025, user=staff_user).data

    assert data["previous"] == {"slug": "smartregion-barometer-2023", "revision": 1, "year": 2023}
    trended = {row["question"] for row in data["trends"]}
    assert "strategy_formal" in trended
    assert "ai_use" not in trended and "data_sensors" not in trended
    assert {row["comparison"] for row in data["trends"]} == {"independent", "panel"}


def test_chart_is_rendered_to_svg_from_the_frozen_figures(wave_2023, staff_user):
    edition = edition_publish(wave=wave_2023, user=staff_user)

    spec = charts.spec(edition.data, "strategy_formal", "fr")
    svg = charts.svg(edition.pk, edition.checksum, edition.data, "strategy_formal", "fr")

    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    assert [v["label"] for v in spec["data"]["values"]][:1] != []
    assert svg.startswith("<svg")


def test_an_edition_reports_only_the_questions_its_questionnaire_asked(wave_2023, staff_user):
    edition_publish(wave=wave_2023, user=staff_user)
    wave_2025 = closed_wave(2025, "2025", 0.6, seed=2)

    data = edition_publish(wave=wave_2025, user=staff_user).data

    reported = {row["question"].split(".")[0] for row in data["results"]}
    assert "data_sensors" not in reported and "concept_perception" not in reported
    assert "ai_use" in reported


def test_charts_of_numeric_questions_show_means_only(wave_2023, staff_user):
    edition = edition_publish(wave=wave_2023, user=staff_user)

    spec = charts.spec(edition.data, "progress_self", "en")

    assert [value["label"] for value in spec["data"]["values"]] == [
        next(q for q in edition.data["questions"] if q["code"] == "progress_self")["text"]["en"]
    ]
