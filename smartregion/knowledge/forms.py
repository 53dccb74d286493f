"""Forms of the resource pages: the list's filters, the editor's form (every language at once),
uploads, workflow and translation checks."""

from __future__ import annotations

import hashlib
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db.models import Q
from django.urls import resolve, reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smartregion.accounts.models import User
from smartregion.projects.models import Project
from smartregion.projects.uploads import document_prepare, image_prepare

from .models import (
    LEVELS,
    SOURCE_LANGUAGE,
    TRANSLATION_LANGUAGES,
    Audience,
    CommuneSize,
    Kind,
    Resource,
    ResourceFile,
    ResourceRevision,
    Theme,
)
from .permissions import EDIT_PERMISSION

LANGUAGES = (SOURCE_LANGUAGE, *TRANSLATION_LANGUAGES)
LANGUAGE_NAMES = {
    "fr": gettext_lazy("French"),
    "en": gettext_lazy("English"),
    "de": gettext_lazy("German"),
    "nl": gettext_lazy("Dutch"),
}
# The maturity instrument's dimensions (instruments/smartregion-maturity/2026.yaml).
DOMAINS = {
    "gov": gettext_lazy("Governance and policy"),
    "org": gettext_lazy("Organisation and human resources"),
    "plan": gettext_lazy("Planning and implementation"),
    "eval": gettext_lazy("Monitoring and evaluation"),
    "data": gettext_lazy("Data and technologies"),
    "innov": gettext_lazy("Innovation"),
    "sust": gettext_lazy("Sustainability and resilience"),
}
TRANSLATED = ("title", "summary", "body", "checklist")


def _any(label: Any) -> list[tuple[str, Any]]:
    return [("", label)]


class ResourceFilterForm(forms.Form):
    """The list's filters (GET): an unknown value is ignored rather than an error page."""

    kind = forms.ChoiceField(
        label=gettext_lazy("Kind"),
        required=False,
        choices=_any(gettext_lazy("All kinds")) + Kind.choices,
    )
    theme = forms.ChoiceField(
        label=gettext_lazy("Theme"),
        required=False,
        choices=_any(gettext_lazy("All themes")) + Theme.choices,
    )
    domain = forms.ChoiceField(
        label=gettext_lazy("Maturity domain"),
        required=False,
        choices=_any(gettext_lazy("All domains")) + list(DOMAINS.items()),
    )
    audience = forms.ChoiceField(
        label=gettext_lazy("Audience"),
        required=False,
        choices=_any(gettext_lazy("Everyone")) + Audience.choices,
    )
    size = forms.ChoiceField(
        label=gettext_lazy("Commune size"),
        required=False,
        choices=_any(gettext_lazy("Any size")) + CommuneSize.choices,
    )

    def filters(self) -> dict[str, str]:
        if self.is_valid():
            return {name: value for name, value in self.cleaned_data.items() if value}
        return {
            name: self.data.get(name, "")
            for name, bound in self.fields.items()
            if self.data.get(name, "") in dict(bound.choices)  # type: ignore[attr-defined]
        }


