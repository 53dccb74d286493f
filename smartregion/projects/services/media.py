"""A project's pictures and documents: add, remove (each change recorded as a revision)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext as _

from smartregion.accounts.models import User

from ..models import (
    Project,
    ProjectDocument,
    ProjectImage,
)
from ..uploads import document_prepare, image_prepare
from .editing import _edited_by_team
from .inputs import Action, ProjectError
from .revisions import _after_change, _author, _record

# --- files ------------------------------------------------------------------------------------


def _file_changed(project: Project, *, user: User | None, action: str, comment: str) -> None:
    fresh = Project.objects.select_for_update().get(pk=project.pk)
    fresh.updated_by = _author(user)
    update = ["updated_by", "updated_at"]
    if _edited_by_team(fresh, user):
        fresh.needs_review = True
        update.append("needs_review")
    fresh.save(update_fields=update)
    _record(fresh, user=user, action=action, comment=comment)
    _after_change(fresh, public=fresh.is_published)
    project.needs_review = fresh.needs_review


def _next_position(queryset: Any) -> int:
    last = queryset.order_by("-position").values_list("position", flat=True).first()
    return 0 if last is None else last + 1


def _store(row: ProjectImage | ProjectDocument, prepared: Any) -> None:
    """Validate the row, write the file, save the row.

    A failed save deletes the file. (Django has no rollback hook: a caller's enclosing transaction
    rolled back later would leave the file behind, unreferenced and never served.)
    """
    row.full_clean(exclude=["file"])
    row.file.save(prepared.name, ContentFile(prepared.content), save=False)
    try:
        row.save()
    except Exception:
        row.file.storage.delete(row.file.name)
        raise


@transaction.atomic
def project_image_add(
    *,
    project: Project,
    user: User | None,
    upload: Any,
    alt_fr: str,
    alt_en: str = "",
    credit: str = "",
) -> ProjectImage:
    """Add a picture, re-encoded (see uploads.py); the French description is required."""
    if not (alt_fr or "").strip():
        raise ValidationError({"alt_fr": [_("Describe the picture for people who cannot see it.")]})
    prepared = image_prepare(upload)
    image = ProjectImage(
        project=project,
        alt_fr=alt_fr.strip(),
        alt_en=(alt_en or "").strip(),
        credit=(credit or "").strip(),
        width=prepared.width,
        height=prepared.height,
        position=_next_position(project.images.all()),
        uploaded_by=_author(user),
    )
    _store(image, prepared)
    _file_changed(
        project,
        user=user,
        action=Action.FILE_ADDED,
        comment=_("Image “%(alt)s”") % {"alt": image.alt_fr},
    )
    return image


@transaction.atomic
def project_document_add(
    *, project: Project, user: User | None, upload: Any, title: str
) -> ProjectDocument:
    """Add a document checked by content (PDF, OpenDocument, Office Open XML)."""
    if not (title or "").strip():
        raise ValidationError({"title": [_("Give the document a title.")]})
    prepared = document_prepare(upload)
    document = ProjectDocument(
        project=project,
        title=title.strip(),
        content_type=prepared.content_type,
        size=len(prepared.content),
        position=_next_position(project.documents.all()),
        uploaded_by=_author(user),
    )
    _store(document, prepared)
    _file_changed(
        project,
        user=user,
        action=Action.FILE_ADDED,
        comment=_("Document “%(title)s”") % {"title": document.title},
    )
    return document


@transaction.atomic
def project_file_remove(
    *, project: Project, user: User | None, file: ProjectImage | ProjectDocument
) -> None:
    """Remove an image or a document; the stored file is deleted once the removal commits."""
    if file.project_id != project.pk:
        raise ProjectError(_("This file belongs to another project."))
    from django.core.files.storage import default_storage

    name = file.file.name
    label = file.alt_fr if isinstance(file, ProjectImage) else file.title
    kind = _("Image") if isinstance(file, ProjectImage) else _("Document")
    file.delete()
    transaction.on_commit(lambda: default_storage.delete(name))
    _file_changed(project, user=user, action=Action.FILE_REMOVED, comment=f"{kind} “{label}”")
