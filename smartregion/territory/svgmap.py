"""Server-side SVG maps of municipalities. Pure: no Django.

Why SVG from the server rather than a JavaScript map library: a choropleth of a few hundred communes
needs no tiles, works without JavaScript, on old laptops and in print, and each shape can be a real
link with an accessible name, so the map is keyboard-navigable. Every map also has a data table.
"""

from __future__ import annotations

import math
from bisect import bisect_left
from collections.abc import Sequence
from dataclasses import dataclass

WIDTH = 1000.0


@dataclass(frozen=True)
class Shape:
    key: str
    path: str


@dataclass(frozen=True)
class Frame:
    """An equirectangular projection fitted to a bounding box, scaled to WIDTH."""

    min_lon: float
    max_lat: float
    x_scale: float
    scale: float
    height: float

    @property
    def view_box(self) -> str:
        return f"0 0 {WIDTH:.0f} {self.height:.0f}"

    def project(self, lon: float, lat: float) -> tuple[float, float]:
        return (
            (lon - self.min_lon) * self.x_scale * self.scale,
            (self.max_lat - lat) * self.scale,
        )


def fit(bbox: tuple[float, float, float, float], margin: float = 0.02) -> Frame:
    """A frame for (min_lon, min_lat, max_lon, max_lat), with a small margin around it."""
    min_lon, min_lat, max_lon, max_lat = bbox
    # A single point or line still gets a visible frame.
    pad_lon = (max_lon - min_lon) * margin if max_lon > min_lon else 0.01
    pad_lat = (max_lat - min_lat) * margin if max_lat > min_lat else 0.01
    min_lon, max_lon = min_lon - pad_lon, max_lon + pad_lon
    min_lat, max_lat = min_lat - pad_lat, max_lat + pad_lat
    x_scale = math.cos(math.radians((min_lat + max_lat) / 2))
    scale = WIDTH / ((max_lon - min_lon) * x_scale)
    return Frame(min_lon, max_lat, x_scale, scale, (max_lat - min_lat) * scale)


def union_bbox(
    boxes: Sequence[tuple[float, float, float, float]],
) -> tuple[float, float, float, float]:
    return (
        min(box[0] for box in boxes),
        min(box[1] for box in boxes),
        max(box[2] for box in boxes),
        max(box[3] for box in boxes),
    )


def _rings(geometry: dict) -> list[list[list[float]]]:
    if geometry.get("type") == "Polygon":
        return list(geometry["coordinates"])
    if geometry.get("type") == "MultiPolygon":
        return [ring for polygon in geometry["coordinates"] for ring in polygon]
    return []


def path_for(geometry: dict, frame: Frame) -> str:
    """An SVG path (even-odd rings) for a Polygon or MultiPolygon, to one decimal."""
    parts = []
    for ring in _rings(geometry):
        points = [frame.project(lon, lat) for lon, lat, *_ in ring]
        if len(points) < 3:
            continue
        head, *tail = points
        parts.append(
            f"M{head[0]:.1f} {head[1]:.1f}" + "".join(f"L{x:.1f} {y:.1f}" for x, y in tail) + "Z"
        )
    return "".join(parts)


def class_breaks(values: Sequence[float], classes: int = 5) -> list[float]:
    """Quantile breaks: the upper bounds of the first classes-1 classes, without duplicates."""
    ordered = sorted(values)
    if not ordered:
        return []
    breaks = []
    for index in range(1, classes):
        position = index * len(ordered) / classes
        value = ordered[min(len(ordered) - 1, max(0, math.ceil(position) - 1))]
        if not breaks or value > breaks[-1]:
            breaks.append(value)
    return breaks


def class_of(value: float, breaks: Sequence[float]) -> int:
    """The class index 0..len(breaks) of a value; a value equal to a break belongs below it."""
    return bisect_left(breaks, value)
