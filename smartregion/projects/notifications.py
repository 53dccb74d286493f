"""Emails of the review workflow: editors learn a project awaits them, teams learn the decision.

Each person gets the email in their own language (`User.preferred_language`), with absolute links
built from `SMARTREGION_BASE_URL`. Each email is a task queued after the transaction commits, so a
rolled-back step sends nothing, and a failing mail server never undoes the step: the task fails,
staff see it with its error and retry it (see `core.admin`).
"""

from __future__ import annotations

from functools import partial

from django.contrib.auth.models import Permission
from django.db import transaction
from django.db.models import Q

from smartregion.accounts.models import Membership, User

from .models import Project, ProjectRevision
from .tasks import project_email_send

Action = ProjectRevision.Action

TEAM_ACTIONS = (
    Action.CHANGES_REQUESTED,
    Action.PUBLISHED,
    Action.REJECTED,
    Action.UNPUBLISHED,
)


def editors() -> list[User]:
    """Active users who may review projects: the permission, directly or by group, or superuser."""
    permission = Permission.objects.filter(
        codename="moderate_project", content_type__app_label="projects"
    ).first()
    who = Q(is_superuser=True)
    if permission is not None:
        who |= Q(user_permissions=permission) | Q(groups__permissions=permission)
    return list(User.objects.filter(who, is_active=True).distinct().order_by("email"))


def team(project: Project) -> list[User]:
    """The people who keep the project up to date: its owner's members, and its author."""
    owner = (
        Q(municipality_id=project.owner_municipality_id)
        if project.owner_municipality_id
        else Q(organisation_id=project.owner_organisation_id)
    )
    people = {
        membership.user
        for membership in Membership.objects.filter(owner, user__is_active=True).select_related(
            "user"
        )
    }
    if project.created_by is not None and project.created_by.is_active:
        people.add(project.created_by)
    return sorted(people, key=lambda user: user.email)


# The review page's step names, for the people it tells in its success message.
_STEPS = {
    "request_changes": Action.CHANGES_REQUESTED,
    "publish": Action.PUBLISHED,
    "reject": Action.REJECTED,
    "unpublish": Action.UNPUBLISHED,
}


def recipients(*, project: Project, action: str, actor: User | None) -> list[User]:
    """Who is emailed about a workflow step (`action`, or a review step's name): editors learn of a
    submission, the team of a decision; nobody is emailed about their own step."""
    action = _STEPS.get(action, action)
    if action == Action.SUBMITTED:
        people = editors()
    elif action in TEAM_ACTIONS:
        people = team(project)
    else:
        return []
    return [user for user in people if actor is None or user.pk != actor.pk]


def project_notify(*, project: Project, action: str, comment: str, actor: User | None) -> None:
    """Schedule the emails of one workflow step (after commit)."""
    template = (
        "projects/email/submitted.txt"
        if action == Action.SUBMITTED
        else "projects/email/decision.txt"
    )
    people = recipients(project=project, action=action, actor=actor)
    actor_id = actor.pk if actor is not None else None
    for user in people:
        transaction.on_commit(
            partial(
                project_email_send.enqueue, project.pk, action, comment, actor_id, user.pk, template
            )
        )
