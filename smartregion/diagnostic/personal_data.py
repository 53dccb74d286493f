"""What the diagnostic holds about a person, for their data export (see accounts/personal_data).

An answer records only its last writer: the export lists the answers the person saved last,
with their value; the diagnostics they started or submitted are listed by commune and year.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from smartregion.accounts.models import User
from smartregion.accounts.personal_data import Section, iso

from .models import Diagnostic, DiagnosticAnswer


def diagnostic_sections(user: User) -> list[Section]:
    return [
        Section(
            "diagnostic_answers",
            _("Diagnostic answers"),
            _("The answers of your commune's diagnostics that you saved last, with their value."),
            _answers(user),
        ),
        Section(
            "diagnostics",
            _("Diagnostics"),
            _("The diagnostics you started or submitted."),
            _diagnostics(user),
        ),
    ]


def _answers(user: User) -> list[dict[str, Any]]:
    rows = (
        DiagnosticAnswer.objects.filter(updated_by=user)
        .select_related("diagnostic__municipality")
        .order_by("diagnostic_id", "question_code")
    )
    return [
        {
            "diagnostic_id": row.diagnostic_id,
            "commune_refnis": row.diagnostic.municipality.refnis,
            "year": row.diagnostic.year,
            "question": row.question_code,
            "value": row.value,
            "revision": row.revision,
            "updated_at": iso(row.updated_at),
        }
        for row in rows
    ]


def _diagnostics(user: User) -> list[dict[str, Any]]:
    rows = (
        Diagnostic.objects.filter(Q(created_by=user) | Q(submitted_by=user))
        .select_related("municipality")
        .order_by("created_at", "pk")
    )
    return [
        {
            "diagnostic_id": row.pk,
            "commune_refnis": row.municipality.refnis,
            "year": row.year,
            "status": row.status,
            "started_by_you": row.created_by_id == user.pk,
            "submitted_by_you": row.submitted_by_id == user.pk,
            "created_at": iso(row.created_at),
            "submitted_at": iso(row.submitted_at),
        }
        for row in rows
    ]
