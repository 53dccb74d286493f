"""The knowledge app's open data: the glossary (SKOS) and the listed resources (CSV, JSON),
two datasets of the platform's DCAT-AP catalogue (named in `SMARTREGION_CATALOGUE_PROVIDERS`).

Choices:
- Live datasets, like the projects': the files change as soon as a term or a resource does, so
  they are "continuously updated" and carry no version.
- The files are small (hundreds of rows), so they are built on request and kept in the shared
  cache under the data version (`core.pagecache`), keyed by the base URL their links use: the
  catalogue measures the very bytes `/data/…` serves (size and SHA-256), in any process.
- Listed resources only (published or needing review); drafts and archived ones stay out. The
  resource file holds metadata and summaries, not the full texts (those are on the pages).
- No published term (or no listed resource), no dataset: an empty file is nothing to harvest.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import io
import json
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Max, Min, Q
from django.urls import reverse
from django.utils import timezone, translation

from smartregion.core.pagecache import data_version
from smartregion.core.spreadsheet import csv_writer
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
)
from smartregion.territory.models import Region

from . import skos
from .models import GlossaryTerm, Resource

N_ = translation.gettext_noop
GLOSSARY_IDENTIFIER = "smartregion-glossary"
RESOURCES_IDENTIFIER = "smartregion-knowledge-resources"
CONTENT_LANGUAGES = ("fr", "en", "de", "nl")
BOM = "\ufeff"
CACHE_TTL = 24 * 3600
RESOURCE_TYPES = {"csv": "text/csv; charset=utf-8", "json": "application/json"}
CSV_HEADER = [
    "slug",
    "kind",
    *(f"title_{lang}" for lang in CONTENT_LANGUAGES),
    *(f"summary_{lang}" for lang in CONTENT_LANGUAGES),
    "themes",
    "domains",
    "levels",
    "audience",
    "licence",
    "url",
    "updated",
]
SKOS_REFERENCE = "http://www.w3.org/TR/skos-reference/"
RFC_4180 = "https://www.rfc-editor.org/rfc/rfc4180"


def resource_url(slug: str, base_url: str, language: str = "fr") -> str:
    """The resource's page (`knowledge:resource`, /<lang>/knowledge/<slug>/ by the contract)."""
    with translation.override(language):
        path = reverse("knowledge:resource", kwargs={"slug": slug})
    return base_url + path


def _listed() -> Any:
    return Resource.objects.filter(state__in=Resource.LISTED_STATES).order_by("slug")


def resource_record(resource: Resource, base_url: str) -> dict[str, Any]:
    return {
        "slug": resource.slug,
        "kind": resource.kind,
        "title": {lang: getattr(resource, f"title_{lang}") or "" for lang in CONTENT_LANGUAGES},
        "summary": {lang: getattr(resource, f"summary_{lang}") or "" for lang in CONTENT_LANGUAGES},
        "themes": list(resource.themes),
        "domains": list(resource.domains),
        "levels": list(resource.levels),
        "audience": list(resource.audiences),
        "licence": resource.licence,
        "url": resource_url(resource.slug, base_url),
        "updated": resource.updated_at.isoformat(timespec="seconds"),
    }


def resources_csv(records: list[dict[str, Any]]) -> str:
    """One row per resource; lists joined with ';'; safe to open in a spreadsheet."""
    buffer = io.StringIO()
    writer = csv_writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_HEADER)
    for record in records:
        writer.writerow(
            [
                record["slug"],
                record["kind"],
                *(record["title"][lang] for lang in CONTENT_LANGUAGES),
                *(record["summary"][lang] for lang in CONTENT_LANGUAGES),
                ";".join(record["themes"]),
                ";".join(record["domains"]),
                ";".join(str(level) for level in record["levels"]),
                ";".join(record["audience"]),
                record["licence"],
                record["url"],
                record["updated"],
            ]
        )
    return BOM + buffer.getvalue()


