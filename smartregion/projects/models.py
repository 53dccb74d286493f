"""The catalogue of smart projects: what communes and their partners do, as they tell it.

A project belongs to the commune or organisation that submitted it (its *owner*): that team's
members keep it up to date. Centre editors review it before it becomes public. Every change is
recorded as a `ProjectRevision` holding a full snapshot, so any two states can be compared.
`version` grows with every saved change: a form or API call carries the version it started
from, and a save from a stale version is refused instead of overwriting a colleague's work.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from smartregion.accounts.models import Organisation
from smartregion.territory.models import Municipality


class Theme(models.TextChoices):
    """The six Smart City axes (Giffinger 2007), then cross-cutting themes."""

    ECONOMY = "economy", _("Economy")
    PEOPLE = "people", _("People")
    GOVERNANCE = "governance", _("Governance")
    MOBILITY = "mobility", _("Mobility")
    ENVIRONMENT = "environment", _("Environment")
    LIVING = "living", _("Living")
    DATA = "data", _("Data")
    PARTICIPATION = "participation", _("Citizen participation")
    DIGITAL_INCLUSION = "digital_inclusion", _("Digital inclusion")
    INNOVATION = "innovation", _("Innovation and experimentation")
    COOPERATION = "cooperation", _("Inter-municipal cooperation")


AXES = (
    Theme.ECONOMY,
    Theme.PEOPLE,
    Theme.GOVERNANCE,
    Theme.MOBILITY,
    Theme.ENVIRONMENT,
    Theme.LIVING,
)


class Goal(models.IntegerChoices):
    """The United Nations Sustainable Development Goals."""

    NO_POVERTY = 1, _("No poverty")
    ZERO_HUNGER = 2, _("Zero hunger")
    HEALTH = 3, _("Good health and well-being")
    EDUCATION = 4, _("Quality education")
    GENDER = 5, _("Gender equality")
    WATER = 6, _("Clean water and sanitation")
    ENERGY = 7, _("Affordable and clean energy")
    WORK = 8, _("Decent work and economic growth")
    INDUSTRY = 9, _("Industry, innovation and infrastructure")
    INEQUALITIES = 10, _("Reduced inequalities")
    CITIES = 11, _("Sustainable cities and communities")
    CONSUMPTION = 12, _("Responsible consumption and production")
    CLIMATE = 13, _("Climate action")
    LIFE_BELOW_WATER = 14, _("Life below water")
    LIFE_ON_LAND = 15, _("Life on land")
    PEACE = 16, _("Peace, justice and strong institutions")
    PARTNERSHIPS = 17, _("Partnerships for the goals")


class FundingSource(models.TextChoices):
    REGIONAL_CALL = "regional_call", _("Regional call for projects")
    REGIONAL = "regional", _("Other regional funding")
    FEDERAL = "federal", _("Federal funding")
    EU = "eu", _("European funds")
    PROVINCE = "province", _("Province")
    OWN = "own", _("Own funds")
    PRIVATE = "private", _("Private partners")
    OTHER = "other", _("Other")


class Project(models.Model):
    class Status(models.TextChoices):
        IDEA = "idea", _("Idea")
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        COMPLETED = "completed", _("Completed")
        STOPPED = "stopped", _("Stopped")

    class State(models.TextChoices):
        """Where the project stands in the editorial workflow (not the project's own status)."""

        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Awaiting review")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        PUBLISHED = "published", _("Published")
        REJECTED = "rejected", _("Rejected")

    slug = models.SlugField(_("short name in addresses"), max_length=120, unique=True)
    title_fr = models.CharField(_("title (French)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    summary_fr = models.CharField(_("summary (French)"), max_length=600)
    summary_en = models.CharField(_("summary (English)"), max_length=600, blank=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    description_en = models.TextField(_("description (English)"), blank=True)
    lessons_fr = models.TextField(_("lessons learned (French)"), blank=True)
    lessons_en = models.TextField(_("lessons learned (English)"), blank=True)

    municipalities = models.ManyToManyField(
        Municipality, related_name="projects", verbose_name=_("communes involved")
    )
    lead = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_projects",
        verbose_name=_("lead organisation"),
    )
    partners = models.ManyToManyField(
        Organisation,
        blank=True,
        related_name="partner_projects",
        verbose_name=_("partners"),
    )
    themes = models.JSONField(_("themes"), default=list)
    goals = models.JSONField(_("Sustainable Development Goals"), default=list, blank=True)

    status = models.CharField(_("status"), max_length=12, choices=Status.choices)
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)
    budget_eur = models.DecimalField(
        _("total budget (EUR)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    contact_name = models.CharField(_("contact person"), max_length=120, blank=True)
    contact_email = models.EmailField(_("contact email"), blank=True)
    website = models.URLField(_("website"), blank=True)
    showcase = models.BooleanField(
        _("promoted in the international showcase"),
        default=False,
        help_text=_("Needs an English title, summary and description."),
    )

    owner_municipality = models.ForeignKey(
        Municipality,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_projects",
        verbose_name=_("kept up to date by (commune)"),
    )
    owner_organisation = models.ForeignKey(
        Organisation,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_projects",
        verbose_name=_("kept up to date by (organisation)"),
    )
    state = models.CharField(
        _("review state"), max_length=20, choices=State.choices, default=State.DRAFT
    )
    version = models.PositiveIntegerField(default=1)
    needs_review = models.BooleanField(
        _("changed since the last review"),
        default=False,
        help_text=_("A published project its team edited; an editor has not seen the change yet."),
    )
    # blank: a project outlives its authors' accounts (deleting one empties these fields).
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    first_published_at = models.DateTimeField(_("first published at"), null=True, blank=True)
    is_demo = models.BooleanField(
        _("demonstration data"), default=False, help_text=_("Synthetic, for demonstrations.")
    )

    class Meta:
        ordering = ["-first_published_at", "-created_at"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        permissions = [("moderate_project", _("Can review and publish projects"))]
        constraints = [
            models.CheckConstraint(
                condition=(Q(owner_municipality__isnull=False) & Q(owner_organisation__isnull=True))
                | (Q(owner_municipality__isnull=True) & Q(owner_organisation__isnull=False)),
                name="project_one_owner",
            ),
            models.CheckConstraint(
                condition=Q(end_date__isnull=True)
                | Q(start_date__isnull=True)
                | Q(end_date__gte=models.F("start_date")),
                name="project_dates_in_order",
            ),
            models.CheckConstraint(
                condition=~Q(state="published") | Q(published_at__isnull=False),
                name="project_published_has_date",
            ),
        ]
        indexes = [
            models.Index(fields=["state", "first_published_at"]),
            models.Index(fields=["showcase", "state"]),
        ]

    def __str__(self) -> str:
        return self.title_fr

    @property
    def is_published(self) -> bool:
        return self.state == self.State.PUBLISHED

    def title_for(self, language: str) -> str:
        return (self.title_en if language == "en" else "") or self.title_fr

    def summary_for(self, language: str) -> str:
        return (self.summary_en if language == "en" else "") or self.summary_fr

    def description_for(self, language: str) -> str:
        return (self.description_en if language == "en" else "") or self.description_fr

    def lessons_for(self, language: str) -> str:
        return (self.lessons_en if language == "en" else "") or self.lessons_fr


class ProjectFunding(models.Model):
    """One source of money: the catalogue's funding facet counts these."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="fundings")
    source = models.CharField(_("funding source"), max_length=20, choices=FundingSource.choices)
    label = models.CharField(
        _("programme"),
        max_length=200,
        blank=True,
        help_text=_("For example: call “Territoire intelligent” 2023, FEDER 2021-2027."),
    )
    amount_eur = models.DecimalField(
        _("amount (EUR)"),
        max_digits=14,
        decimal_places=2,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["project", "position", "id"]
        verbose_name = _("funding")
        verbose_name_plural = _("fundings")

    def __str__(self) -> str:
        return f"{self.get_source_display()} {self.label}".strip()


class Indicator(models.Model):
    """A result the project measures: where it started, what it aims at, what it achieved."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="indicators")
    name_fr = models.CharField(_("indicator (French)"), max_length=200)
    name_en = models.CharField(_("indicator (English)"), max_length=200, blank=True)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    baseline = models.DecimalField(
        _("baseline"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    target = models.DecimalField(
        _("target"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    achieved = models.DecimalField(
        _("achieved"), max_digits=16, decimal_places=4, null=True, blank=True
    )
    measured_on = models.DateField(_("measured on"), null=True, blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["project", "position", "id"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    def __str__(self) -> str:
        return self.name_fr

    def name_for(self, language: str) -> str:
        return (self.name_en if language == "en" else "") or self.name_fr


class Location(models.Model):
    """A point on the map (WGS 84)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="locations")
    label = models.CharField(_("place"), max_length=200, blank=True)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["project", "position", "id"]
        verbose_name = _("location")
        verbose_name_plural = _("locations")
        constraints = [
            models.CheckConstraint(
                condition=Q(latitude__gte=-90, latitude__lte=90)
                & Q(longitude__gte=-180, longitude__lte=180),
                name="location_on_earth",
            )
        ]

    def __str__(self) -> str:
        return self.label or f"{self.latitude}, {self.longitude}"


def _upload_to(instance: ProjectImage | ProjectDocument, filename: str) -> str:
    # The name is ours (see uploads.py): users' file names never reach the file system.
    return f"projects/{instance.project_id}/{filename}"


class ProjectImage(models.Model):
    """A picture, re-encoded on upload (metadata stripped, size bounded)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="images")
    file = models.FileField(upload_to=_upload_to, max_length=200)
    alt_fr = models.CharField(_("description for screen readers (French)"), max_length=250)
    alt_en = models.CharField(
        _("description for screen readers (English)"), max_length=250, blank=True
    )
    credit = models.CharField(_("credit"), max_length=200, blank=True)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    position = models.PositiveSmallIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "position", "id"]
        verbose_name = _("image")
        verbose_name_plural = _("images")

    def __str__(self) -> str:
        return self.alt_fr

    def alt_for(self, language: str) -> str:
        return (self.alt_en if language == "en" else "") or self.alt_fr


class ProjectDocument(models.Model):
    """A document (PDF, office file) checked by content on upload."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(upload_to=_upload_to, max_length=200)
    title = models.CharField(_("title"), max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    position = models.PositiveSmallIntegerField(default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["project", "position", "id"]
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.title


class ProjectRevision(models.Model):
    """One recorded change: who, what (the action and a full snapshot), when, and why."""

    class Action(models.TextChoices):
        CREATED = "created", _("Created")
        UPDATED = "updated", _("Edited")
        SUBMITTED = "submitted", _("Submitted for review")
        CHANGES_REQUESTED = "changes_requested", _("Changes requested")
        PUBLISHED = "published", _("Published")
        REVIEWED = "reviewed", _("Changes reviewed")
        REJECTED = "rejected", _("Rejected")
        UNPUBLISHED = "unpublished", _("Withdrawn from publication")
        FILE_ADDED = "file_added", _("File added")
        FILE_REMOVED = "file_removed", _("File removed")

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="revisions")
    number = models.PositiveIntegerField()
    action = models.CharField(max_length=20, choices=Action.choices)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    comment = models.TextField(_("comment"), blank=True)
    snapshot = models.JSONField(default=dict)

    class Meta:
        ordering = ["project", "-number"]
        verbose_name = _("revision")
        verbose_name_plural = _("revisions")
        constraints = [
            models.UniqueConstraint(fields=["project", "number"], name="revision_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.project_id} #{self.number} {self.action}"
