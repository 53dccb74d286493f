"""Demonstration diagnostics: plausible, varied, deterministic, and labelled `is_demo`.

About 120 communes of the default region get one to three yearly submitted diagnostics. Answers
come from a latent maturity per commune that rises with population (with noise and a profile per
domain) and improves from one year to the next; options are picked by that level, questions hidden
by their condition are left out, and every required question is answered, so the result is what a
real team could have submitted. Rows are written in bulk (a few hundred diagnostics through the
per-answer services would take minutes) but store exactly what `diagnostic_submit` stores: the
answers, the result snapshot of the real `score()`, and one DomainScore per domain.
"""

from __future__ import annotations

import datetime as dt
import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartregion.accounts.services import DEMO_COMMUNE
from smartregion.instruments.definition import DONT_KNOW, NOT_APPLICABLE, Instrument, Question
from smartregion.instruments.models import InstrumentVersion
from smartregion.instruments.progress import missing_required
from smartregion.instruments.scoring import hidden_questions, score, validate_answers
from smartregion.territory.models import Municipality

from .models import Diagnostic, DiagnosticAnswer, DomainScore, DomainTarget
from .services import current_instrument_version, result_snapshot

DEMO_SEED = 2026
DEMO_COMMUNES = 120
# Populations at which the latent maturity is lowest and highest (log scale in between).
SMALL, LARGE = 1_500, 60_000
# Domains communes tend to find harder (only about a fifth monitor and evaluate their projects).
DOMAIN_BIAS = {"eval": -0.10, "innov": -0.04, "data": 0.03, "gov": 0.04}


@dataclass(frozen=True)
class DemoDiagnostics:
    communes: int  # communes with demo diagnostics after the run
    diagnostics: int  # demo diagnostics after the run
    created: int  # diagnostics created by this run


@dataclass(frozen=True)
class _Planned:
    municipality: Municipality
    year: int
    submitted_at: dt.datetime
    answers: dict[str, Any]
    targets: dict[str, int]
    horizon_year: int | None
    published: bool


@transaction.atomic
def diagnostic_demo_create(
    *, seed: int = DEMO_SEED, communes: int = DEMO_COMMUNES, today: dt.date | None = None
) -> DemoDiagnostics:
    """Create the demo diagnostics that do not exist yet (a commune and year are never doubled).

    Steps: pick the communes and years (seeded, so every run plans the same); generate answers for
    the missing ones; score them and write diagnostics, answers, domain scores and targets in bulk.
    """
    version = current_instrument_version()
    today = today or timezone.localdate()
    existing = set(Diagnostic.objects.filter(is_demo=True).values_list("municipality_id", "year"))
    planned = [
        plan
        for plan in _plan(version.instrument, seed=seed, communes=communes, today=today)
        if (plan.municipality.pk, plan.year) not in existing
    ]
    _store(version, planned)
    demo = Diagnostic.objects.filter(is_demo=True)
    return DemoDiagnostics(
        communes=demo.values("municipality").distinct().count(),
        diagnostics=demo.count(),
        created=len(planned),
    )


# ---------------------------------------------------------------------------------------------
# Planning: which communes, which years, which answers
# ---------------------------------------------------------------------------------------------


def _plan(instrument: Instrument, *, seed: int, communes: int, today: dt.date) -> list[_Planned]:
    region = settings.SMARTREGION["DEFAULT_REGION"]
    candidates = list(Municipality.objects.current(today).in_region(region).order_by("refnis"))
    chosen = random.Random(seed).sample(candidates, min(communes, len(candidates)))
    demo_commune = next((m for m in candidates if m.refnis == DEMO_COMMUNE), None)
    if demo_commune is not None and demo_commune not in chosen and chosen:
        chosen[-1] = demo_commune
    # The latest year with enough of it behind us to have submitted diagnostics in it.
    last_year = today.year if today.month >= 3 else today.year - 1
    plans: list[_Planned] = []
    for municipality in sorted(chosen, key=lambda m: m.refnis):
        rng = random.Random(f"{seed}:{municipality.refnis}")
        plans.extend(_commune_plan(instrument, municipality, rng, last_year, today))
    return plans


