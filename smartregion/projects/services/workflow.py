"""The review workflow: submit, request changes, publish, reject, unpublish, mark reviewed."""

from __future__ import annotations

from collections.abc import Iterable

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartregion.accounts.models import User

from .. import notifications
from ..models import (
    Project,
)
from .inputs import Action, ProjectError, State
from .revisions import FieldChange, _after_change, _author, _record, revision_compare
from .validation import _add, _check_showcase

# --- workflow ---------------------------------------------------------------------------------


# The editorial steps and the review states each may start from: the services check them, and
# the review page offers exactly the steps `project_review_steps` lists.
REVIEW_STEPS: dict[str, tuple[str, ...]] = {
    "publish": (State.DRAFT, State.SUBMITTED, State.CHANGES_REQUESTED, State.REJECTED),
    "request_changes": (State.SUBMITTED,),
    "reject": (State.SUBMITTED, State.CHANGES_REQUESTED, State.DRAFT),
    "mark_reviewed": (State.PUBLISHED,),
    "unpublish": (State.PUBLISHED,),
}


def project_review_steps(project: Project) -> list[str]:
    """The steps an editor may take on the project now, in the order the page offers them."""
    return [
        step
        for step, states in REVIEW_STEPS.items()
        if project.state in states and (step != "mark_reviewed" or project.needs_review)
    ]


def project_changes_since_publication(project: Project) -> list[FieldChange]:
    """What changed between the last publication and the latest revision (for the reviewer)."""
    revisions = list(project.revisions.order_by("-number"))
    published = next((r for r in revisions if r.action == Action.PUBLISHED), None)
    if published is None or published == revisions[0]:
        return []
    return revision_compare(published, revisions[0])


def _transition(
    project: Project,
    *,
    allowed_from: Iterable[str],
    comment: str = "",
    comment_required: bool = False,
) -> Project:
    """The project locked for a workflow step, once the step is allowed from its state."""
    comment = (comment or "").strip()
    if comment_required and not comment:
        raise ValidationError({"comment": [_("Say why, so the team knows what to do.")]})
    fresh = Project.objects.select_for_update().get(pk=project.pk)
    if fresh.state not in set(allowed_from):
        raise ProjectError(
            _("This cannot be done while the project is “%(state)s”.")
            % {"state": fresh.get_state_display()}
        )
    return fresh


def _finish(
    fresh: Project,
    *,
    user: User | None,
    action: str,
    comment: str,
    was_public: bool,
    notify: bool,
) -> Project:
    fresh.updated_by = _author(user)
    fresh.full_clean(exclude=["slug", "themes", "goals", "version"])
    fresh.save()
    comment = (comment or "").strip()
    _record(fresh, user=user, action=action, comment=comment)
    _after_change(fresh, public=was_public or fresh.is_published)
    if notify:
        notifications.project_notify(
            project=fresh, action=action, comment=comment, actor=_author(user)
        )
    return fresh


@transaction.atomic
def project_submit(
    *, project: Project, user: User | None, comment: str = "", notify: bool = True
) -> Project:
    """The team asks the editors to review the project."""
    fresh = _transition(
        project,
        allowed_from=(State.DRAFT, State.CHANGES_REQUESTED),
    )
    fresh.state = State.SUBMITTED
    fresh.submitted_at = timezone.now()
    return _finish(
        fresh, user=user, action=Action.SUBMITTED, comment=comment, was_public=False, notify=notify
    )


@transaction.atomic
def project_request_changes(
    *, project: Project, user: User | None, comment: str, notify: bool = True
) -> Project:
    fresh = _transition(
        project,
        allowed_from=REVIEW_STEPS["request_changes"],
        comment=comment,
        comment_required=True,
    )
    fresh.state = State.CHANGES_REQUESTED
    return _finish(
        fresh,
        user=user,
        action=Action.CHANGES_REQUESTED,
        comment=comment,
        was_public=False,
        notify=notify,
    )


@transaction.atomic
def project_publish(
    *, project: Project, user: User | None, comment: str = "", notify: bool = True
) -> Project:
    """Editors publish from any unpublished state (a project they wrote themselves too)."""
    fresh = _transition(
        project,
        allowed_from=REVIEW_STEPS["publish"],
    )
    now = timezone.now()
    fresh.state = State.PUBLISHED
    fresh.published_at = now
    fresh.first_published_at = fresh.first_published_at or now
    fresh.needs_review = False
    _check_publishable(fresh)
    return _finish(
        fresh, user=user, action=Action.PUBLISHED, comment=comment, was_public=False, notify=notify
    )


def _check_publishable(project: Project) -> None:
    errors: dict[str, list[str]] = {}
    _check_showcase(project, errors)
    if not project.municipalities.exists():
        _add(errors, "municipality_ids", _("Choose at least one commune."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def project_reject(
    *, project: Project, user: User | None, comment: str, notify: bool = True
) -> Project:
    fresh = _transition(
        project,
        allowed_from=REVIEW_STEPS["reject"],
        comment=comment,
        comment_required=True,
    )
    fresh.state = State.REJECTED
    return _finish(
        fresh, user=user, action=Action.REJECTED, comment=comment, was_public=False, notify=notify
    )


@transaction.atomic
def project_unpublish(
    *, project: Project, user: User | None, comment: str, notify: bool = True
) -> Project:
    """Withdraw a published project: it goes back to its team with the editor's reason."""
    fresh = _transition(
        project,
        allowed_from=REVIEW_STEPS["unpublish"],
        comment=comment,
        comment_required=True,
    )
    fresh.state = State.CHANGES_REQUESTED
    fresh.published_at = None
    fresh.needs_review = False
    return _finish(
        fresh, user=user, action=Action.UNPUBLISHED, comment=comment, was_public=True, notify=notify
    )


@transaction.atomic
def project_mark_reviewed(*, project: Project, user: User | None, comment: str = "") -> Project:
    """An editor has seen the team's edits to a published project."""
    fresh = Project.objects.select_for_update().get(pk=project.pk)
    if not (fresh.is_published and fresh.needs_review):
        raise ProjectError(_("This project has no change waiting for review."))
    fresh.needs_review = False
    fresh.updated_by = _author(user)
    fresh.save(update_fields=["needs_review", "updated_by", "updated_at"])
    _record(
        fresh,
        user=user,
        action=Action.REVIEWED,
        comment=(comment or "").strip() or _("Changes reviewed."),
    )
    _after_change(fresh, public=True)
    return fresh
