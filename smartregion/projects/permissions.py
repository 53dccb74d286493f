"""Who may see, change and review projects. One place, so pages, API and commands agree.

A project's *team* is the people acting for its owner: the members (and managers) of the owner
commune, or of the owner organisation. For a commune's actor row (kind "commune"), the commune's
members count as its team too. Editors are people holding `projects.moderate_project`.

The memberships of a user are read once per request object and kept on the user instance, so a
list page asking `can_edit_project` for every row costs no extra query.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q

from smartregion.accounts.models import Membership, Organisation, User
from smartregion.territory.models import Municipality

from .models import Project

_TEAMS_ATTR = "_project_teams"


@dataclass(frozen=True)
class Teams:
    """The communes and organisations a user acts for."""

    municipality_ids: frozenset[int]
    organisation_ids: frozenset[int]

    def __bool__(self) -> bool:
        return bool(self.municipality_ids or self.organisation_ids)


def _active(user: User | AnonymousUser) -> bool:
    return bool(user.is_authenticated and user.is_active)


def teams_of(user: User | AnonymousUser) -> Teams:
    """The user's teams; a commune membership also covers that commune's actor row."""
    if not _active(user):
        return Teams(frozenset(), frozenset())
    cached = getattr(user, _TEAMS_ATTR, None)
    if cached is not None:
        return cached
    rows = list(
        Membership.objects.filter(user=user).values_list("municipality_id", "organisation_id")
    )
    municipality_ids = frozenset(m for m, _ in rows if m)
    organisation_ids = {o for _, o in rows if o}
    if municipality_ids:
        organisation_ids |= set(
            Organisation.objects.filter(municipality_id__in=municipality_ids).values_list(
                "pk", flat=True
            )
        )
    teams = Teams(municipality_ids, frozenset(organisation_ids))
    setattr(user, _TEAMS_ATTR, teams)
    return teams


def team_projects_q(user: User | AnonymousUser) -> Q:
    """A filter for the projects the user's teams own (matches nothing for nobody)."""
    teams = teams_of(user)
    if not teams:
        return Q(pk__in=[])
    return Q(owner_municipality_id__in=teams.municipality_ids) | Q(
        owner_organisation_id__in=teams.organisation_ids
    )


def is_editor(user: User | AnonymousUser) -> bool:
    return _active(user) and user.has_perm("projects.moderate_project")


def can_moderate(user: User | AnonymousUser) -> bool:
    """Review, publish, reject, unpublish: the centre's editors."""
    return is_editor(user)


def is_team_member(user: User | AnonymousUser, project: Project) -> bool:
    teams = teams_of(user)
    if project.owner_municipality_id is not None:
        return project.owner_municipality_id in teams.municipality_ids
    return project.owner_organisation_id in teams.organisation_ids


def can_view_project(user: User | AnonymousUser, project: Project) -> bool:
    """Published projects are public; the others only for the owner team and editors."""
    return project.is_published or is_team_member(user, project) or is_editor(user)


def can_edit_project(user: User | AnonymousUser, project: Project) -> bool:
    """The owner team and editors; a rejected project is closed to its team."""
    if is_editor(user):
        return True
    return project.state != Project.State.REJECTED and is_team_member(user, project)


def can_submit_project(user: User | AnonymousUser, project: Project) -> bool:
    return project.state in (
        Project.State.DRAFT,
        Project.State.CHANGES_REQUESTED,
    ) and can_edit_project(user, project)


def can_view_history(user: User | AnonymousUser, project: Project) -> bool:
    """Revisions hold drafts and reviewers' comments: the team and editors only."""
    return is_team_member(user, project) or is_editor(user)


def can_create_project(user: User | AnonymousUser) -> bool:
    """Anyone acting for a commune or an organisation, and editors."""
    return bool(teams_of(user)) or is_editor(user)


def can_create_actor(user: User | AnonymousUser) -> bool:
    return can_create_project(user)


@dataclass(frozen=True)
class OwnerChoice:
    value: str  # "municipality:<pk>" or "organisation:<pk>"
    label: str
    municipality: Municipality | None = None
    organisation: Organisation | None = None


def owner_choices(user: User | AnonymousUser) -> list[OwnerChoice]:
    """For whom the user may create a project: their teams; editors may act for any commune.

    A commune's actor row is offered as the commune itself (one owner per team).
    """
    teams = teams_of(user)
    if is_editor(user):
        municipalities = Municipality.objects.current().in_region(
            settings.SMARTREGION["DEFAULT_REGION"]
        )
        organisations = Organisation.objects.exclude(kind=Organisation.Kind.COMMUNE)
    else:
        municipalities = Municipality.objects.filter(pk__in=teams.municipality_ids)
        organisations = Organisation.objects.filter(pk__in=teams.organisation_ids).exclude(
            kind=Organisation.Kind.COMMUNE
        )
    choices = [
        OwnerChoice(f"municipality:{m.pk}", m.name, municipality=m)
        for m in municipalities.order_by("sort_fr")
    ]
    choices += [
        OwnerChoice(f"organisation:{o.pk}", o.name, organisation=o)
        for o in organisations.order_by("name")
    ]
    return choices
