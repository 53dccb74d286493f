"""The projects' open-data files as one dataset of the platform's DCAT-AP catalogue.

The opendata app serves the catalogue (`/data/catalog.ttl`, `.jsonld`) and lists this dataset
through the `SMARTREGION_CATALOGUE_PROVIDERS` setting, so it never imports this app.

Choices:
- One dataset, not one per project or per filter: `/data/projects.csv`, `.json` and `.geojson`
  hold every published project and change as soon as one is published, edited or withdrawn, so
  the dataset is "continuously updated" (EU frequency UPDATE_CONT) and has no version.
- Its distributions announce the size and SHA-256 of the files exactly as `/data/projects.*`
  serves them for this data version: the same stored prepared files (`exports.projects_file_ensure`
  builds them in the catalogue's task if they are not yet; same base URL rule as the file view). A
  harvester can check its download against them.
- No published project, no dataset: an empty file set is nothing to harvest.
- The dates are the projects' own: issued is the first publication of a project still published;
  modified the latest publication, edit or withdrawal; the temporal coverage runs from the
  earliest project start to its latest planned end or the last change, whichever is later.
"""

from __future__ import annotations

import dataclasses
import datetime as dt

from django.conf import settings
from django.db.models import Count, Max, Min, Q
from django.urls import reverse
from django.utils import timezone, translation

from smartregion.opendata import catalogue as opendata
from smartregion.opendata.catalogue import Absolute, texts
from smartregion.opendata.types import (
    ACCESS_PUBLIC,
    FREQUENCY_CONTINUOUS,
    LANGUAGES,
    THEME_GOVERNMENT,
    THEME_REGIONS,
    THEME_TECHNOLOGY,
    DatasetInfo,
    DistributionInfo,
    FileFormat,
    LocationInfo,
    PeriodInfo,
    Texts,
)
from smartregion.territory.models import Region

from . import exports
from .models import Project, ProjectRevision

N_ = translation.gettext_noop
IDENTIFIER = "smartregion-projects"


@dataclasses.dataclass(frozen=True)
class _File:
    fmt: str
    """The export format (`exports.EXPORT_TYPES` key) and the `projects_data` URL name."""
    format: FileFormat
    title: str
    description: str
    conforms_to: tuple[str, ...] = ()


FILES = (
    _File(
        "csv",
        FileFormat.CSV,
        N_("Smart projects, one row per project (CSV)"),
        N_(
            "UTF-8 with a byte-order mark, comma-separated; lists (communes as REFNIS codes, "
            "themes, sustainable development goals, partners, funding sources) joined with ';'."
        ),
        ("https://www.rfc-editor.org/rfc/rfc4180",),
    ),
    _File(
        "json",
        FileFormat.JSON,
        N_("Smart projects, full records (JSON)"),
        N_(
            "Every published project with its texts in French and English, communes, actors, "
            "funding, indicators and locations, after a header giving the licence and source."
        ),
    ),
    _File(
        "geojson",
        FileFormat.GEOJSON,
        N_("Smart project locations (GeoJSON)"),
        N_(
            "One point per project location (WGS 84, longitude then latitude), with the "
            "project's title, status, themes, place and a link to its page in the catalogue."
        ),
        ("https://www.rfc-editor.org/rfc/rfc7946",),
    ),
)


@dataclasses.dataclass(frozen=True)
class _Facts:
    published: int
    demo: int
    issued: dt.datetime | None
    modified: dt.datetime | None
    period: PeriodInfo | None
    """From the earliest start of a published project (its first publication when none says) to
    the latest planned end or the last change, whichever is later."""


def _facts() -> _Facts:
    """Counts and dates of the published projects (two queries)."""
    published = Q(state=Project.State.PUBLISHED)
    found = Project.objects.aggregate(
        published=Count("pk", filter=published),
        demo=Count("pk", filter=published & Q(is_demo=True)),
        issued=Min("first_published_at", filter=published),
        started=Min("start_date", filter=published),
        ended=Max("end_date", filter=published),
        last_published=Max("published_at", filter=published),
        last_updated=Max("updated_at", filter=published),
    )
    withdrawals = ProjectRevision.objects.filter(action=ProjectRevision.Action.UNPUBLISHED)
    withdrawn = withdrawals.aggregate(last=Max("created_at"))["last"]
    changes = [found["last_published"], found["last_updated"], withdrawn]
    modified = max((when for when in changes if when), default=None)
    return _Facts(
        published=found["published"],
        demo=found["demo"],
        issued=found["issued"],
        modified=modified,
        period=_period(found["started"], found["ended"], found["issued"], modified),
    )


