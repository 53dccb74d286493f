"""`smartregion projects reindex`: rebuild the full-text index of published projects.

Services keep the index up to date project by project; run this after restoring a database,
loading projects in bulk or changing how text is normalised (projects/search.py).
"""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from smartregion.core.pagecache import data_version_bump
from smartregion.projects.search import project_reindex_all


class Command(BaseCommand):
    help = "Project catalogue chores: 'reindex' rebuilds the full-text search index."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["reindex"])

    def handle(self, *args: object, **options: object) -> None:
        with transaction.atomic():
            count = project_reindex_all()
            data_version_bump()  # cached catalogue pages and facet indexes are rebuilt
        self.stdout.write(f"{count} published project(s) indexed")
