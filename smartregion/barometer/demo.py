"""Demonstration barometer: four closed waves of synthetic responses (the observatory's demo
publishes them as editions), and an open wave of this year that an analyst can track, remind and
copy links of, with fictitious contact addresses (@….example.org) for most communes.

Waves 2019, 2021 and 2023 use the 2023 instrument version, 2025 the 2025 version. Every commune
of the default region has a latent engagement (0–1) that is higher in larger communes and rises
from one wave to the next, with noise; it is the `lean` of its answers (see answers.py), so the
estimates drift plausibly. Whether a commune answers depends on its province, its population
class, its size, its engagement (the engaged answer more: the non-response bias the observatory's
weighting corrects) and a lasting propensity of its own (so a panel answers wave after wave); each
wave draws exactly its planned share of respondents (40–70 %) with those weights. Some
non-respondents started without submitting.

Everything is seeded, labelled `is_demo`, and written in bulk, storing what the services store:
wave_open's frozen members (stratum and population) and links, responses with their answers
and fieldwork dates, then wave_close. Members get no
email and no invitation is sent: wave_open emails the commune's contact or manager (the demo
manager of Namur among them), so the members are frozen here rather than through wave_open.

Population: every wave uses the communes existing on 1 January 2025 (population_date 2025-01-01).
wave_open stamps each member with its commune's latest population and current class, not those
at the population date; the communes merged on 1 January 2025 (82003 Bastogne, 82005 Bertogne)
have no figures unless historical ones are imported (the demo figures cover current communes
only). A 2019 date would give 262 members, two of them in an "unknown" stratum, and cut Bastogne
out of the panel and the maps, which join waves on the REFNIS code (82003 vs 82039). Members
do get the population of 1 January of the wave year when that figure exists (and its class), as
wave_open would have stored then.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import secrets
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import transaction
from django.db.models import Count, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from smartregion.instruments.definition import Instrument
from smartregion.instruments.models import InstrumentVersion
from smartregion.instruments.services import instrument_version_load
from smartregion.territory.models import Municipality, MunicipalityFigure, PopulationClass, Region

from .answers import random_answers
from .models import Response, ResponseAnswer, Wave, WaveLink, WaveMember
from .services import member_links, token_hash, wave_close, wave_members_create

DEMO_SEED = 2019
SLUG = "smartregion-barometer"
# Wave year → instrument version, and the share of communes that submit.
WAVES: dict[int, tuple[str, float]] = {
    2019: ("2023", 0.46),
    2021: ("2023", 0.55),
    2023: ("2023", 0.51),
    2025: ("2025", 0.63),
}
POPULATION_DATE = dt.date(2025, 1, 1)
REMINDER_DAYS = [14, 28]
FIELDWORK_DAYS = 84  # invitations early March, closing late May
# Illustrative lasting differences for Wallonia (log-odds of answering); every province also
# gets a seeded effect, so another region's demo varies too. Walloon Brabant answers most.
PROVINCE_TILT = {"20002": 0.55, "80000": -0.3, "50000": -0.15}
# Populations at which engagement is lowest and highest (log scale in between).
SMALL, LARGE = 1_500, 60_000
STARTED_SHARE = 0.15  # of non-respondents, who opened the form and saved some answers
# The open wave: opened some days before the demo is loaded, with its first answers.
OPEN_DAYS_AGO = 10
OPEN_FIELDWORK_DAYS = 60
OPEN_SUBMITTED_SHARE = 0.18
OPEN_STARTED_SHARE = 0.12
NO_ADDRESS_SHARE = 0.08  # communes left without a contact address, to invite once added
ADDED_SINCE = 2  # of them, given an address after the opening
CONTACT_DOMAIN = "example.org"  # reserved for examples (RFC 2606): no mail can reach anyone


@dataclass(frozen=True)
class DemoWave:
    year: int
    population: int
    submitted: int

    @property
    def rate(self) -> float:
        return self.submitted / self.population if self.population else 0.0


@dataclass(frozen=True)
class DemoBarometer:
    created: int  # waves created by this run
    waves: list[DemoWave]  # every demo wave, in year order
    panel: int  # communes that submitted in every demo wave


@dataclass
class _Commune:
    municipality: Municipality
    size: float  # 0 (village) – 1 (large town), log scale
    engagement: float  # latent, updated wave after wave
    growth: float  # its usual rise between two waves
    propensity: float  # lasting log-odds of answering


@transaction.atomic
def barometer_demo_create(*, seed: int = DEMO_SEED) -> DemoBarometer:
    """Create the demo waves that do not exist yet, closed.

    Steps: plan every commune's engagement and propensity over all the waves (seeded, so a wave
    created later is the one an earlier run would have created); for each missing year, write the
    closed wave with members, links, responses and answers. A second run creates nothing.
    """
    region = Region.objects.get(refnis=settings.SMARTREGION["DEFAULT_REGION"])
    existing = set(
        Wave.objects.filter(is_demo=True, region=region, year__in=list(WAVES)).values_list(
            "year", flat=True
        )
    )
    created = 0
    if len(existing) < len(WAVES):
        communes = _communes(region, seed)
        plans = _plan(communes, region, seed)
        for year in sorted(WAVES):
            if year not in existing:
                _wave_create(region, year, plans[year], seed)
                created += 1
    return DemoBarometer(created=created, waves=_summary(region), panel=_panel(region))


# ---------------------------------------------------------------------------------------------
# Planning: who answers, with which engagement
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Member:
    municipality: Municipality
    population: int | None
    population_class_id: int | None
    lean: float
    weight: float  # of being drawn among respondents


def _communes(region: Region, seed: int) -> list[_Commune]:
    rng = random.Random(f"{seed}:communes")
    communes = []
    for municipality in (
        Municipality.objects.current(POPULATION_DATE)
        .filter(region=region)
        .select_related("province")
        .order_by("refnis")
    ):
        size = _size(municipality.population)
        communes.append(
            _Commune(
                municipality=municipality,
                size=size,
                engagement=_clip(0.24 + 0.4 * size + rng.gauss(0, 0.12), 0.02, 0.9),
                growth=max(0.0, 0.05 + 0.03 * size + rng.gauss(0, 0.025)),
                propensity=rng.gauss(0, 0.7),
            )
        )
    return communes


def _plan(communes: list[_Commune], region: Region, seed: int) -> dict[int, list[_Member]]:
    """Each wave's members, with their lean and weight of answering."""
    rng = random.Random(f"{seed}:plan")
    figures = _figures(region)
    classes = list(PopulationClass.objects.filter(region=region))
    province_effect = {
        refnis: PROVINCE_TILT.get(refnis, 0.0) + random.Random(f"{seed}:{refnis}").gauss(0, 0.2)
        for refnis in sorted(
            {c.municipality.province.refnis for c in communes if c.municipality.province}
        )
    }
    class_effect = {pc.pk: random.Random(f"{seed}:{pc.code}").gauss(0, 0.2) for pc in classes}
    plans: dict[int, list[_Member]] = {}
    for index, year in enumerate(sorted(WAVES)):
        members = []
        for commune in communes:
            if index:
                step = commune.growth + rng.gauss(0, 0.04)
                commune.engagement = _clip(commune.engagement + step, 0.02, 0.97)
            municipality = commune.municipality
            population = _population_in(municipality, figures, year)
            klass = _class_of(population, classes, municipality.population_class_id)
            province = municipality.province.refnis if municipality.province else ""
            odds = (
                province_effect.get(province, 0.0)
                + class_effect.get(klass, 0.0)
                + 0.8 * commune.size
                + 1.5 * commune.engagement
                + commune.propensity
                + rng.gauss(0, 0.3)
            )
            members.append(
                _Member(
                    municipality=municipality,
                    population=population,
                    population_class_id=klass,
                    lean=_clip(commune.engagement + rng.gauss(0, 0.07)),
                    weight=math.exp(odds),
                )
            )
        plans[year] = members
    return plans


