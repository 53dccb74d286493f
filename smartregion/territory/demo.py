"""The territory's part of `smartregion demo`: the reference list and, until official figures are
imported, synthetic populations (labelled as such wherever shown)."""

from __future__ import annotations

from collections.abc import Callable

from .services import figures_create_demo, territory_load_reference


def load(*, out: Callable[[str], None], err: Callable[[str], None]) -> None:
    reference = territory_load_reference()
    out(
        f"Territory: {reference.municipalities} municipalities in Belgium, "
        f"{reference.historical} former ones, {reference.successions} merger links."
    )
    created = figures_create_demo()
    if created:
        out(f"Demo figures: {created} synthetic populations (no official import yet).")
