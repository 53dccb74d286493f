"""Forms of the editing pages. They parse input into a `ProjectInput`; the services validate it.

A service's `ValidationError` carries field paths (`indicators[2].target`); `apply_errors` puts
each message next to the field it names, in the main form or in the right formset row.
"""

from __future__ import annotations

import re
from decimal import Decimal
from typing import Any

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from smartregion.accounts.models import Organisation
from smartregion.territory.models import Municipality
from smartregion.territory.queries import municipalities_named

from .models import FundingSource, Goal, Project, Theme
from .services import FundingInput, IndicatorInput, LocationInput, ProjectInput

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
RICH_TEXT_HELP = _(
    "Paragraphs, bold, italics, lists, headings and links (http, https, mailto) are kept; "
    "anything else is removed."
)


class MunicipalityChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Municipality) -> str:
        return obj.name


class MunicipalitySelect(forms.SelectMultiple):
    """The plain multi-select, each option carrying the commune's code and folded names in every
    language, so the picker script (projects/picker.js) searches them without asking the server."""

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        instance = getattr(option["value"], "instance", None)
        if instance is not None:
            option["attrs"]["data-names"] = instance.search_text
        return option


def _region() -> str:
    return settings.SMARTREGION["DEFAULT_REGION"]


def _names(text: str) -> list[str]:
    """The names or codes in a comma- (or semicolon-, or line-) separated list, in order."""
    return [name.strip() for name in re.split(r"[,;\n]", text) if name.strip()]


def _unknown(names: list[str]) -> str:
    return _(
        "No commune of the region is called “%(names)s”: check the spelling, or use its "
        "REFNIS code (e.g. 92094)."
    ) % {"names": "”, “".join(names)}


