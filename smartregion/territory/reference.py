"""The open reference files shipped in data/reference/ (see the README, sources and licences there).

They are loaded by `smartregion load_reference` through the ordinary importers; this module only
names them and the labels their figures carry.
"""

from __future__ import annotations

import functools
import json
from pathlib import Path

REFERENCE_DIR = Path(__file__).resolve().parent / "data" / "reference"
POPULATION_FILE = REFERENCE_DIR / "statbel_population_by_municipality_2020.csv"
POPULATION_YEAR = 2020
POPULATION_SOURCE = "Statbel"
BOUNDARIES_FILE = REFERENCE_DIR / "belgium_municipalities_2019_topojson.json"
BOUNDARIES_YEAR = 2025  # the 2019 outlines with the 2025 mergers dissolved: the 2025 map
# Proper names only, so the label reads the same in every language the site speaks. Outlines whose
# source names REFERENCE_MARK came from this file (whatever the wording of an earlier release).
REFERENCE_MARK = "bmesuere/belgium-topojson"
BOUNDARIES_SOURCE = (
    "Statbel REFNIS 2019; bmesuere/belgium-topojson (CC0 1.0); "
    "arneh61/Belgium-Map (MIT, © 2020 Arne Hoefkens)"
)


@functools.cache
def boundary_codes() -> frozenset[str]:
    """The REFNIS codes the reference outlines cover (the 581 municipalities of 2019-2024)."""
    document = json.loads(BOUNDARIES_FILE.read_text(encoding="utf-8"))
    geometries = document["objects"]["municipalities"]["geometries"]
    return frozenset(str(g["properties"]["nis"]) for g in geometries)
