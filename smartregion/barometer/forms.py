from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from smartregion.instruments.models import InstrumentVersion

from .models import Wave


class WaveForm(forms.ModelForm):
    reminder_days = forms.CharField(
        label=_("Reminders (days after opening)"),
        required=False,
        initial="14, 28",
        help_text=_("Comma-separated numbers of days, e.g. 14, 28."),
    )

    class Meta:
        model = Wave
        fields = [
            "title_fr",
            "title_en",
            "year",
            "instrument_version",
            "region",
            "population_date",
            "closes_on",
        ]
        widgets = {
            "population_date": forms.DateInput(attrs={"type": "date"}),
            "closes_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # Barometer questionnaires first; any loaded instrument can be surveyed.
        self.fields["instrument_version"].queryset = InstrumentVersion.objects.order_by(
            "-slug", "-version"
        )

    def clean_reminder_days(self) -> list[int]:
        raw = self.cleaned_data.get("reminder_days") or ""
        try:
            days = sorted({int(part) for part in raw.replace(";", ",").split(",") if part.strip()})
        except ValueError as exc:
            raise forms.ValidationError(
                _("Write whole numbers of days separated by commas.")
            ) from exc
        if any(day < 1 or day > 365 for day in days):
            raise forms.ValidationError(_("Each reminder day is between 1 and 365."))
        return days

    def clean(self) -> dict:
        data = super().clean()
        population_date, closes_on = data.get("population_date"), data.get("closes_on")
        if population_date and closes_on and closes_on < population_date:
            self.add_error("closes_on", _("The closing date comes after the population date."))
        return data

    def save(self, commit: bool = True) -> Wave:
        self.instance.reminder_days = self.cleaned_data["reminder_days"]
        return super().save(commit)
