"""What the observatory holds about a person, for their data export (accounts/personal_data)."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from smartregion.accounts.models import User
from smartregion.accounts.personal_data import Section, iso

from .models import Edition


def observatory_sections(user: User) -> list[Section]:
    editions = Edition.objects.filter(published_by=user).order_by("published_at", "pk")
    rows = [
        {"edition": e.slug, "revision": e.revision, "published_at": iso(e.published_at)}
        for e in editions
    ]
    return [
        Section(
            "observatory_editions",
            _("Observatory editions"),
            _("The editions you published (centre staff)."),
            rows,
        )
    ]
