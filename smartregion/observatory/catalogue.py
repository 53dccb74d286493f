"""The DCAT-AP catalogue of published editions, as `dcat` dataclasses.

One dataset per edition *revision*, not one per edition: a revision is frozen (its own checksum,
files, byte sizes and SHA-256 sums), so a harvester that copied r1 keeps a description that stays
true, and a citation of r1 still resolves after r2 appears. Revisions of an edition are linked with
`dcat:previousVersion` and `dcat:version`; every edition of a survey belongs to one
`dcat:DatasetSeries`, which is how portals group the yearly editions.

Other apps describe their own open data through providers (`provided_datasets`): the catalogue
is the platform's, while this app stays below them in the dependency order and imports none.

Publisher facts come from settings with defaults (`SMARTREGION["PLATFORM_NAME"]` and the optional
`SMARTREGION_PUBLISHER_NAME`, `_URL`, `_EMAIL`); spatial coverage is the wave's region, its
bounding box taken from the imported outlines when there are any. Nothing names a region in code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from email.utils import parseaddr

from django.conf import settings
from django.db.models import Max, Min
from django.urls import reverse
from django.utils import translation
from django.utils.module_loading import import_string

from smartregion.observatory import exports
from smartregion.observatory.models import Edition
from smartregion.observatory.opendata_types import (
    ACCESS_PUBLIC,
    LANGUAGES,
    PUBLISHER_TYPE_ACADEMIA,
    THEME_GOVERNMENT,
    THEME_REGIONS,
    THEME_TECHNOLOGY,
    AgentInfo,
    CatalogueInfo,
    ContactInfo,
    DatasetInfo,
    DistributionInfo,
    LocationInfo,
    PeriodInfo,
    SeriesInfo,
    Texts,
)
from smartregion.territory.models import Boundary, Region

N_ = translation.gettext_noop
Absolute = Callable[[str], str]
"""Turns a site path into an absolute URL (the request's scheme and host)."""


def _setting(name: str, default: str | None) -> str | None:
    return getattr(settings, f"SMARTREGION_PUBLISHER_{name}", None) or default


def publisher(absolute: Absolute) -> AgentInfo:
    name = _setting("NAME", settings.SMARTREGION.get("PLATFORM_NAME", "Smart Region"))
    return AgentInfo(
        uri=absolute("/#publisher"),
        names={"fr": name, "en": name},
        type=PUBLISHER_TYPE_ACADEMIA,
        homepage=_setting("URL", absolute("/")),
        email=_setting("EMAIL", None),
    )


def contact() -> ContactInfo:
    fallback = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "contact@localhost"
    email = _setting("EMAIL", fallback) or fallback
    return ContactInfo(exports.texts(N_("Observatory")), email)


def region_location(region: Region, absolute: Absolute) -> LocationInfo:
    """The region as spatial coverage, with the bounding box of its imported outlines if any."""
    box = Boundary.objects.filter(municipality__region=region).aggregate(
        min_lon=Min("min_lon"),
        min_lat=Min("min_lat"),
        max_lon=Max("max_lon"),
        max_lat=Max("max_lat"),
    )
    bbox = centroid = None
    if box["min_lon"] is not None:
        w, s, e, n = box["min_lon"], box["min_lat"], box["max_lon"], box["max_lat"]
        bbox = f"POLYGON(({w} {s},{e} {s},{e} {n},{w} {n},{w} {s}))"
        centroid = f"POINT({(w + e) / 2} {(s + n) / 2})"
    return LocationInfo(
        uri=absolute(f"/data/regions/{region.refnis}"),
        labels={"fr": region.name_fr, "en": region.name_en or region.name_fr},
        bbox_wkt=bbox,
        centroid_wkt=centroid,
    )


def dataset_uri(edition: Edition, absolute: Absolute) -> str:
    return absolute(f"/data/editions/{edition.slug}/r{edition.revision}")


def _landing_page(edition: Edition, absolute: Absolute) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return absolute(
            reverse("observatory:edition-revision", args=[edition.slug, edition.revision])
        )


def _distribution(
    edition: Edition, download: exports.Download, absolute: Absolute
) -> DistributionInfo:
    content = exports.file_bytes(edition, download)
    base = dataset_uri(edition, absolute)
    return DistributionInfo(
        uri=f"{base}#{download.name}",
        format=download.format,
        access_url=_landing_page(edition, absolute),
        download_url=absolute(
            reverse("opendata:file", args=[edition.slug, edition.revision, download.name])
        ),
        titles=exports.texts(download.title),
        byte_size=len(content),
        sha256=exports.opendata.sha256_hex(content),
        issued=edition.published_at,
        conforms_to=(
            ["https://datapackage.org/standard/data-package/"]
            if download.name in ("package.zip", "datapackage.json")
            else []
        ),
    )


def _series(edition: Edition, absolute: Absolute) -> SeriesInfo:
    instrument = edition.data["instrument"]["slug"]
    return SeriesInfo(
        uri=absolute(f"/data/series/{instrument}"),
        titles=exports.texts(N_("Barometer of the communes: every edition")),
        descriptions=exports.texts(
            N_("Yearly survey of the communes, estimates weighted for non-response")
        ),
    )


def _revision_notes(edition: Edition) -> Texts:
    found = {}
    for language in exports.TEXT_LANGUAGES:
        with translation.override(language):
            found[language] = translation.gettext(
                "Revision %(revision)s, checksum %(checksum)s"
            ) % {
                "revision": edition.revision,
                "checksum": edition.checksum,
            }
    return found


def dataset(edition: Edition, absolute: Absolute, location: LocationInfo) -> DatasetInfo:
    demo = exports.texts(N_("Demonstration data: synthetic responses.")) if edition.is_demo else {}
    descriptions = {
        "fr": " ".join(filter(None, [demo.get("fr"), edition.methodology_fr.split("\n\n", 1)[0]])),
        "en": " ".join(filter(None, [demo.get("en"), edition.methodology_en.split("\n\n", 1)[0]])),
    }
    previous = (
        absolute(f"/data/editions/{edition.slug}/r{edition.revision - 1}")
        if edition.revision > 1
        else None
    )
    return DatasetInfo(
        uri=dataset_uri(edition, absolute),
        identifier=f"{edition.slug}-r{edition.revision}",
        titles={"fr": edition.title_fr, "en": edition.title_en or edition.title_fr},
        descriptions=descriptions,
        distributions=[
            _distribution(edition, download, absolute) for download in exports.DOWNLOADS.values()
        ],
        contact=contact(),
        keywords={
            "fr": ["baromètre", "communes", "territoire intelligent"],
            "en": ["barometer", "municipalities", "smart region"],
        },
        themes=[THEME_GOVERNMENT, THEME_REGIONS, THEME_TECHNOLOGY],
        issued=edition.published_at,
        modified=edition.published_at,
        temporal=PeriodInfo(dt.date(edition.year, 1, 1), dt.date(edition.year, 12, 31)),
        spatial=[location],
        landing_page=_landing_page(edition, absolute),
        version=f"{edition.year}.{edition.revision}",
        version_notes=_revision_notes(edition),
        languages=[LANGUAGES["fr"], LANGUAGES["en"]],
        access_rights=ACCESS_PUBLIC,
        series=_series(edition, absolute),
        previous_version_uri=previous,
    )


Provider = Callable[[Absolute], list[DatasetInfo]]
"""A function that describes one app's open data as datasets of the catalogue."""


def providers() -> list[Provider]:
    """The functions named by the ``SMARTREGION_CATALOGUE_PROVIDERS`` setting, in its order.

    Why a setting of dotted paths rather than a registry filled in ``AppConfig.ready()``: the
    observatory sits below the projects app (and any later one) in the dependency order, so it
    must not import them, and a setting says so in one visible, greppable place: what the
    catalogue lists does not depend on import side effects or app order, a deployment can list
    fewer or other providers through the environment, and a test overrides it with
    ``override_settings``. A path that does not import fails loudly (``ImportError``) rather than
    silently dropping a dataset harvesters already know.
    """
    paths = getattr(settings, "SMARTREGION_CATALOGUE_PROVIDERS", ())
    return [import_string(path) for path in paths]


def provided_datasets(absolute: Absolute) -> list[DatasetInfo]:
    return [dataset for provider in providers() for dataset in provider(absolute)]


def _instant(value: dt.date | dt.datetime) -> dt.datetime:
    """Dates and datetimes on one comparable scale (a date counts from its midnight, UTC)."""
    if isinstance(value, dt.datetime):
        return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
    return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)


