"""Import municipal boundaries (GeoJSON FeatureCollection or TopoJSON Topology).

Steps: read the JSON; decode TopoJSON; reproject a declared CRS to WGS84; validate each feature
(code, type, emptiness, validity: repaired with a warning); dissolve merged municipalities from
their predecessors; measure areas and find neighbours in a metric CRS; simplify for the web;
then, if nothing is wrong and this is no dry run, write outlines, areas and neighbours in one
transaction.
"""

from __future__ import annotations

import functools
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

import numpy as np
import shapely
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _
from pyproj import CRS, Transformer
from pyproj.exceptions import CRSError
from shapely.geometry import mapping, shape
from shapely.geometry.base import BaseGeometry

from ..models import Boundary, Municipality, MunicipalityFigure, Succession
from ..services import municipality_refresh_figures
from .common import ImportFailed, Problem, decode_utf8, fail, local_copy, progress
from .coverage import coverage_shortfalls
from .topojson import TopologyError, topology_features, topology_object_name

CODE_PROPERTIES = ("nis", "NIS", "CD_REFNIS", "refnis", "NISCode", "niscode", "CODE_INS", "code")
POLYGONAL = ("Polygon", "MultiPolygon")
METRIC_CRS = "EPSG:3035"  # ETRS89 Lambert equal-area: true areas, metres for tolerances
DEFAULT_TOLERANCE_METRES = 50.0
NEIGHBOUR_GAP_METRES = 10.0  # outlines drawn independently leave slivers; bridge them
WEB_DECIMALS = 5  # ~1 m at Belgian latitudes
SOURCE_MAX_LENGTH = 200
Coordinates = Callable[[np.ndarray], np.ndarray]


@dataclass
class _Outline:
    code: str
    geometry: BaseGeometry  # WGS84, valid, polygonal, not simplified
    derived: bool = False


@dataclass
class BoundaryImportResult:
    year: int
    features_read: int = 0
    boundaries: list[str] = field(default_factory=list)  # codes written, derived ones included
    derived: list[str] = field(default_factory=list)
    missing: int = 0  # current municipalities left without a boundary
    areas_km2: dict[str, Decimal] = field(default_factory=dict)
    neighbour_pairs: set[tuple[str, str]] = field(default_factory=set)
    warnings: list[Problem] = field(default_factory=list)
    dry_run: bool = False


def boundaries_import(
    location: str,
    *,
    year: int,
    source: str = "",
    tolerance: float = DEFAULT_TOLERANCE_METRES,
    code_property: str | None = None,
    dry_run: bool = False,
    show_progress: bool = True,
    partial: bool = False,
    encoding: str | None = None,
) -> BoundaryImportResult:
    """Import one boundaries file (path or http(s) URL); raise ImportFailed listing all problems."""
    with local_copy(location) as path:
        document = _load_json(path, encoding)
    features = _features(document)
    if not features:
        raise fail(_("The file has no features."))
    to_wgs84 = _to_wgs84(document)
    registry = {m.refnis: m for m in Municipality.objects.all()}
    result = BoundaryImportResult(year=year, features_read=len(features), dry_run=dry_run)
    names = (code_property,) if code_property else CODE_PROPERTIES
    outlines = _read_features(features, names, to_wgs84, registry, result, show_progress)
    outlines.update(_dissolve(outlines, registry))
    result.derived = sorted(code for code, o in outlines.items() if o.derived)
    result.boundaries = sorted(outlines)
    result.missing = Municipality.objects.current().exclude(refnis__in=outlines).count()
    if not partial and (shortfalls := coverage_shortfalls(outlines)):
        raise ImportFailed([Problem("", reason) for reason in shortfalls])
    if partial:
        accepted = coverage_shortfalls(outlines, partial=True)
        result.warnings.extend(Problem("", reason) for reason in accepted)
    to_metric = _transformer("EPSG:4326", METRIC_CRS)
    metric = {code: _project(o.geometry, to_metric) for code, o in outlines.items()}
    result.areas_km2 = {code: Decimal(f"{g.area / 1e6:.2f}") for code, g in metric.items()}
    result.neighbour_pairs = _neighbour_pairs(metric, registry)
    if not dry_run:
        web = {code: _web_geometry(g, tolerance) for code, g in metric.items()}
        _write(result, outlines, web, registry, (source or Path(location).name)[:SOURCE_MAX_LENGTH])
    return result