def _period(
    started: dt.date | None,
    ended: dt.date | None,
    issued: dt.datetime | None,
    modified: dt.datetime | None,
) -> PeriodInfo | None:
    if issued is None or modified is None:
        return None
    start = min(filter(None, [started, timezone.localdate(issued)]))
    return PeriodInfo(start, max(filter(None, [ended, timezone.localdate(modified)])))


def _region(absolute: Absolute) -> list[LocationInfo]:
    region = Region.objects.filter(refnis=settings.SMARTREGION["DEFAULT_REGION"]).first()
    return [opendata.region_location(region, absolute)] if region else []


def _landing_page(absolute: Absolute) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return absolute(reverse("projects:catalogue"))


def _base_url(absolute: Absolute) -> str:
    """The address this catalogue is built for (recorded with its build request): the files it
    measures are the ones built for that address, so the bytes measured are the bytes served."""
    return absolute("/")[:-1]


def _distribution(
    file: _File, absolute: Absolute, facts: _Facts, dataset_uri: str
) -> DistributionInfo:
    prepared = exports.projects_file_ensure(file.fmt, base_url=_base_url(absolute))
    return DistributionInfo(
        uri=f"{dataset_uri}#projects.{file.fmt}",
        format=file.format,
        access_url=_landing_page(absolute),
        download_url=absolute(reverse(f"projects_data:{file.fmt}")),
        titles=texts(file.title),
        descriptions=texts(file.description),
        byte_size=prepared.size,
        sha256=prepared.sha256,
        issued=facts.issued,
        modified=facts.modified,
        conforms_to=file.conforms_to,
    )


def _demo_notice(facts: _Facts) -> Texts:
    if not facts.demo:
        return {}
    if facts.demo == facts.published:
        return texts(N_("Demonstration data: these projects are synthetic."))
    return texts(N_("Includes demonstration data: the projects marked is_demo are synthetic."))


def _descriptions(facts: _Facts) -> Texts:
    notice = _demo_notice(facts)
    body = texts(
        N_(
            "Smart projects that the communes and their partners carry out, as published in the "
            "platform's catalogue after review: titles and summaries in French and English, "
            "status, themes, sustainable development goals, communes, lead and partners, dates, "
            "budget and funding, indicators and locations. Published projects only; the files "
            "change as soon as a project is published, edited or withdrawn."
        )
    )
    return {lang: " ".join(filter(None, [notice.get(lang), text])) for lang, text in body.items()}


def catalogue_datasets(absolute: Absolute) -> list[DatasetInfo]:
    """The projects dataset with its three files, or nothing while no project is published.

    Queries: two for the counts and dates, one for the region and one for its bounding box, plus
    the files' own queries when the current data version's files are not cached yet.
    """
    facts = _facts()
    if not facts.published:
        return []
    uri = absolute("/data/projects")
    return [
        DatasetInfo(
            uri=uri,
            identifier=IDENTIFIER,
            titles=texts(N_("Smart projects of the communes")),
            descriptions=_descriptions(facts),
            distributions=[_distribution(file, absolute, facts, uri) for file in FILES],
            contact=dataclasses.replace(
                opendata.contact(), names=texts(N_("Smart projects catalogue"))
            ),
            keywords={
                "fr": ["projets", "communes", "territoire intelligent", "ville intelligente"],
                "en": ["projects", "municipalities", "smart region", "smart city"],
            },
            themes=[THEME_GOVERNMENT, THEME_REGIONS, THEME_TECHNOLOGY],
            issued=facts.issued,
            modified=facts.modified,
            temporal=facts.period,
            spatial=_region(absolute),
            landing_page=_landing_page(absolute),
            languages=[LANGUAGES["fr"], LANGUAGES["en"]],
            access_rights=ACCESS_PUBLIC,
            accrual_periodicity=FREQUENCY_CONTINUOUS,
        )
    ]
