"""`smartregion demo`: reference data, demo figures and demo accounts. Safe to run again."""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from smartregion.accounts import demo as accounts_demo
from smartregion.barometer import demo as barometer_demo
from smartregion.diagnostic import demo as diagnostic_demo
from smartregion.instruments import demo as instruments_demo
from smartregion.knowledge import demo as knowledge_demo
from smartregion.observatory import demo as observatory_demo
from smartregion.projects import demo as projects_demo
from smartregion.territory import demo as territory_demo

# Each app's own demo step, in dependency order: the commune list first, then the accounts of the
# demo commune, the instruments the diagnostics and waves answer, and the projects last (their
# actors' members are demo accounts). Each step is idempotent and prints its own summary.
STEPS = (
    territory_demo.load,
    accounts_demo.load,
    instruments_demo.load,
    diagnostic_demo.load,
    barometer_demo.load,
    observatory_demo.load,
    projects_demo.load,
    knowledge_demo.load,
)


class Command(BaseCommand):
    help = "Load reference data and demonstration data (idempotent), and print the demo logins."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", default="8000", help="Port shown in the printed URL.")

    def handle(self, *args: object, **options: str) -> None:
        call_command("migrate", interactive=False, verbosity=0)
        for step in STEPS:
            step(out=self.stdout.write, err=self.stderr.write)
        region = settings.SMARTREGION["DEFAULT_REGION"]
        self.stdout.write(self.style.SUCCESS("\nSmart Region demo is ready."))
        self.stdout.write(f"  URL:      http://127.0.0.1:{options['port']}/")
        self.stdout.write(f"  Region:   {region}")
        self.stdout.write(f"  Password for every demo account: {accounts_demo.DEMO_PASSWORD}")
        for account in accounts_demo.logins():
            self.stdout.write(f"  {account.role:<16} {account.email}")