def resources_json(records: list[dict[str, Any]], base_url: str) -> str:
    modified = max((record["updated"] for record in records), default=None)
    document = {
        "title": "Knowledge resources",
        "publisher": settings.SMARTREGION["PLATFORM_NAME"],
        "source": base_url + "/",
        "modified": modified,
        "count": len(records),
        "resources": records,
    }
    return json.dumps(document, ensure_ascii=False, indent=1)


@dataclasses.dataclass(frozen=True)
class DataFile:
    content: bytes
    size: int
    sha256: str
    modified: dt.datetime | None
    count: int


def _key(name: str, base_url: str) -> str:
    digest = hashlib.sha256(base_url.encode()).hexdigest()[:16]
    return f"knowledge:data-file:{name}:{data_version()}:{digest}"


def resources_file(fmt: str, *, base_url: str) -> DataFile:
    """The listed resources as "csv" or "json" (one query when not cached)."""
    key = _key(f"resources.{fmt}", base_url)
    found = cache.get(key)
    if found is None:
        resources = list(_listed())
        records = [resource_record(resource, base_url) for resource in resources]
        text = resources_csv(records) if fmt == "csv" else resources_json(records, base_url)
        content = text.encode("utf-8")
        modified = max((r.updated_at for r in resources), default=None)
        digest = hashlib.sha256(content).hexdigest()
        found = DataFile(content, len(content), digest, modified, len(records))
        cache.set(key, found, CACHE_TTL)
    return found


# ---------------------------------------------------------------------------------------------
# The catalogue's datasets
# ---------------------------------------------------------------------------------------------


def _base_url(absolute: Absolute) -> str:
    return absolute("/")[:-1]


def _landing_page(absolute: Absolute, name: str) -> str:
    with translation.override(settings.LANGUAGE_CODE):
        return absolute(reverse(name))


@dataclasses.dataclass(frozen=True)
class _File:
    name: str
    """The file's name under /data/ and the `knowledge_data` URL name's suffix."""
    format: FileFormat
    title: str
    description: str
    standard: str


GLOSSARY_FILES = (
    _File(
        "glossary-ttl",
        FileFormat.RDF_TURTLE,
        N_("Glossary as a SKOS concept scheme (Turtle)"),
        N_(
            "One skos:Concept per published term with its labels, synonyms and definitions "
            "tagged by language, related terms, sources and EuroVoc match."
        ),
        SKOS_REFERENCE,
    ),
    _File(
        "glossary-jsonld",
        FileFormat.JSON_LD,
        N_("Glossary as a SKOS concept scheme (JSON-LD)"),
        N_("The same concept scheme as the Turtle file, in JSON-LD compacted with a context."),
        SKOS_REFERENCE,
    ),
)
RESOURCE_FILES = (
    _File(
        "resources-csv",
        FileFormat.CSV,
        N_("Knowledge resources, one row per resource (CSV)"),
        N_(
            "UTF-8 with a byte-order mark, comma-separated; titles and summaries in French, "
            "English, German and Dutch; lists (themes, domains, levels, audience) joined with ';'."
        ),
        RFC_4180,
    ),
    _File(
        "resources-json",
        FileFormat.JSON,
        N_("Knowledge resources (JSON)"),
        N_("Every listed resource as a record, after a header giving the source and the date."),
        "https://www.rfc-editor.org/rfc/rfc8259",
    ),
)


def _distribution(
    absolute: Absolute, dataset_uri: str, file: _File, built: Any, landing: str
) -> DistributionInfo:
    return DistributionInfo(
        uri=f"{dataset_uri}#{file.name.replace('-', '.')}",
        format=file.format,
        access_url=landing,
        download_url=absolute(reverse(f"knowledge_data:{file.name}")),
        titles=texts(file.title),
        descriptions=texts(file.description),
        byte_size=built.size,
        sha256=built.sha256,
        modified=built.modified,
        conforms_to=(file.standard,),
    )


def _region(absolute: Absolute) -> list[LocationInfo]:
    region = Region.objects.filter(refnis=settings.SMARTREGION["DEFAULT_REGION"]).first()
    return [opendata.region_location(region, absolute)] if region else []


