"""Forms of the diagnostic pages: targets and invitations.

The questions themselves are parsed by the questionnaire engine (smartregion.instruments.inputs).
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smartregion.accounts.models import Membership
from smartregion.instruments.definition import Instrument

HORIZON_SPAN = 15


class InviteForm(forms.Form):
    email = forms.EmailField(label=gettext_lazy("Email address"), max_length=254)
    role = forms.ChoiceField(
        label=gettext_lazy("Role"),
        choices=Membership.Role.choices,
        initial=Membership.Role.MEMBER,
        help_text=gettext_lazy("Managers also submit the diagnostic, set targets and invite."),
    )


class TargetsForm(forms.Form):
    """One target level per domain (with that domain's level descriptors) and a horizon year."""

    def __init__(self, *args: Any, instrument: Instrument, language: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.dimension_codes = [d.code for d in instrument.dimensions]
        for dimension in instrument.dimensions:
            choices = [("", _("No target"))] + [
                (str(level), f"{level} — {Instrument.text(texts, language)}")
                for level, texts in enumerate(dimension.levels, start=1)
            ]
            self.fields[f"target_{dimension.code}"] = forms.TypedChoiceField(
                label=Instrument.text(dimension, language),
                choices=choices,
                coerce=int,
                empty_value=None,
                required=False,
            )
        this_year = timezone.localdate().year
        self.fields["horizon_year"] = forms.IntegerField(
            label=_("Horizon year"),
            required=False,
            min_value=this_year,
            max_value=this_year + HORIZON_SPAN,
            help_text=_("The year by which you aim to reach these levels."),
        )

    def dimension_fields(self) -> list[forms.BoundField]:
        return [self[f"target_{code}"] for code in self.dimension_codes]

    def targets(self) -> dict[str, int]:
        return {
            code: self.cleaned_data[f"target_{code}"]
            for code in self.dimension_codes
            if self.cleaned_data.get(f"target_{code}") is not None
        }
