"""Editions: frozen, published snapshots of a closed barometer wave's results.

An edition never changes once published: republishing a wave creates a new revision beside the
old one, each with its checksum, so a figure someone cited can always be found again.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from smartregion.barometer.models import Wave
from smartregion.core.i18n import TitledInLanguages, active_language


class PublishedEditions(models.Manager):
    """Editions the public may read: drafts (awaiting the analyst's review of their key findings)
    are left out of every page, file, catalogue and trend unless asked for by `with_drafts`."""

    def get_queryset(self) -> models.QuerySet:
        return super().get_queryset().filter(is_draft=False)


class Edition(TitledInLanguages, models.Model):
    wave = models.ForeignKey(Wave, on_delete=models.PROTECT, related_name="editions")
    slug = models.SlugField(_("identifier"), max_length=80)
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    year = models.PositiveSmallIntegerField(_("year"))
    title_fr = models.CharField(_("title (French)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    title_de = models.CharField(_("title (German)"), max_length=200, blank=True)
    title_nl = models.CharField(_("title (Dutch)"), max_length=200, blank=True)
    published_at = models.DateTimeField(_("published at"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_demo = models.BooleanField(_("demonstration data"), default=False)
    methodology_fr = models.TextField(_("methodology (French)"))
    methodology_en = models.TextField(_("methodology (English)"))
    data = models.JSONField(_("results"))
    checksum = models.CharField(_("checksum (SHA-256)"), max_length=64)
    is_draft = models.BooleanField(
        _("draft"),
        default=False,
        help_text=_(
            "Seen by centre staff only, until its key findings are reviewed and published."
        ),
    )

    with_drafts = models.Manager()
    objects = PublishedEditions()

    class Meta:
        default_manager_name = "objects"
        base_manager_name = "with_drafts"
        ordering = ["-year", "-revision"]
        verbose_name = _("edition")
        verbose_name_plural = _("editions")
        constraints = [
            models.UniqueConstraint(fields=["slug", "revision"], name="edition_unique_revision")
        ]

    def __str__(self) -> str:
        return f"{self.slug} r{self.revision}"

    @property
    def methodology(self) -> str:
        return self.methodology_en if active_language() == "en" else self.methodology_fr


class EditionBuild(models.Model):
    """The publication of a wave as an edition, computed by a task (`tasks.edition_build`, see
    `services.edition_build_request`): the page that asked for it follows its progress, then links
    to the edition; a failed build keeps its error for staff, who can run it again."""

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being built")
        READY = "ready", _("Done")
        FAILED = "failed", _("Failed")

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="+")
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.QUEUED)
    progress = models.PositiveSmallIntegerField(default=0, help_text=_("Percent done."))
    error = models.TextField(blank=True)
    edition = models.ForeignKey(
        Edition, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    task_result_id = models.CharField(max_length=64, blank=True)
    review = models.BooleanField(
        _("review the key findings before publishing"),
        default=False,
        help_text=_(
            "The build makes a draft edition that staff publish once they have reviewed it."
        ),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("edition build")
        verbose_name_plural = _("edition builds")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="edition_build_progress_percent"
            )
        ]

    def __str__(self) -> str:
        return f"{self.wave} ({self.get_status_display()})"

    @property
    def is_active(self) -> bool:
        return self.status in (self.Status.QUEUED, self.Status.RUNNING)
