"""`smartregion import_contacts FILE`: set communes' contact addresses from a CSV file.

Columns: refnis, and any of contact_email, smartcity_contact_name, smartcity_contact_email (see
territory/importers/contacts.py). All or nothing: exit code 2 and every problem listed, with its
line and column, when anything is wrong.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from smartregion.territory.importers.common import ImportFailed
from smartregion.territory.importers.contacts import contacts_import

BAD_INPUT = 2


class Command(BaseCommand):
    help = "Set communes' contact addresses (general, smart-city contact) from a CSV file."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("file", help="path of a CSV file (UTF-8, comma or semicolon)")
        parser.add_argument("--encoding", help="e.g. cp1252 for a file not saved as UTF-8")
        parser.add_argument("--dry-run", action="store_true", help="validate only, write nothing")

    def handle(self, *args: Any, **options: Any) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"File not found: {path}", returncode=BAD_INPUT)
        try:
            result = contacts_import(
                path.read_bytes(), encoding=options["encoding"], dry_run=options["dry_run"]
            )
        except ImportFailed as error:
            raise CommandError(error.message(), returncode=BAD_INPUT) from error
        verb = "would be updated (dry run)" if result.dry_run else "updated"
        self.stdout.write(
            f"{result.count} commune(s) {verb}; columns: {', '.join(result.columns)}."
        )