def _load_json(path: Path, encoding: str | None = None) -> Any:
    """The parsed document; a syntax error (often a truncated download) names line and column."""
    text = decode_utf8(path.read_bytes(), encoding)
    if not text.strip():
        raise fail(_("The file is empty."))
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        where = _("line %(line)d, column %(column)d") % {
            "line": error.lineno,
            "column": error.colno,
        }
        raise fail(
            _("invalid JSON (truncated file?): %(error)s") % {"error": error.msg}, where
        ) from error


def _features(document: Any) -> list[Any]:
    kind = document.get("type") if isinstance(document, dict) else None
    if kind == "FeatureCollection" and isinstance(document.get("features"), list):
        return document["features"]
    if kind == "Topology":
        name = topology_object_name(document)
        if name is None:
            raise fail(_("The TopoJSON topology has no objects."))
        try:
            return topology_features(document, name)
        except TopologyError as error:
            where = _("feature %(number)d") % {"number": error.number}
            raise fail(
                _("malformed TopoJSON geometry: %(error)s") % {"error": error}, where
            ) from error
    raise fail(
        _("Expected a GeoJSON FeatureCollection or a TopoJSON Topology; found type “%(type)s”.")
        % {"type": kind}
    )


def _to_wgs84(document: dict[str, Any]) -> Coordinates | None:
    """A coordinate transform from the declared legacy `crs` member, or None for WGS84 lon/lat."""
    crs = document.get("crs")
    properties = crs.get("properties") if isinstance(crs, dict) else None
    name = properties.get("name") if isinstance(properties, dict) else None
    if not name:
        return None
    try:
        declared = CRS.from_user_input(_normalise_crs_name(str(name)))
    except CRSError as error:
        raise fail(_("Unknown coordinate reference system “%(name)s”.") % {"name": name}) from error
    if declared.equals(CRS.from_epsg(4326), ignore_axis_order=True):
        return None
    return _transformer(declared.srs, "EPSG:4326")


def _normalise_crs_name(name: str) -> str:
    """`urn:ogc:def:crs:EPSG::31370`, `EPSG:31370` and `epsg:31370` all name EPSG 31370."""
    if re.search(r"CRS84$", name, re.IGNORECASE):
        return "OGC:CRS84"
    match = re.search(r"EPSG:+(?:[\d.]*:)?(\d+)$", name, re.IGNORECASE)
    return f"EPSG:{match.group(1)}" if match else name


@functools.lru_cache(maxsize=8)
def _transformer(source: str, target: str) -> Coordinates:
    """A vectorised x/y transform for shapely.transform; always lon/lat order, as GeoJSON has it.

    Cached: building a pyproj Transformer costs tens of milliseconds, applying one microseconds.
    """
    transformer = Transformer.from_crs(source, target, always_xy=True)

    def apply(points: np.ndarray) -> np.ndarray:
        x, y = transformer.transform(points[:, 0], points[:, 1])
        return np.column_stack([x, y])

    return apply


def _project(geometry: BaseGeometry, transform: Coordinates) -> BaseGeometry:
    return shapely.transform(geometry, transform)


def _read_features(
    features: list[Any],
    names: tuple[str, ...],
    to_wgs84: Coordinates | None,
    registry: dict[str, Municipality],
    result: BoundaryImportResult,
    show_progress: bool,
) -> dict[str, _Outline]:
    """Validate every feature; raise with all problems at the end."""
    problems: list[Problem] = []
    outlines: dict[str, _Outline] = {}
    first_seen: dict[str, int] = {}
    items = progress(
        enumerate(features, start=1),
        total=len(features),
        label=_("features"),
        enabled=show_progress,
    )
    for number, feature in items:
        code = _code(feature, names)
        where = _feature_where(number, code)
        if code is None:
            problems.append(
                Problem(
                    where,
                    _(
                        "no REFNIS code (looked for the properties %(names)s; name the right "
                        "one with --code-property)"
                    )
                    % {"names": ", ".join(names)},
                )
            )
            continue
        reasons = _code_problems(code, registry, first_seen.get(code))
        first_seen.setdefault(code, number)
        geometry, geometry_reasons = _geometry(feature, to_wgs84, where, result.warnings)
        problems.extend(Problem(where, reason) for reason in [*reasons, *geometry_reasons])
        if not reasons and geometry is not None:
            outlines[code] = _Outline(code, geometry)
    if problems:
        raise ImportFailed(problems)
    return outlines


