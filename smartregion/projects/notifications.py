"""Emails of the review workflow: editors learn a project awaits them, teams learn the decision.

Each person gets the email in their own language (`User.preferred_language`), with absolute links
built from `SMARTREGION_BASE_URL`. Emails leave after the transaction commits, so a rolled-back
step sends nothing; a failing mail server is logged and never undoes the step.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.models import Permission
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from smartregion.accounts.models import Membership, User

from .models import Project, ProjectRevision

logger = logging.getLogger(__name__)
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


def project_notify(*, project: Project, action: str, comment: str, actor: User | None) -> None:
    """Schedule the emails of one workflow step (after commit)."""
    if action == Action.SUBMITTED:
        template = "projects/email/submitted.txt"
        recipients = editors()
    elif action in TEAM_ACTIONS:
        template = "projects/email/decision.txt"
        recipients = team(project)
    else:
        return
    recipients = [user for user in recipients if actor is None or user.pk != actor.pk]
    if recipients:
        transaction.on_commit(lambda: _send(project, action, comment, actor, recipients, template))


def _send(
    project: Project,
    action: str,
    comment: str,
    actor: User | None,
    recipients: Iterable[User],
    template: str,
) -> None:
    for user in recipients:
        language = user.preferred_language or settings.LANGUAGE_CODE
        with translation.override(language):
            subject, body = _message(project, action, comment, actor, template, language)
        try:
            send_mail(subject, body, None, [user.email])
        except OSError:  # the step is saved; a mail server hiccup must not undo it
            logger.exception("Could not send the %s email of project %s", action, project.pk)


def _message(
    project: Project,
    action: str,
    comment: str,
    actor: User | None,
    template: str,
    language: str,
) -> tuple[str, str]:
    title = project.title_for(language)
    subjects = {
        Action.SUBMITTED: _("Project to review: %(title)s"),
        Action.CHANGES_REQUESTED: _("Changes requested on your project: %(title)s"),
        Action.PUBLISHED: _("Your project is published: %(title)s"),
        Action.REJECTED: _("Your project was not accepted: %(title)s"),
        Action.UNPUBLISHED: _("Your project was withdrawn from publication: %(title)s"),
    }
    if action == Action.REJECTED:  # closed to the team: their list of projects says so
        path = reverse("projects:mine")
    else:
        page = {
            Action.SUBMITTED: "projects:review",
            Action.PUBLISHED: "projects:detail",
        }.get(action, "projects:edit")
        path = reverse(page, args=[project.slug])
    context = {
        "project": project,
        "title": title,
        "action": action,
        "comment": comment,
        "actor": actor,
        "link": _absolute(path),
    }
    return subjects[action] % {"title": title}, render_to_string(template, context)


def _absolute(path: str) -> str:
    return settings.SMARTREGION_BASE_URL.rstrip("/") + path
