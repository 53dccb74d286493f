"""`smartregion demo`: reference data, demo figures and demo accounts. Safe to run again."""

from __future__ import annotations

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser

from smartregion.accounts.services import DEMO_PASSWORD, demo_accounts_create
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
        region = settings.SMARTREGION["DEFAULT_REGION"]
        self.stdout.write(self.style.SUCCESS("\nSmart Region demo is ready."))
        self.stdout.write(f"  URL:      http://127.0.0.1:{options['port']}/")
        self.stdout.write(f"  Region:   {region}")
        self.stdout.write(f"  Password for every demo account: {DEMO_PASSWORD}")
        for account in accounts:
            self.stdout.write(f"  {account.role:<16} {account.email}")