def _feature_where(number: int, code: str | None) -> str:
    if code is None:
        return _("feature %(number)d") % {"number": number}
    return _("feature %(number)d (code %(code)s)") % {"number": number, "code": code}


def _code(feature: Any, names: tuple[str, ...]) -> str | None:
    properties = (feature.get("properties") if isinstance(feature, dict) else None) or {}
    value = next((properties[n] for n in names if properties.get(n) not in (None, "")), None)
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:05d}"
    return str(value).strip() if value is not None else None


def _code_problems(code: str, registry: dict[str, Municipality], seen: int | None) -> list[str]:
    if not re.fullmatch(r"\d{5}", code):
        return [_("malformed REFNIS code: expected five digits, e.g. 92094")]
    if code not in registry:
        return [_("unknown REFNIS code: not a municipality in the registry (current or former)")]
    if seen is not None:
        return [_("duplicate code: also feature %(number)d") % {"number": seen}]
    return []


def _geometry(
    feature: Any, to_wgs84: Coordinates | None, where: str, warnings: list[Problem]
) -> tuple[BaseGeometry | None, list[str]]:
    """The feature's outline in WGS84, valid and polygonal, or the reasons it cannot be one."""
    raw = feature.get("geometry") if isinstance(feature, dict) else None
    kind = raw.get("type") if isinstance(raw, dict) else None
    if kind not in POLYGONAL:
        return None, [
            _("geometry is %(type)s; expected Polygon or MultiPolygon")
            % {"type": kind or _("missing")}
        ]
    try:
        geometry = shape(raw)
    except (ValueError, TypeError, AttributeError, IndexError, shapely.errors.GEOSException) as e:
        return None, [_("malformed coordinates: %(error)s") % {"error": e}]
    if geometry.is_empty:
        return None, [_("empty geometry")]
    geometry = _repaired(geometry, where, warnings)
    if geometry is None:
        return None, [_("invalid geometry that could not be repaired into a polygon")]
    if to_wgs84 is not None:
        geometry = _project(geometry, to_wgs84)
    return (geometry, []) if _is_lon_lat(geometry) else (None, [_out_of_range(geometry)])


def _repaired(geometry: BaseGeometry, where: str, warnings: list[Problem]) -> BaseGeometry | None:
    """Self-intersections are common in exported files: repair, keep the polygonal part, warn."""
    if geometry.is_valid:
        return geometry
    reason = shapely.is_valid_reason(geometry)
    parts = shapely.get_parts(shapely.make_valid(geometry))
    polygons = [part for part in parts if part.geom_type in POLYGONAL]
    repaired = shapely.union_all(polygons) if polygons else None
    if repaired is None or repaired.is_empty or repaired.geom_type not in POLYGONAL:
        return None
    warnings.append(
        Problem(where, _("invalid geometry repaired (%(reason)s)") % {"reason": reason})
    )
    return repaired


def _is_lon_lat(geometry: BaseGeometry) -> bool:
    min_x, min_y, max_x, max_y = geometry.bounds
    finite = all(np.isfinite(v) for v in geometry.bounds)
    return finite and -180 <= min_x <= max_x <= 180 and -90 <= min_y <= max_y <= 90


def _out_of_range(geometry: BaseGeometry) -> str:
    x, y = geometry.bounds[:2]
    return _(
        "coordinates (%(x).1f, %(y).1f) are not longitude/latitude: the file probably lacks its "
        "“crs” member (e.g. Belgian Lambert 72 is urn:ogc:def:crs:EPSG::31370)"
    ) % {"x": x, "y": y}


def _dissolve(
    outlines: dict[str, _Outline], registry: dict[str, Municipality]
) -> dict[str, _Outline]:
    """Outlines of municipalities created by a merger: the union of their predecessors' outlines.

    Only new codes (valid_from set) are derived; an outline published for the code itself, in this
    file or already stored, always wins.
    """
    stored = set(
        Boundary.objects.filter(derived=False).values_list("municipality__refnis", flat=True)
    )
    groups: dict[str, list[str]] = {}
    for municipality in registry.values():
        if municipality.valid_from is not None:
            groups[municipality.refnis] = []
    for successor, predecessor in _successions():
        if successor in groups:
            groups[successor].append(predecessor)
    return {
        successor: _Outline(successor, _union([outlines[c].geometry for c in codes]), derived=True)
        for successor, codes in sorted(groups.items())
        if codes
        and successor not in outlines
        and successor not in stored
        and all(c in outlines for c in codes)
    }


