"""A person's data, exported as one JSON file (their right of access and to portability).

Each app says what it holds about a person: a provider is a function `(user) -> list[Section]`,
named in the `SMARTREGION_PERSONAL_DATA_PROVIDERS` setting (accounts sits low; the diagnostic's
answers and the projects' revisions belong to apps above it, which register here rather than being
imported). The export page lists the sections with their sizes; the file holds them by key.

What the site does not keep is said, not guessed: it records no login history beyond the time of
the last sign-in, and no IP address with an account (failed sign-ins are counted in the cache for
a few minutes, per address, and forgotten).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.module_loading import import_string
from django.utils.translation import gettext_lazy as _

from .models import ApiToken, Invitation, Membership, User

FORMAT = "smartregion-personal-data/1"


@dataclass(frozen=True)
class Section:
    """One part of the export: its key in the file, what it is, and its rows (or one object)."""

    key: str
    title: str | Promise
    description: str | Promise
    data: list[dict[str, Any]] | dict[str, Any]

    @property
    def size(self) -> int:
        return len(self.data) if isinstance(self.data, list) else 1


Provider = Callable[[User], list[Section]]


@cache
def providers() -> list[Provider]:
    return [import_string(path) for path in settings.SMARTREGION_PERSONAL_DATA_PROVIDERS]


def personal_data_sections(user: User) -> list[Section]:
    return [section for provider in providers() for section in provider(user)]


def personal_data_export(user: User) -> dict[str, Any]:
    """The whole file: when it was made, the format's name, then every section by its key."""
    sections = personal_data_sections(user)
    return {
        "format": FORMAT,
        "exported_at": iso(timezone.now()),
        **{section.key: section.data for section in sections},
    }


def iso(value: dt.datetime | dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


# ---------------------------------------------------------------------------------------------
# What the accounts app holds
# ---------------------------------------------------------------------------------------------


def account_sections(user: User) -> list[Section]:
    return [
        Section(
            "profile",
            _("Profile"),
            _("Your email address, name, preferred language and when the account was created."),
            _profile(user),
        ),
        Section(
            "sign_ins",
            _("Sign-ins"),
            _("The time of your last sign-in: the site keeps no other login history."),
            {"last_login": iso(user.last_login), "history_kept": False},
        ),
        Section(
            "email_addresses",
            _("Email addresses"),
            _("The addresses attached to your account, and whether each is verified."),
            _email_addresses(user),
        ),
        Section(
            "memberships",
            _("Memberships"),
            _("The communes and organisations you act for, with your role."),
            _memberships(user),
        ),
        Section(
            "invitations",
            _("Invitations"),
            _("Invitations addressed to you, and those you sent to others."),
            _invitations(user),
        ),
        Section(
            "api_tokens",
            _("API tokens"),
            _("Name, first characters and dates of your tokens; never the secret itself."),
            _api_tokens(user),
        ),
    ]


def _profile(user: User) -> dict[str, Any]:
    return {
        "email": user.email,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "preferred_language": user.preferred_language,
        "date_joined": iso(user.date_joined),
        "is_staff": user.is_staff,
    }


def _email_addresses(user: User) -> list[dict[str, Any]]:
    rows = EmailAddress.objects.filter(user=user).order_by("email")
    return [{"email": row.email, "verified": row.verified, "primary": row.primary} for row in rows]


def _memberships(user: User) -> list[dict[str, Any]]:
    rows = Membership.objects.filter(user=user).select_related("municipality", "organisation")
    return [
        {
            "commune_refnis": row.municipality.refnis if row.municipality else None,
            "commune": row.municipality.name_fr if row.municipality else None,
            "organisation": row.organisation.name if row.organisation else None,
            "role": row.role,
            "since": iso(row.created_at),
        }
        for row in rows
    ]


def _invitation(row: Invitation, direction: str) -> dict[str, Any]:
    return {
        "direction": direction,
        "email": row.email,
        "commune_refnis": row.municipality.refnis,
        "role": row.role,
        "created_at": iso(row.created_at),
        "accepted_at": iso(row.accepted_at),
    }


def _invitations(user: User) -> list[dict[str, Any]]:
    rows = Invitation.objects.select_related("municipality").order_by("created_at", "pk")
    received = [_invitation(row, "received") for row in rows.filter(email__iexact=user.email)]
    sent = [_invitation(row, "sent") for row in rows.filter(invited_by=user)]
    return received + sent


def _api_tokens(user: User) -> list[dict[str, Any]]:
    return [
        {
            "name": token.name,
            "prefix": token.prefix,
            "created_at": iso(token.created_at),
            "last_used_at": iso(token.last_used_at),
            "revoked_at": iso(token.revoked_at),
        }
        for token in ApiToken.objects.filter(user=user).order_by("created_at", "pk")
    ]
