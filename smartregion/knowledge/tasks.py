"""Emails of the knowledge base, sent by the background worker."""

from __future__ import annotations

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from smartregion.accounts.models import User

from .models import Resource


@task()
def review_reminder_send(owner_id: int, resource_ids: list[int], links: list[str]) -> None:
    """One email to a resource owner listing the resources they should review."""
    owner = User.objects.get(pk=owner_id)
    resources = {r.pk: r for r in Resource.objects.filter(pk__in=resource_ids)}
    with translation.override(owner.preferred_language or "fr"):
        items = [
            (resources[pk], link)
            for pk, link in zip(resource_ids, links, strict=True)
            if pk in resources
        ]
        body = render_to_string(
            "knowledge/email/review_reminder.txt", {"owner": owner, "items": items}
        )
        subject = _("Resources to review: %(count)d") % {"count": len(items)}
    send_mail(subject, body, None, [owner.email])
