"""What the barometer holds about a person, for their data export (see accounts/personal_data).

Responses are a commune's, reached by an emailed link, not by an account: they are not linked to
a person (the respondent's name and role typed in a response stay the commune's answer). Staff
who ran waves find the waves they created.
"""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _

from smartregion.accounts.models import User
from smartregion.accounts.personal_data import Section, iso

from .models import Wave


def barometer_sections(user: User) -> list[Section]:
    waves = Wave.objects.filter(created_by=user).order_by("created_at", "pk")
    rows: list[dict[str, Any]] = [
        {"wave": wave.title_fr, "year": wave.year, "created_at": iso(wave.created_at)}
        for wave in waves
    ]
    return [
        Section(
            "barometer_waves",
            _("Barometer waves"),
            _("The survey waves you created (centre staff)."),
            rows,
        )
    ]
