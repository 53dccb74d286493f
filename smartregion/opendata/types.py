"""Plain data describing what the platform publishes as open data.

The publishing apps fill these dataclasses (the observatory from its editions, the projects from
their catalogue); `files` (files and the Frictionless Data Package) and `dcat` (the DCAT-AP
catalogue) read them. Nothing here imports Django or does I/O.

Multilingual text is a mapping from a language code to the text (``{"fr": "…", "en": "…"}``); the
caller supplies every user-visible string in every language it publishes.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum

Texts = Mapping[str, str]
"""Language code (``fr``, ``en``, …) → text."""

Cell = str | int | float | bool | dt.date | dt.datetime | None


class FieldType(StrEnum):
    """Table Schema field types we publish (a subset of Frictionless Table Schema types)."""

    STRING = "string"
    INTEGER = "integer"
    NUMBER = "number"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"


class FileFormat(StrEnum):
    """Distribution formats; values are codes of the EU file-type vocabulary."""

    CSV = "CSV"
    XLSX = "XLSX"
    PARQUET = "PARQUET"
    JSON = "JSON"
    GEOJSON = "GEOJSON"
    RDF_TURTLE = "RDF_TURTLE"
    JSON_LD = "JSON_LD"
    ZIP = "ZIP"


# ---------------------------------------------------------------------------------------------
# Vocabularies shared by the Data Package and the catalogue
# ---------------------------------------------------------------------------------------------

EU_AUTHORITY = "http://publications.europa.eu/resource/authority/"
DATA_THEME_SCHEME = EU_AUTHORITY + "data-theme"
COUNTRY_SCHEME = EU_AUTHORITY + "country"
LANGUAGE_SCHEME = EU_AUTHORITY + "language"
ACCESS_RIGHT_SCHEME = EU_AUTHORITY + "access-right"
FREQUENCY_SCHEME = EU_AUTHORITY + "frequency"
PUBLISHER_TYPE_SCHEME = "http://purl.org/adms/publishertype/1.0"
LICENCE_TYPE_SCHEME = "http://purl.org/adms/licencetype/1.0"
PLANNED_AVAILABILITY_SCHEME = EU_AUTHORITY + "planned-availability"


@dataclass(frozen=True)
class ConceptInfo:
    """A concept of a controlled vocabulary (a theme, a publisher type…).

    ``labels`` are the vocabulary's own preferred labels; ``scheme_titles`` the vocabulary's title.
    They are written into the catalogue so it validates and reads well without the vocabulary.
    """

    uri: str
    labels: Texts
    scheme_uri: str | None = None
    scheme_titles: Texts = field(default_factory=dict)


@dataclass(frozen=True)
class LicenceInfo:
    """A licence, named for both Frictionless (SPDX-style name, URL) and DCAT (EU licence URI,
    ADMS licence type)."""

    name: str
    title: str
    url: str
    eu_uri: str
    type: ConceptInfo | None = None


def _eu_concept(scheme: str, code: str, labels: Texts, scheme_titles: Texts) -> ConceptInfo:
    return ConceptInfo(f"{scheme}/{code}", labels, scheme, scheme_titles)


AVAILABILITY_STABLE = _eu_concept(
    PLANNED_AVAILABILITY_SCHEME, "STABLE", {"en": "stable", "fr": "stable"},
    {"en": "Planned availability", "fr": "Disponibilité prévue"},
)  # fmt: skip
"""Frozen edition files stay downloadable at their URL."""

FREQUENCY_CONTINUOUS = _eu_concept(
    FREQUENCY_SCHEME, "UPDATE_CONT", {"en": "continuously updated", "fr": "mise à jour continue"},
    {"en": "Frequency", "fr": "Fréquence"},
)  # fmt: skip
"""A dataset that changes whenever its source data does (e.g. the live projects catalogue)."""

CC_BY_4_0 = LicenceInfo(
    name="CC-BY-4.0",
    title="Creative Commons Attribution 4.0 International",
    url="https://creativecommons.org/licenses/by/4.0/",
    eu_uri=EU_AUTHORITY + "licence/CC_BY_4_0",
    type=ConceptInfo(
        "http://purl.org/adms/licencetype/Attribution",
        {"en": "Attribution"},
        LICENCE_TYPE_SCHEME,
        {"en": "Licence type"},
    ),
)


# ---------------------------------------------------------------------------------------------
# Tables and the Frictionless Data Package
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class FieldInfo:
    """One column of a published table."""

    name: str
    type: FieldType
    titles: Texts = field(default_factory=dict)
    descriptions: Texts = field(default_factory=dict)
    required: bool = False


@dataclass(frozen=True)
class TableInfo:
    """A table of an edition: its schema and its rows (one mapping per row, keyed by field name).

    ``name`` becomes the file name and the Data Package resource name, so it uses lowercase
    letters, digits, ``-``, ``_`` and ``.`` only.
    """

    name: str
    titles: Texts
    descriptions: Texts
    fields: Sequence[FieldInfo]
    rows: Sequence[Mapping[str, Cell]]
    primary_key: Sequence[str] = ()


@dataclass(frozen=True)
class SourceInfo:
    """Where the published figures come from (a survey wave, a population register…)."""

    titles: Texts
    url: str | None = None


@dataclass(frozen=True)
class ContributorInfo:
    """A person or body who made the package; ``role`` is a Data Package role
    (``author``, ``publisher``, ``maintainer``, ``wrangler``, ``contributor``)."""

    title: str
    role: str = "contributor"
    email: str | None = None
    url: str | None = None
    organization: str | None = None


@dataclass(frozen=True)
class PackageInfo:
    """Descriptor-level facts of a Data Package: one package per edition revision."""

    name: str
    titles: Texts
    descriptions: Texts
    version: str
    revision: int
    created: dt.datetime
    homepage: str | None = None
    keywords: Mapping[str, Sequence[str]] = field(default_factory=dict)
    licence: LicenceInfo = CC_BY_4_0
    sources: Sequence[SourceInfo] = ()
    contributors: Sequence[ContributorInfo] = ()
    missing_values: Sequence[str] = ("",)


# ---------------------------------------------------------------------------------------------
# DCAT-AP catalogue
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class LocationInfo:
    """Spatial coverage: a geonames URI or a concept of an EU vocabulary (country, place)."""

    uri: str
    labels: Texts
    scheme_uri: str | None = None
    bbox_wkt: str | None = None
    centroid_wkt: str | None = None


@dataclass(frozen=True)
class AgentInfo:
    """A publisher or creator (``foaf:Agent``); ``type`` from the ADMS publisher-type vocabulary."""

    uri: str
    names: Texts
    type: ConceptInfo | None = None
    homepage: str | None = None
    email: str | None = None


@dataclass(frozen=True)
class ContactInfo:
    """Contact point (``vcard:Kind``): whom harvesters' users write to."""

    names: Texts
    email: str
    uri: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class PeriodInfo:
    """Temporal coverage, inclusive dates."""

    start: dt.date
    end: dt.date