def _union(geometries: list[BaseGeometry]) -> BaseGeometry:
    return shapely.union_all(geometries)


def _successions() -> list[tuple[str, str]]:
    return list(Succession.objects.values_list("successor__refnis", "predecessor__refnis"))


def _neighbour_pairs(
    metric: dict[str, BaseGeometry], registry: dict[str, Municipality]
) -> set[tuple[str, str]]:
    """Pairs of municipalities that touch (within a few metres) and existed at the same time."""
    codes = list(metric)
    grown = [metric[c].buffer(NEIGHBOUR_GAP_METRES / 2, quad_segs=2) for c in codes]
    left, right = shapely.STRtree(grown).query(grown, predicate="intersects")
    return {
        (codes[i], codes[j])
        for i, j in zip(left.tolist(), right.tolist(), strict=True)
        if codes[i] < codes[j] and _coexisted(registry[codes[i]], registry[codes[j]])
    }


def _coexisted(first: Municipality, second: Municipality) -> bool:
    """A former municipality borders only those that existed with it, not its own successor."""
    starts = [d for d in (first.valid_from, second.valid_from) if d]
    ends = [d for d in (first.valid_until, second.valid_until) if d]
    return not starts or not ends or max(starts) <= min(ends)


def _web_geometry(metric: BaseGeometry, tolerance: float) -> dict[str, Any]:
    """Simplified in metres (so the tolerance means the same everywhere), in WGS84, 5 decimals."""
    simplified = metric.simplify(tolerance, preserve_topology=True) if tolerance > 0 else metric
    to_wgs84 = _transformer(METRIC_CRS, "EPSG:4326")
    rounded = shapely.transform(simplified, lambda points: np.round(to_wgs84(points), WEB_DECIMALS))
    return json.loads(json.dumps(mapping(rounded)))


@transaction.atomic
def _write(
    result: BoundaryImportResult,
    outlines: dict[str, _Outline],
    web: dict[str, dict[str, Any]],
    registry: dict[str, Municipality],
    source: str,
) -> None:
    """Upsert outlines and areas, replace the neighbours of the imported municipalities."""
    Boundary.objects.bulk_create(
        [_boundary(registry[code], o, web[code], source) for code, o in outlines.items()],
        batch_size=200,
        update_conflicts=True,
        unique_fields=["municipality"],
        update_fields=[
            "geometry",
            "min_lon",
            "min_lat",
            "max_lon",
            "max_lat",
            "centroid_lon",
            "centroid_lat",
            "source",
            "derived",
            "imported_at",
        ],
    )
    MunicipalityFigure.objects.bulk_create(
        [
            MunicipalityFigure(
                municipality=registry[code],
                year=result.year,
                area_km2=area,
                source=source,
                derived=outlines[code].derived,
            )
            for code, area in result.areas_km2.items()
        ],
        batch_size=500,
        update_conflicts=True,
        unique_fields=["municipality", "year"],
        update_fields=["area_km2"],  # a population already there keeps its source and flag
    )
    _replace_neighbours([registry[code].pk for code in outlines], result.neighbour_pairs, registry)
    municipality_refresh_figures(list(outlines))


def _boundary(
    municipality: Municipality, outline: _Outline, web: dict[str, Any], source: str
) -> Boundary:
    min_lon, min_lat, max_lon, max_lat = outline.geometry.bounds
    # A representative point lies inside even a crescent-shaped commune; a true centroid may not.
    point = outline.geometry.representative_point()
    return Boundary(
        municipality=municipality,
        geometry=web,
        min_lon=round(min_lon, 6),
        min_lat=round(min_lat, 6),
        max_lon=round(max_lon, 6),
        max_lat=round(max_lat, 6),
        centroid_lon=round(point.x, 6),
        centroid_lat=round(point.y, 6),
        source=source,
        derived=outline.derived,
    )


def _replace_neighbours(
    ids: list[int], pairs: set[tuple[str, str]], registry: dict[str, Municipality]
) -> None:
    through = Municipality.neighbours.through
    through.objects.filter(Q(from_municipality_id__in=ids) | Q(to_municipality_id__in=ids)).delete()
    links = []
    for first, second in sorted(pairs):
        a, b = registry[first].pk, registry[second].pk
        links += [
            through(from_municipality_id=a, to_municipality_id=b),
            through(from_municipality_id=b, to_municipality_id=a),
        ]
    through.objects.bulk_create(links, batch_size=500)
