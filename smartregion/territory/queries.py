"""Reusable reads of the territory registry. Each runs a fixed number of queries."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, F, Max, QuerySet, Sum

from smartregion.core.i18n import active_language

from .models import Municipality, MunicipalityFigure, PopulationClass, Province, Region
from .names import fold

SORTS = {
    "name": None,  # resolved per language
    "-name": None,
    "population": "population",
    "-population": "-population",
    "area": "area_km2",
    "-area": "-area_km2",
    "refnis": "refnis",
    "-refnis": "-refnis",
}


def default_region() -> Region | None:
    return Region.objects.filter(refnis=settings.SMARTREGION["DEFAULT_REGION"]).first()


def _sort_field(language: str) -> str:
    return {"nl": "sort_nl", "de": "sort_de"}.get(language[:2], "sort_fr")


def municipalities_search(
    *,
    region: str | None = None,
    province: str | None = None,
    population_class: str | None = None,
    q: str | None = None,
    sort: str = "name",
    include_historical: bool = False,
) -> QuerySet[Municipality]:
    """Municipalities matching the filters, with what a list shows, in one query."""
    queryset = Municipality.objects.select_related("province", "region", "population_class")
    if not include_historical:
        queryset = queryset.current()
    if region:
        queryset = queryset.filter(region__refnis=region)
    if province:
        queryset = queryset.filter(province__refnis=province)
    if population_class:
        queryset = queryset.filter(population_class__code=population_class)
    for token in fold(q or "").split():
        queryset = queryset.filter(search_text__contains=token)
    name_field = _sort_field(active_language())
    order = SORTS.get(sort)
    if order is None:
        order = f"-{name_field}" if sort == "-name" else name_field
        return queryset.order_by(order, "refnis")
    # Unknown figures sort last whichever the direction.
    field = F(order.lstrip("-"))
    ordering = field.desc(nulls_last=True) if order.startswith("-") else field.asc(nulls_last=True)
    return queryset.order_by(ordering, name_field)


def provinces_of(region_refnis: str | None) -> list[Province]:
    queryset = Province.objects.all()
    if region_refnis:
        queryset = queryset.filter(region__refnis=region_refnis)
    return list(queryset)


# Words every province name carries ("Province de Liège", "Provinz Lüttich"): alone they name
# no province in particular.
PROVINCE_WORDS = frozenset({"province", "provinz", "provincie", "of", "de", "du", "d"})


def provinces_named(provinces: list[Province], q: str | None) -> list[Province]:
    """The provinces whose name, in any language, holds every word of `q` (`Lüttich`, `Luik`).

    Filters the list the page already has, so it costs no query.
    """
    tokens = [token for token in fold(q or "").split() if token not in PROVINCE_WORDS]
    if not tokens:
        return []
    found = []
    for province in provinces:
        names = " | ".join(fold(name) for name in province.search_names)
        if all(token in names for token in tokens):
            found.append(province)
    return found


def population_classes_of(region_refnis: str | None) -> list[PopulationClass]:
    queryset = PopulationClass.objects.all()
    if region_refnis:
        queryset = queryset.filter(region__refnis=region_refnis)
    return list(queryset)


def municipality_profile(refnis: str) -> Municipality | None:
    """One municipality with everything its profile page shows, in a fixed number of queries."""
    return (
        Municipality.objects.select_related("province", "region", "population_class", "boundary")
        .prefetch_related(
            "successions_as_successor__predecessor",
            "successions_as_predecessor__successor",
        )
        .filter(refnis=refnis)
        .first()
    )


@dataclass(frozen=True)
class FigureSources:
    """Which year and source the figures on a page come from, to say so beside them."""

    population_year: int | None
    population_source: str
    area_year: int | None
    area_source: str

    @property
    def has_population(self) -> bool:
        return self.population_year is not None

    @property
    def has_area(self) -> bool:
        return self.area_year is not None


def figure_sources(
    *, region: Region | None = None, municipality: Municipality | None = None
) -> FigureSources:
    """The latest population and area figures' year and source, for a region or one municipality.

    Two queries. A region's list shows each commune's latest figure: nearly always one year.
    """
    figures = MunicipalityFigure.objects.all()
    if municipality is not None:
        figures = figures.filter(municipality=municipality)
    elif region is not None:
        figures = figures.filter(
            municipality__region=region, municipality__in=Municipality.objects.current()
        )
    # Published figures before derived ones (a merged commune's sum) of the same year.
    population = (
        figures.filter(population__isnull=False)
        .order_by("-year", "derived")
        .values_list("year", "source")
        .first()
    )
    area_row = (
        figures.filter(area_km2__isnull=False)
        .order_by("-year", "derived")
        .values_list("year", "source")
        .first()
    )
    return FigureSources(
        population_year=population[0] if population else None,
        population_source=population[1] if population else "",
        area_year=area_row[0] if area_row else None,
        area_source=area_row[1] if area_row else "",
    )


def population_history(municipality: Municipality) -> list[MunicipalityFigure]:
    return list(
        MunicipalityFigure.objects.filter(
            municipality=municipality, population__isnull=False
        ).order_by("year")
    )


def neighbours_with_boundaries(municipality: Municipality) -> list[Municipality]:
    return list(
        municipality.neighbours.current()
        .select_related("boundary", "province")
        .order_by(_sort_field(active_language()))
    )


@dataclass(frozen=True)
class RegionOverview:
    region: Region | None
    municipalities: int
    provinces: int
    population: int | None
    with_boundaries: int
    population_year: int | None = None


def region_overview() -> RegionOverview:
    region = default_region()
    if region is None:
        return RegionOverview(None, 0, 0, None, 0)
    figures = (
        Municipality.objects.current()
        .filter(region=region)
        .aggregate(
            count=Count("id"),
            population=Sum("population"),
            with_boundaries=Count("boundary"),
            population_year=Max("population_year"),
        )
    )
    return RegionOverview(
        region=region,
        municipalities=figures["count"],
        provinces=Province.objects.filter(region=region).count(),
        population=figures["population"],
        with_boundaries=figures["with_boundaries"],
        population_year=figures["population_year"],
    )


def municipalities_named(names: list[str], *, region: str) -> dict[str, Municipality | None]:
    """Each name, or REFNIS code, with the current municipality of the region it names, or None.

    A name matches in any language the registry holds (accents, case and hyphens aside), so
    "Namur", "namen" and "92094" all find Namur. One query, whatever the number of names.
    """
    candidates = list(
        Municipality.objects.current()
        .in_region(region)
        .select_related("boundary")
        .order_by("refnis")
    )
    by_key: dict[str, Municipality] = {}
    for municipality in candidates:
        for key in municipality.search_text.split(" | "):
            by_key.setdefault(key, municipality)
    return {name: by_key.get(fold(name)) for name in names}