def _span(datasets: list[DatasetInfo]) -> tuple[dt.date | dt.datetime | None, ...]:
    """The catalogue's issue date (its first dataset's) and modification date (its latest)."""
    issued = [d.issued for d in datasets if d.issued]
    modified = [d.modified or d.issued for d in datasets if d.modified or d.issued]
    return (
        min(issued, key=_instant) if issued else None,
        max(modified, key=_instant) if modified else None,
    )


def _edition_datasets(absolute: Absolute) -> list[DatasetInfo]:
    """One dataset per edition revision, oldest first (one query for the editions, one per region
    for its bounding box; the files come from the cache after the first build)."""
    editions = Edition.objects.select_related("wave__region").order_by("year", "slug", "revision")
    locations: dict[int, LocationInfo] = {}
    datasets = []
    for edition in editions:
        region = edition.wave.region
        if region.pk not in locations:
            locations[region.pk] = region_location(region, absolute)
        datasets.append(dataset(edition, absolute, locations[region.pk]))
    return datasets


def catalogue(absolute: Absolute) -> tuple[CatalogueInfo, list[DatasetInfo]]:
    """The catalogue and its datasets: the observatory's editions, oldest first, then each
    provider's datasets in the order of ``SMARTREGION_CATALOGUE_PROVIDERS``."""
    datasets = _edition_datasets(absolute) + provided_datasets(absolute)
    spatial = {location.uri: location for d in datasets for location in d.spatial}
    issued, modified = _span(datasets)
    info = CatalogueInfo(
        uri=absolute("/data/catalog"),
        titles=exports.texts(N_("Open data of the smart region platform")),
        descriptions=exports.texts(
            N_(
                "Open data published by the platform: the editions of the barometer of the "
                "communes (estimates, trends, response rates) and the smart projects of the "
                "communes, as published in its catalogue"
            )
        ),
        publisher=publisher(absolute),
        homepage=absolute("/"),
        issued=issued,
        modified=modified,
        languages=[LANGUAGES["fr"], LANGUAGES["en"]],
        spatial=list(spatial.values()),
    )
    return info, datasets
