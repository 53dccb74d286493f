"""The platform's DCAT-AP catalogue: the datasets every provider describes, under one catalogue.

The catalogue knows no app. Each app that publishes open data (the observatory's editions, the
projects, and next the knowledge, calls and ecosystem datasets) has a provider, a function
`(absolute) -> list[DatasetInfo]`, named in the ``SMARTREGION_CATALOGUE_PROVIDERS`` setting; the
catalogue lists their datasets in the setting's order (see `providers`).

Besides the assembly, this module holds what every provider shares: the publisher and the contact
point (from settings), a region as spatial coverage, and `texts`, a message in every language the
open data is published in.

Publisher facts come from settings with defaults (`SMARTREGION["PLATFORM_NAME"]` and the optional
`SMARTREGION_PUBLISHER_NAME`, `_URL`, `_EMAIL`); spatial coverage is a region, its bounding box
taken from the imported outlines when there are any. Nothing names a region in code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from email.utils import parseaddr

from django.conf import settings
from django.db.models import Max, Min
from django.utils import translation
from django.utils.module_loading import import_string

from smartregion.opendata.types import (
    LANGUAGES,
    PUBLISHER_TYPE_ACADEMIA,
    AgentInfo,
    CatalogueInfo,
    ContactInfo,
    DatasetInfo,
    LocationInfo,
    Texts,
)
from smartregion.territory.models import Boundary, Region

N_ = translation.gettext_noop
Absolute = Callable[[str], str]
"""Turns a site path into an absolute URL (the request's scheme and host)."""

TEXT_LANGUAGES = ("fr", "en")


def texts(message: str) -> Texts:
    """A message (marked with gettext_noop) in every language it is translated into.

    English is the source; a language whose catalogue lacks the message would get the English
    text, which must not be tagged as that language (`"Estimates (CSV)"@fr`), so it is left out.
    """
    found = {}
    for language in TEXT_LANGUAGES:
        with translation.override(language):
            text = translation.gettext(message)
        if language == "en" or text != message:
            found[language] = text
    return found


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
    """The contact point; a provider may rename it for its datasets (`dataclasses.replace`)."""
    fallback = parseaddr(settings.DEFAULT_FROM_EMAIL)[1] or "contact@localhost"
    email = _setting("EMAIL", fallback) or fallback
    return ContactInfo(texts(N_("Observatory")), email)


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


Provider = Callable[[Absolute], list[DatasetInfo]]
"""A function that describes one app's open data as datasets of the catalogue."""


def providers() -> list[Provider]:
    """The functions named by the ``SMARTREGION_CATALOGUE_PROVIDERS`` setting, in its order.

    Why a setting of dotted paths rather than a registry filled in ``AppConfig.ready()``: this
    app sits below every app that publishes open data in the dependency order, so it must not
    import them, and a setting says so in one visible, greppable place: what the catalogue lists
    does not depend on import side effects or app order, a deployment can list fewer or other
    providers through the environment, and a test overrides it with ``override_settings``. A path
    that does not import fails loudly (``ImportError``) rather than silently dropping a dataset
    harvesters already know.
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


def catalogue(absolute: Absolute) -> tuple[CatalogueInfo, list[DatasetInfo]]:
    """The catalogue and its datasets, each provider's in the order of
    ``SMARTREGION_CATALOGUE_PROVIDERS``."""
    datasets = provided_datasets(absolute)
    spatial = {location.uri: location for d in datasets for location in d.spatial}
    issued, modified = _span(datasets)
    info = CatalogueInfo(
        uri=absolute("/data/catalog"),
        titles=texts(N_("Open data of the smart region platform")),
        descriptions=texts(
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
