"""Barometer survey waves: the population of communes at a date, one invitation and at most one
response per commune, answers saved one by one, frozen when the wave closes."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from smartregion.core.i18n import TitledInLanguages
from smartregion.instruments.models import InstrumentVersion
from smartregion.territory.models import Municipality, PopulationClass, Province, Region


class Wave(TitledInLanguages, models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Being prepared")
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    title_fr = models.CharField(_("title (French)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200, blank=True)
    title_de = models.CharField(_("title (German)"), max_length=200, blank=True)
    title_nl = models.CharField(_("title (Dutch)"), max_length=200, blank=True)
    year = models.PositiveSmallIntegerField(_("year"))
    instrument_version = models.ForeignKey(
        InstrumentVersion,
        on_delete=models.PROTECT,
        related_name="waves",
        verbose_name=_("questionnaire"),
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="waves", verbose_name=_("region")
    )
    population_date = models.DateField(
        _("population on"), help_text=_("The communes that exist on this day form the population.")
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.DRAFT)
    opened_at = models.DateTimeField(null=True, blank=True)
    closes_on = models.DateField(_("closes on"), null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    reminder_days = models.JSONField(
        _("reminders (days after opening)"),
        default=list,
        blank=True,
        help_text=_("E.g. [14, 28]: non-respondents get a reminder on these days."),
    )
    is_demo = models.BooleanField(_("demonstration data"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-year", "-created_at"]
        verbose_name = _("survey wave")
        verbose_name_plural = _("survey waves")

    def __str__(self) -> str:
        return self.title_fr

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


class WaveMember(models.Model):
    """A commune of the wave's population, with its stratum as it was when the wave opened."""

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="members")
    municipality = models.ForeignKey(Municipality, on_delete=models.PROTECT, related_name="+")
    province = models.ForeignKey(
        Province, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    population_class = models.ForeignKey(
        PopulationClass, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    population = models.PositiveIntegerField(null=True, blank=True)
    email = models.EmailField(_("contact email"), blank=True)
    # With the site's secret key, the seed gives back the commune's link, so staff can copy or
    # export it and members can open it from their space; the token itself is never stored.
    link_seed = models.CharField(max_length=64, blank=True, editable=False)
    invited_at = models.DateTimeField(null=True, blank=True)
    reminders_sent = models.PositiveSmallIntegerField(default=0)
    last_reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["wave", "municipality__name_fr"]
        constraints = [
            models.UniqueConstraint(fields=["wave", "municipality"], name="wave_member_unique")
        ]

    def __str__(self) -> str:
        return f"{self.wave_id}:{self.municipality_id}"


class WaveLink(models.Model):
    """An emailed link to a member's questionnaire; only the token's hash is kept.

    A reminder mails a new link (the token cannot be recovered from its hash); earlier links keep
    working, so a respondent who is mid-way is never locked out.
    """

    member = models.ForeignKey(WaveMember, on_delete=models.CASCADE, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"link for {self.member_id}"


class Response(models.Model):
    class Status(models.TextChoices):
        IN_PROGRESS = "in_progress", _("In progress")
        SUBMITTED = "submitted", _("Submitted")

    wave = models.ForeignKey(Wave, on_delete=models.CASCADE, related_name="responses")
    member = models.OneToOneField(WaveMember, on_delete=models.CASCADE, related_name="response")
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.IN_PROGRESS)
    respondent_name = models.CharField(_("your name"), max_length=120, blank=True)
    respondent_role = models.CharField(_("your role"), max_length=120, blank=True)
    started_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["wave", "member"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status="in_progress") | Q(submitted_at__isnull=False),
                name="response_submitted_has_date",
            )
        ]

    def __str__(self) -> str:
        return f"{self.wave_id}:{self.member_id} ({self.status})"


class ResponseAnswer(models.Model):
    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="answers")
    question_code = models.CharField(max_length=60)
    value = models.JSONField(null=True, blank=True)
    revision = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["response", "question_code"]
        constraints = [
            models.UniqueConstraint(
                fields=["response", "question_code"], name="response_answer_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.response_id}:{self.question_code}"