def _commune_plan(
    instrument: Instrument,
    municipality: Municipality,
    rng: random.Random,
    last_year: int,
    today: dt.date,
) -> list[_Planned]:
    """One to three consecutive yearly diagnostics, each a little better than the one before."""
    if municipality.refnis == DEMO_COMMUNE:
        # Earlier results to show progress, none this year: the demo manager starts it.
        years = [last_year - 2, last_year - 1] if last_year == today.year else [last_year - 1]
    else:
        count = rng.choices([1, 2, 3], weights=[55, 27, 18])[0]
        end = last_year - rng.choices([0, 1], weights=[75, 25])[0] if count < 3 else last_year
        years = list(range(end - count + 1, end + 1))
    latent = _latent(municipality.population, rng)
    profile = {
        d.code: DOMAIN_BIAS.get(d.code, 0.0) + rng.gauss(0, 0.09) for d in instrument.dimensions
    }
    with_targets = rng.random() < 0.45 or municipality.refnis == DEMO_COMMUNE
    published = rng.random() < 0.3
    plans = []
    for index, year in enumerate(years):
        if index:
            latent = min(0.97, latent + rng.uniform(0.03, 0.10))
        levels = {code: _clip(latent + bias) for code, bias in profile.items()}
        answers = demo_answers(instrument, levels, latent, rng)
        latest = index == len(years) - 1
        plans.append(
            _Planned(
                municipality=municipality,
                year=year,
                submitted_at=_submitted_at(year, today, rng),
                answers=answers,
                targets=_targets(instrument, answers, rng) if latest and with_targets else {},
                horizon_year=year + rng.choice([3, 4, 5]) if latest and with_targets else None,
                published=latest and published,
            )
        )
    return plans


def _latent(population: int | None, rng: random.Random) -> float:
    """0–1: about 0.15 for a village, 0.65 for a large town, ± noise."""
    size = math.log10(max(population or 8_000, 1))
    share = _clip((size - math.log10(SMALL)) / (math.log10(LARGE) - math.log10(SMALL)))
    return _clip(0.12 + 0.52 * share + rng.gauss(0, 0.11), 0.03, 0.9)


def _clip(value: float, low: float = 0.0, high: float = 1.0) -> float:
    return min(high, max(low, value))


def _submitted_at(year: int, today: dt.date, rng: random.Random) -> dt.datetime:
    start = dt.date(year, 2, 1)
    end = min(dt.date(year, 11, 30), today - dt.timedelta(days=1))
    day = start + dt.timedelta(days=rng.randint(0, max(0, (end - start).days)))
    moment = dt.datetime.combine(day, dt.time(rng.randint(9, 16), rng.randint(0, 59)))
    return timezone.make_aware(moment)


def _targets(instrument: Instrument, answers: dict[str, Any], rng: random.Random) -> dict[str, int]:
    result = score(instrument, answers)
    return {
        code: min(5, d.level + rng.choice([1, 1, 2]))
        for code, d in result.dimensions.items()
        if d.level is not None and d.level < 5
    }


def demo_answers(
    instrument: Instrument, levels: dict[str, float], overall: float, rng: random.Random
) -> dict[str, Any]:
    """A complete, valid answer set of a commune whose maturity is `levels` (0–1 per domain).

    Every question gets an answer near its level; those hidden by the other answers are then
    dropped (conditions only look at earlier questions, so one pass finds them all).
    """
    answers: dict[str, Any] = {}
    for question in instrument.questions:
        level = levels.get(question.dimension or "", overall)
        value = _answer(question, _clip(level + rng.gauss(0, 0.16)), rng)
        if value is not None:
            answers[question.code] = value
    for code in hidden_questions(instrument, answers):
        answers.pop(code, None)
    problems = validate_answers(instrument, answers) or missing_required(instrument, answers)
    if problems:  # a generator bug, never the data's fault
        raise RuntimeError(f"demo answers are not valid: {problems}")
    return answers