def _size(population: int | None) -> float:
    size = math.log10(max(population or 8_000, 1))
    return _clip((size - math.log10(SMALL)) / (math.log10(LARGE) - math.log10(SMALL)))


def _clip(value: float, low: float = 0.0, high: float = 1.0) -> float:
    return min(high, max(low, value))


def _figures(region: Region) -> dict[int, dict[int, int]]:
    found: dict[int, dict[int, int]] = {}
    rows = MunicipalityFigure.objects.filter(
        municipality__region=region, population__isnull=False
    ).values_list("municipality_id", "year", "population")
    for municipality_id, year, population in rows:
        found.setdefault(municipality_id, {})[year] = population
    return found


def _population_in(
    municipality: Municipality, figures: dict[int, dict[int, int]], year: int
) -> int | None:
    """The population on 1 January of the wave's year when known, else the latest (as wave_open)."""
    return figures.get(municipality.pk, {}).get(year, municipality.population)


def _class_of(
    population: int | None, classes: list[PopulationClass], current: int | None
) -> int | None:
    if population is None:
        return current
    return next((pc.pk for pc in classes if pc.contains(population)), current)


def _draw(members: list[_Member], share: float, rng: random.Random) -> set[int]:
    """Exactly round(share × N) respondents, drawn with probability growing with their weight.

    Weighted sampling without replacement (Efraimidis–Spirakis: the largest u^(1/w)).
    """
    count = round(share * len(members))
    keys = sorted(
        ((rng.random() ** (1 / m.weight), m.municipality.pk) for m in members), reverse=True
    )
    return {pk for _key, pk in keys[:count]}


