"""Validating a catalogue against the DCAT-AP 3.0.0 SHACL shapes (shared by the catalogue tests).

The shapes come from the shared data folder (SMARTREGION_SHARED_DATA); tests that need them are
marked `needs_shapes` and skipped where the folder is absent.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pyshacl import validate
from rdflib import Graph
from rdflib.namespace import SH

SHAPES_DIR = Path(os.environ.get("SMARTREGION_SHARED_DATA", "/work/shared/data")) / "dcat-ap/3.0.0"
needs_shapes = pytest.mark.skipif(
    not SHAPES_DIR.is_dir(), reason=f"DCAT-AP 3.0.0 SHACL shapes not found in {SHAPES_DIR}"
)
# The application profile's shapes, as the EU's validator applies them together.
PROFILE_SHAPES = (
    "dcat-ap-SHACL.ttl",
    "range.ttl",
    "mdr-vocabularies.shape.ttl",
    "shapes_recommended.ttl",
    "deprecateduris.ttl",
)


def shacl(graph: Graph, *shape_files: str) -> tuple[bool, list[tuple[str, str, str]], str]:
    """Conformance, the top-level results as (severity, focus node, path), and the report text."""
    shapes = Graph()
    for name in shape_files:
        shapes.parse(SHAPES_DIR / name)
    conforms, report, text = validate(graph, shacl_graph=shapes, advanced=True)
    results = [
        (
            str(report.value(result, SH.resultSeverity)).rsplit("#", 1)[-1],
            str(report.value(result, SH.focusNode)),
            str(report.value(result, SH.resultPath)),
        )
        for result in report.objects(None, SH.result)
    ]
    return bool(conforms), sorted(results), text
