"""Creating and editing projects (versions checked against concurrent edits)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils.text import slugify
from django.utils.translation import gettext as _

from smartregion.accounts.models import Organisation, User
from smartregion.territory.models import Municipality

from ..models import (
    Indicator,
    Location,
    Project,
    ProjectFunding,
    ProjectRevision,
)
from .inputs import RESERVED_SLUGS, Action, ProjectConflict, ProjectInput, State
from .revisions import _after_change, _author, _record
from .validation import _validate

# --- create and edit --------------------------------------------------------------------------


def _unique_slug(base: str, *, exclude_pk: int | None = None) -> str:
    stem = (slugify(base) or "project")[:100].strip("-") or "project"
    similar = Project.objects.filter(slug__startswith=stem)
    if exclude_pk is not None:
        similar = similar.exclude(pk=exclude_pk)
    taken = set(similar.values_list("slug", flat=True))
    candidate, number = stem, 1
    while candidate in taken or candidate in RESERVED_SLUGS:
        number += 1
        candidate = f"{stem}-{number}"
    return candidate


def _save_related(
    project: Project, related: list[Any], rows: Sequence[Any], *, replace: bool
) -> None:
    municipalities, partners = related
    project.municipalities.set(municipalities)
    project.partners.set(partners)
    if replace:
        project.fundings.all().delete()
        project.indicators.all().delete()
        project.locations.all().delete()
    for model in (ProjectFunding, Indicator, Location):
        of_model: list[Any] = [r for r in rows if isinstance(r, model)]
        model.objects.bulk_create(of_model)


@transaction.atomic
def project_create(
    *,
    user: User | None,
    owner_municipality: Municipality | None = None,
    owner_organisation: Organisation | None = None,
    data: ProjectInput,
) -> Project:
    """A new draft kept up to date by one commune or one organisation."""
    if (owner_municipality is None) == (owner_organisation is None):
        raise ValidationError(
            {"owner": [_("A project is kept up to date by one commune or one organisation.")]}
        )
    project = Project(
        owner_municipality=owner_municipality,
        owner_organisation=owner_organisation,
        state=State.DRAFT,
        created_by=_author(user),
        updated_by=_author(user),
        is_demo=data.is_demo,
    )
    related, rows = _validate(project, data)
    if data.slug:
        if slugify(data.slug) != data.slug or data.slug in RESERVED_SLUGS:
            raise ValidationError(
                {"slug": [_("Use lower-case letters, digits and hyphens; this word is reserved.")]}
            )
        longest = Project._meta.get_field("slug").max_length or 0
        if len(data.slug) > longest:
            raise ValidationError(
                {"slug": [_("At most %(count)d characters.") % {"count": longest}]}
            )
        if Project.objects.filter(slug=data.slug).exists():
            raise ValidationError({"slug": [_("Another project already uses this short name.")]})
        project.slug = data.slug
    else:
        project.slug = _unique_slug(data.title_fr)
    project.save()
    _save_related(project, related, rows, replace=False)
    _record(project, user=user, action=Action.CREATED)
    _after_change(project, public=False)
    return project


def _revisions_since(project: Project, version: int) -> list[ProjectRevision]:
    revisions = project.revisions.select_related("author").order_by("number")
    return [r for r in revisions if r.snapshot.get("version", 0) > version]


def _claim_version(project: Project, expected_version: int) -> Project:
    """Move the version on atomically from `expected_version`, or raise ProjectConflict."""
    moved = Project.objects.filter(pk=project.pk, version=expected_version).update(
        version=F("version") + 1
    )
    if not moved:
        current = Project.objects.get(pk=project.pk)
        raise ProjectConflict(current, _revisions_since(current, expected_version))
    project.version = expected_version + 1
    return project


def _edited_by_team(project: Project, user: User | None) -> bool:
    """A published project edited by its team (not an editor) goes back to the review queue."""
    from ..permissions import is_editor

    return project.is_published and not (user is not None and is_editor(user))


def project_update(
    *, project: Project, user: User | None, data: ProjectInput, expected_version: int
) -> Project:
    """Save an edit made from `expected_version`; a published project stays public but is flagged.

    Raises ProjectConflict (current project, revisions since) when a colleague saved meanwhile,
    and when `expected_version` names no version (versions start at 1): an edit that does not say
    what it started from never overwrites anything.
    """
    with transaction.atomic():
        fresh = Project.objects.select_for_update().get(pk=project.pk)
        if expected_version < 1 or fresh.version != expected_version:
            raise ProjectConflict(fresh, _revisions_since(fresh, expected_version))
        related, rows = _validate(fresh, data)
        _claim_version(fresh, expected_version)
        fresh.updated_by = _author(user)
        if _edited_by_team(fresh, user):
            fresh.needs_review = True
        fresh.save()
        _save_related(fresh, related, rows, replace=True)
        _record(fresh, user=user, action=Action.UPDATED)
        _after_change(fresh, public=fresh.is_published)
    return fresh
