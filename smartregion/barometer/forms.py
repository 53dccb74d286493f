from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from smartregion.core.i18n import active_language
from smartregion.instruments.definition import Instrument
from smartregion.instruments.models import InstrumentVersion
from smartregion.territory.contacts import CONTACT_FIELDS
from smartregion.territory.models import Municipality

from .models import Wave

MAX_IMPORT_BYTES = 2 * 1024 * 1024


class InstrumentVersionChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj: InstrumentVersion) -> str:
        return f"{Instrument.text(obj.instrument.title, active_language())} ({obj.version})"


def barometer_versions() -> list[int]:
    """Ids of the versions a wave may survey: observing instruments, which declare no dimension
    (an instrument with dimensions scores a commune: that is the diagnostic's)."""
    return [
        version.pk
        for version in InstrumentVersion.objects.all()
        if not version.instrument.dimensions
    ]


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
            "title_de",
            "title_nl",
            "year",
            "instrument_version",
            "region",
            "population_date",
            "closes_on",
        ]
        field_classes = {"instrument_version": InstrumentVersionChoice}
        labels = {"instrument_version": _("Questionnaire"), "region": _("Region")}
        widgets = {
            "population_date": forms.DateInput(attrs={"type": "date"}),
            "closes_on": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        # Only observing questionnaires, the newest first (the diagnostic's scored one is not).
        self.fields["instrument_version"].queryset = InstrumentVersion.objects.filter(
            pk__in=barometer_versions()
        ).order_by("-slug", "-version")

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


class ContactsForm(forms.ModelForm):
    class Meta:
        model = Municipality
        fields = list(CONTACT_FIELDS)
        labels = {
            "contact_email": _("General email address"),
            "smartcity_contact_name": _("Smart-city contact: name"),
            "smartcity_contact_email": _("Smart-city contact: email address"),
        }


class ContactsImportForm(forms.Form):
    file = forms.FileField(
        label=_("CSV file"),
        help_text=_(
            "Header line: refnis, then any of contact_email, smartcity_contact_name, "
            "smartcity_contact_email. Comma or semicolon separated, UTF-8."
        ),
    )

    def clean_file(self) -> object:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_IMPORT_BYTES:
            raise forms.ValidationError(_("The file is larger than 2 MB."))
        return upload
