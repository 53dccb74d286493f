"""Map data for the pages: municipalities, their outlines and figures, projected to SVG paths.

The projection of a region's outlines is cached per boundary import, so a map page costs one query
for the figures and no geometry work after the first view.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Max

from . import svgmap
from .models import Boundary, Municipality, Region

CLASSES = 5


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

    @property
    def has_shapes(self) -> bool:
        return bool(self.items)


def figure_value(municipality: Municipality, figure: str) -> float | None:
    if figure == "density":
        return municipality.density
    if figure == "area":
        return float(municipality.area_km2) if municipality.area_km2 is not None else None
    return float(municipality.population) if municipality.population is not None else None


def region_paths(region: Region) -> tuple[str, dict[int, str]]:
    """The view box and one SVG path per municipality of the region, cached per import."""
    boundaries = Boundary.objects.filter(
        municipality__region=region, municipality__in=Municipality.objects.current()
    )
    stamp = boundaries.aggregate(latest=Max("imported_at"))["latest"]
    key = f"territory:region-paths:{region.refnis}:{stamp.isoformat() if stamp else 'none'}"
    cached = cache.get(key)
    if cached is None:
        rows = list(
            boundaries.values_list(
                "municipality_id", "geometry", "min_lon", "min_lat", "max_lon", "max_lat"
            )
        )
        if not rows:
            cached = ("", {})
        else:
            frame = svgmap.fit(svgmap.union_bbox([row[2:] for row in rows]))
            cached = (frame.view_box, {row[0]: svgmap.path_for(row[1], frame) for row in rows})
        cache.set(key, cached, timeout=None)
    return cached


def _legend(breaks: list[float], values: list[float]) -> list[LegendEntry]:
    bounds = [min(values), *breaks, max(values)] if values else []
    return [
        LegendEntry(f"fill-{index}", bounds[index], bounds[index + 1])
        for index in range(len(bounds) - 1)
    ]


def region_choropleth(region: Region, figure: str) -> Choropleth:
    view_box, paths = region_paths(region)
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
    return Choropleth(view_box=frame.view_box, items=items, legend=[], missing=0, rows=items)


def _has_boundary(municipality: Municipality) -> bool:
    try:
        return municipality.boundary is not None
    except Boundary.DoesNotExist:
        return False


def _css(is_focus: bool) -> str:
    return "fill-focus" if is_focus else "fill-1"