@dataclass(frozen=True)
class DistributionInfo:
    """One downloadable file of a dataset."""

    uri: str
    format: FileFormat
    access_url: str
    download_url: str | None = None
    titles: Texts = field(default_factory=dict)
    descriptions: Texts = field(default_factory=dict)
    byte_size: int | None = None
    sha256: str | None = None
    issued: dt.date | dt.datetime | None = None
    modified: dt.date | dt.datetime | None = None
    licence: LicenceInfo = CC_BY_4_0
    availability: ConceptInfo | None = AVAILABILITY_STABLE
    conforms_to: Sequence[str] = ()
    """URIs of standards the file follows (e.g. the Frictionless Data Package specification)."""


@dataclass(frozen=True)
class SeriesInfo:
    """The series the dataset belongs to (e.g. all editions of the barometer)."""

    uri: str
    titles: Texts
    descriptions: Texts
    contact: ContactInfo | None = None
    """Defaults to the contact of the first dataset that names the series."""


@dataclass(frozen=True)
class DatasetInfo:
    """One dataset of the catalogue (in the observatory, one published edition revision); every
    app adds its own through ``SMARTREGION_CATALOGUE_PROVIDERS`` (see ``catalogue``)."""

    uri: str
    identifier: str
    titles: Texts
    descriptions: Texts
    distributions: Sequence[DistributionInfo]
    contact: ContactInfo
    keywords: Mapping[str, Sequence[str]] = field(default_factory=dict)
    themes: Sequence[ConceptInfo] = ()
    publisher: AgentInfo | None = None
    """Defaults to the catalogue's publisher."""
    issued: dt.date | dt.datetime | None = None
    modified: dt.date | dt.datetime | None = None
    temporal: PeriodInfo | None = None
    spatial: Sequence[LocationInfo] = ()
    landing_page: str | None = None
    version: str | None = None
    version_notes: Texts = field(default_factory=dict)
    languages: Sequence[ConceptInfo] = ()
    access_rights: ConceptInfo | None = None
    accrual_periodicity: ConceptInfo | None = None
    series: SeriesInfo | None = None
    previous_version_uri: str | None = None