def _answer(question: Question, level: float, rng: random.Random) -> Any:
    if question.allow_dont_know and rng.random() < 0.05 * (1 - level):
        return DONT_KNOW
    if question.allow_not_applicable and rng.random() < 0.03:
        return NOT_APPLICABLE
    kind = question.type
    if kind in ("single_choice", "yes_no"):
        return _nearest_option(question, level, rng)
    if kind == "multiple_choice":
        return _multiple(question, level, rng)
    if kind == "scale":
        return _on_scale(question.scale.min, question.scale.max, level)  # type: ignore[union-attr]
    if kind == "number":
        return _number(question, level, rng)
    if kind == "matrix":
        low, high = question.scale.min, question.scale.max  # type: ignore[union-attr]
        return {
            row.code: _on_scale(low, high, _clip(level + rng.gauss(0, 0.15)))
            for row in question.rows
        }
    return None  # free texts stay empty in demo data


def _on_scale(low: int, high: int, level: float) -> int:
    return low + round(level * (high - low))


def _nearest_option(question: Question, level: float, rng: random.Random) -> str:
    options = question.options
    if all(o.score is None for o in options):
        return rng.choice(options).code
    top = max(o.score or 0.0 for o in options) or 1.0
    return min(options, key=lambda o: abs((o.score or 0.0) / top - level)).code


def _multiple(question: Question, level: float, rng: random.Random) -> list[str]:
    regular = [o for o in question.options if not o.exclusive]
    exclusive = sorted((o for o in question.options if o.exclusive), key=lambda o: o.score or 0)
    if all(o.score is None for o in question.options):
        return [o.code for o in rng.sample(regular, rng.randint(1, min(3, len(regular))))]
    picked = [o.code for o in regular if rng.random() < level]
    if picked or not exclusive:
        return picked or [regular[0].code]
    return [(exclusive[-1] if level >= 0.25 else exclusive[0]).code]


def _number(question: Question, level: float, rng: random.Random) -> float | int:
    spec = question.number
    assert spec is not None
    if spec.bands:
        index = min(len(spec.bands) - 1, int(level * len(spec.bands)))
        start = spec.bands[index].start
        following = spec.bands[index + 1].start if index + 1 < len(spec.bands) else start * 2 + 1
        value = start + rng.random() * (following - start) * 0.8
    else:
        low = spec.min or 0.0
        value = low + level * ((spec.max if spec.max is not None else low + 10) - low)
    if spec.max is not None:
        value = min(value, spec.max)
    return int(value) if spec.integer else round(value, 1)


# ---------------------------------------------------------------------------------------------
# Storing: what diagnostic_submit stores, in bulk
# ---------------------------------------------------------------------------------------------


def _store(version: InstrumentVersion, planned: Sequence[_Planned]) -> None:
    instrument = version.instrument
    results = [score(instrument, plan.answers) for plan in planned]
    diagnostics = Diagnostic.objects.bulk_create(
        Diagnostic(
            municipality=plan.municipality,
            instrument_version=version,
            year=plan.year,
            status=Diagnostic.Status.SUBMITTED,
            submitted_at=plan.submitted_at,
            is_demo=True,
            is_published=plan.published,
            horizon_year=plan.horizon_year,
            overall_score=result.overall,
            overall_level=result.overall_level,
            coverage=result.coverage,
            result=result_snapshot(result),
        )
        for plan, result in zip(planned, results, strict=True)
    )
    rows = list(zip(diagnostics, planned, results, strict=True))
    DiagnosticAnswer.objects.bulk_create(
        (
            DiagnosticAnswer(diagnostic=diagnostic, question_code=code, value=value)
            for diagnostic, plan, _result in rows
            for code, value in plan.answers.items()
        ),
        batch_size=2000,
    )
    DomainScore.objects.bulk_create(
        (
            DomainScore(diagnostic=diagnostic, dimension=code, score=d.score, level=d.level)
            for diagnostic, _plan, result in rows
            for code, d in result.dimensions.items()
        ),
        batch_size=2000,
    )
    DomainTarget.objects.bulk_create(
        DomainTarget(diagnostic=diagnostic, dimension=code, level=level)
        for diagnostic, plan, _result in rows
        for code, level in plan.targets.items()
    )


def load(*, out: Callable[[str], None], err: Callable[[str], None]) -> None:
    """The `demo` command's step: the demo diagnostics not yet created."""
    demo = diagnostic_demo_create()
    out(
        _(
            "Demo diagnostics: %(created)d created; %(diagnostics)d submitted diagnostics "
            "of %(communes)d communes in all."
        )
        % {"created": demo.created, "diagnostics": demo.diagnostics, "communes": demo.communes}
    )
