"""Territory routes of the public API (`/api/v1/municipalities/`)."""

from __future__ import annotations

from decimal import Decimal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from smartregion.core.api_errors import Errors, Message

from . import queries
from .models import Municipality

router = Router(tags=["territory"])
# Far past the last municipality of any region, and within every database's integers.
MAX_OFFSET = 100_000


class Names(Schema):
    fr: str
    nl: str | None = None
    de: str | None = None
    en: str | None = None


class ProvinceOut(Schema):
    refnis: str
    names: Names


class MunicipalityOut(Schema):
    refnis: str = Field(
        ..., description="Statbel REFNIS (NIS) code, five digits", examples=["92094"]
    )
    names: Names
    region: str = Field(..., description="REFNIS code of the region")
    province: ProvinceOut | None
    population: int | None = Field(None, description="Latest known population (1 January)")
    population_year: int | None
    area_km2: Decimal | None
    population_class: str | None = Field(None, description="Code of the population class")
    valid_from: str | None
    valid_until: str | None


class MunicipalityPage(Schema):
    count: int
    limit: int
    offset: int
    items: list[MunicipalityOut]


class MunicipalityFilters(Schema):
    region: str | None = Field(None, pattern=r"^\d{5}$", description="Region REFNIS, e.g. 03000")
    province: str | None = Field(None, pattern=r"^\d{5}$", description="Province REFNIS")
    q: str | None = Field(None, max_length=100, description="Name in any language, or code")
    population_class: str | None = Field(None, max_length=20)
    sort: str = Field("name", pattern=r"^-?(name|population|area|refnis)$")
    include_historical: bool = Field(False, description="Include municipalities merged away")
    limit: int = Field(100, ge=1, le=1000)
    offset: int = Field(0, ge=0, le=MAX_OFFSET)


def _names(place: object) -> Names:
    return Names(
        fr=place.name_fr,
        nl=place.name_nl or None,
        de=place.name_de or None,
        en=place.name_en or None,
    )


def serialize(municipality: Municipality) -> MunicipalityOut:
    province = municipality.province
    return MunicipalityOut(
        refnis=municipality.refnis,
        names=_names(municipality),
        region=municipality.region.refnis,
        province=ProvinceOut(refnis=province.refnis, names=_names(province)) if province else None,
        population=municipality.population,
        population_year=municipality.population_year,
        area_km2=municipality.area_km2,
        population_class=municipality.population_class.code
        if municipality.population_class
        else None,
        valid_from=municipality.valid_from.isoformat() if municipality.valid_from else None,
        valid_until=municipality.valid_until.isoformat() if municipality.valid_until else None,
    )


@router.get("/", response={200: MunicipalityPage, 422: Errors}, summary="List municipalities")
def list_municipalities(request: HttpRequest, filters: Query[MunicipalityFilters]) -> dict:
    queryset = queries.municipalities_search(
        region=filters.region,
        province=filters.province,
        population_class=filters.population_class,
        q=filters.q,
        sort=filters.sort,
        include_historical=filters.include_historical,
    )
    page = queryset[filters.offset : filters.offset + filters.limit]
    return {
        "count": queryset.count(),
        "limit": filters.limit,
        "offset": filters.offset,
        "items": [serialize(municipality) for municipality in page],
    }


@router.get(
    "/{refnis}/",
    response={200: MunicipalityOut, 404: Message, 422: Errors},
    summary="One municipality by REFNIS code",
)
def get_municipality(request: HttpRequest, refnis: str) -> MunicipalityOut:
    municipality = queries.municipality_profile(refnis)
    if municipality is None:
        raise HttpError(404, _("No municipality has the REFNIS code %(code)s.") % {"code": refnis})
    return serialize(municipality)
