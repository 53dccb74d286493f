"""`smartregion import population|boundaries FILE …`: load Statbel open-data files.

Exit code 0 on success, 2 when the input is wrong: the message lists every problem, nothing is
written.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _

from smartregion.territory.importers.boundaries import (
    DEFAULT_TOLERANCE_METRES,
    BoundaryImportResult,
    boundaries_import,
)
from smartregion.territory.importers.common import ImportFailed
from smartregion.territory.importers.population import (
    PopulationImportResult,
    population_import,
)

BAD_INPUT = 2


class Command(BaseCommand):
    help = "Import Statbel open data: population per municipality, or municipal boundaries."

    def add_arguments(self, parser: CommandParser) -> None:
        kinds = parser.add_subparsers(dest="kind", required=True, metavar="{population,boundaries}")
        population = kinds.add_parser("population", help="population per municipality (CSV, XLSX)")
        population.add_argument("file", help="path or http(s) URL")
        population.add_argument("--year", type=int, help="year (1 January) of the figures")
        boundaries = kinds.add_parser("boundaries", help="municipal boundaries (GeoJSON, TopoJSON)")
        boundaries.add_argument("file", help="path or http(s) URL")
        boundaries.add_argument(
            "--year",
            type=int,
            default=dt.date.today().year,
            help="year of the area figures computed from the outlines (default: this year)",
        )
        boundaries.add_argument(
            "--tolerance",
            type=float,
            default=DEFAULT_TOLERANCE_METRES,
            help="simplification tolerance in metres (0: keep every vertex)",
        )
        boundaries.add_argument("--code-property", help="feature property holding the REFNIS code")
        for sub in (population, boundaries):
            sub.add_argument("--source", default="", help="source to record (default: the file)")
            sub.add_argument("--dry-run", action="store_true", help="validate only, write nothing")
            sub.add_argument("--no-progress", action="store_true", help="no progress bar")
            sub.add_argument("--encoding", help="e.g. cp1252 for a file not saved as UTF-8")
            sub.add_argument(
                "--partial",
                action="store_true",
                help="accept a file covering less than 90 %% of a region's communes (a warning)",
            )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["kind"] == "population":
                self._population(options)
            else:
                self._boundaries(options)
        except ImportFailed as error:
            raise CommandError(error.message(), returncode=BAD_INPUT) from error

    def _population(self, options: dict[str, Any]) -> None:
        result = population_import(
            options["file"],
            year=options["year"],
            source=options["source"],
            encoding=options["encoding"],
            dry_run=options["dry_run"],
            show_progress=not options["no_progress"],
            partial=options["partial"],
        )
        for warning in result.warnings:
            self.stderr.write(_("warning: %(warning)s") % {"warning": warning})
        self.stdout.write(self.style.SUCCESS(_population_summary(result)))

    def _boundaries(self, options: dict[str, Any]) -> None:
        result = boundaries_import(
            options["file"],
            year=options["year"],
            source=options["source"],
            tolerance=options["tolerance"],
            code_property=options["code_property"],
            dry_run=options["dry_run"],
            show_progress=not options["no_progress"],
            partial=options["partial"],
            encoding=options["encoding"],
        )
        for warning in result.warnings:
            self.stderr.write(_("warning: %(warning)s") % {"warning": warning})
        self.stdout.write(self.style.SUCCESS(_boundaries_summary(result)))


def _population_summary(result: PopulationImportResult) -> str:
    lines = [
        _("Population on 1 January %(year)d: dry run, nothing written.")
        if result.dry_run
        else _("Population on 1 January %(year)d imported."),
        _("rows read: %(n)d") % {"n": result.rows_read},
        _("municipalities updated: %(n)d") % {"n": len(result.figures)},
        _("aggregate rows skipped (regions, provinces, arrondissements): %(n)d")
        % {"n": result.aggregates_skipped},
        _("derived figures (merged municipalities): %(n)d") % {"n": len(result.derived)},
    ]
    if result.other_years_skipped:
        lines.append(_("rows of other years skipped: %(n)d") % {"n": result.other_years_skipped})
    lines[0] = lines[0] % {"year": result.year}
    return "\n".join(lines)


def _boundaries_summary(result: BoundaryImportResult) -> str:
    head = (
        _("Boundaries: dry run, nothing written.") if result.dry_run else _("Boundaries imported.")
    )
    return "\n".join(
        [
            head,
            _("features read: %(n)d") % {"n": result.features_read},
            _("boundaries written: %(n)d") % {"n": len(result.boundaries)},
            _("derived boundaries (merged municipalities): %(n)d") % {"n": len(result.derived)},
            _("current municipalities without a boundary: %(n)d") % {"n": result.missing},
            _("neighbour pairs: %(n)d") % {"n": len(result.neighbour_pairs)},
            _("areas stored for year %(year)d") % {"year": result.year},
            _("repaired geometries (warnings): %(n)d") % {"n": len(result.warnings)},
        ]
    )
