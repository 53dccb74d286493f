"""Demonstration projects: counts, every province, valid numbers, labels, coherence, idempotence."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from smartregion.accounts.enterprise import enterprise_number_normalise
from smartregion.accounts.models import Membership, Organisation, User
from smartregion.accounts.services import (
    DEMO_ACTOR_EMAIL,
    DEMO_EDITOR_EMAIL,
    DEMO_MEMBER_EMAIL,
    demo_accounts_create,
)
from smartregion.projects import search
from smartregion.projects.demo import (
    DEMO_ACTOR,
    demo_actor_specs,
    demo_enterprise_number,
    demo_templates,
    projects_demo_create,
)
from smartregion.projects.models import Project, ProjectRevision, Theme

TODAY = dt.date(2026, 11, 26)
Status = Project.Status
State = Project.State


@pytest.fixture
def accounts(territory) -> None:
    demo_accounts_create()


@pytest.fixture
def small_demo(accounts) -> list[Project]:
    """A 30-project demo: the same generator, a fifth of the size, so most tests stay quick."""
    projects_demo_create(count=30, today=TODAY)
    return list(
        Project.objects.filter(is_demo=True).prefetch_related(
            "municipalities__province", "indicators", "fundings", "locations"
        )
    )


def test_demo_full_size_counts_provinces_and_states(accounts, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        result = projects_demo_create(today=TODAY)

    projects = Project.objects.filter(is_demo=True)
    assert (result.created, result.projects, result.published, result.showcase) == (
        150,
        150,
        125,
        25,
    )
    assert result.actors == 30
    assert Counter(projects.values_list("state", flat=True)) == {
        State.PUBLISHED: 125,
        State.SUBMITTED: 10,
        State.DRAFT: 8,
        State.CHANGES_REQUESTED: 5,
        State.REJECTED: 2,
    }
    provinces = Counter(
        p.municipalities.order_by("refnis").first().province.refnis for p in projects
    )
    assert set(provinces) == {"20002", "50000", "60000", "80000", "90000"}
    assert min(provinces.values()) >= 8
    statuses = Counter(projects.values_list("status", flat=True))
    assert set(statuses) == set(Status.values)
    several = sum(
        1 for p in projects.prefetch_related("municipalities") if len(p.municipalities.all()) > 1
    )
    assert 20 <= several <= 45  # about a fifth are supracommunal
    led_by_actors = projects.filter(lead__is_demo=True)
    assert led_by_actors.values("lead").distinct().count() == 30  # every demo actor leads one
    assert search.project_search("éclairage public") != []


def test_demo_twice_creates_nothing(small_demo):
    before = (
        Project.objects.count(),
        Organisation.objects.count(),
        ProjectRevision.objects.count(),
    )

    again = projects_demo_create(count=30, today=TODAY)

    assert again.created == 0
    after = (Project.objects.count(), Organisation.objects.count(), ProjectRevision.objects.count())
    assert after == before


def test_demo_plan_is_deterministic(accounts):
    from smartregion.projects.demo import _plan

    first = [
        (p.slug, p.status, p.state, p.budget, p.lead) for p in _plan(seed=7, count=30, today=TODAY)
    ]
    second = [
        (p.slug, p.status, p.state, p.budget, p.lead) for p in _plan(seed=7, count=30, today=TODAY)
    ]

    assert first == second
    assert len({slug for slug, *_ in first}) == 30


def test_demo_everything_is_labelled(small_demo):
    assert Project.objects.filter(is_demo=False).count() == 0
    actors = Organisation.objects.exclude(kind=Organisation.Kind.COMMUNE)
    assert actors.count() == len(demo_actor_specs())
    assert actors.filter(is_demo=False).count() == 0
    assert all(".example/" in actor.website for actor in actors)


def test_demo_enterprise_numbers_have_valid_check_digits(small_demo):
    numbers = list(
        Organisation.objects.filter(is_demo=True).values_list("enterprise_number", flat=True)
    )

    assert len(numbers) == 30
    assert len(set(numbers)) == 30
    assert [enterprise_number_normalise(n) for n in numbers] == numbers


def test_demo_enterprise_number_formula():
    number = demo_enterprise_number("Lumina Réseaux SA", seed=1)

    assert len(number) == 10 and number[0] == "0"
    assert int(number[8:]) == 97 - int(number[:8]) % 97


def test_demo_showcase_projects_are_published_in_english(small_demo):
    showcase = [p for p in small_demo if p.showcase]

    assert len(showcase) == 5
    for project in showcase:
        assert project.state == State.PUBLISHED
        assert project.status in (Status.IN_PROGRESS, Status.COMPLETED)
        assert project.title_en and project.summary_en and project.description_en
        assert all(indicator.name_en for indicator in project.indicators.all())
        assert project.title_en != project.title_fr


def test_demo_dates_agree_with_status(small_demo):
    for project in small_demo:
        start, end = project.start_date, project.end_date
        for day in (start, end):
            assert day is None or dt.date(2018, 1, 1) <= day <= dt.date(2027, 12, 31)
        if project.status == Status.COMPLETED or project.status == Status.STOPPED:
            assert start < end < TODAY
        elif project.status == Status.IN_PROGRESS:
            assert start < TODAY and (end is None or end > TODAY)
        elif project.status == Status.PLANNED:
            assert start > TODAY
        else:
            assert end is None


def test_demo_indicators_agree_with_status(small_demo):
    for project in small_demo:
        indicators = list(project.indicators.all())
        assert 1 <= len(indicators) <= 3
        for indicator in indicators:
            assert indicator.target is not None
            if project.status in (Status.IDEA, Status.PLANNED):
                assert indicator.achieved is None and indicator.measured_on is None
            else:
                assert indicator.achieved is not None
                assert project.start_date <= indicator.measured_on <= TODAY


def test_demo_fundings_add_up_to_the_budget(small_demo):
    for project in small_demo:
        amounts = [f.amount_eur for f in project.fundings.all()]
        if project.status != Status.IDEA:
            assert sum(amounts) == project.budget_eur
        for funding in project.fundings.all():
            if "2023" in funding.label and "Territoire intelligent" in funding.label:
                assert 2023 <= project.start_date.year <= 2025


def test_demo_projects_have_themes_goals_and_locations(small_demo):
    for project in small_demo:
        assert project.themes and set(project.themes) <= set(Theme.values)
        assert project.goals and all(1 <= g <= 17 for g in project.goals)
        locations = list(project.locations.all())
        assert 1 <= len(locations) <= 2
        for location in locations:  # in or next to Wallonia
            assert 49.4 < location.latitude < 50.9 and 2.8 < location.longitude < 6.5
        if project.status == Status.COMPLETED:
            assert project.lessons_fr


def test_demo_published_projects_went_through_the_workflow(small_demo):
    published = [p for p in small_demo if p.state == State.PUBLISHED]
    for project in published:
        actions = list(project.revisions.order_by("number").values_list("action", flat=True))
        assert actions[0] == ProjectRevision.Action.CREATED
        assert actions[-1] == ProjectRevision.Action.PUBLISHED
        assert project.first_published_at.date() < TODAY


def test_demo_accounts_have_work_to_do(small_demo):
    member = User.objects.get(email=DEMO_MEMBER_EMAIL)
    editor = User.objects.get(email=DEMO_EDITOR_EMAIL)
    actor_member = User.objects.get(email=DEMO_ACTOR_EMAIL)

    assert editor.is_staff and editor.has_perm("projects.moderate_project")
    assert not editor.is_superuser
    namur = Project.objects.filter(owner_municipality__refnis="92094", created_by=member)
    assert set(namur.values_list("state", flat=True)) >= {State.DRAFT, State.CHANGES_REQUESTED}
    assert Membership.objects.filter(user=actor_member, organisation__name=DEMO_ACTOR).exists()
    assert Project.objects.filter(state=State.SUBMITTED).exists()


def test_demo_templates_are_complete():
    for template in demo_templates():
        for key in ("title", "summary", "context", "approach", "lessons"):
            assert template[key]["fr"] and template[key]["en"], (template["key"], key)
        assert set(template["themes"]) <= set(Theme.values)
        assert 1 <= len(template["indicators"]) <= 3
        assert len(template["title"]["fr"]) < 150 and len(template["summary"]["fr"]) <= 600


def test_demo_points_move_inside_outlines_imported_later(small_demo):
    from shapely.geometry import Point, shape

    from smartregion.territory.models import Boundary, Municipality

    # A 2 km square far from any canton seat for each demo commune: every point is outside it.
    communes = Municipality.objects.filter(projects__is_demo=True).distinct()
    for index, commune in enumerate(communes):
        lon, lat = 3.0 + 0.05 * index, 49.6
        ring = [[lon, lat], [lon + 0.03, lat], [lon + 0.03, lat + 0.02], [lon, lat + 0.02]]
        Boundary.objects.create(
            municipality=commune,
            geometry={"type": "Polygon", "coordinates": [[*ring, ring[0]]]},
            min_lon=lon,
            min_lat=lat,
            max_lon=lon + 0.03,
            max_lat=lat + 0.02,
            centroid_lon=lon + 0.015,
            centroid_lat=lat + 0.01,
        )

    again = projects_demo_create(count=30, today=TODAY)

    assert again.created == 0
    for project in Project.objects.filter(is_demo=True).prefetch_related("locations"):
        for location in project.locations.all():
            commune = project.municipalities.get(name_fr=location.label.rsplit(", ", 1)[-1])
            point = Point(float(location.longitude), float(location.latitude))
            assert shape(commune.boundary.geometry).contains(point), location.label
