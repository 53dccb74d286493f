"""`smartregion knowledge review`: flag resources past their review date "needs review", then
email each owner once the list of their resources to review.

Run it daily (cron, systemd timer or the platform's scheduler). Links in emails are absolute, so
the site's public address comes from SMARTREGION_BASE_URL.
"""

from __future__ import annotations

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction
from django.urls import reverse
from django.utils import timezone, translation

from smartregion.core.addresses import configured_base_url
from smartregion.knowledge import queries, services
from smartregion.knowledge.models import Resource
from smartregion.knowledge.tasks import review_reminder_send


class Command(BaseCommand):
    help = "Knowledge chores: 'review' flags overdue resources and reminds their owners."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("action", choices=["review"])

    def handle(self, *args: object, **options: object) -> None:
        base = configured_base_url()
        if not base:
            raise CommandError(
                "Set SMARTREGION_BASE_URL (the site's public address) so that emailed links work.",
                returncode=2,
            )
        flagged = services.flag_overdue()
        self.stdout.write(f"{len(flagged)} resource(s) flagged as needing review")
        sent = 0
        for owner_id, resources in queries.resources_to_remind().items():
            with translation.override(settings.LANGUAGE_CODE):
                links = [
                    base + reverse("knowledge:resource-edit", kwargs={"slug": r.slug})
                    for r in resources
                ]
            ids = [r.pk for r in resources]
            with transaction.atomic():
                Resource.objects.filter(pk__in=ids).update(review_reminded_at=timezone.now())
                transaction.on_commit(
                    lambda o=owner_id, i=ids, ln=links: review_reminder_send.enqueue(o, i, ln)
                )
            sent += 1
        self.stdout.write(f"{sent} reminder(s) sent")
