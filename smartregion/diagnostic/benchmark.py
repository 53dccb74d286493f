"""Peer benchmark statistics. Pure: no Django.

A peer group is shown only when it holds at least MIN_PEERS submitted diagnostics, so that no
single commune's scores can be read back from the figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

MIN_PEERS = 5


@dataclass(frozen=True)
class Spread:
    count: int
    q1: float
    median: float
    q3: float


def quantile(ordered: Sequence[float], fraction: float) -> float:
    """Linear interpolation between closest ranks (NumPy's default, Hyndman–Fan type 7)."""
    position = (len(ordered) - 1) * fraction
    low = int(position)
    high = min(low + 1, len(ordered) - 1)
    return ordered[low] + (ordered[high] - ordered[low]) * (position - low)


def spread(values: Sequence[float | None], minimum: int = MIN_PEERS) -> Spread | None:
    """Quartiles of the known values, or None when fewer than `minimum` are known."""
    ordered = sorted(value for value in values if value is not None)
    if len(ordered) < minimum:
        return None
    return Spread(
        count=len(ordered),
        q1=quantile(ordered, 0.25),
        median=quantile(ordered, 0.5),
        q3=quantile(ordered, 0.75),
    )
