"""Map data for the pages: municipalities, their outlines and figures, projected to SVG paths.

The projection of a region's outlines is cached per boundary import, so a map page costs one query
for the figures and no geometry work after the first view.
"""

from __future__ import annotations

from dataclasses import dataclass

import shapely
from django.core.cache import cache
from django.db.models import Max
from shapely.geometry import Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry

from . import svgmap
from .models import Boundary, Municipality, Region

CLASSES = 5
# Outlines simplified one by one leave slivers between neighbours: close them (~30 m) before
# dissolving communes into provinces, then drop what is left of them.
SLIVER_DEGREES = 0.0004
SLIVER_AREA = 2e-5  # square degrees, ~0.15 km²: no commune or real hole is that small


@dataclass(frozen=True)
class MapItem:
    municipality: Municipality
    path: str
    value: float | None
    css_class: str


@dataclass(frozen=True)
class LegendEntry:
    css_class: str
    low: float | None
    high: float | None


@dataclass(frozen=True)
class Choropleth:
    view_box: str
    items: list[MapItem]
    legend: list[LegendEntry]
    missing: int
    rows: list[MapItem]
    provinces: tuple[str, ...] = ()

    @property
    def has_shapes(self) -> bool:
        return bool(self.items)


def figure_value(municipality: Municipality, figure: str) -> float | None:
    if figure == "density":
        return municipality.density
    if figure == "area":
        return float(municipality.area_km2) if municipality.area_km2 is not None else None
    return float(municipality.population) if municipality.population is not None else None


@dataclass(frozen=True)
class RegionLayers:
    view_box: str
    municipalities: dict[int, str]  # municipality id → SVG path
    provinces: tuple[str, ...]  # the provinces' outlines, drawn over the communes
    province_shapes: tuple[dict, ...] = ()  # the same in lon/lat (GeoJSON), for other frames


def region_layers(region: Region) -> RegionLayers:
    """The view box, one SVG path per municipality of the region and the province outlines.

    Cached per boundary import: projecting and dissolving cost a fraction of a second, once.
    """
    boundaries = Boundary.objects.filter(
        municipality__region=region, municipality__in=Municipality.objects.current()
    )
    stamp = boundaries.aggregate(latest=Max("imported_at"))["latest"]
    key = f"territory:region-layers:{region.refnis}:{stamp.isoformat() if stamp else 'none'}"
    cached = cache.get(key)
    if cached is None:
        rows = list(
            boundaries.values_list(
                "municipality_id",
                "municipality__province_id",
                "geometry",
                "min_lon",
                "min_lat",
                "max_lon",
                "max_lat",
            )
        )
        cached = _layers(rows) if rows else RegionLayers("", {}, ())
        cache.set(key, cached, timeout=None)
    return cached


def region_paths(region: Region) -> tuple[str, dict[int, str]]:
    """The view box and one SVG path per municipality of the region, cached per import."""
    layers = region_layers(region)
    return layers.view_box, layers.municipalities


def _layers(rows: list[tuple]) -> RegionLayers:
    frame = svgmap.fit(svgmap.union_bbox([row[3:] for row in rows]))
    by_province: dict[int | None, list[dict]] = {}
    for row in rows:
        by_province.setdefault(row[1], []).append(row[2])
    shapes = tuple(
        mapping(_dissolved(geometries))
        for province, geometries in sorted(by_province.items(), key=lambda item: item[0] or 0)
        if province is not None
    )
    return RegionLayers(
        frame.view_box,
        {row[0]: svgmap.path_for(row[2], frame) for row in rows},
        tuple(svgmap.path_for(s, frame) for s in shapes),
        shapes,
    )


def _dissolved(geometries: list[dict]) -> BaseGeometry:
    """The union of outlines, without the slivers and specks their separate simplification left."""
    grown = [shape(g).buffer(SLIVER_DEGREES, quad_segs=1) for g in geometries]
    union = shapely.union_all(grown).buffer(-SLIVER_DEGREES, quad_segs=1)
    parts = [
        Polygon(part.exterior, [r for r in part.interiors if Polygon(r).area >= SLIVER_AREA])
        for part in shapely.get_parts(union)
        if part.geom_type == "Polygon" and part.area >= SLIVER_AREA
    ]
    return shapely.MultiPolygon(parts) if len(parts) != 1 else parts[0]


def _legend(breaks: list[float], values: list[float]) -> list[LegendEntry]:
    bounds = [min(values), *breaks, max(values)] if values else []
    return [
        LegendEntry(f"fill-{index}", bounds[index], bounds[index + 1])
        for index in range(len(bounds) - 1)
    ]


def region_choropleth(region: Region, figure: str) -> Choropleth:
    layers = region_layers(region)
    view_box, paths = layers.view_box, layers.municipalities
    municipalities = list(
        Municipality.objects.current().filter(region=region).select_related("province")
    )
    values = {m.pk: figure_value(m, figure) for m in municipalities}
    known = [value for value in values.values() if value is not None]
    breaks = svgmap.class_breaks(known, CLASSES)
    items = []
    for municipality in sorted(municipalities, key=lambda m: m.name):
        value = values[municipality.pk]
        css = "no-data" if value is None else f"fill-{svgmap.class_of(value, breaks)}"
        items.append(MapItem(municipality, paths.get(municipality.pk, ""), value, css))
    return Choropleth(
        view_box=view_box,
        items=[item for item in items if item.path],
        legend=_legend(breaks, known),
        missing=sum(1 for item in items if not item.path),
        rows=items,
        provinces=layers.provinces,
    )


def neighbour_map(municipality: Municipality, neighbours: list[Municipality]) -> Choropleth | None:
    """The municipality in its surroundings; None when boundaries are not imported."""
    boundary = getattr(municipality, "boundary", None) if _has_boundary(municipality) else None
    if boundary is None:
        return None
    shaped = [(municipality, boundary)] + [(n, n.boundary) for n in neighbours if _has_boundary(n)]
    frame = svgmap.fit(
        svgmap.union_bbox([(b.min_lon, b.min_lat, b.max_lon, b.max_lat) for _, b in shaped])
    )
    items = [
        MapItem(m, svgmap.path_for(b.geometry, frame), None, _css(m == municipality))
        for m, b in shaped
    ]
    provinces = tuple(
        _clipped_path(province, frame)
        for province in region_layers(municipality.region).province_shapes
    )
    return Choropleth(
        view_box=frame.view_box,
        items=items,
        legend=[],
        missing=0,
        rows=items,
        provinces=tuple(p for p in provinces if p),
    )


def _clipped_path(geometry: dict, frame: svgmap.Frame) -> str:
    """A province outline cut to a little more than the frame: its cut edges fall outside."""
    width = svgmap.WIDTH / (frame.x_scale * frame.scale)
    height = frame.height / frame.scale
    clipped = shapely.clip_by_rect(
        shape(geometry),
        frame.min_lon - width / 10,
        frame.max_lat - height * 1.1,
        frame.min_lon + width * 1.1,
        frame.max_lat + height / 10,
    )
    polygons = [p for p in shapely.get_parts(clipped) if p.geom_type in ("Polygon", "MultiPolygon")]
    return "".join(svgmap.path_for(mapping(p), frame) for p in polygons)


def _has_boundary(municipality: Municipality) -> bool:
    try:
        return municipality.boundary is not None
    except Boundary.DoesNotExist:
        return False


def _css(is_focus: bool) -> str:
    return "fill-focus" if is_focus else "fill-1"
