"""The analyst's review of a draft edition's key findings: keep, order and reword each one."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

LANGUAGES = ("fr", "en", "de", "nl")
TEXT_LABELS = {
    "fr": _("Sentence in French"),
    "en": _("Sentence in English"),
    "de": _("Sentence in German (optional)"),
    "nl": _("Sentence in Dutch (optional)"),
}


class FindingForm(forms.Form):
    question = forms.CharField(widget=forms.HiddenInput)
    category = forms.CharField(widget=forms.HiddenInput)
    keep = forms.BooleanField(label=_("Keep this finding"), required=False, initial=True)
    order = forms.IntegerField(label=_("Position"), min_value=1, max_value=99)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for language in LANGUAGES:
            self.fields[f"text_{language}"] = forms.CharField(
                label=TEXT_LABELS[language],
                required=False,
                max_length=500,
                widget=forms.Textarea(attrs={"rows": 2}),
                help_text=_("Leave empty to keep the generated sentence shown above."),
            )


FindingFormSet = forms.formset_factory(FindingForm, extra=0, max_num=20, validate_max=True)


def findings_initial(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [
        {
            "question": item["question"],
            "category": item["category"],
            "keep": True,
            "order": index,
            **{f"text_{lang}": (item.get("text") or {}).get(lang, "") for lang in LANGUAGES},
        }
        for index, item in enumerate(findings, start=1)
    ]


def findings_edited(formset: FindingFormSet) -> list[dict[str, Any]]:
    """The kept findings in the analyst's order, with their sentences by language."""
    kept = [form.cleaned_data for form in formset.forms if form.cleaned_data.get("keep")]
    kept.sort(key=lambda data: data["order"])
    return [
        {
            "question": data["question"],
            "category": data["category"],
            "text": {lang: data.get(f"text_{lang}", "") for lang in LANGUAGES},
        }
        for data in kept
    ]