# ---------------------------------------------------------------------------------------------
# Storing one wave: what wave_open, the respondents and wave_close would have stored
# ---------------------------------------------------------------------------------------------


def demo_moment(day: dt.date, hour: int, seed: int, salt: Any) -> dt.datetime:
    """A seeded moment on ``day`` (or the next working day) in the ``hour``: when the demo's
    administrations act (the observatory's demo publishes its editions at such moments too)."""
    rng = random.Random(f"{seed}:{salt}:{day}")
    while day.weekday() >= 5:  # the administration answers on working days
        day += dt.timedelta(days=1)
    moment = dt.datetime.combine(day, dt.time(hour, rng.randint(0, 59)))
    return timezone.make_aware(moment)


def _submitted_day(rng: random.Random) -> int:
    """Days after the invitation: a first rush, then one after each reminder day."""
    window = rng.choices([(0, 13), (14, 27), (28, FIELDWORK_DAYS - 1)], weights=[45, 30, 25])[0]
    return rng.randint(*window)


@dataclass(frozen=True)
class _Answered:
    started_at: dt.datetime
    saved_at: dt.datetime  # submitted then, or last saved when not submitted
    answers: dict[str, Any]
    submitted: bool


def _wave_create(region: Region, year: int, members: list[_Member], seed: int) -> Wave:
    version_code, share = WAVES[year]
    version = _instrument_version(version_code)
    instrument = version.instrument
    rng = random.Random(f"{seed}:wave:{year}")
    opened_at = demo_moment(
        dt.date(year, 3, 1) + dt.timedelta(days=rng.randint(0, 6)), 9, seed, year
    )
    closes_on = opened_at.date() + dt.timedelta(days=FIELDWORK_DAYS)
    last_moment = timezone.make_aware(dt.datetime.combine(closes_on, dt.time(17)))
    wave = Wave.objects.create(
        **_titles(year),
        year=year,
        instrument_version=version,
        region=region,
        population_date=POPULATION_DATE,
        status=Wave.Status.OPEN,
        opened_at=opened_at,
        closes_on=closes_on,
        reminder_days=REMINDER_DAYS,
        is_demo=True,
    )
    respondents = _draw(members, share, rng)
    answered: dict[int, _Answered] = {}
    for member in members:
        pk = member.municipality.pk
        submitted = pk in respondents
        if not submitted and rng.random() >= STARTED_SHARE:
            continue
        day = _submitted_day(rng)
        saved_at = demo_moment(
            opened_at.date() + dt.timedelta(days=day),
            rng.randint(8, 16),
            seed,
            member.municipality.refnis,
        )
        earliest = opened_at + dt.timedelta(minutes=rng.randint(40, 360))
        saved_at = min(max(saved_at, earliest), last_moment)
        answers = random_answers(instrument, rng, member.lean, year=year)
        if not submitted:  # filled in the first pages, then stopped
            answers = dict(list(answers.items())[: rng.randint(2, max(3, len(answers) // 3))])
        started_at = max(opened_at, saved_at - dt.timedelta(days=rng.randint(0, 6), hours=1))
        answered[pk] = _Answered(started_at, saved_at, answers, submitted)
    # What wave_open freezes, without email so that nothing is ever sent for a demo wave.
    stored = WaveMember.objects.bulk_create(
        WaveMember(
            wave=wave,
            municipality=member.municipality,
            province_id=member.municipality.province_id,
            population_class_id=member.population_class_id,
            population=member.population,
            email="",
            invited_at=opened_at,
        )
        for member in members
    )
    WaveLink.objects.bulk_create(
        WaveLink(member=member, token_hash=token_hash(secrets.token_urlsafe(32)))
        for member in stored
    )
    _responses_create(wave, stored, answered, instrument)
    closed_at = demo_moment(closes_on + dt.timedelta(days=1), 9, seed, f"close{year}")
    return wave_close(wave=wave, now=closed_at)


def _instrument_version(version: str) -> InstrumentVersion:
    found = InstrumentVersion.objects.filter(slug=SLUG, version=version).first()
    return found or instrument_version_load(
        path=settings.BASE_DIR / "instruments" / SLUG / f"{version}.yaml"
    )


def _responses_create(
    wave: Wave, members: list[WaveMember], answered: dict[int, _Answered], instrument: Instrument
) -> None:
    roles = {
        option.code: option.text.get("fr", option.code)
        for question in instrument.questions
        if question.code == "resp_role"
        for option in question.options
    }
    planned = [(m, answered[m.municipality_id]) for m in members if m.municipality_id in answered]
    responses = Response.objects.bulk_create(
        Response(
            wave=wave,
            member=member,
            status=Response.Status.SUBMITTED if plan.submitted else Response.Status.IN_PROGRESS,
            respondent_role=roles.get(plan.answers.get("resp_role", ""), ""),
            submitted_at=plan.saved_at if plan.submitted else None,
        )
        for member, plan in planned
    )
    # bulk_create stamped today's date on the auto_now fields: put the fieldwork's dates back.
    for response, (_member, plan) in zip(responses, planned, strict=True):
        response.started_at = plan.started_at
        response.updated_at = plan.saved_at
    Response.objects.bulk_update(responses, ["started_at", "updated_at"], batch_size=500)
    ResponseAnswer.objects.bulk_create(
        (
            ResponseAnswer(response=response, question_code=code, value=value)
            for response, (_member, plan) in zip(responses, planned, strict=True)
            for code, value in plan.answers.items()
        ),
        batch_size=2000,
    )
    ResponseAnswer.objects.filter(response__wave=wave).update(
        updated_at=Subquery(
            Response.objects.filter(pk=OuterRef("response_id")).values("updated_at")[:1]
        )
    )


# ---------------------------------------------------------------------------------------------
# Summary
# ---------------------------------------------------------------------------------------------


def _summary(region: Region) -> list[DemoWave]:
    rows = (
        Wave.objects.filter(is_demo=True, region=region, year__in=list(WAVES))
        .annotate(
            population=Count("members", distinct=True),
            submitted=Count(
                "responses",
                filter=Q(responses__status=Response.Status.SUBMITTED),
                distinct=True,
            ),
        )
        .order_by("year")
        .values_list("year", "population", "submitted")
    )
    return [DemoWave(year, population, submitted) for year, population, submitted in rows]


def _panel(region: Region) -> int:
    waves = Wave.objects.filter(is_demo=True, region=region, year__in=list(WAVES))
    count = waves.count()
    if not count:
        return 0
    return (
        Response.objects.filter(wave__in=waves, status=Response.Status.SUBMITTED)
        .values("member__municipality")
        .annotate(waves=Count("wave", distinct=True))
        .filter(waves=count)
        .count()
    )


# ---------------------------------------------------------------------------------------------
# Contacts and the open wave
# ---------------------------------------------------------------------------------------------


@transaction.atomic
def contacts_demo_create(*, seed: int = DEMO_SEED) -> int:
    """Fictitious addresses for the region's communes that have none, but a seeded few; their count.

    Communes that already have an address (imported or typed in) keep it.
    """
    changed = []
    region = settings.SMARTREGION["DEFAULT_REGION"]
    communes = Municipality.objects.current().in_region(region).order_by("refnis")
    for municipality in communes:
        rng = random.Random(f"{seed}:contacts:{municipality.refnis}")  # the same on every run
        keep_empty = rng.random() < NO_ADDRESS_SHARE
        if keep_empty or municipality.contact_email or municipality.smartcity_contact_email:
            continue
        domain = f"{slugify(municipality.name_fr) or municipality.refnis}.{CONTACT_DOMAIN}"
        municipality.contact_email = f"info@{domain}"
        if rng.random() < 0.7:
            municipality.smartcity_contact_name = _demo_name(rng)
            municipality.smartcity_contact_email = f"smartcity@{domain}"
        changed.append(municipality)
    fields = ["contact_email", "smartcity_contact_name", "smartcity_contact_email"]
    Municipality.objects.bulk_update(changed, fields, batch_size=500)
    return len(changed)


_FIRST = ("Camille", "Dominique", "Sacha", "Claude", "Alex", "Noa", "Charlie", "Lou", "Eden")
_LAST = ("Exemple", "Démo", "Essai", "Modèle", "Fictif")


def _demo_name(rng: random.Random) -> str:
    return f"{rng.choice(_FIRST)} {rng.choice(_LAST)}"


def _titles(year: int) -> dict[str, str]:
    return {
        "title_fr": f"Baromètre Smart Region {year}",
        "title_en": f"Smart Region barometer {year}",
        "title_de": f"Smart-Region-Barometer {year}",
        "title_nl": f"Smart Region-barometer {year}",
    }


def open_wave_year() -> int:
    """This year, or the year after the last closed demo wave if that is later."""
    return max(timezone.localdate().year, max(WAVES) + 1)


@transaction.atomic
def open_wave_demo_create(*, seed: int = DEMO_SEED) -> Wave | None:
    """This year's open demo wave, unless one exists: members as wave_open freezes them (the
    commune's address, invited when it has one) but no email sent, and its first answers."""
    region = Region.objects.get(refnis=settings.SMARTREGION["DEFAULT_REGION"])
    year = open_wave_year()
    if Wave.objects.filter(is_demo=True, region=region, year=year).exists():
        return None
    rng = random.Random(f"{seed}:open:{year}")
    opened_at = timezone.now() - dt.timedelta(days=OPEN_DAYS_AGO)
    version = _instrument_version("2025")
    wave = Wave.objects.create(
        **_titles(year),
        year=year,
        instrument_version=version,
        region=region,
        population_date=POPULATION_DATE,
        status=Wave.Status.OPEN,
        opened_at=opened_at,
        closes_on=(opened_at + dt.timedelta(days=OPEN_FIELDWORK_DAYS)).date(),
        reminder_days=REMINDER_DAYS,
        is_demo=True,
    )
    municipalities = list(
        Municipality.objects.current(POPULATION_DATE).filter(region=region).order_by("sort_fr")
    )
    members = wave_members_create(
        wave=wave,
        municipalities=municipalities,
        address=lambda m: m.smartcity_contact_email or m.contact_email,
        now=opened_at,
    )
    member_links(members)
    _open_responses_create(wave, [m for m in members if m.invited_at], version.instrument, rng)
    _addresses_added_since(members[:], rng)
    return wave


def _addresses_added_since(members: list[WaveMember], rng: random.Random) -> None:
    """Two communes not invited get an address after the opening: staff can invite them."""
    uninvited = [m.municipality for m in members if not m.invited_at]
    for municipality in rng.sample(uninvited, min(ADDED_SINCE, len(uninvited))):
        domain = f"{slugify(municipality.name_fr) or municipality.refnis}.{CONTACT_DOMAIN}"
        municipality.contact_email = f"info@{domain}"
        municipality.save(update_fields=["contact_email"])


def _open_responses_create(
    wave: Wave, invited: list[WaveMember], instrument: Instrument, rng: random.Random
) -> None:
    answered: dict[int, _Answered] = {}
    opened_at = wave.opened_at or timezone.now()
    for member in invited:
        draw = rng.random()
        if draw >= OPEN_SUBMITTED_SHARE + OPEN_STARTED_SHARE:
            continue
        submitted = draw < OPEN_SUBMITTED_SHARE
        saved_at = opened_at + dt.timedelta(hours=rng.randint(2, 24 * (OPEN_DAYS_AGO - 1)))
        answers = random_answers(instrument, rng, rng.uniform(0.3, 0.8), year=wave.year)
        if not submitted:
            answers = dict(list(answers.items())[: rng.randint(2, max(3, len(answers) // 3))])
        started_at = max(opened_at, saved_at - dt.timedelta(hours=rng.randint(1, 48)))
        answered[member.municipality_id] = _Answered(started_at, saved_at, answers, submitted)
    _responses_create(wave, invited, answered, instrument)


def load(*, out: Callable[[str], None], err: Callable[[str], None]) -> None:
    """The `demo` command's step: four closed demo waves (the observatory's step publishes them),
    fictitious contact addresses, and this year's open wave."""
    started = time.monotonic()
    demo = barometer_demo_create()
    contacts = contacts_demo_create()
    opened = open_wave_demo_create()
    rates = ", ".join(f"{wave.year} {wave.rate:.0%}" for wave in demo.waves)
    out(
        _(
            "Demo barometer: %(created)d waves created and closed; response rates "
            "%(rates)s; %(panel)d communes answered every wave (%(seconds).1f s)."
        )
        % {
            "created": demo.created,
            "rates": rates or "-",
            "panel": demo.panel,
            "seconds": time.monotonic() - started,
        }
    )
    if opened is not None:
        out(
            _(
                "Demo barometer: open wave %(year)d created (tracking page %(url)s); "
                "%(contacts)d communes given fictitious contact addresses."
            )
            % {
                "year": opened.year,
                "url": reverse("barometer:wave", args=[opened.pk]),
                "contacts": contacts,
            }
        )
