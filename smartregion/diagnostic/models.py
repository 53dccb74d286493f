"""A commune's maturity self-assessments: answers saved one by one, targets, and the frozen result.

A diagnostic is a draft while the team fills it in, then submitted: its result (scores per domain,
levels, coverage) is computed once and stored, so results, peer benchmarks and the staff overview
read rows instead of re-scoring.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from smartregion.instruments.models import InstrumentVersion
from smartregion.territory.models import Municipality


class Diagnostic(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("In progress")
        SUBMITTED = "submitted", _("Submitted")

    municipality = models.ForeignKey(
        Municipality,
        on_delete=models.CASCADE,
        related_name="diagnostics",
        verbose_name=_("commune"),
    )
    instrument_version = models.ForeignKey(
        InstrumentVersion, on_delete=models.PROTECT, related_name="diagnostics"
    )
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(2000)])
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.DRAFT
    )
    horizon_year = models.PositiveSmallIntegerField(
        _("target horizon"), null=True, blank=True, help_text=_("Year by which targets are aimed.")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_demo = models.BooleanField(
        _("demonstration data"), default=False, help_text=_("Synthetic, for demonstrations.")
    )
    is_published = models.BooleanField(_("shown on the commune's public profile"), default=False)
    overall_score = models.FloatField(_("overall score"), null=True, blank=True)
    overall_level = models.PositiveSmallIntegerField(_("overall level"), null=True, blank=True)
    coverage = models.FloatField(_("coverage"), null=True, blank=True)
    result = models.JSONField(_("result"), default=dict, blank=True)

    class Meta:
        ordering = ["municipality", "-year", "-created_at"]
        verbose_name = _("diagnostic")
        verbose_name_plural = _("diagnostics")
        constraints = [
            models.UniqueConstraint(
                fields=["municipality"],
                condition=Q(status="draft"),
                name="diagnostic_one_draft_per_commune",
            ),
            models.CheckConstraint(
                condition=Q(status="draft") | Q(submitted_at__isnull=False),
                name="diagnostic_submitted_has_date",
            ),
        ]
        indexes = [models.Index(fields=["status", "instrument_version"])]

    def __str__(self) -> str:
        return f"{self.municipality} {self.year} ({self.get_status_display()})"

    @property
    def is_draft(self) -> bool:
        return self.status == self.Status.DRAFT


class DiagnosticAnswer(models.Model):
    """One answer; `revision` grows with every save so concurrent edits are detected."""

    diagnostic = models.ForeignKey(Diagnostic, on_delete=models.CASCADE, related_name="answers")
    question_code = models.CharField(max_length=60)
    value = models.JSONField(null=True, blank=True)
    revision = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["diagnostic", "question_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["diagnostic", "question_code"], name="answer_unique_question"
            )
        ]

    def __str__(self) -> str:
        return f"{self.diagnostic_id}:{self.question_code}"


class DomainTarget(models.Model):
    """The level a commune aims at in a domain by the diagnostic's horizon year."""

    diagnostic = models.ForeignKey(Diagnostic, on_delete=models.CASCADE, related_name="targets")
    dimension = models.CharField(max_length=40)
    level = models.PositiveSmallIntegerField(
        _("target level"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )

    class Meta:
        ordering = ["diagnostic", "dimension"]
        constraints = [
            models.UniqueConstraint(fields=["diagnostic", "dimension"], name="target_unique"),
            models.CheckConstraint(
                condition=Q(level__gte=1) & Q(level__lte=5), name="target_level_range"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.diagnostic_id}:{self.dimension}→{self.level}"


class DomainScore(models.Model):
    """A submitted diagnostic's score in one domain: the rows peer benchmarks aggregate."""

    diagnostic = models.ForeignKey(Diagnostic, on_delete=models.CASCADE, related_name="scores")
    dimension = models.CharField(max_length=40)
    score = models.FloatField(null=True)
    level = models.PositiveSmallIntegerField(null=True)

    class Meta:
        ordering = ["diagnostic", "dimension"]
        constraints = [
            models.UniqueConstraint(fields=["diagnostic", "dimension"], name="domain_score_unique")
        ]

    def __str__(self) -> str:
        return f"{self.diagnostic_id}:{self.dimension}={self.score}"