def _period(model: Any, listed: Q) -> tuple[dt.datetime | None, PeriodInfo | None]:
    """The first item's creation, and the period from it to the latest change (one query)."""
    found = model.objects.filter(listed).aggregate(start=Min("created_at"), end=Max("updated_at"))
    if found["start"] is None or found["end"] is None:
        return found["start"], None
    start, end = timezone.localdate(found["start"]), timezone.localdate(found["end"])
    return found["start"], PeriodInfo(min(start, end), end)


def _dataset(absolute: Absolute, **fields: Any) -> DatasetInfo:
    return DatasetInfo(
        spatial=_region(absolute),
        contact=dataclasses.replace(opendata.contact(), names=texts(N_("Knowledge base"))),
        themes=[THEME_GOVERNMENT, THEME_REGIONS, THEME_TECHNOLOGY],
        languages=[LANGUAGES["fr"], LANGUAGES["en"]],
        access_rights=ACCESS_PUBLIC,
        accrual_periodicity=FREQUENCY_CONTINUOUS,
        **fields,
    )


def glossary_dataset(absolute: Absolute) -> DatasetInfo | None:
    base_url = _base_url(absolute)
    turtle = skos.glossary_file("ttl", base_url=base_url)
    if not turtle.count:
        return None
    jsonld = skos.glossary_file("jsonld", base_url=base_url)
    uri = absolute("/data/glossary-dataset")
    landing = _landing_page(absolute, "knowledge:glossary")
    built = (turtle, jsonld)
    created, period = _period(GlossaryTerm, Q(is_published=True))
    distributions = [
        _distribution(absolute, uri, file, data, landing)
        for file, data in zip(GLOSSARY_FILES, built, strict=True)
    ]
    return _dataset(
        absolute,
        uri=uri,
        identifier=GLOSSARY_IDENTIFIER,
        titles=texts(N_("Glossary of the smart territory")),
        descriptions=texts(
            N_(
                "The terms of the platform's glossary as a SKOS concept scheme: labels, "
                "synonyms and definitions in French, English, German and Dutch where written, "
                "related terms, sources and the matching EuroVoc concept where there is one."
            )
        ),
        distributions=distributions,
        keywords={
            "fr": ["glossaire", "territoire intelligent"],
            "en": ["glossary", "smart region"],
        },
        issued=created or turtle.modified,
        modified=turtle.modified,
        temporal=period,
        landing_page=landing,
    )


def resources_dataset(absolute: Absolute) -> DatasetInfo | None:
    base_url = _base_url(absolute)
    csv = resources_file("csv", base_url=base_url)
    if not csv.count:
        return None
    json_file = resources_file("json", base_url=base_url)
    uri = absolute("/data/resources")
    landing = _landing_page(absolute, "knowledge:resources")
    built = (csv, json_file)
    created, period = _period(Resource, Q(state__in=Resource.LISTED_STATES))
    distributions = [
        _distribution(absolute, uri, file, data, landing)
        for file, data in zip(RESOURCE_FILES, built, strict=True)
    ]
    first = Resource.objects.filter(state__in=Resource.LISTED_STATES).aggregate(
        first=Min("first_published_at")
    )["first"]
    return _dataset(
        absolute,
        uri=uri,
        identifier=RESOURCES_IDENTIFIER,
        titles=texts(N_("Knowledge resources of the smart territory")),
        descriptions=texts(
            N_(
                "The published guides, method steps, case studies, tools and frequently asked "
                "questions of the platform's knowledge base: titles and summaries per language, "
                "themes, maturity domains and levels, audience, licence and address."
            )
        ),
        distributions=distributions,
        keywords={
            "fr": ["guides", "méthode", "études de cas"],
            "en": ["guides", "method", "case studies"],
        },
        issued=first or created or csv.modified,
        modified=csv.modified,
        temporal=period,
        landing_page=landing,
    )


def catalogue_datasets(absolute: Absolute) -> list[DatasetInfo]:
    """The glossary and the resources datasets, each only when it has content."""
    found = [glossary_dataset(absolute), resources_dataset(absolute)]
    return [dataset for dataset in found if dataset is not None]
