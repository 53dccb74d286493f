"""`smartregion barometer remind`: send the reminders that are due in every open wave.

Run it daily (cron, systemd timer or the platform's scheduler). Links in emails are absolute, so
the site's public address comes from SMARTREGION_BASE_URL (e.g. https://smartregion.example.org).
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.urls import reverse
from django.utils import translation

from smartregion.barometer.models import Wave
from smartregion.barometer.services import BarometerError, reminders_send
from smartregion.core.addresses import configured_base_url


class Command(BaseCommand):
    help = "Barometer chores: 'remind' sends the reminders due today in every open wave."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["remind"])

    def handle(self, *args: object, **options: object) -> None:
        base = configured_base_url()
        if not base:
            raise CommandError(
                "Set SMARTREGION_BASE_URL (the site's public address) so that emailed links work.",
                returncode=2,
            )

        def link_for(token: str) -> str:
            with translation.override(settings.LANGUAGE_CODE):
                return base + reverse("barometer:respond", args=[token])

        total = 0
        for wave in Wave.objects.filter(status=Wave.Status.OPEN, is_demo=False):
            try:
                sent = reminders_send(wave=wave, link_for=link_for)
            except BarometerError as error:
                self.stderr.write(f"{wave}: {error}")
                continue
            total += sent
            self.stdout.write(f"{wave}: {sent} reminder(s) sent")
        self.stdout.write(f"{total} reminder(s) sent in all")
