from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import PopulationClass, Province

SORT_CHOICES = [
    ("name", _("Name (A–Z)")),
    ("-name", _("Name (Z–A)")),
    ("-population", _("Population (largest first)")),
    ("population", _("Population (smallest first)")),
    ("-area", _("Area (largest first)")),
    ("area", _("Area (smallest first)")),
    ("refnis", _("REFNIS code")),
]

MAP_FIGURES = [
    ("density", _("Population density (inhabitants/km²)")),
    ("population", _("Population")),
    ("area", _("Area (km²)")),
]


class MunicipalityFilterForm(forms.Form):
    """The list's search and filters, read from the query string."""

    q = forms.CharField(label=_("Name or REFNIS code"), required=False, max_length=100)
    province = forms.ChoiceField(label=_("Province"), required=False)
    size = forms.ChoiceField(label=_("Population class"), required=False)
    sort = forms.ChoiceField(label=_("Sort by"), required=False, choices=SORT_CHOICES)

    def __init__(
        self,
        *args: object,
        provinces: list[Province],
        population_classes: list[PopulationClass],
        **kwargs: object,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.fields["q"].widget.attrs.update({"type": "search", "autocomplete": "off"})
        self.fields["province"].choices = [("", _("All provinces"))] + [
            (province.refnis, province.name) for province in provinces
        ]
        self.fields["size"].choices = [("", _("All sizes"))] + [
            (band.code, band.label) for band in population_classes
        ]


class MapForm(forms.Form):
    figure = forms.ChoiceField(label=_("Colour communes by"), choices=MAP_FIGURES, required=False)
