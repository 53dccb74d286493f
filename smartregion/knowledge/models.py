"""Resources, their revisions and files, the glossary, and each commune's progress in the method.

Content in several languages is stored with django-modeltranslation (`translation.py`): a field
registered there (`title`, `summary`, `body`, `checklist` of a resource; `label`, `definition`,
`synonyms` of a term) has one column per site language (`title_fr`, `title_en`, `title_de`,
`title_nl`); reading `resource.title` gives the active language's text, French when it is empty.
French is the source: it is required, the other languages are translations of it.

Translation status. Every save is a `ResourceRevision` with a significance (minor or major). A
major revision that changes the French text raises `source_version`; each other language records,
in `translation_versions`, the `source_version` its text was written or checked against. A
language is *missing* when its title or body is empty, *outdated* when its recorded version is
below `source_version`, *up to date* otherwise (`Resource.translation_status`).
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smartregion.projects.models import Project, Theme
from smartregion.territory.models import Municipality

SOURCE_LANGUAGE = "fr"
TRANSLATION_LANGUAGES = ("en", "de", "nl")
# Maturity levels a resource helps with: the maturity instrument's levels, 1 (starting) to 5.
LEVELS = (1, 2, 3, 4, 5)


class Kind(models.TextChoices):
    GUIDE = "guide", _("Guide")
    METHOD_STEP = "method_step", _("Method step")
    CASE_STUDY = "case_study", _("Case study")
    TOOL = "tool", _("Tool or template")
    FAQ = "faq", _("Frequently asked question")


class Audience(models.TextChoices):
    ELECTED = "elected", _("Elected officials")
    MANAGEMENT = "management", _("Municipal management")
    STAFF = "staff", _("Municipal staff and project leaders")
    IT = "it", _("IT and data teams")
    CITIZENS = "citizens", _("Citizens and associations")
    PARTNERS = "partners", _("Companies and partners")


class CommuneSize(models.TextChoices):
    """Broad commune sizes a resource fits (coarser than the barometer's population classes)."""

    SMALL = "small", _("Fewer than 10,000 inhabitants")
    MEDIUM = "medium", _("10,000 to 50,000 inhabitants")
    LARGE = "large", _("More than 50,000 inhabitants")

    @classmethod
    def of(cls, population: int | None) -> CommuneSize | None:
        if population is None:
            return None
        if population < 10_000:
            return cls.SMALL
        if population < 50_000:
            return cls.MEDIUM
        return cls.LARGE


class Licence(models.TextChoices):
    CC_BY = "CC-BY-4.0", _("Creative Commons Attribution 4.0")
    CC_BY_SA = "CC-BY-SA-4.0", _("Creative Commons Attribution-ShareAlike 4.0")
    CC0 = "CC0-1.0", _("Public domain (CC0 1.0)")
    ALL_RIGHTS = "all-rights-reserved", _("All rights reserved")


class MethodPhase(models.IntegerChoices):
    """The centre's method: prerequisites, then planning, implementation, monitoring; participation
    (the IAP2 spectrum) runs along all of them."""

    PREREQUISITES = 0, _("Phase 0: prerequisites")
    PLANNING = 1, _("Phase 1: strategic planning")
    IMPLEMENTATION = 2, _("Phase 2: implementation")
    MONITORING = 3, _("Phase 3: monitoring and evaluation")
    PARTICIPATION = 4, _("Along the way: participation")


class Resource(models.Model):
    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEW = "review", _("In review")
        PUBLISHED = "published", _("Published")
        NEEDS_REVIEW = "needs_review", _("Needs review")
        ARCHIVED = "archived", _("Archived")

    # Readable by the public (archived ones with an "obsolete" banner); only PUBLISHED and
    # NEEDS_REVIEW are listed and searched.
    PUBLIC_STATES = (State.PUBLISHED, State.NEEDS_REVIEW, State.ARCHIVED)
    LISTED_STATES = (State.PUBLISHED, State.NEEDS_REVIEW)

    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    slug = models.SlugField(_("short name in addresses"), max_length=120, unique=True)
    # A stable name other parts of the platform link to (the maturity instrument's
    # recommendations link to "guide-strategy"), independent of the slug editors may change.
    key = models.SlugField(_("stable key"), max_length=60, unique=True, null=True, blank=True)
    title = models.CharField(_("title"), max_length=200)
    summary = models.CharField(_("summary"), max_length=600, blank=True)
    body = models.TextField(_("text (Markdown)"), blank=True)
    # Method steps: one checklist item per line.
    checklist = models.TextField(_("checklist (one item per line)"), blank=True)
    state = models.CharField(
        _("state"), max_length=20, choices=State.choices, default=State.DRAFT, db_index=True
    )
    themes = models.JSONField(_("themes"), default=list, blank=True)  # Theme values
    domains = models.JSONField(_("maturity domains"), default=list, blank=True)  # "gov", "data"…
    levels = models.JSONField(_("maturity levels"), default=list, blank=True)  # 1..5
    audiences = models.JSONField(_("audience"), default=list, blank=True)  # Audience values
    commune_sizes = models.JSONField(_("commune sizes"), default=list, blank=True)
    reading_minutes = models.PositiveSmallIntegerField(_("reading time (minutes)"), default=1)
    authors = models.CharField(_("authors"), max_length=300, blank=True)
    sources = models.TextField(_("sources (Markdown)"), blank=True)
    licence = models.CharField(
        _("licence"), max_length=30, choices=Licence.choices, default=Licence.CC_BY
    )
    method_phase = models.PositiveSmallIntegerField(
        _("method phase"), choices=MethodPhase.choices, null=True, blank=True
    )
    method_order = models.PositiveSmallIntegerField(_("order in the method"), null=True, blank=True)
    related = models.ManyToManyField(
        "self", symmetrical=False, blank=True, related_name="+", verbose_name=_("related resources")
    )
    related_projects = models.ManyToManyField(
        Project, blank=True, related_name="knowledge_resources", verbose_name=_("related projects")
    )
    # A case study made from a catalogue project: its figures are read live from the project.
    project = models.ForeignKey(
        Project,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="case_studies",
        verbose_name=_("project of the case study"),
    )
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="owned_resources",
        verbose_name=_("responsible editor"),
    )
    review_by = models.DateField(_("review by"), null=True, blank=True)
    version = models.PositiveIntegerField(default=1)  # number of the latest revision
    source_version = models.PositiveIntegerField(default=1)  # raised by major French changes
    translation_versions = models.JSONField(default=dict, blank=True)  # {"en": 1, "de": 1}
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    first_published_at = models.DateTimeField(_("first published at"), null=True, blank=True)
    archived_at = models.DateTimeField(_("archived at"), null=True, blank=True)
    review_reminded_at = models.DateTimeField(null=True, blank=True)
    is_demo = models.BooleanField(_("demo content"), default=False)

    class Meta:
        ordering = ["method_phase", "method_order", "slug"]
        verbose_name = _("resource")
        verbose_name_plural = _("resources")
        permissions = [("edit_resource", _("Can write, review and publish knowledge resources"))]
        constraints = [
            models.CheckConstraint(
                condition=Q(method_phase__isnull=True) | Q(kind="method_step"),
                name="resource_phase_only_for_steps",
            ),
        ]

    def __str__(self) -> str:
        return self.title_fr or self.slug

    @property
    def is_public(self) -> bool:
        return self.state in self.PUBLIC_STATES

    @property
    def is_listed(self) -> bool:
        return self.state in self.LISTED_STATES

    def review_overdue(self, today: dt.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.review_by is not None and self.review_by < today

    def translation_status(self, language: str) -> str:
        """ "source", "missing", "outdated" or "current" for one site language."""
        if language == SOURCE_LANGUAGE:
            return "source"
        if not getattr(self, f"title_{language}", "") or (
            self.body_fr and not getattr(self, f"body_{language}", "")
        ):
            return "missing"
        if int(self.translation_versions.get(language, 0)) < self.source_version:
            return "outdated"
        return "current"

    def checklist_items(self) -> list[str]:
        return [line.strip() for line in (self.checklist or "").splitlines() if line.strip()]


class ResourceRevision(models.Model):
    """One saved state of a resource: who, when, why, how significant, and a full snapshot."""

    class Significance(models.TextChoices):
        MINOR = "minor", _("Minor (wording, typos)")
        MAJOR = "major", _("Major (content changed)")

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    comment = models.CharField(_("comment"), max_length=300, blank=True)
    significance = models.CharField(
        _("significance"), max_length=10, choices=Significance.choices, default=Significance.MINOR
    )
    state = models.CharField(max_length=20, choices=Resource.State.choices)
    # Languages whose text changed in this revision ("fr", "en"…).
    languages = models.JSONField(default=list)
    snapshot = models.JSONField(default=dict)

    class Meta:
        ordering = ["resource", "-number"]
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        constraints = [
            models.UniqueConstraint(
                fields=["resource", "number"], name="resource_revision_unique_number"
            )
        ]

    def __str__(self) -> str:
        return f"{self.resource_id} #{self.number}"


class ResourceFile(models.Model):
    """An image used in a resource's text, or a downloadable attachment (a tool or template)."""

    class Role(models.TextChoices):
        IMAGE = "image", _("Image")
        ATTACHMENT = "attachment", _("Attachment")

    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="files")
    role = models.CharField(max_length=12, choices=Role.choices)
    file = models.FileField(upload_to="knowledge/%Y/%m/")
    title = models.CharField(_("title"), max_length=200)
    alt_text = models.CharField(_("text alternative"), max_length=300, blank=True)
    media_type = models.CharField(max_length=100)
    size = models.PositiveBigIntegerField(default=0)
    sha256 = models.CharField(max_length=64, blank=True)
    language = models.CharField(max_length=5, default=SOURCE_LANGUAGE)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["resource", "role", "title"]
        verbose_name = _("file")
        verbose_name_plural = _("files")

    def __str__(self) -> str:
        return self.title


