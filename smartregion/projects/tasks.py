"""Background tasks of projects: the review workflow's emails (see `notifications`)."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from smartregion.accounts.models import User
from smartregion.core.addresses import absolute_url

from .models import Project, ProjectRevision

Action = ProjectRevision.Action


@task()
def project_email_send(
    project_id: int, action: str, comment: str, actor_id: int | None, user_id: int, template: str
) -> None:
    """One workflow email, rendered in its recipient's language (runs in the worker)."""
    project = Project.objects.get(pk=project_id)
    actor = User.objects.filter(pk=actor_id).first() if actor_id is not None else None
    user = User.objects.get(pk=user_id)
    language = user.preferred_language or settings.LANGUAGE_CODE
    with translation.override(language):
        subject, body = _message(project, action, comment, actor, template, language)
    send_mail(subject, body, None, [user.email])


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
    return absolute_url(path)
