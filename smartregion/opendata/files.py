"""Open-data files (CSV, XLSX, Parquet, JSON bytes), checksums and Frictionless Data Packages.

Pure functions from `TableInfo`/`PackageInfo` to bytes or a descriptor dict: no Django, no file
system. Output is reproducible (same input, same bytes), so a frozen edition's checksums stay
valid when its files are rebuilt.

The Data Package lists the CSV files as its resources (CSV is the format every tool reads and the
one `frictionless` validates natively); the other formats are distributions of the same tables.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import re
import zipfile
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

import openpyxl
import polars as pl

from smartregion.core.spreadsheet import csv_writer, safe_row
from smartregion.opendata.types import (
    Cell,
    ContributorInfo,
    FieldInfo,
    FieldType,
    PackageInfo,
    SourceInfo,
    TableInfo,
    Texts,
)

DATA_DIR = "data"
DESCRIPTOR_NAME = "datapackage.json"
FIELDS_SHEET = "_fields"
CORE_PROPERTIES = "docProps/core.xml"
_ZIP_EPOCH = (1980, 1, 1, 0, 0, 0)

_POLARS_TYPES: Mapping[FieldType, Any] = {
    FieldType.STRING: pl.String,
    FieldType.INTEGER: pl.Int64,
    FieldType.NUMBER: pl.Float64,
    FieldType.BOOLEAN: pl.Boolean,
    FieldType.DATE: pl.Date,
    FieldType.DATETIME: pl.Datetime("us"),
}


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def text_in(texts: Texts, language: str) -> str:
    """The text in ``language``, else in the first language given (FR first by convention)."""
    if language in texts:
        return texts[language]
    return next(iter(texts.values()), "")


# ---------------------------------------------------------------------------------------------
# Files
# ---------------------------------------------------------------------------------------------


def _csv_cell(value: Cell, missing: str) -> str:
    if value is None:
        return missing
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, dt.date):  # also datetime
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def table_to_csv(table: TableInfo, *, missing: str = "") -> bytes:
    """RFC 4180 CSV in UTF-8 (no BOM), header = field names, ``\\r\\n`` line ends."""
    buffer = io.StringIO()
    writer = csv_writer(buffer, lineterminator="\r\n")
    names = [f.name for f in table.fields]
    writer.writerow(names)
    for row in table.rows:
        writer.writerow([_csv_cell(row.get(name), missing) for name in names])
    return buffer.getvalue().encode("utf-8")


def _json_cell(value: Cell) -> Any:
    if isinstance(value, dt.date):  # also datetime
        return value.isoformat()
    return value


def table_to_json(table: TableInfo) -> bytes:
    """A JSON array of objects keyed by field name (missing values are ``null``)."""
    names = [f.name for f in table.fields]
    rows = [{name: _json_cell(row.get(name)) for name in names} for row in table.rows]
    return json.dumps(rows, ensure_ascii=False, indent=1).encode("utf-8")


def table_to_dataframe(table: TableInfo) -> pl.DataFrame:
    schema = {f.name: _POLARS_TYPES[f.type] for f in table.fields}
    columns = {name: [row.get(name) for row in table.rows] for name in schema}
    return pl.DataFrame(columns, schema=schema)


def table_to_parquet(table: TableInfo) -> bytes:
    buffer = io.BytesIO()
    table_to_dataframe(table).write_parquet(buffer, statistics=False)
    return buffer.getvalue()


def _fields_sheet_rows(tables: Sequence[TableInfo], language: str) -> Iterable[list[str]]:
    yield ["table", "field", "type", "title", "description"]
    for table in tables:
        for f in table.fields:
            title = text_in(f.titles, language)
            yield [table.name, f.name, f.type.value, title, text_in(f.descriptions, language)]


def tables_to_xlsx(tables: Sequence[TableInfo], *, language: str, created: dt.datetime) -> bytes:
    """One sheet per table (header = field names), plus a ``_fields`` sheet describing columns."""
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for table in tables:
        if table.name == FIELDS_SHEET or len(table.name) > 31:
            raise ValueError(f"table name {table.name!r} cannot be an XLSX sheet name")
        sheet = workbook.create_sheet(table.name)
        names = [f.name for f in table.fields]
        sheet.append(safe_row(names))
        for row in table.rows:
            sheet.append(safe_row(row.get(name) for name in names))
    fields_sheet = workbook.create_sheet(FIELDS_SHEET)
    for line in _fields_sheet_rows(tables, language):
        fields_sheet.append(safe_row(line))
    naive = created.replace(tzinfo=None)
    workbook.properties.created = naive
    workbook.properties.modified = naive
    buffer = io.BytesIO()
    workbook.save(buffer)
    return pin_xlsx_modified(buffer.getvalue(), created)


def pin_xlsx_modified(xlsx: bytes, when: dt.datetime) -> bytes:
    """openpyxl stamps `dcterms:modified` with the time of saving, whatever the workbook says;
    pin it to ``when`` (a naive ``when`` is read as UTC) so a rebuilt workbook has the same
    bytes and SHA-256, even when two saves straddle a second."""
    archive = zipfile.ZipFile(io.BytesIO(xlsx))
    files = {info.filename: archive.read(info) for info in archive.infolist()}
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    stamp = when.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ").encode()
    files[CORE_PROPERTIES] = re.sub(
        rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>" + stamp, files[CORE_PROPERTIES]
    )
    return build_zip(files)


def normalise_zip(data: bytes) -> bytes:
    """Rewrite a zip with fixed entry timestamps so identical content gives identical bytes."""
    source = zipfile.ZipFile(io.BytesIO(data))
    return build_zip({info.filename: source.read(info) for info in source.infolist()})


def build_zip(files: Mapping[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            info = zipfile.ZipInfo(name, date_time=_ZIP_EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, content)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------
# Frictionless Data Package
# ---------------------------------------------------------------------------------------------


def _field_descriptor(f: FieldInfo, language: str) -> dict[str, Any]:
    descriptor: dict[str, Any] = {"name": f.name, "type": f.type.value}
    if f.titles:
        descriptor["title"] = text_in(f.titles, language)
    if f.descriptions:
        descriptor["description"] = text_in(f.descriptions, language)
    if f.required:
        descriptor["constraints"] = {"required": True}
    return descriptor


def table_schema(table: TableInfo, *, language: str, missing_values: Sequence[str]) -> dict:
    schema: dict[str, Any] = {
        "fields": [_field_descriptor(f, language) for f in table.fields],
        "missingValues": list(missing_values),
    }
    if table.primary_key:
        schema["primaryKey"] = list(table.primary_key)
    return schema


def resource_path(table: TableInfo) -> str:
    return f"{DATA_DIR}/{table.name}.csv"


def _resource_descriptor(
    table: TableInfo, content: bytes, *, language: str, missing_values: Sequence[str]
) -> dict[str, Any]:
    return {
        "name": table.name,
        "path": resource_path(table),
        "title": text_in(table.titles, language),
        "description": text_in(table.descriptions, language),
        "format": "csv",
        "mediatype": "text/csv",
        "encoding": "utf-8",
        "bytes": len(content),
        "hash": f"sha256:{sha256_hex(content)}",
        "schema": table_schema(table, language=language, missing_values=missing_values),
    }


def _package_metadata(package: PackageInfo, language: str) -> dict[str, Any]:
    licence = package.licence
    metadata: dict[str, Any] = {
        "name": package.name,
        "title": text_in(package.titles, language),
        "description": text_in(package.descriptions, language),
        "version": package.version,
        "revision": package.revision,
        "created": package.created.isoformat(),
        "licenses": [{"name": licence.name, "path": licence.url, "title": licence.title}],
        "sources": [_source(s, language) for s in package.sources],
        "contributors": [_contributor(c) for c in package.contributors],
    }
    if package.homepage:
        metadata["homepage"] = package.homepage
    keywords = package.keywords.get(language) or next(iter(package.keywords.values()), [])
    if keywords:
        metadata["keywords"] = list(keywords)
    return metadata


def _source(source: SourceInfo, language: str) -> dict[str, str]:
    descriptor = {"title": text_in(source.titles, language)}
    if source.url:
        descriptor["path"] = source.url
    return descriptor


def _contributor(contributor: ContributorInfo) -> dict[str, str]:
    descriptor = {"title": contributor.title, "role": contributor.role}
    if contributor.email:
        descriptor["email"] = contributor.email
    if contributor.organization:
        descriptor["organization"] = contributor.organization
    if contributor.url:
        descriptor["path"] = contributor.url
    return descriptor


def build_datapackage(
    package: PackageInfo,
    tables: Sequence[TableInfo],
    *,
    language: str,
    csv_files: Mapping[str, bytes] | None = None,
) -> dict[str, Any]:
    """The ``datapackage.json`` descriptor, its texts in ``language``.

    ``csv_files`` (table name → CSV bytes) avoids serialising the tables twice when the caller
    already has them; sizes and hashes in the descriptor are those of these bytes.
    """
    missing = package.missing_values
    files = csv_files or {t.name: table_to_csv(t, missing=missing[0]) for t in tables}
    descriptor = _package_metadata(package, language)
    descriptor["resources"] = [
        _resource_descriptor(t, files[t.name], language=language, missing_values=missing)
        for t in tables
    ]
    return descriptor


def datapackage_files(
    package: PackageInfo, tables: Sequence[TableInfo], *, language: str
) -> dict[str, bytes]:
    """Every file of the package, by path inside it: the descriptor and one CSV per table."""
    missing = package.missing_values[0]
    csv_files = {t.name: table_to_csv(t, missing=missing) for t in tables}
    descriptor = build_datapackage(package, tables, language=language, csv_files=csv_files)
    files = {DESCRIPTOR_NAME: descriptor_bytes(descriptor)}
    files.update({resource_path(t): csv_files[t.name] for t in tables})
    return files


def descriptor_bytes(descriptor: Mapping[str, Any]) -> bytes:
    return json.dumps(descriptor, ensure_ascii=False, indent=2).encode("utf-8")


def datapackage_zip(package: PackageInfo, tables: Sequence[TableInfo], *, language: str) -> bytes:
    """The whole Data Package as one zip (``datapackage.json`` at its root)."""
    return build_zip(datapackage_files(package, tables, language=language))