class SlugRedirect(models.Model):
    """A slug a resource had before: its old address redirects to the current one."""

    old_slug = models.SlugField(max_length=120, unique=True)
    resource = models.ForeignKey(Resource, on_delete=models.CASCADE, related_name="old_slugs")
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.old_slug} → {self.resource_id}"


class GlossaryTerm(models.Model):
    """A defined term: labels and definitions per language, synonyms (one per line), related
    terms, sources, and the EuroVoc concept it matches where there is one."""

    slug = models.SlugField(_("short name in addresses"), max_length=120, unique=True)
    label = models.CharField(_("term"), max_length=120)
    definition = models.TextField(_("definition"))
    synonyms = models.TextField(_("synonyms (one per line)"), blank=True)
    related = models.ManyToManyField("self", blank=True, verbose_name=_("related terms"))
    sources = models.TextField(_("sources"), blank=True)
    eurovoc = models.URLField(_("matching EuroVoc concept"), blank=True)
    themes = models.JSONField(_("themes"), default=list, blank=True)
    is_published = models.BooleanField(_("published"), default=True)
    is_demo = models.BooleanField(_("demo content"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("glossary term")
        verbose_name_plural = _("glossary terms")

    def __str__(self) -> str:
        return self.label_fr or self.slug

    def synonym_list(self, language: str) -> list[str]:
        text = getattr(self, f"synonyms_{language}", "") or ""
        return [line.strip() for line in text.splitlines() if line.strip()]


class StepProgress(models.Model):
    """Where one commune stands on one step of the method: seen by its members and staff only."""

    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        NOT_RELEVANT = "not_relevant", _("Not relevant for us")

    municipality = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="method_progress"
    )
    step = models.ForeignKey(
        Resource,
        on_delete=models.CASCADE,
        related_name="progress",
        limit_choices_to={"kind": Kind.METHOD_STEP},
    )
    status = models.CharField(_("status"), max_length=20, choices=Status.choices)
    date = models.DateField(_("date"), null=True, blank=True)
    note = models.TextField(_("note"), blank=True, max_length=4000)
    # Indexes of the step's checklist items the team has ticked.
    checked = models.JSONField(default=list, blank=True)
    evidence = models.FileField(_("evidence"), upload_to="knowledge/evidence/%Y/", blank=True)
    evidence_name = models.CharField(max_length=200, blank=True)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["municipality", "step"]
        verbose_name = _("method progress")
        verbose_name_plural = _("method progress")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "step"], name="step_progress_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.municipality_id}:{self.step_id}={self.status}"


__all__ = [
    "LEVELS",
    "SOURCE_LANGUAGE",
    "TRANSLATION_LANGUAGES",
    "Audience",
    "CommuneSize",
    "GlossaryTerm",
    "Kind",
    "Licence",
    "MethodPhase",
    "Resource",
    "ResourceFile",
    "ResourceRevision",
    "SlugRedirect",
    "StepProgress",
    "Theme",
]
