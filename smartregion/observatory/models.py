"""Editions: frozen, published snapshots of a closed barometer wave's results.

An edition never changes once published: republishing a wave creates a new revision beside the
old one, each with its checksum, so a figure someone cited can always be found again.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from smartregion.barometer.models import Wave
from smartregion.core.i18n import active_language


class Edition(models.Model):
    wave = models.ForeignKey(Wave, on_delete=models.PROTECT, related_name="editions")
    slug = models.SlugField(_("identifier"), max_length=80)
    revision = models.PositiveSmallIntegerField(_("revision"), default=1)
    year = models.PositiveSmallIntegerField(_("year"))
    title_fr = models.CharField(_("title (French)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    published_at = models.DateTimeField(_("published at"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    is_demo = models.BooleanField(_("demonstration data"), default=False)
    methodology_fr = models.TextField(_("methodology (French)"))
    methodology_en = models.TextField(_("methodology (English)"))
    data = models.JSONField(_("results"))
    checksum = models.CharField(_("checksum (SHA-256)"), max_length=64)

    class Meta:
        ordering = ["-year", "-revision"]
        verbose_name = _("edition")
        verbose_name_plural = _("editions")
        constraints = [
            models.UniqueConstraint(fields=["slug", "revision"], name="edition_unique_revision")
        ]

    def __str__(self) -> str:
        return f"{self.slug} r{self.revision}"

    @property
    def title(self) -> str:
        return self.title_en if active_language() == "en" and self.title_en else self.title_fr

    @property
    def methodology(self) -> str:
        return self.methodology_en if active_language() == "en" else self.methodology_fr
