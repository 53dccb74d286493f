"""Writes to resources: every save is a revision; state changes follow the editorial workflow.

    draft → in review → published → needs review → (published again) … → archived

`save_resource` records a revision with its significance. A *major* revision that changes the
French text raises `source_version`, so the other languages become "outdated" until an editor
updates them (or confirms them: `confirm_translation`). A language whose text changed in the same
save is marked up to date with the new source version.
"""

from __future__ import annotations

import datetime as dt
import math
import re
from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartregion.accounts.models import User

from .models import (
    SOURCE_LANGUAGE,
    TRANSLATION_LANGUAGES,
    Resource,
    ResourceRevision,
    SlugRedirect,
)

LANGUAGES = (SOURCE_LANGUAGE, *TRANSLATION_LANGUAGES)
TRANSLATED_FIELDS = ("title", "summary", "body", "checklist")
PLAIN_FIELDS = (
    "kind",
    "slug",
    "key",
    "state",
    "themes",
    "domains",
    "levels",
    "audiences",
    "commune_sizes",
    "reading_minutes",
    "authors",
    "sources",
    "licence",
    "method_phase",
    "method_order",
    "review_by",
    "project_id",
    "owner_id",
)
# Words read per minute, for the reading time of a text.
READING_SPEED = 200
_WORD = re.compile(r"\w+", re.UNICODE)

# Allowed state changes: (from, to).
TRANSITIONS = {
    (Resource.State.DRAFT, Resource.State.REVIEW),
    (Resource.State.REVIEW, Resource.State.DRAFT),
    (Resource.State.REVIEW, Resource.State.PUBLISHED),
    (Resource.State.DRAFT, Resource.State.PUBLISHED),
    (Resource.State.PUBLISHED, Resource.State.NEEDS_REVIEW),
    (Resource.State.NEEDS_REVIEW, Resource.State.PUBLISHED),
    (Resource.State.PUBLISHED, Resource.State.ARCHIVED),
    (Resource.State.NEEDS_REVIEW, Resource.State.ARCHIVED),
    (Resource.State.DRAFT, Resource.State.ARCHIVED),
    (Resource.State.ARCHIVED, Resource.State.DRAFT),
}


class WorkflowError(ValueError):
    pass


def reading_minutes(text: str) -> int:
    return max(1, math.ceil(len(_WORD.findall(text or "")) / READING_SPEED))


def _source_body(resource: Resource) -> str:
    """The French text (a django-modeltranslation column, unknown to the type checker)."""
    return getattr(resource, f"body_{SOURCE_LANGUAGE}") or ""


def snapshot(resource: Resource) -> dict[str, Any]:
    data: dict[str, Any] = {}
    for name in TRANSLATED_FIELDS:
        for language in LANGUAGES:
            data[f"{name}_{language}"] = getattr(resource, f"{name}_{language}") or ""
    for name in PLAIN_FIELDS:
        value = getattr(resource, name)
        data[name] = value.isoformat() if isinstance(value, dt.date) else value
    return data


def changed_languages(before: dict[str, Any], after: dict[str, Any]) -> list[str]:
    return [
        language
        for language in LANGUAGES
        if any(
            before.get(f"{name}_{language}", "") != after.get(f"{name}_{language}", "")
            for name in TRANSLATED_FIELDS
        )
    ]


def _record(
    resource: Resource,
    *,
    user: User | None,
    comment: str,
    significance: str,
    languages: Iterable[str],
) -> ResourceRevision:
    return ResourceRevision.objects.create(
        resource=resource,
        number=resource.version,
        author=user,
        comment=comment[:300],
        significance=significance,
        state=resource.state,
        languages=list(languages),
        snapshot=snapshot(resource),
    )


@transaction.atomic
def create_resource(resource: Resource, *, user: User | None, comment: str = "") -> Resource:
    """Save a new resource as revision 1; its translations count as up to date."""
    if not resource.reading_minutes or resource.reading_minutes == 1:
        resource.reading_minutes = reading_minutes(_source_body(resource))
    resource.version = 1
    resource.source_version = 1
    resource.translation_versions = {
        language: 1 for language in TRANSLATION_LANGUAGES if getattr(resource, f"title_{language}")
    }
    resource.created_by = user
    if resource.state == Resource.State.PUBLISHED:
        resource.published_at = resource.first_published_at = timezone.now()
    resource.save()
    _record(
        resource,
        user=user,
        comment=comment or _("Created"),
        significance=ResourceRevision.Significance.MAJOR,
        languages=[language for language in LANGUAGES if getattr(resource, f"title_{language}")],
    )
    return resource


