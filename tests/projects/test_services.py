"""Project services: validation with field paths, versions and conflicts, workflow, revisions."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from smartregion.accounts.models import Organisation
from smartregion.core.models import DataVersion
from smartregion.projects.models import Project, ProjectRevision
from smartregion.projects.services import (
    FundingInput,
    IndicatorInput,
    ProjectConflict,
    ProjectError,
    ProjectInput,
    actor_create,
    actor_for_municipality,
    project_create,
    project_mark_reviewed,
    project_publish,
    project_reject,
    project_request_changes,
    project_submit,
    project_unpublish,
    project_update,
    revision_compare,
)
from smartregion.territory.models import Municipality

pytestmark = pytest.mark.django_db

State = Project.State


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in the source language, whatever the catalogues hold."""
    with translation.override("en"):
        yield


def _input(namur: Municipality, **changes: object) -> ProjectInput:
    values: dict[str, object] = {
        "title_fr": "Éclairage public intelligent",
        "summary_fr": "Des lampadaires LED qui s'adaptent au passage.",
        "status": Project.Status.IN_PROGRESS,
        "themes": ["environment", "mobility"],
        "municipality_ids": [namur.pk],
        "goals": [11, 7],
        "description_fr": "<p>Premier quartier équipé.</p><script>alert(1)</script>",
        "fundings": [
            FundingInput("regional_call", "Territoire intelligent 2023", Decimal("50000"))
        ],
        "indicators": [IndicatorInput("Consommation", unit="MWh", baseline=Decimal("120"))],
        "locations": [{"latitude": "50.4669", "longitude": "4.8675", "label": "Place d'Armes"}],
    }
    values.update(changes)
    return ProjectInput(**values)  # type: ignore[arg-type]


def _version() -> int:
    row = DataVersion.objects.filter(key="public").first()
    return row.value if row else 0


def test_project_create_saves_rows_sanitises_and_records_revision(namur, member):
    project = project_create(user=member, owner_municipality=namur, data=_input(namur))

    assert project.slug == "eclairage-public-intelligent"
    assert project.state == State.DRAFT
    assert project.version == 1
    assert project.goals == [7, 11]
    assert project.description_fr == "<p>Premier quartier équipé.</p>"
    assert list(project.municipalities.all()) == [namur]
    assert [(f.source, f.amount_eur) for f in project.fundings.all()] == [
        ("regional_call", Decimal("50000.00"))
    ]
    assert [(i.name_fr, i.baseline) for i in project.indicators.all()] == [
        ("Consommation", Decimal("120.0000"))
    ]
    location = project.locations.get()
    assert (location.latitude, location.longitude) == (Decimal("50.466900"), Decimal("4.867500"))
    revision = project.revisions.get()
    assert (revision.number, revision.action, revision.author) == (1, "created", member)
    assert revision.snapshot["municipalities"] == [{"id": namur.pk, "name": "Namur"}]
    assert revision.snapshot["fundings"] == [
        {"source": "regional_call", "label": "Territoire intelligent 2023", "amount_eur": "50000"}
    ]


def test_project_create_slug_avoids_reserved_words_and_duplicates(namur, member):
    first = project_create(
        user=member, owner_municipality=namur, data=_input(namur, title_fr="New")
    )
    second = project_create(
        user=member, owner_municipality=namur, data=_input(namur, title_fr="New")
    )

    assert (first.slug, second.slug) == ("new-2", "new-3")


def test_project_create_reports_every_error_with_its_path(namur, member):
    data = _input(
        namur,
        title_fr="",
        themes=["economy", "astrology"],
        goals=[0, 18],
        municipality_ids=[],
        start_date=dt.date(2026, 5, 1),
        end_date=dt.date(2026, 1, 1),
        indicators=[
            IndicatorInput("Ok"),
            IndicatorInput("", target="beaucoup"),  # type: ignore[arg-type]
        ],
        locations=[{"latitude": "91", "longitude": "4"}],
        showcase=True,
    )

    with pytest.raises(ValidationError) as caught:
        project_create(user=member, owner_municipality=namur, data=data)

    errors = caught.value.message_dict
    assert set(errors) == {
        "title_fr",
        "themes",
        "goals",
        "municipality_ids",
        "end_date",
        "title_en",
        "summary_en",
        "description_en",
        "indicators[1].name_fr",
        "indicators[1].target",
        "locations[0].latitude",
    }
    assert errors["themes"] == ["Unknown theme: astrology."]
    assert errors["end_date"] == ["The end date comes before the start date."]
    assert Project.objects.count() == 0


