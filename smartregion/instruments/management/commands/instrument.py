"""`smartregion instrument validate FILE` and `smartregion instrument load FILE|DIR`.

Exit codes: 0 success; 2 an invalid file (every error printed as `FILE: path: reason` on
stderr); 1 a load refused for another reason (a changed version that already has answers).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.utils.translation import gettext as _

from smartregion.instruments.definition import parse
from smartregion.instruments.services import (
    InstrumentFileInvalid,
    InstrumentLoadError,
    instrument_file_read,
    instrument_files,
    instrument_version_load,
)
from smartregion.instruments.validation import ValidationError

INVALID = 2


class Command(BaseCommand):
    help = _("Validate or load questionnaire instruments (YAML files under instruments/).")

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        validate = actions.add_parser("validate", help=_("Check a file and list every error."))
        validate.add_argument("file")
        load = actions.add_parser("load", help=_("Load a file, or every *.yaml under a folder."))
        load.add_argument("path")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "validate":
            self._validate(Path(options["file"]))
        else:
            self._load(Path(options["path"]))

    def _validate(self, path: Path) -> None:
        raw, errors = instrument_file_read(path=path)
        if errors:
            self._report(_lines(path, errors), loading=False)
        instrument = parse(raw)
        self.stdout.write(
            _("valid: %(questions)d questions, %(dimensions)d dimensions, %(recs)d recommendations")
            % {
                "questions": len(instrument.questions),
                "dimensions": len(instrument.dimensions),
                "recs": len(instrument.recommendations),
            }
        )

    def _load(self, path: Path) -> None:
        """All or nothing: every file is validated first, then all load in one transaction."""
        files = instrument_files(path=path)
        if not files:
            raise CommandError(_("no *.yaml file under %(path)s") % {"path": path})
        problems = [(file, instrument_file_read(path=file)[1]) for file in files]
        self._report([line for file, errors in problems for line in _lines(file, errors)], True)
        try:
            with transaction.atomic():
                loaded = [instrument_version_load(path=file) for file in files]
        except InstrumentFileInvalid as exc:  # changed on disk since the check above
            self._report(_lines(exc.path, exc.errors), loading=True)
        except InstrumentLoadError as exc:
            raise CommandError(str(exc)) from exc
        for version in loaded:
            status = {"created": _("created"), "updated": _("updated"), "unchanged": _("unchanged")}
            self.stdout.write(f"{status[version.load_status]}: {version.slug} {version.version}")

    def _report(self, lines: list[str], loading: bool) -> None:
        """Print every error line, then stop with exit code 2."""
        if not lines:
            return
        for line in lines:
            self.stderr.write(line)
        summary = _("%(count)d error(s)") % {"count": len(lines)}
        if loading:
            summary = _("%(count)d error(s): nothing was loaded") % {"count": len(lines)}
        raise CommandError(summary, returncode=INVALID)


def _lines(path: Path, errors: list[ValidationError]) -> list[str]:
    return [f"{path}: {e.path}: {e.reason}" if e.path else f"{path}: {e.reason}" for e in errors]