class ProjectForm(forms.Form):
    """The fields of a project itself; rows (fundings, indicators, locations) are formsets."""

    owner = forms.ChoiceField(label=_("Kept up to date by"), required=True)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    title_fr = forms.CharField(label=_("Title (French)"), max_length=200)
    title_en = forms.CharField(label=_("Title (English)"), max_length=200, required=False)
    summary_fr = forms.CharField(
        label=_("Summary (French)"),
        max_length=600,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Two or three sentences: what, where, for whom."),
    )
    summary_en = forms.CharField(
        label=_("Summary (English)"),
        max_length=600,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    description_fr = forms.CharField(
        label=_("Description (French)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=RICH_TEXT_HELP,
    )
    description_en = forms.CharField(
        label=_("Description (English)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=RICH_TEXT_HELP,
    )
    lessons_fr = forms.CharField(
        label=_("Lessons learned (French)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=RICH_TEXT_HELP,
    )
    lessons_en = forms.CharField(
        label=_("Lessons learned (English)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 5}),
        help_text=RICH_TEXT_HELP,
    )
    municipalities = MunicipalityChoiceField(
        label=_("Communes involved"),
        queryset=Municipality.objects.none(),
        required=False,  # the service says "choose at least one", whichever field named them
        widget=MunicipalitySelect(attrs={"size": 10}),
        help_text=_("Hold Ctrl (or Cmd on a Mac) to choose several communes."),
    )
    more_municipalities = forms.CharField(
        label=_("Or type the communes"),
        required=False,
        max_length=2000,
        help_text=_(
            "Names in any language or REFNIS codes, separated by commas: "
            "for example Namur, Luik, 57081."
        ),
    )
    lead = forms.ModelChoiceField(
        label=_("Lead organisation"),
        queryset=Organisation.objects.order_by("name"),
        required=False,
        empty_label=_("(none)"),
    )
    partners = forms.ModelMultipleChoiceField(
        label=_("Partners"),
        queryset=Organisation.objects.order_by("name"),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
        help_text=_("Hold Ctrl (or Cmd on a Mac) to choose several partners."),
    )
    themes = forms.MultipleChoiceField(
        label=_("Themes"), choices=Theme.choices, widget=forms.CheckboxSelectMultiple
    )
    goals = forms.TypedMultipleChoiceField(
        label=_("Sustainable Development Goals"),
        choices=[(value, format_lazy("{}. {}", value, label)) for value, label in Goal.choices],
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    status = forms.ChoiceField(label=_("Status"), choices=Project.Status.choices)
    start_date = forms.DateField(label=_("Start date"), required=False, widget=DATE)
    end_date = forms.DateField(label=_("End date"), required=False, widget=DATE)
    budget_eur = forms.DecimalField(
        label=_("Total budget (EUR)"),
        required=False,
        min_value=Decimal(0),
        max_digits=14,
        decimal_places=2,
    )
    contact_name = forms.CharField(label=_("Contact person"), max_length=120, required=False)
    contact_email = forms.EmailField(label=_("Contact email"), required=False)
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    showcase = forms.BooleanField(
        label=_("Promote in the international showcase"),
        required=False,
        help_text=_("Needs an English title, summary and description."),
    )

    def __init__(
        self, *args: Any, owner_choices: list[tuple[str, str]] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["municipalities"].queryset = (
            Municipality.objects.current()
            .in_region(settings.SMARTREGION["DEFAULT_REGION"])
            .order_by("sort_fr")
        )
        if owner_choices is None:
            del self.fields["owner"]
        else:
            self.fields["owner"].choices = owner_choices

    def clean(self) -> dict[str, Any]:
        """Add the communes typed by name or code to those chosen in the list."""
        data = super().clean()
        names = _names(data.get("more_municipalities") or "")
        if not names:
            return data
        found = municipalities_named(names, region=_region())
        unknown = [name for name, municipality in found.items() if municipality is None]
        if unknown:
            self.add_error("more_municipalities", _unknown(unknown))
            return data
        chosen = list(data.get("municipalities") or [])
        for municipality in found.values():
            if municipality is not None and municipality not in chosen:
                chosen.append(municipality)
        data["municipalities"] = chosen
        return data

    def to_input(self, formsets: dict[str, forms.BaseFormSet]) -> ProjectInput:
        data = self.cleaned_data
        texts = {
            name: data.get(name) or ""
            for name in (
                "title_fr",
                "title_en",
                "summary_fr",
                "summary_en",
                "description_fr",
                "description_en",
                "lessons_fr",
                "lessons_en",
                "contact_name",
                "contact_email",
                "website",
            )
        }
        return ProjectInput(
            **texts,
            status=data.get("status") or "",
            themes=list(data.get("themes") or []),
            goals=list(data.get("goals") or []),
            municipality_ids=[m.pk for m in data.get("municipalities") or []],
            start_date=data.get("start_date"),
            end_date=data.get("end_date"),
            budget_eur=data.get("budget_eur"),
            showcase=bool(data.get("showcase")),
            lead_id=data["lead"].pk if data.get("lead") else None,
            partner_ids=[o.pk for o in data.get("partners") or []],
            fundings=[FundingInput(**row) for row in rows_of(formsets["fundings"])],
            indicators=[IndicatorInput(**row) for row in rows_of(formsets["indicators"])],
            locations=[LocationInput(**row) for row in rows_of(formsets["locations"])],
        )


def initial_from_input(data: ProjectInput) -> tuple[dict[str, Any], dict[str, list[dict]]]:
    """Initial values of the form and its formsets for `data`."""
    initial = {
        name: getattr(data, name)
        for name in (
            "title_fr",
            "title_en",
            "summary_fr",
            "summary_en",
            "description_fr",
            "description_en",
            "lessons_fr",
            "lessons_en",
            "contact_name",
            "contact_email",
            "website",
            "status",
            "themes",
            "goals",
            "start_date",
            "end_date",
            "budget_eur",
            "showcase",
        )
    }
    initial.update(
        municipalities=list(data.municipality_ids),
        lead=data.lead_id,
        partners=list(data.partner_ids),
    )
    rows = {
        name: [_as_dict(row) for row in getattr(data, name)]
        for name in ("fundings", "indicators", "locations")
    }
    return initial, rows


def _as_dict(row: Any) -> dict[str, Any]:
    import dataclasses

    return dict(row) if isinstance(row, dict) else dataclasses.asdict(row)


class RowForm(forms.Form):
    """A row of a formset. A row left as the page showed it is not filled in, even when some of
    its fields show a value by default (the first option of a list, a field's initial value):
    so an untouched extra row is neither validated nor saved."""

    def has_changed(self) -> bool:
        return any(
            self.fields[name].has_changed(_untouched(self.fields[name]), self[name].data)
            for name in self.fields
            if name != "DELETE"
        )


def _untouched(field: forms.Field) -> Any:
    """The value a browser sends for `field` when nobody touched it on a blank row."""
    if field.initial is not None:
        return field.initial
    if isinstance(field, forms.ChoiceField) and not isinstance(field, forms.MultipleChoiceField):
        choices = [value for value, label in field.choices if not isinstance(label, list | tuple)]
        return choices[0] if choices else None
    return None


class FundingForm(RowForm):
    source = forms.ChoiceField(
        label=_("Funding source"), choices=[("", "—"), *FundingSource.choices]
    )
    label = forms.CharField(label=_("Programme"), max_length=200, required=False)
    amount_eur = forms.DecimalField(
        label=_("Amount (EUR)"), required=False, min_value=Decimal(0), decimal_places=2
    )


class IndicatorForm(RowForm):
    name_fr = forms.CharField(label=_("Indicator (French)"), max_length=200)
    name_en = forms.CharField(label=_("Indicator (English)"), max_length=200, required=False)
    unit = forms.CharField(label=_("Unit"), max_length=40, required=False)
    baseline = forms.DecimalField(label=_("Baseline"), required=False, decimal_places=4)
    target = forms.DecimalField(label=_("Target"), required=False, decimal_places=4)
    achieved = forms.DecimalField(label=_("Achieved"), required=False, decimal_places=4)
    measured_on = forms.DateField(label=_("Measured on"), required=False, widget=DATE)


class LocationForm(RowForm):
    """A place: coordinates, or a commune whose centre is taken (the map's click fills both)."""

    label = forms.CharField(label=_("Place"), max_length=200, required=False)
    municipality = forms.CharField(
        label=_("Commune"),
        max_length=120,
        required=False,
        help_text=_("Name or REFNIS code: the place is put at the commune’s centre."),
    )
    latitude = forms.DecimalField(
        label=_("Latitude"),
        min_value=-90,
        max_value=90,
        decimal_places=6,
        required=False,
        help_text=_("For example 50.4669"),
    )
    longitude = forms.DecimalField(
        label=_("Longitude"),
        min_value=-180,
        max_value=180,
        decimal_places=6,
        required=False,
        help_text=_("For example 4.8675"),
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if self.errors or data.get("DELETE"):
            return data
        latitude, longitude = data.get("latitude"), data.get("longitude")
        name = (data.get("municipality") or "").strip()
        if latitude is None and longitude is None and name:
            self._place_at(name, data)
        elif latitude is None or longitude is None:
            message = _("Give both the latitude and the longitude, or a commune.")
            self.add_error("latitude" if latitude is None else "longitude", message)
        data.pop("municipality", None)
        return data

    def _place_at(self, name: str, data: dict[str, Any]) -> None:
        municipality = municipalities_named([name], region=_region())[name]
        boundary = getattr(municipality, "boundary", None) if municipality else None
        if municipality is None:
            self.add_error("municipality", _unknown([name]))
        elif boundary is None:
            self.add_error(
                "municipality",
                _("The outline of %(name)s is not loaded: give its coordinates.")
                % {"name": municipality.name},
            )
        else:
            data["latitude"] = Decimal(f"{boundary.centroid_lat:.6f}")
            data["longitude"] = Decimal(f"{boundary.centroid_lon:.6f}")
            data["label"] = data.get("label") or municipality.name


FORMSETS = {
    "fundings": forms.formset_factory(FundingForm, extra=1, can_delete=True, max_num=30),
    "indicators": forms.formset_factory(IndicatorForm, extra=1, can_delete=True, max_num=50),
    "locations": forms.formset_factory(LocationForm, extra=1, can_delete=True, max_num=50),
}


def make_formsets(
    data: Any = None, initial: dict[str, list[dict]] | None = None
) -> dict[str, forms.BaseFormSet]:
    return {
        name: factory(data, prefix=name, initial=(initial or {}).get(name))
        for name, factory in FORMSETS.items()
    }


def _kept(form: forms.Form) -> bool:
    return form.has_changed() and not form.cleaned_data.get("DELETE")


def rows_of(formset: forms.BaseFormSet) -> list[dict[str, Any]]:
    """The filled, not deleted rows, in order (blank extra rows are skipped)."""
    return [
        {k: v for k, v in form.cleaned_data.items() if k != "DELETE"}
        for form in formset.forms
        if _kept(form)
    ]


_PATH = re.compile(
    r"^(?P<name>fundings|indicators|locations)\[(?P<index>\d+)\](?:\.(?P<field>\w+))?$"
)
_FIELD_ALIASES = {
    "municipality_ids": "municipalities",
    "lead_id": "lead",
    "partner_ids": "partners",
}


def apply_errors(
    error: ValidationError, form: forms.Form, formsets: dict[str, forms.BaseFormSet]
) -> None:
    """Put each of a service's messages next to the field its path names."""
    for path, messages in error.message_dict.items():
        match = _PATH.match(path)
        if match:
            kept = [f for f in formsets[match["name"]].forms if _kept(f)]
            index = int(match["index"])
            target = kept[index] if index < len(kept) else None
            field = match["field"]
            if target is not None:
                name = field if field in target.fields else None
                for message in messages:
                    target.add_error(name, message)
                continue
        name = _FIELD_ALIASES.get(path, path)
        name = name if name in form.fields else None
        for message in messages:
            form.add_error(name, message)


class ReasonForm(forms.Form):
    comment = forms.CharField(
        label=_("Comment for the team"),
        required=False,
        help_text=_("A comment is required to request changes, reject or withdraw a project."),
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=4000,
    )


class ImageForm(forms.Form):
    file = forms.FileField(
        label=_("Picture"),
        help_text=_("JPEG, PNG or WebP, up to 8 MB. Location and camera data are removed."),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
    )
    alt_fr = forms.CharField(
        label=_("What the picture shows (French)"),
        max_length=250,
        help_text=_("Read aloud to people who cannot see the picture."),
    )
    alt_en = forms.CharField(
        label=_("What the picture shows (English)"), max_length=250, required=False
    )
    credit = forms.CharField(label=_("Credit"), max_length=200, required=False)


class DocumentForm(forms.Form):
    file = forms.FileField(
        label=_("Document"),
        help_text=_("PDF, ODT, ODS, DOCX or XLSX, up to 15 MB."),
    )
    title = forms.CharField(label=_("Title"), max_length=200)


class ActorForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(
        label=_("Type"),
        choices=[c for c in Organisation.Kind.choices if c[0] != Organisation.Kind.COMMUNE],
    )
    enterprise_number = forms.CharField(
        label=_("Enterprise number (BCE/KBO)"),
        max_length=20,
        required=False,
        help_text=_("Ten digits, such as 0123.456.749; checked with its check digits."),
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    themes = forms.MultipleChoiceField(
        label=_("Themes"),
        choices=Theme.choices,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class CompareForm(forms.Form):
    older = forms.IntegerField(label=_("From revision"), min_value=1)
    newer = forms.IntegerField(label=_("To revision"), min_value=1)
