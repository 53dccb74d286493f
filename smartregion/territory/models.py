"""Regions, provinces and municipalities, with their REFNIS codes, names, validity and figures.

A region is data: its municipalities, languages and population classes are rows, so another region
can run the same platform. Mergers are rows too (`Succession`), never code.
"""

from __future__ import annotations

import datetime as dt

from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from smartregion.core.i18n import active_language

from .names import fold, other_names, pick_name

refnis_validator = RegexValidator(
    r"^\d{5}$", _("A REFNIS code has exactly five digits, e.g. 92094.")
)


class NamedPlace(models.Model):
    """Official names in the country's languages; English only where it differs."""

    name_fr = models.CharField(_("name (French)"), max_length=120)
    name_nl = models.CharField(_("name (Dutch)"), max_length=120, blank=True)
    name_de = models.CharField(_("name (German)"), max_length=120, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=120, blank=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def names(self) -> dict[str, str]:
        return {"fr": self.name_fr, "nl": self.name_nl, "de": self.name_de, "en": self.name_en}

    @property
    def name(self) -> str:
        """The name in the active language, with the official fallbacks."""
        return pick_name(self.names, active_language())

    @property
    def search_names(self) -> list[str]:
        """Every name the place is searched by: official names, then exonyms, no repeats."""
        names = [name for name in self.names.values() if name]
        return list(dict.fromkeys([*names, *other_names(self.refnis)]))


class Region(NamedPlace):
    refnis = models.CharField(
        _("REFNIS code"), max_length=5, unique=True, validators=[refnis_validator]
    )
    languages = models.CharField(
        _("working languages"),
        max_length=20,
        default="fr",
        help_text=_("Comma-separated language codes, most used first (e.g. fr,de)."),
    )

    class Meta:
        ordering = ["refnis"]
        verbose_name = _("region")
        verbose_name_plural = _("regions")


class Province(NamedPlace):
    refnis = models.CharField(
        _("REFNIS code"), max_length=5, unique=True, validators=[refnis_validator]
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="provinces", verbose_name=_("region")
    )

    class Meta:
        ordering = ["refnis"]
        verbose_name = _("province")
        verbose_name_plural = _("provinces")


class PopulationClass(models.Model):
    """A size band used to compare like with like (barometer strata, peer groups)."""

    region = models.ForeignKey(
        Region,
        on_delete=models.CASCADE,
        related_name="population_classes",
        verbose_name=_("region"),
    )
    code = models.SlugField(_("code"), max_length=20)
    label_fr = models.CharField(_("label (French)"), max_length=80)
    label_en = models.CharField(_("label (English)"), max_length=80, blank=True)
    label_de = models.CharField(_("label (German)"), max_length=80, blank=True)
    label_nl = models.CharField(_("label (Dutch)"), max_length=80, blank=True)
    min_population = models.PositiveIntegerField(_("from (inclusive)"), default=0)
    max_population = models.PositiveIntegerField(
        _("up to (exclusive)"), null=True, blank=True, help_text=_("Empty for the top class.")
    )

    class Meta:
        ordering = ["region", "min_population"]
        verbose_name = _("population class")
        verbose_name_plural = _("population classes")
        constraints = [
            models.UniqueConstraint(fields=["region", "code"], name="population_class_unique_code"),
            models.CheckConstraint(
                condition=Q(max_population__isnull=True)
                | Q(max_population__gt=models.F("min_population")),
                name="population_class_bounds_ordered",
            ),
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        return pick_name(
            {"fr": self.label_fr, "en": self.label_en, "de": self.label_de, "nl": self.label_nl},
            active_language(),
        )

    def contains(self, population: int) -> bool:
        return population >= self.min_population and (
            self.max_population is None or population < self.max_population
        )


class MunicipalityQuerySet(models.QuerySet["Municipality"]):
    def current(self, on: dt.date | None = None) -> MunicipalityQuerySet:
        """Municipalities that exist on a day (today by default)."""
        day = on or dt.date.today()
        return self.filter(
            Q(valid_from__isnull=True) | Q(valid_from__lte=day),
            Q(valid_until__isnull=True) | Q(valid_until__gte=day),
        )

    def in_region(self, refnis: str) -> MunicipalityQuerySet:
        return self.filter(region__refnis=refnis)


class Municipality(NamedPlace):
    refnis = models.CharField(
        _("REFNIS code"), max_length=5, unique=True, validators=[refnis_validator]
    )
    region = models.ForeignKey(
        Region, on_delete=models.PROTECT, related_name="municipalities", verbose_name=_("region")
    )
    province = models.ForeignKey(
        Province,
        on_delete=models.PROTECT,
        related_name="municipalities",
        null=True,
        blank=True,
        verbose_name=_("province"),
        help_text=_("Empty where the region has no provinces (Brussels-Capital)."),
    )
    valid_from = models.DateField(_("valid from"), null=True, blank=True)
    valid_until = models.DateField(_("valid until"), null=True, blank=True)
    contact_email = models.EmailField(
        _("contact email"),
        blank=True,
        help_text=_("The commune's address for the centre's surveys and news."),
    )
    # Latest known figures, kept in step with MunicipalityFigure by the services, so that lists
    # filter, sort and show them without a per-row query.
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    population_year = models.PositiveSmallIntegerField(_("population year"), null=True, blank=True)
    area_km2 = models.DecimalField(
        _("area (km²)"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    population_class = models.ForeignKey(
        PopulationClass,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="municipalities",
        verbose_name=_("population class"),
    )
    # Folded (accent- and case-free) names: accent-insensitive search and sorting on any database.
    search_text = models.CharField(max_length=500, blank=True, editable=False, db_index=True)
    sort_fr = models.CharField(max_length=120, blank=True, editable=False, db_index=True)
    sort_nl = models.CharField(max_length=120, blank=True, editable=False, db_index=True)
    sort_de = models.CharField(max_length=120, blank=True, editable=False, db_index=True)
    neighbours = models.ManyToManyField("self", blank=True, verbose_name=_("neighbours"))

    objects = MunicipalityQuerySet.as_manager()

    class Meta:
        ordering = ["name_fr"]
        verbose_name = _("municipality")
        verbose_name_plural = _("municipalities")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_from__isnull=True)
                | Q(valid_until__isnull=True)
                | Q(valid_until__gte=models.F("valid_from")),
                name="municipality_validity_ordered",
            ),
        ]

    @property
    def density(self) -> float | None:
        if self.population is None or not self.area_km2:
            return None
        return self.population / float(self.area_km2)

    def refresh_search_fields(self) -> None:
        """Recompute the folded names from the official names and exonyms (call before saving)."""
        folded = {code: fold(name) for code, name in self.names.items() if name}
        self.sort_fr = folded.get("fr", "")
        self.sort_nl = folded.get("nl") or self.sort_fr
        self.sort_de = folded.get("de") or self.sort_fr
        searched = {fold(name) for name in self.search_names}
        self.search_text = " | ".join([*sorted(searched), self.refnis])

    def is_current(self, on: dt.date | None = None) -> bool:
        day = on or dt.date.today()
        return (self.valid_from is None or self.valid_from <= day) and (
            self.valid_until is None or day <= self.valid_until
        )


class Succession(models.Model):
    """One predecessor → successor link of a merger, split or renumbering, on a date."""

    predecessor = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="successions_as_predecessor"
    )
    successor = models.ForeignKey(
        Municipality, on_delete=models.CASCADE, related_name="successions_as_successor"
    )
    date = models.DateField(_("date"))

    class Meta:
        ordering = ["date", "successor__refnis", "predecessor__refnis"]
        verbose_name = _("succession")
        verbose_name_plural = _("successions")
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"], name="succession_unique_pair"
            ),
            models.CheckConstraint(
                condition=~Q(predecessor=models.F("successor")), name="succession_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor.refnis} → {self.successor.refnis} ({self.date})"


class MunicipalityFigure(models.Model):
    """A municipality's population and area on 1 January of a year, with its source."""

    municipality = models.ForeignKey(Municipality, on_delete=models.CASCADE, related_name="figures")
    year = models.PositiveSmallIntegerField(_("year"), validators=[MinValueValidator(1800)])
    population = models.PositiveIntegerField(_("population"), null=True, blank=True)
    area_km2 = models.DecimalField(
        _("area (km²)"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    source = models.CharField(_("source"), max_length=200, blank=True)
    derived = models.BooleanField(
        _("derived"),
        default=False,
        help_text=_("Summed from predecessors rather than published for this code."),
    )

    class Meta:
        ordering = ["municipality", "year"]
        verbose_name = _("municipal figure")
        verbose_name_plural = _("municipal figures")
        constraints = [
            models.UniqueConstraint(fields=["municipality", "year"], name="figure_unique_year"),
        ]

    def __str__(self) -> str:
        return f"{self.municipality_id} {self.year}: {self.population}"


class Boundary(models.Model):
    """A municipality's outline in WGS84, simplified for the web."""

    municipality = models.OneToOneField(
        Municipality, on_delete=models.CASCADE, related_name="boundary"
    )
    geometry = models.JSONField(_("geometry (GeoJSON, WGS84)"))
    min_lon = models.FloatField()
    min_lat = models.FloatField()
    max_lon = models.FloatField()
    max_lat = models.FloatField()
    centroid_lon = models.FloatField()
    centroid_lat = models.FloatField()
    source = models.CharField(_("source"), max_length=200, blank=True)
    derived = models.BooleanField(
        _("derived"), default=False, help_text=_("Dissolved from the predecessors' outlines.")
    )
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("boundary")
        verbose_name_plural = _("boundaries")

    def __str__(self) -> str:
        return f"boundary of {self.municipality_id}"
