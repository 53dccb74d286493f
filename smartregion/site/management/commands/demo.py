"""`smartregion demo`: reference data, demo figures and demo accounts. Safe to run again."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from smartregion.accounts.services import DEMO_PASSWORD, demo_accounts_create
from smartregion.barometer.demo import barometer_demo_create
from smartregion.diagnostic.demo import diagnostic_demo_create
from smartregion.instruments.services import (
    InstrumentLoadError,
    instrument_files,
    instrument_version_load,
)
from smartregion.projects.demo import projects_demo_create
from smartregion.territory.services import figures_create_demo, territory_load_reference


class Command(BaseCommand):
    help = "Load reference data and demonstration data (idempotent), and print the demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", default="8000", help="Port shown in the printed URL.")

    def handle(self, *args: object, **options: str) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        reference = territory_load_reference()
        self.stdout.write(
            f"Territory: {reference.municipalities} municipalities in Belgium, "
            f"{reference.historical} former ones, {reference.successions} merger links."
        )
        created = figures_create_demo()
        if created:
            self.stdout.write(
                f"Demo figures: {created} synthetic populations (no official import yet)."
            )
        accounts = demo_accounts_create()
        self._load_instruments()
        demo = diagnostic_demo_create()
        self.stdout.write(
            _(
                "Demo diagnostics: %(created)d created; %(diagnostics)d submitted diagnostics "
                "of %(communes)d communes in all."
            )
            % {"created": demo.created, "diagnostics": demo.diagnostics, "communes": demo.communes}
        )
        self._barometer()
        self._projects()
        region = settings.SMARTREGION["DEFAULT_REGION"]
        self.stdout.write(self.style.SUCCESS("\nSmart Region demo is ready."))
        self.stdout.write(f"  URL:      http://127.0.0.1:{options['port']}/")
        self.stdout.write(f"  Region:   {region}")
        self.stdout.write(f"  Password for every demo account: {DEMO_PASSWORD}")
        for account in accounts:
            self.stdout.write(f"  {account.role:<16} {account.email}")

    def _load_instruments(self) -> None:
        """Load every instrument file; unchanged versions are skipped, frozen ones reported."""
        statuses: list[str] = []
        for path in instrument_files(path=settings.BASE_DIR / "instruments"):
            try:
                statuses.append(instrument_version_load(path=path).load_status)
            except InstrumentLoadError as exc:
                self.stderr.write(f"{path}: {exc}")
        self.stdout.write(
            _("Instruments: %(created)d loaded, %(updated)d updated, %(unchanged)d unchanged.")
            % {
                "created": statuses.count("created"),
                "updated": statuses.count("updated"),
                "unchanged": statuses.count("unchanged"),
            }
        )

    def _barometer(self) -> None:
        """Four closed demo waves of the barometer, published as editions."""
        started = time.monotonic()
        demo = barometer_demo_create()
        rates = ", ".join(f"{wave.year} {wave.rate:.0%}" for wave in demo.waves)
        self.stdout.write(
            _(
                "Demo barometer: %(created)d waves created, %(published)d editions "
                "published; response rates %(rates)s; %(panel)d communes answered every "
                "wave (%(seconds).1f s)."
            )
            % {
                "created": demo.created,
                "published": demo.published,
                "rates": rates or "-",
                "panel": demo.panel,
                "seconds": time.monotonic() - started,
            }
        )

    def _projects(self) -> None:
        """About 150 demo projects of the catalogue, with their actors, through its services."""
        started = time.monotonic()
        demo = projects_demo_create()
        self.stdout.write(
            _(
                "Demo projects: %(created)d created; %(projects)d in all (%(published)d "
                "published, %(showcase)d in the showcase) in %(communes)d communes, "
                "%(actors)d demo actors (%(seconds).1f s)."
            )
            % {
                "created": demo.created,
                "projects": demo.projects,
                "published": demo.published,
                "showcase": demo.showcase,
                "communes": demo.communes,
                "actors": demo.actors,
                "seconds": time.monotonic() - started,
            }
        )
