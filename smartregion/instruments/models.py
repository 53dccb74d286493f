"""Loaded instrument versions: the validated definition as JSON, identified by slug and version.

The YAML files under instruments/ are the source; a row is what answers will point to, so a
version with answers never changes (see services.instrument_version_load).
"""

from __future__ import annotations

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from smartregion.core.i18n import active_language

from .definition import Instrument, parse
from .registry import version_has_answers

_PARSED: dict[str, Instrument] = {}


class InstrumentVersion(models.Model):
    slug = models.SlugField(_("slug"), max_length=80)
    version = models.CharField(_("version"), max_length=40)
    definition = models.JSONField(_("definition"))
    checksum = models.CharField(
        _("checksum"),
        max_length=64,
        help_text=_("SHA-256 of the canonical JSON of the definition."),
    )
    title_fr = models.CharField(_("title (French)"), max_length=200)
    title_en = models.CharField(_("title (English)"), max_length=200)
    loaded_at = models.DateTimeField(_("loaded at"), default=timezone.now)

    class Meta:
        ordering = ["slug", "version"]
        verbose_name = _("instrument version")
        verbose_name_plural = _("instrument versions")
        constraints = [
            models.UniqueConstraint(fields=["slug", "version"], name="instrument_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.slug} {self.version}"

    @property
    def title(self) -> str:
        """The title in the page's language when the definition has it, else French."""
        titles = self.definition.get("title") if isinstance(self.definition, dict) else None
        if isinstance(titles, dict) and titles.get(active_language()):
            return str(titles[active_language()])
        return self.title_fr

    @property
    def instrument(self) -> Instrument:
        """The parsed definition, cached by checksum (parsing validates the whole file)."""
        parsed = _PARSED.get(self.checksum)
        if parsed is None:
            parsed = _PARSED[self.checksum] = parse(self.definition)
        return parsed

    def has_answers(self) -> bool:
        """Whether any app holds answers to this version (see registry.py)."""
        return self.pk is not None and version_has_answers(self)