def test_project_create_needs_exactly_one_owner(namur, member, organisation):
    with pytest.raises(ValidationError) as caught:
        project_create(
            user=member,
            owner_municipality=namur,
            owner_organisation=organisation,
            data=_input(namur),
        )
    assert list(caught.value.message_dict) == ["owner"]


def test_project_update_replaces_rows_and_moves_version(namur, member):
    project = project_create(user=member, owner_municipality=namur, data=_input(namur))

    updated = project_update(
        project=project,
        user=member,
        data=_input(namur, title_fr="Éclairage LED", fundings=[], indicators=[]),
        expected_version=1,
    )

    assert updated.version == 2
    assert updated.title_fr == "Éclairage LED"
    assert updated.slug == "eclairage-public-intelligent"  # addresses stay stable
    assert updated.fundings.count() == 0
    assert updated.indicators.count() == 0
    assert list(updated.revisions.values_list("number", "action")) == [
        (2, "updated"),
        (1, "created"),
    ]


def test_project_update_from_stale_version_raises_conflict_and_keeps_colleagues_work(
    namur, member, manager
):
    project = project_create(user=member, owner_municipality=namur, data=_input(namur))
    project_update(
        project=project,
        user=manager,
        data=_input(namur, title_fr="Titre du collègue"),
        expected_version=1,
    )

    with pytest.raises(ProjectConflict) as caught:
        project_update(
            project=project,
            user=member,
            data=_input(namur, title_fr="Mon titre"),
            expected_version=1,
        )

    assert caught.value.project.title_fr == "Titre du collègue"
    assert caught.value.project.version == 2
    assert [(r.number, r.author) for r in caught.value.revisions] == [(2, manager)]
    assert Project.objects.get().title_fr == "Titre du collègue"


def test_project_update_of_published_project_by_team_flags_for_review(namur, member, editor):
    project = project_create(user=member, owner_municipality=namur, data=_input(namur))
    project_publish(project=project, user=editor)
    before = _version()

    updated = project_update(
        project=project,
        user=member,
        data=_input(namur, status=Project.Status.COMPLETED),
        expected_version=1,
    )

    assert (updated.state, updated.needs_review) == (State.PUBLISHED, True)
    assert _version() == before + 1
    reviewed = project_mark_reviewed(project=updated, user=editor)
    assert reviewed.needs_review is False
    assert reviewed.revisions.values_list("action", flat=True)[0] == "reviewed"


def test_project_update_after_author_account_deleted(namur, member, manager):
    project = project_create(user=member, owner_municipality=namur, data=_input(namur))
    member.delete()
    project.refresh_from_db()

    updated = project_update(
        project=project,
        user=manager,
        data=_input(namur, status=Project.Status.COMPLETED),
        expected_version=1,
    )

    assert (updated.created_by, updated.updated_by, updated.status) == (
        None,
        manager,
        Project.Status.COMPLETED,
    )


def test_project_update_by_editor_does_not_flag(namur, member, editor):
    project = project_create(user=member, owner_municipality=namur, data=_input(namur))
    project_publish(project=project, user=editor)

    updated = project_update(project=project, user=editor, data=_input(namur), expected_version=1)

    assert updated.needs_review is False


def test_workflow_submit_request_changes_submit_publish(namur, member, editor):
    project = project_create(user=member, owner_municipality=namur, data=_input(namur))
    before = _version()

    project = project_submit(project=project, user=member)
    assert project.state == State.SUBMITTED
    assert project.submitted_at is not None
    project = project_request_changes(project=project, user=editor, comment="Ajoutez un budget.")
    assert project.state == State.CHANGES_REQUESTED
    assert _version() == before  # nothing public changed yet
    project = project_submit(project=project, user=member)
    project = project_publish(project=project, user=editor)

    assert project.state == State.PUBLISHED
    assert project.published_at == project.first_published_at
    assert _version() == before + 1
    assert list(project.revisions.values_list("number", "action", "comment")) == [
        (5, "published", ""),
        (4, "submitted", ""),
        (3, "changes_requested", "Ajoutez un budget."),
        (2, "submitted", ""),
        (1, "created", ""),
    ]
    assert project.version == 1  # workflow steps never make a team's open form stale


