"""Decode a TopoJSON Topology into GeoJSON features (pure, no Django).

TopoJSON stores each shared border once as an "arc"; geometries list arc indexes (a negative index
~i means arc i reversed) and, when the topology is quantized, arcs are delta-encoded integers to be
scaled by `transform`. Specification: https://github.com/topojson/topojson-specification
"""

from __future__ import annotations

from typing import Any

Position = list[float]
PREFERRED_OBJECT = "municipalities"


class TopologyError(ValueError):
    """A geometry refers to arcs or positions that the topology does not have."""

    def __init__(self, number: int, reason: str) -> None:
        self.number = number  # 1-based, like the importers' "feature N"
        super().__init__(reason)


def topology_object_name(topology: dict[str, Any]) -> str | None:
    """The object holding municipalities: `municipalities` if present, else the first one."""
    objects = topology.get("objects") or {}
    if PREFERRED_OBJECT in objects:
        return PREFERRED_OBJECT
    return next(iter(objects), None)


def topology_features(topology: dict[str, Any], name: str) -> list[dict[str, Any]]:
    """The object's geometries as GeoJSON features, properties kept."""
    transform = topology.get("transform")
    arcs = [_decode_arc(arc, transform) for arc in topology.get("arcs") or []]
    item = topology["objects"][name]
    geometries = item.get("geometries", []) if item.get("type") == "GeometryCollection" else [item]
    features = []
    for number, geometry in enumerate(geometries, start=1):
        try:
            decoded = _geometry(geometry, arcs, transform)
        except (IndexError, KeyError, TypeError, ValueError) as error:
            raise TopologyError(number, f"{type(error).__name__}: {error}") from error
        features.append(
            {"type": "Feature", "properties": geometry.get("properties") or {}, "geometry": decoded}
        )
    return features


def _decode_arc(arc: list[list[float]], transform: dict[str, Any] | None) -> list[Position]:
    if not transform:
        return [[float(p[0]), float(p[1])] for p in arc]
    (scale_x, scale_y), (shift_x, shift_y) = transform["scale"], transform["translate"]
    x = y = 0
    points = []
    for dx, dy, *_ in arc:
        x, y = x + dx, y + dy
        points.append([x * scale_x + shift_x, y * scale_y + shift_y])
    return points


def _line(arcs: list[list[Position]], indexes: list[int]) -> list[Position]:
    """Chain arcs into one line; each arc starts where the previous ended, so drop that point."""
    points: list[Position] = []
    for index in indexes:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        points.extend(arc[1:] if points else arc)
    return points


def _position(point: list[float], transform: dict[str, Any] | None) -> Position:
    if not transform:
        return [float(point[0]), float(point[1])]
    (scale_x, scale_y), (shift_x, shift_y) = transform["scale"], transform["translate"]
    return [point[0] * scale_x + shift_x, point[1] * scale_y + shift_y]


def _geometry(
    geometry: dict[str, Any], arcs: list[list[Position]], transform: dict[str, Any] | None
) -> dict[str, Any] | None:
    kind = geometry.get("type")
    if kind is None:
        return None
    if kind == "GeometryCollection":
        parts = [_geometry(g, arcs, transform) for g in geometry.get("geometries", [])]
        return {"type": kind, "geometries": parts}
    decoders = {
        "Point": lambda: _position(geometry["coordinates"], transform),
        "MultiPoint": lambda: [_position(p, transform) for p in geometry["coordinates"]],
        "LineString": lambda: _line(arcs, geometry["arcs"]),
        "MultiLineString": lambda: [_line(arcs, line) for line in geometry["arcs"]],
        "Polygon": lambda: [_line(arcs, ring) for ring in geometry["arcs"]],
        "MultiPolygon": lambda: [[_line(arcs, r) for r in poly] for poly in geometry["arcs"]],
    }
    if kind not in decoders:
        raise ValueError(f"unknown geometry type {kind!r}")
    return {"type": kind, "coordinates": decoders[kind]()}
