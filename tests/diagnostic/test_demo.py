"""Demo diagnostics: counts, plausibility, idempotency, and the same rows as a real submission."""

from __future__ import annotations

import datetime as dt
import io
import statistics
from collections import Counter, defaultdict
from pathlib import Path

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import translation

from smartregion.diagnostic.demo import diagnostic_demo_create
from smartregion.diagnostic.models import Diagnostic, DiagnosticAnswer, DomainScore
from smartregion.diagnostic.services import answers_of, diagnostic_start, result_snapshot
from smartregion.instruments.progress import missing_required
from smartregion.instruments.scoring import score, validate_answers
from smartregion.territory.models import PopulationClass
from tests.factories import load_reference_population

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 11, 26)
DOMAINS = {"gov", "org", "plan", "eval", "data", "innov", "sust"}


@pytest.fixture
def demo(instrument_version, territory):
    load_reference_population()
    return diagnostic_demo_create(today=TODAY)


def test_demo_covers_about_120_communes_some_with_two_or_three_years(demo):
    per_commune = Counter(Diagnostic.objects.values_list("municipality_id", flat=True))

    assert (demo.communes, demo.diagnostics, demo.created) == (120, 198, 198)
    assert len(per_commune) == 120
    assert Counter(per_commune.values()) == {1: 66, 2: 30, 3: 24}
    assert set(Diagnostic.objects.values_list("year", flat=True)) == {2024, 2025, 2026}
    assert not Diagnostic.objects.filter(municipality__region__refnis__in=["02000", "04000"])


def test_demo_diagnostics_are_labelled_submitted_and_scored_in_every_domain(demo):
    diagnostics = Diagnostic.objects.all()
    domains = defaultdict(set)
    for diagnostic_id, dimension, level in DomainScore.objects.values_list(
        "diagnostic_id", "dimension", "level"
    ):
        domains[diagnostic_id].add(dimension)
        assert 1 <= level <= 5

    assert {(d.is_demo, d.status) for d in diagnostics} == {(True, "submitted")}
    assert all(d.submitted_at.year == d.year for d in diagnostics)
    assert all(d.submitted_at.date() < TODAY for d in diagnostics)
    assert {frozenset(dims) for dims in domains.values()} == {frozenset(DOMAINS)}
    assert len(domains) == 198


def test_demo_rows_equal_what_diagnostic_submit_stores(demo, instrument):
    for diagnostic in Diagnostic.objects.order_by("pk")[:25]:
        answers = answers_of(diagnostic)
        result = score(instrument, answers)
        scores = {
            row.dimension: (row.score, row.level)
            for row in DomainScore.objects.filter(diagnostic=diagnostic)
        }

        assert validate_answers(instrument, answers) == []
        assert missing_required(instrument, answers) == []
        assert diagnostic.result == result_snapshot(result)
        assert (diagnostic.overall_score, diagnostic.overall_level, diagnostic.coverage) == (
            result.overall,
            result.overall_level,
            result.coverage,
        )
        assert scores == {code: (d.score, d.level) for code, d in result.dimensions.items()}


def test_demo_larger_communes_score_higher_than_the_smallest(demo):
    classes = list(PopulationClass.objects.filter(region__refnis="03000"))
    smallest, largest = classes[0], classes[-1]

    def mean_overall(population_class):
        return statistics.mean(
            Diagnostic.objects.filter(municipality__population_class=population_class).values_list(
                "overall_score", flat=True
            )
        )

    assert (smallest.code, largest.code) == ("lt5k", "ge50k")
    assert mean_overall(largest) > mean_overall(smallest) + 15


def test_demo_communes_progress_from_year_to_year(demo):
    history = defaultdict(list)
    for municipality_id, overall in Diagnostic.objects.order_by("year").values_list(
        "municipality_id", "overall_score"
    ):
        history[municipality_id].append(overall)
    gains = [s[-1] - s[0] for s in history.values() if len(s) > 1]

    assert len(gains) == 54
    assert statistics.mean(gains) > 5
    assert sum(gain > 0 for gain in gains) > 0.8 * len(gains)


def test_demo_levels_are_varied_not_uniform(demo):
    levels = Counter(Diagnostic.objects.values_list("overall_level", flat=True))

    assert set(levels) == {1, 2, 3, 4, 5}
    assert levels[3] > levels[5]
    assert levels[2] > levels[1]


def test_demo_is_idempotent(demo):
    counts = (Diagnostic.objects.count(), DiagnosticAnswer.objects.count())

    again = diagnostic_demo_create(today=TODAY)

    assert (again.created, again.diagnostics, again.communes) == (0, 198, 120)
    assert (Diagnostic.objects.count(), DiagnosticAnswer.objects.count()) == counts


def test_demo_commune_has_earlier_results_and_its_manager_can_start_this_year(demo, namur, manager):
    earlier = Diagnostic.objects.filter(municipality=namur).order_by("year")

    draft = diagnostic_start(municipality=namur, user=manager, year=2026)

    assert [(d.year, d.status) for d in earlier] == [
        (2024, "submitted"),
        (2025, "submitted"),
        (2026, "draft"),
    ]
    assert draft.is_draft
    # Namur (111,432 inhabitants in 2020) is already at level 5 in five domains: no target there.
    assert earlier.get(year=2025).targets.count() == 2


def test_demo_command_loads_instruments_and_diagnostics_once(territory):
    first, second = io.StringIO(), io.StringIO()
    files = len(list((Path(settings.BASE_DIR) / "instruments").rglob("*.yaml")))

    with translation.override("en"):
        call_command("demo", stdout=first)
        call_command("demo", stdout=second)

    assert f"Instruments: {files} loaded, 0 updated, 0 unchanged." in first.getvalue()
    assert f"Instruments: 0 loaded, 0 updated, {files} unchanged." in second.getvalue()
    assert "Demo diagnostics: 0 created" in second.getvalue()
    assert Diagnostic.objects.filter(is_demo=True).values("municipality").distinct().count() == 120