def test_unpublish_sends_back_to_team_and_keeps_first_publication(namur, member, editor):
    project = project_create(user=member, owner_municipality=namur, data=_input(namur))
    project = project_publish(project=project, user=editor)
    first = project.first_published_at

    project = project_unpublish(project=project, user=editor, comment="Données erronées.")

    assert project.state == State.CHANGES_REQUESTED
    assert project.published_at is None
    assert project.first_published_at == first
    assert project.revisions.first().action == ProjectRevision.Action.UNPUBLISHED


@pytest.mark.parametrize(
    "step", [project_request_changes, project_reject, project_unpublish], ids=lambda f: f.__name__
)
def test_steps_needing_a_reason_refuse_an_empty_comment(namur, member, editor, step):
    project = project_create(user=member, owner_municipality=namur, data=_input(namur))
    project_submit(project=project, user=member)
    if step is project_unpublish:
        project_publish(project=project, user=editor)

    with pytest.raises(ValidationError) as caught:
        step(project=project, user=editor, comment="  ")

    assert list(caught.value.message_dict) == ["comment"]


def test_transitions_from_wrong_state_are_refused(namur, member, editor):
    project = project_create(user=member, owner_municipality=namur, data=_input(namur))

    with pytest.raises(ProjectError):
        project_request_changes(project=project, user=editor, comment="x")
    with pytest.raises(ProjectError):
        project_unpublish(project=project, user=editor, comment="x")
    with pytest.raises(ProjectError):
        project_mark_reviewed(project=project, user=editor)
    project_publish(project=project, user=editor)
    with pytest.raises(ProjectError):
        project_submit(project=project, user=member)
    assert project.revisions.count() == 2


def test_revision_compare_lists_changed_fields_with_word_diff(namur, member):
    long_fr = (
        "<p>Le projet remplace les lampadaires du centre par des luminaires LED pilotés à "
        "distance, qui baissent leur intensité la nuit et réagissent au passage des piétons "
        "et des cyclistes.</p>"
    )
    project = project_create(
        user=member, owner_municipality=namur, data=_input(namur, description_fr=long_fr)
    )
    project_update(
        project=project,
        user=member,
        data=_input(
            namur,
            title_fr="Éclairage LED",
            description_fr=long_fr.replace("centre", "village", 1),
            goals=[11],
        ),
        expected_version=1,
    )
    older, newer = project.revisions.order_by("number")

    changes = {c.field: c for c in revision_compare(older, newer)}

    assert list(changes) == ["title_fr", "description_fr", "goals"]
    assert changes["title_fr"].before == "Éclairage public intelligent"
    assert changes["title_fr"].after == "Éclairage LED"
    assert changes["goals"].after == "11. Sustainable cities and communities"
    assert ("delete", "centre") in changes["description_fr"].diff
    assert ("insert", "village") in changes["description_fr"].diff


def test_actor_create_checks_enterprise_number(member):
    with pytest.raises(ValidationError) as caught:
        actor_create(user=member, name="Wrong BV", kind="company", enterprise_number="0123.456.748")
    assert list(caught.value.message_dict) == ["enterprise_number"]

    actor = actor_create(
        user=member, name="Smart Lights SA", kind="company", enterprise_number="BE 0123 456 749"
    )
    assert (actor.enterprise_number, actor.slug) == ("0123456749", "smart-lights-sa")
    with pytest.raises(ValidationError) as caught:
        actor_create(user=member, name="Other", kind="company", enterprise_number="0123456749")
    assert caught.value.message_dict["enterprise_number"] == [
        "This enterprise number is already registered for “Smart Lights SA”."
    ]


def test_actor_create_refuses_communes_and_duplicate_names(member):
    Organisation.objects.create(name="Taken", slug="taken", kind="company")
    with pytest.raises(ValidationError) as caught:
        actor_create(user=member, name="Taken", kind="commune")
    assert set(caught.value.message_dict) == {"name", "kind"}


def test_actor_for_municipality_is_made_once(namur):
    first = actor_for_municipality(namur)
    second = actor_for_municipality(namur)

    assert first == second
    assert (first.name, first.slug, first.kind) == ("Namur", "namur", "commune")