@transaction.atomic
def save_resource(
    resource: Resource,
    *,
    user: User | None,
    comment: str = "",
    significance: str = ResourceRevision.Significance.MINOR,
    expected_version: int | None = None,
) -> ResourceRevision | None:
    """Save the edited `resource` (an instance with the new values) as a new revision.

    Returns None when nothing changed. Refuses a save from a stale version (`expected_version`
    is the version the editor's form started from), so a colleague's work is never overwritten.
    """
    current = Resource.objects.select_for_update().get(pk=resource.pk)
    if expected_version is not None and current.version != expected_version:
        raise WorkflowError(
            _("Someone saved this resource after you opened it (version %(current)d): reload it.")
            % {"current": current.version}
        )
    before = snapshot(current)
    after = snapshot(resource)
    if before == after:
        return None
    if resource.slug != current.slug:
        SlugRedirect.objects.filter(old_slug=resource.slug).delete()
        SlugRedirect.objects.update_or_create(old_slug=current.slug, defaults={"resource": current})
    languages = changed_languages(before, after)
    versions = dict(current.translation_versions)
    source_version = current.source_version
    if significance == ResourceRevision.Significance.MAJOR and SOURCE_LANGUAGE in languages:
        source_version += 1
    for language in languages:
        if language != SOURCE_LANGUAGE:
            versions[language] = source_version
    resource.source_version = source_version
    resource.translation_versions = versions
    resource.version = current.version + 1
    resource.reading_minutes = reading_minutes(_source_body(resource))
    resource.save()
    return _record(
        resource, user=user, comment=comment, significance=significance, languages=languages
    )


@transaction.atomic
def confirm_translation(resource: Resource, language: str, *, user: User | None) -> None:
    """An editor checked that `language` still says what the French source says."""
    if language not in TRANSLATION_LANGUAGES:
        raise WorkflowError(_("Unknown language: %(language)s") % {"language": language})
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    resource.translation_versions = {
        **resource.translation_versions,
        language: resource.source_version,
    }
    resource.version += 1
    resource.save(update_fields=["translation_versions", "version", "updated_at"])
    _record(
        resource,
        user=user,
        comment=_("Translation checked against the source: %(language)s") % {"language": language},
        significance=ResourceRevision.Significance.MINOR,
        languages=[],
    )


@transaction.atomic
def transition(
    resource: Resource, to: str, *, user: User | None, comment: str = ""
) -> ResourceRevision:
    """Move `resource` to state `to` along the workflow, as a revision."""
    resource = Resource.objects.select_for_update().get(pk=resource.pk)
    if (resource.state, to) not in TRANSITIONS:
        raise WorkflowError(
            _("A resource cannot go from “%(from)s” to “%(to)s”.")
            % {
                "from": Resource.State(resource.state).label,
                "to": Resource.State(to).label,
            }
        )
    now = timezone.now()
    resource.state = to
    if to == Resource.State.PUBLISHED:
        resource.published_at = now
        resource.first_published_at = resource.first_published_at or now
        resource.review_reminded_at = None
    if to == Resource.State.ARCHIVED:
        resource.archived_at = now
    resource.version += 1
    resource.save()
    return _record(
        resource,
        user=user,
        comment=comment or str(Resource.State(to).label),
        significance=ResourceRevision.Significance.MINOR,
        languages=[],
    )


def flag_overdue(today: dt.date | None = None) -> list[Resource]:
    """Mark published resources past their review date "needs review"; returns them."""
    today = today or timezone.localdate()
    flagged = []
    for resource in Resource.objects.filter(
        state=Resource.State.PUBLISHED, review_by__lt=today
    ).order_by("pk"):
        transition(
            resource, Resource.State.NEEDS_REVIEW, user=None, comment=_("Review date passed")
        )
        flagged.append(resource)
    return flagged
