"""Geometry of the diagnostic's charts, drawn as inline SVG by templates. Pure: no Django.

Why server-side SVG rather than a chart library: the same markup works without JavaScript, under a
strict Content Security Policy, in print and in WeasyPrint's PDF. Colours are SVG presentation
attributes (not CSS) so the PDF renderer, which does not apply page stylesheets inside inline SVG
reliably, draws exactly what the browser draws. Every chart is paired with a data table in the
template, so the SVG itself is decorative detail for screen readers (`role="img"` with a title).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

WIDTH = 720.0
LEFT = 8.0
RIGHT = 8.0
VALUE_COLUMN = 48.0  # scores are written in a column right of the plot, clear of the markers
TOP = 26.0
ROW = 46.0
BAR = 16.0
LABEL_GAP = 6.0

# Colours meet 3:1 against the band backgrounds (WCAG 1.4.11 for graphical objects).
BAND_FILLS = ("#f1f4f6", "#e4eaee")
BAR_FILL = "#0a5c55"
TARGET_FILL = "#8a4b00"
PEER_STROKE = "#1b2631"
TEXT_FILL = "#1b2631"
MUTED_FILL = "#4a5866"


@dataclass(frozen=True)
class Band:
    level: int
    x: float
    width: float
    label_x: float


@dataclass(frozen=True)
class Tick:
    x: float
    label: str


@dataclass(frozen=True)
class BarRow:
    label: str
    value_text: str
    label_y: float
    bar_y: float
    bar_width: float
    value_x: float
    value_y: float
    has_value: bool
    target_x: float | None
    target_points: str
    peer_x: float | None
    peer_q1_x: float | None
    peer_q3_x: float | None
    peer_y1: float
    peer_y2: float
    peer_mid_y: float


@dataclass(frozen=True)
class BarChart:
    width: float
    height: float
    plot_left: float
    plot_width: float
    plot_top: float
    plot_bottom: float
    bands: tuple[Band, ...]
    ticks: tuple[Tick, ...]
    rows: tuple[BarRow, ...]
    fills: dict[str, str]

    @property
    def view_box(self) -> str:
        return f"0 0 {self.width:.0f} {self.height:.0f}"

    @property
    def plot_height(self) -> float:
        return self.plot_bottom - self.plot_top

    @property
    def tick_y(self) -> float:
        return self.plot_bottom + 14.0

    @property
    def has_targets(self) -> bool:
        return any(row.target_x is not None for row in self.rows)

    @property
    def has_peers(self) -> bool:
        return any(row.peer_x is not None for row in self.rows)


@dataclass(frozen=True)
class BarInput:
    """One bar: a 0–100 score, optionally a target level and a peer median with quartiles."""

    label: str
    score: float | None
    target_level: int | None = None
    peer_median: float | None = None
    peer_q1: float | None = None
    peer_q3: float | None = None


def level_floor(level: int, thresholds: Sequence[float]) -> float:
    """The lowest score of a level (level 1 starts at 0)."""
    return 0.0 if level <= 1 else float(thresholds[min(level, len(thresholds) + 1) - 2])


def bar_chart(
    inputs: Sequence[BarInput], thresholds: Sequence[float], *, no_value: str = "—"
) -> BarChart:
    """Horizontal bars on a 0–100 axis over level bands; label above each bar, value at the right.

    A target level is drawn as a diamond at the lowest score of that level (where the level is
    reached); a peer median as a vertical stroke with a thin line from the first to the third
    quartile.
    """
    plot_width = WIDTH - LEFT - RIGHT - VALUE_COLUMN
    x_of = _scale(LEFT, plot_width)
    edges = [0.0, *(float(t) for t in thresholds), 100.0]
    bands = tuple(
        Band(
            level=i + 1,
            x=x_of(low),
            width=x_of(high) - x_of(low),
            label_x=(x_of(low) + x_of(high)) / 2,
        )
        for i, (low, high) in enumerate(zip(edges, edges[1:], strict=False))
    )
    rows = tuple(_row(index, item, thresholds, x_of, no_value) for index, item in enumerate(inputs))
    plot_bottom = TOP + ROW * len(inputs) + 4.0
    ticks = tuple(Tick(x=x_of(v), label=f"{v:g}") for v in (0, 20, 40, 60, 80, 100))
    return BarChart(
        width=WIDTH,
        height=plot_bottom + 20.0,
        plot_left=LEFT,
        plot_width=plot_width,
        plot_top=TOP - 8.0,
        plot_bottom=plot_bottom,
        bands=bands,
        ticks=ticks,
        rows=rows,
        fills={
            "bands": BAND_FILLS[0],
            "bands_alt": BAND_FILLS[1],
            "bar": BAR_FILL,
            "target": TARGET_FILL,
            "peer": PEER_STROKE,
            "text": TEXT_FILL,
            "muted": MUTED_FILL,
        },
    )


def _scale(left: float, width: float):
    def x_of(score: float) -> float:
        return round(left + width * max(0.0, min(100.0, score)) / 100.0, 1)

    return x_of


def _row(index: int, item: BarInput, thresholds: Sequence[float], x_of, no_value: str) -> BarRow:
    label_y = TOP + ROW * index + 12.0
    bar_y = label_y + LABEL_GAP
    mid = bar_y + BAR / 2
    has_value = item.score is not None
    bar_width = x_of(item.score) - x_of(0) if has_value else 0.0
    target_x = x_of(level_floor(item.target_level, thresholds)) if item.target_level else None
    return BarRow(
        label=item.label,
        value_text=whole(item.score) if has_value else no_value,
        label_y=label_y,
        bar_y=bar_y,
        bar_width=round(bar_width, 1),
        value_x=WIDTH - RIGHT,
        value_y=bar_y + 13.0,
        has_value=has_value,
        target_x=target_x,
        target_points=_diamond(target_x, mid) if target_x is not None else "",
        peer_x=x_of(item.peer_median) if item.peer_median is not None else None,
        peer_q1_x=x_of(item.peer_q1) if item.peer_q1 is not None else None,
        peer_q3_x=x_of(item.peer_q3) if item.peer_q3 is not None else None,
        peer_y1=bar_y - 3.0,
        peer_y2=bar_y + BAR + 3.0,
        peer_mid_y=mid,
    )


def whole(score: float) -> str:
    """Rounded half up, like the tables' `floatformat`, so a chart never says 44 beside a 45."""
    return str(Decimal(repr(score)).quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _diamond(x: float, y: float, r: float = 7.0) -> str:
    return f"{x:.1f},{y - r:.1f} {x + r:.1f},{y:.1f} {x:.1f},{y + r:.1f} {x - r:.1f},{y:.1f}"
