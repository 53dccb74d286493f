"""What the projects catalogue holds about a person, for their data export (accounts/personal_data).

Revisions they authored (action, comment, when; not the full snapshot, which is the project's
data rather than theirs), the projects they created, and the files they uploaded. A project's
public contact person is the project's data, entered by its team: listed when it is the
person's own address, so they know where it appears.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from smartregion.accounts.models import User
from smartregion.accounts.personal_data import Section, iso

from .models import Project, ProjectDocument, ProjectImage, ProjectRevision


def project_sections(user: User) -> list[Section]:
    return [
        Section(
            "project_revisions",
            _("Project revisions"),
            _("Every change to a project recorded under your name: action, comment and date."),
            _revisions(user),
        ),
        Section(
            "projects",
            _("Projects"),
            _("The projects you created, and those naming your address as contact."),
            _projects(user),
        ),
        Section(
            "project_files",
            _("Project files"),
            _("The images and documents you uploaded to projects."),
            _files(user),
        ),
    ]


def _revisions(user: User) -> list[dict[str, Any]]:
    rows = ProjectRevision.objects.filter(author=user).select_related("project")
    return [
        {
            "project": row.project.slug,
            "number": row.number,
            "action": row.action,
            "comment": row.comment,
            "created_at": iso(row.created_at),
        }
        for row in rows.order_by("created_at", "pk")
    ]


def _projects(user: User) -> list[dict[str, Any]]:
    rows = Project.objects.filter(created_by=user) | Project.objects.filter(
        contact_email__iexact=user.email
    )
    return [
        {
            "project": row.slug,
            "title": row.title_fr,
            "created_by_you": row.created_by_id == user.pk,
            "contact_name": row.contact_name,
            "contact_email": row.contact_email,
            "created_at": iso(row.created_at),
        }
        for row in rows.distinct().order_by("created_at", "pk")
    ]


def _files(user: User) -> list[dict[str, Any]]:
    images = ProjectImage.objects.filter(uploaded_by=user).select_related("project")
    documents = ProjectDocument.objects.filter(uploaded_by=user).select_related("project")
    rows: list[tuple[str, ProjectImage | ProjectDocument, str]]
    rows = [("image", row, row.alt_fr) for row in images.order_by("created_at", "pk")]
    rows += [("document", row, row.title) for row in documents.order_by("created_at", "pk")]
    return [
        {
            "kind": kind,
            "project": row.project.slug,
            "title": title,
            "created_at": iso(row.created_at),
        }
        for kind, row, title in rows
    ]
