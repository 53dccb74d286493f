"""The form a commune team fills in for one step of the method."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smartregion.projects.uploads import document_prepare

from .models import Resource, StepProgress

NOTE_MAX = 4000


class StepProgressForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=StepProgress.Status.choices)
    date = forms.DateField(
        label=_("Date"),
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        help_text=_("When the step was done or started; required once it is done."),
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=NOTE_MAX,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    checked = forms.TypedMultipleChoiceField(
        label=_("Checklist"),
        required=False,
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    evidence = forms.FileField(
        label=_("Evidence (PDF or office document)"),
        required=False,
        help_text=_("Optional: a decision, minutes, a plan. Replaces the file saved before."),
    )
    token = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, step: Resource, **kwargs: Any) -> None:
        kwargs.setdefault("prefix", f"step-{step.pk}")
        super().__init__(*args, **kwargs)
        self.step = step
        self.fields["checked"].choices = list(enumerate(step.checklist_items()))

    def clean_date(self) -> Any:
        date = self.cleaned_data.get("date")
        if date is not None and date > timezone.localdate():
            raise ValidationError(_("The date cannot be in the future."), code="future")
        return date

    def clean_evidence(self) -> Any:
        upload = self.cleaned_data.get("evidence")
        if not upload:
            return None
        self.evidence_name = upload.name
        return document_prepare(upload)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        done = data.get("status") == StepProgress.Status.DONE
        if done and not data.get("date") and "date" not in self.errors:
            self.add_error("date", _("Give the date the step was done."))
        return data
