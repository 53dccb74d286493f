"""The catalogue's files built in the background (`core.prepared`), never in a request.

`/data/catalog.ttl` and `.jsonld` need every provider's files measured (sizes and SHA-256 of each
edition's XLSX, Parquet… and of the projects' files): tens of seconds cold. So each serialisation
is a prepared file keyed on the data version and the site address its URLs use: publishing
(`catalogue_prepare`, called after the commit of a change) queues it at once, and a request for a
state nobody asked for yet queues it too; either way the request answers at once.
"""

from __future__ import annotations

from django.db import transaction

from smartregion.core.addresses import configured_base_url
from smartregion.core.models import PreparedFile
from smartregion.core.pagecache import data_version, data_version_bump
from smartregion.core.prepared import BuiltFile, Progress, prepared_file_request
from smartregion.opendata import catalogue, dcat

FORMATS = {
    "ttl": ("text/turtle; charset=utf-8", dcat.to_turtle),
    "jsonld": ("application/ld+json", dcat.to_jsonld),
}
BUILDER = "smartregion.opendata.builds.catalogue_build"


def catalogue_request(*, extension: str, base_url: str) -> PreparedFile:
    """The catalogue in one serialisation for the current data, queued if not asked for yet."""
    family = f"opendata.catalogue:{extension}:{base_url}"
    return prepared_file_request(
        key=f"{family}:{data_version()}",
        family=family,
        builder=BUILDER,
        params={"extension": extension, "base_url": base_url},
    )


def catalogue_prepare() -> None:
    """Queue both serialisations for the site's configured address (`SMARTREGION_BASE_URL`), so
    harvesters find them built; without a configured address the first request queues them."""
    base_url = configured_base_url()
    if base_url:
        for extension in FORMATS:
            catalogue_request(extension=extension, base_url=base_url)


def catalogue_build(*, progress: Progress, extension: str, base_url: str) -> BuiltFile:
    """The builder: every provider's datasets (their files measured), then the serialisation."""
    content_type, serialise = FORMATS[extension]
    info, datasets = catalogue.catalogue(lambda path: base_url + path)
    progress(90)
    return BuiltFile(
        serialise(dcat.build_catalogue(info, datasets)), content_type, f"catalog.{extension}"
    )


def open_data_changed() -> None:
    """What a service calls when it changes published open data: the data version moves on (pages
    and files keyed on it are stale), and the catalogue is rebuilt once the change is committed."""
    data_version_bump()
    transaction.on_commit(catalogue_prepare)
