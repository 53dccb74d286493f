"""Emails of accounts, sent by the background worker (see README, "Running in production")."""

from __future__ import annotations

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from .models import Invitation

INVITATION_DAYS = 14


@task()
def invitation_email_send(invitation_id: int, link: str, language: str) -> None:
    """The invitation to a commune's team, in the language the inviter used."""
    invitation = Invitation.objects.select_related("municipality", "invited_by").get(
        pk=invitation_id
    )
    with translation.override(language):
        subject = _("Invitation to the %(commune)s team on Smart Region") % {
            "commune": invitation.municipality.name
        }
        body = render_to_string(
            "account/email/invitation.txt",
            {
                "invitation": invitation,
                "link": link,
                "days": INVITATION_DAYS,
                "inviter": invitation.invited_by,
            },
        )
    send_mail(subject, body, None, [invitation.email])
