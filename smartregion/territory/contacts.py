"""Communes' contact addresses: a general address and a smart-city contact (name, email).

They sit on the municipality, beside the general address that was there first, because every
app that writes to a commune (the barometer's invitations today, the centre's news later) needs
the same addresses; who may change them (centre staff, the commune's managers) is for the apps
above to check.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from .models import Municipality

CONTACT_FIELDS = ("contact_email", "smartcity_contact_name", "smartcity_contact_email")


@dataclass(frozen=True)
class Contacts:
    contact_email: str = ""
    smartcity_contact_name: str = ""
    smartcity_contact_email: str = ""


def invitation_address(municipality: Municipality) -> str:
    """Where a survey invitation goes: the smart-city contact first, else the general address."""
    return municipality.smartcity_contact_email or municipality.contact_email


@transaction.atomic
def municipality_contacts_set(
    *, municipality: Municipality, contacts: dict[str, str]
) -> Municipality:
    """Change some of the commune's contact fields (those named in `contacts`), validated."""
    unknown = set(contacts) - set(CONTACT_FIELDS)
    if unknown:
        raise ValueError(f"not a contact field: {', '.join(sorted(unknown))}")
    for name, value in contacts.items():
        setattr(municipality, name, value.strip())
    municipality.full_clean(exclude=_other_fields(contacts))
    municipality.save(update_fields=list(contacts))
    return municipality


def _other_fields(contacts: dict[str, str]) -> list[str]:
    return [f.name for f in Municipality._meta.fields if f.name not in contacts]