class ResourceForm(forms.ModelForm):
    """One form for every language of a resource, its metadata, and the revision's comment."""

    themes = forms.MultipleChoiceField(
        label=gettext_lazy("Themes"), required=False, choices=Theme.choices,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    domains = forms.MultipleChoiceField(
        label=gettext_lazy("Maturity domains"), required=False, choices=list(DOMAINS.items()),
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    levels = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Maturity levels"), required=False, coerce=int,
        choices=[(level, str(level)) for level in LEVELS], widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    audiences = forms.MultipleChoiceField(
        label=gettext_lazy("Audience"), required=False, choices=Audience.choices,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    commune_sizes = forms.MultipleChoiceField(
        label=gettext_lazy("Commune sizes"), required=False, choices=CommuneSize.choices,
        widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    related_slugs = forms.CharField(
        label=gettext_lazy("Related resources (their short names, one per line)"),
        required=False, widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip
    project_slugs = forms.CharField(
        label=gettext_lazy("Related projects (their short names, one per line)"),
        required=False, widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip
    comment = forms.CharField(
        label=gettext_lazy("What did you change?"), required=False, max_length=300
    )
    significance = forms.ChoiceField(
        label=gettext_lazy("Significance of the change"),
        choices=ResourceRevision.Significance.choices,
        initial=ResourceRevision.Significance.MINOR,
        widget=forms.RadioSelect,
        help_text=gettext_lazy(
            "A major change of the French text marks the other languages as outdated."
        ),
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Resource
        fields = [
            *[f"{name}_{language}" for language in LANGUAGES for name in TRANSLATED],
            "kind", "slug", "key", "themes", "domains", "levels", "audiences", "commune_sizes",
            "authors", "sources", "licence", "method_phase", "method_order", "review_by", "owner",
        ]  # fmt: skip
        widgets = {
            "review_by": forms.DateInput(attrs={"type": "date"}),
            **{f"body_{language}": forms.Textarea(attrs={"rows": 14}) for language in LANGUAGES},
            **{f"summary_{language}": forms.Textarea(attrs={"rows": 2}) for language in LANGUAGES},
            **{
                f"checklist_{language}": forms.Textarea(attrs={"rows": 4}) for language in LANGUAGES
            },
            "sources": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["title_fr"].required = True
        self.fields["owner"].queryset = (
            User.objects.filter(is_active=True).filter(_perm_q()).distinct().order_by("email")
        )
        if self.instance.pk:
            self.fields["version"].initial = self.instance.version
            self.fields["related_slugs"].initial = "\n".join(
                self.instance.related.order_by("slug").values_list("slug", flat=True)
            )
            self.fields["project_slugs"].initial = "\n".join(
                self.instance.related_projects.order_by("slug").values_list("slug", flat=True)
            )

    def language_fields(self) -> list[tuple[str, Any, list[forms.BoundField]]]:
        """(code, name, its fields) per language, for one fieldset each."""
        return [
            (
                language,
                LANGUAGE_NAMES[language],
                [self[f"{name}_{language}"] for name in TRANSLATED],
            )
            for language in LANGUAGES
        ]

    def clean_slug(self) -> str:
        """A slug another knowledge page already uses (method/, glossary/, editor's new/) would
        make the resource unreachable: refused."""
        slug = self.cleaned_data["slug"]
        with translation.override(SOURCE_LANGUAGE):
            public = reverse("knowledge:resource", kwargs={"slug": slug})
            edit = reverse("knowledge:resource-edit", kwargs={"slug": slug})
            taken = resolve(public).url_name != "resource" or (
                resolve(edit).url_name != "resource-edit"
            )
        if taken:
            raise ValidationError(
                _("“%(slug)s” is the address of another page: choose another.") % {"slug": slug}
            )
        return slug

    def _slugs(self, name: str) -> list[str]:
        return [
            line.strip() for line in self.cleaned_data.get(name, "").splitlines() if line.strip()
        ]

    def clean_related_slugs(self) -> str:
        slugs = self._slugs("related_slugs")
        found = set(Resource.objects.filter(slug__in=slugs).values_list("slug", flat=True))
        if unknown := [slug for slug in slugs if slug not in found]:
            raise ValidationError(
                _("No resource has these short names: %(slugs)s") % {"slugs": ", ".join(unknown)}
            )
        return self.cleaned_data["related_slugs"]

    def clean_project_slugs(self) -> str:
        slugs = self._slugs("project_slugs")
        found = set(Project.objects.filter(slug__in=slugs).values_list("slug", flat=True))
        if unknown := [slug for slug in slugs if slug not in found]:
            raise ValidationError(
                _("No project has these short names: %(slugs)s") % {"slugs": ", ".join(unknown)}
            )
        return self.cleaned_data["project_slugs"]

    def relations_save(self, resource: Resource) -> None:
        """Related resources and projects (not part of a revision's snapshot)."""
        resource.related.set(
            Resource.objects.filter(slug__in=self._slugs("related_slugs")).exclude(pk=resource.pk)
        )
        resource.related_projects.set(Project.objects.filter(slug__in=self._slugs("project_slugs")))


def _perm_q() -> Q:
    """Editors: the permission directly, through a group, or as superuser."""
    app, codename = EDIT_PERMISSION.split(".")
    return (
        Q(is_superuser=True)
        | Q(user_permissions__codename=codename, user_permissions__content_type__app_label=app)
        | Q(
            groups__permissions__codename=codename, groups__permissions__content_type__app_label=app
        )
    )


class ResourceFileForm(forms.Form):
    """An image for the text (with its text alternative) or a downloadable attachment."""

    role = forms.ChoiceField(label=gettext_lazy("Kind of file"), choices=ResourceFile.Role.choices)
    title = forms.CharField(label=gettext_lazy("Title of the file"), max_length=200)
    alt_text = forms.CharField(
        label=gettext_lazy("Text alternative (for images)"),
        max_length=300,
        required=False,
        help_text=gettext_lazy("What the image shows, for readers who cannot see it."),
    )
    language = forms.ChoiceField(
        label=gettext_lazy("Language of the file"), choices=list(LANGUAGE_NAMES.items())
    )
    file = forms.FileField(label=gettext_lazy("File"))

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        upload = data.get("file")
        role = data.get("role")
        if role == ResourceFile.Role.IMAGE and not data.get("alt_text", "").strip():
            self.add_error("alt_text", _("An image needs a text alternative."))
        if upload is not None and role:
            try:
                prepare = image_prepare if role == ResourceFile.Role.IMAGE else document_prepare
                data["prepared"] = prepare(upload)
            except ValidationError as error:
                self.add_error("file", error)
        return data

    def save(self, resource: Resource, user: User) -> ResourceFile:
        prepared = self.cleaned_data["prepared"]
        item = ResourceFile(
            resource=resource,
            role=self.cleaned_data["role"],
            title=self.cleaned_data["title"],
            alt_text=self.cleaned_data["alt_text"],
            language=self.cleaned_data["language"],
            media_type=prepared.content_type,
            size=len(prepared.content),
            uploaded_by=user,
        )
        item.sha256 = hashlib.sha256(prepared.content).hexdigest()
        item.file.save(prepared.name, ContentFile(prepared.content), save=False)
        item.full_clean()
        item.save()
        return item
