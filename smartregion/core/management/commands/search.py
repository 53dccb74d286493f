"""The site search index: `reindex` rebuilds it from the registered providers (every kind, or
`--kind resource`), e.g. after changing SMARTREGION_SEARCH_PROVIDERS or the normalisation."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError, CommandParser

from smartregion.core.search import documents_reindex, search_providers


class Command(BaseCommand):
    help = "Site search: rebuild the index."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        reindex = actions.add_parser("reindex", help="rebuild the site search index")
        reindex.add_argument("--kind", default=None, help="one kind only (resource, project…)")

    def handle(self, *args: object, **options: object) -> None:
        kind = options.get("kind")
        if kind is not None and kind not in search_providers():
            known = ", ".join(search_providers())
            raise CommandError(f"Unknown kind {kind!r}: the registered kinds are {known}.")
        for name, count in documents_reindex(kind).items():  # type: ignore[arg-type]
            self.stdout.write(f"{name}: {count} document(s) indexed")
