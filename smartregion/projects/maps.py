"""The map of projects: a dot per project location over the region's commune outlines, as
server-rendered SVG (see territory/svgmap.py for why no JavaScript map library).

The outlines come projected and cached from the territory app; the points are projected with
the same frame (the union of the outlines' bounding boxes), so they land on the right commune.
Without imported boundaries, the frame fits the points themselves and no outline is drawn.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core.cache import cache
from django.db.models import Max, Min

from smartregion.territory import svgmap
from smartregion.territory.maps import region_layers
from smartregion.territory.models import Boundary, Municipality, Region

from .models import Location, Project


@dataclass(frozen=True)
class Dot:
    project: Project
    location: Location
    title: str
    x: float
    y: float

    @property
    def label(self) -> str:
        return f"{self.title} — {self.location.label}" if self.location.label else self.title


@dataclass(frozen=True)
class ProjectMap:
    view_box: str
    outlines: tuple[str, ...]
    dots: tuple[Dot, ...]
    outside: int  # locations outside the drawn region, listed in the table only
    provinces: tuple[str, ...] = ()
    highlighted: tuple[str, ...] = ()  # outlines of the project's own communes

    @property
    def has_outlines(self) -> bool:
        return bool(self.outlines)


def _region_frame(region: Region) -> svgmap.Frame | None:
    """The frame the territory app draws the region's outlines in, cached per boundary import."""
    boxes = Boundary.objects.filter(
        municipality__region=region, municipality__in=Municipality.objects.current()
    ).aggregate(
        latest=Max("imported_at"),
        min_lon=Min("min_lon"),
        min_lat=Min("min_lat"),
        max_lon=Max("max_lon"),
        max_lat=Max("max_lat"),
    )
    if boxes["latest"] is None:
        return None
    key = f"projects:region-frame:{region.refnis}:{boxes['latest'].isoformat()}"
    frame = cache.get(key)
    if frame is None:
        frame = svgmap.fit((boxes["min_lon"], boxes["min_lat"], boxes["max_lon"], boxes["max_lat"]))
        cache.set(key, frame, timeout=None)
    return frame


def _inside(frame: svgmap.Frame, x: float, y: float) -> bool:
    return 0 <= x <= svgmap.WIDTH and 0 <= y <= frame.height


def projects_map(
    region: Region | None,
    locations: list[Location],
    language: str,
    *,
    municipality_ids: frozenset[int] = frozenset(),
) -> ProjectMap | None:
    """Dots for `locations` (their `project` loaded) over the region's communes and provinces,
    the communes of `municipality_ids` highlighted; None when there is nothing to draw."""
    frame = _region_frame(region) if region is not None else None
    outlines: tuple[str, ...] = ()
    provinces: tuple[str, ...] = ()
    highlighted: tuple[str, ...] = ()
    if frame is not None and region is not None:
        layers = region_layers(region)
        outlines = tuple(p for pk, p in layers.municipalities.items() if pk not in municipality_ids)
        highlighted = tuple(p for pk, p in layers.municipalities.items() if pk in municipality_ids)
        provinces = layers.provinces
    elif locations:
        frame = svgmap.fit(
            (
                min(float(loc.longitude) for loc in locations),
                min(float(loc.latitude) for loc in locations),
                max(float(loc.longitude) for loc in locations),
                max(float(loc.latitude) for loc in locations),
            ),
            margin=0.1,
        )
    else:
        return None
    dots = []
    for location in locations:
        x, y = frame.project(float(location.longitude), float(location.latitude))
        if _inside(frame, x, y):
            title = location.project.title_for(language)
            dots.append(Dot(location.project, location, title, round(x, 1), round(y, 1)))
    return ProjectMap(
        frame.view_box,
        outlines,
        tuple(dots),
        len(locations) - len(dots),
        provinces=provinces,
        highlighted=highlighted,
    )


@dataclass(frozen=True)
class PlacementMap:
    """The region drawn in the project form, for the script that turns a click into a place."""

    view_box: str
    outlines: tuple[str, ...]
    provinces: tuple[str, ...]
    frame: svgmap.Frame


def placement_map(region: Region | None) -> PlacementMap | None:
    """None without imported boundaries: the form then takes communes and coordinates only."""
    frame = _region_frame(region) if region is not None else None
    if frame is None or region is None:
        return None
    layers = region_layers(region)
    return PlacementMap(
        layers.view_box, tuple(layers.municipalities.values()), layers.provinces, frame
    )
