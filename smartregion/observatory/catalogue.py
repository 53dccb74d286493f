"""The observatory's datasets in the platform's DCAT-AP catalogue: its provider (see
`smartregion.opendata.catalogue`), named first in ``SMARTREGION_CATALOGUE_PROVIDERS``.

One dataset per edition *revision*, not one per edition: a revision is frozen (its own checksum,
files, byte sizes and SHA-256 sums), so a harvester that copied r1 keeps a description that stays
true, and a citation of r1 still resolves after r2 appears. Revisions of an edition are linked with
`dcat:previousVersion` and `dcat:version`; every edition of a survey belongs to one
`dcat:DatasetSeries`, which is how portals group the yearly editions. Spatial coverage is the
wave's region.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.urls import reverse
from django.utils import translation

from smartregion.observatory import exports
from smartregion.observatory.models import Edition
from smartregion.opendata.catalogue import TEXT_LANGUAGES, Absolute, contact, region_location, texts
from smartregion.opendata.types import (
    ACCESS_PUBLIC,
    LANGUAGES,
    THEME_GOVERNMENT,
    THEME_REGIONS,
    THEME_TECHNOLOGY,
    DatasetInfo,
    DistributionInfo,
    LocationInfo,
    PeriodInfo,
    SeriesInfo,
    Texts,
)

N_ = translation.gettext_noop


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
    prepared = exports.edition_file_ensure(edition, download)  # the bytes the download serves
    base = dataset_uri(edition, absolute)
    return DistributionInfo(
        uri=f"{base}#{download.name}",
        format=download.format,
        access_url=_landing_page(edition, absolute),
        download_url=absolute(
            reverse("observatory_data:file", args=[edition.slug, edition.revision, download.name])
        ),
        titles=texts(download.title),
        byte_size=prepared.size,
        sha256=prepared.sha256,
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
        titles=texts(N_("Barometer of the communes: every edition")),
        descriptions=texts(
            N_("Yearly survey of the communes, estimates weighted for non-response")
        ),
    )


def _revision_notes(edition: Edition) -> Texts:
    found = {}
    for language in TEXT_LANGUAGES:
        with translation.override(language):
            found[language] = translation.gettext(
                "Revision %(revision)s, checksum %(checksum)s"
            ) % {
                "revision": edition.revision,
                "checksum": edition.checksum,
            }
    return found


def dataset(edition: Edition, absolute: Absolute, location: LocationInfo) -> DatasetInfo:
    demo = texts(N_("Demonstration data: synthetic responses.")) if edition.is_demo else {}
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


def catalogue_datasets(absolute: Absolute) -> list[DatasetInfo]:
    """One dataset per edition revision, oldest first (one query for the editions, one per region
    for its bounding box, one per file for its prepared copy, built first if it is not yet)."""
    editions = Edition.objects.select_related("wave__region").order_by("year", "slug", "revision")
    locations: dict[int, LocationInfo] = {}
    datasets = []
    for edition in editions:
        region = edition.wave.region
        if region.pk not in locations:
            locations[region.pk] = region_location(region, absolute)
        datasets.append(dataset(edition, absolute, locations[region.pk]))
    return datasets