@dataclass(frozen=True)
class CatalogueInfo:
    """The catalogue served at ``/data/catalog.ttl`` and ``/data/catalog.jsonld``."""

    uri: str
    titles: Texts
    descriptions: Texts
    publisher: AgentInfo
    homepage: str | None = None
    issued: dt.date | dt.datetime | None = None
    modified: dt.date | dt.datetime | None = None
    languages: Sequence[ConceptInfo] = ()
    spatial: Sequence[LocationInfo] = ()
    licence: LicenceInfo = CC_BY_4_0


# ---------------------------------------------------------------------------------------------
# Concepts of the EU vocabularies the observatory uses, with the vocabularies' own labels.
# ---------------------------------------------------------------------------------------------


_DATA_THEME_TITLES = {"en": "Data theme", "fr": "Thème des données"}
THEME_GOVERNMENT = _eu_concept(
    DATA_THEME_SCHEME,
    "GOVE",
    {"en": "Government and public sector", "fr": "Gouvernement et secteur public"},
    _DATA_THEME_TITLES,
)
THEME_REGIONS = _eu_concept(
    DATA_THEME_SCHEME, "REGI", {"en": "Regions and cities", "fr": "Régions et villes"},
    _DATA_THEME_TITLES,
)  # fmt: skip
THEME_TECHNOLOGY = _eu_concept(
    DATA_THEME_SCHEME, "TECH", {"en": "Science and technology", "fr": "Science et technologie"},
    _DATA_THEME_TITLES,
)  # fmt: skip

_LANGUAGE_TITLES = {"en": "Language", "fr": "Langue"}
LANGUAGES: Mapping[str, ConceptInfo] = {
    "fr": _eu_concept(LANGUAGE_SCHEME, "FRA", {"en": "French", "fr": "français"}, _LANGUAGE_TITLES),
    "en": _eu_concept(LANGUAGE_SCHEME, "ENG", {"en": "English", "fr": "anglais"}, _LANGUAGE_TITLES),
    "de": _eu_concept(LANGUAGE_SCHEME, "DEU", {"en": "German", "fr": "allemand"}, _LANGUAGE_TITLES),
    "nl": _eu_concept(
        LANGUAGE_SCHEME, "NLD", {"en": "Dutch", "fr": "néerlandais"}, _LANGUAGE_TITLES
    ),
}
"""EU language concepts by the platform's language codes."""

ACCESS_PUBLIC = _eu_concept(
    ACCESS_RIGHT_SCHEME, "PUBLIC", {"en": "public", "fr": "public"},
    {"en": "Access right", "fr": "Droit d'accès"},
)  # fmt: skip
PUBLISHER_TYPE_ACADEMIA = ConceptInfo(
    "http://purl.org/adms/publishertype/Academia-ScientificOrganisation",
    {"en": "Academia/Scientific organisation"},
    PUBLISHER_TYPE_SCHEME,
    {"en": "Publisher type"},
)
