"""Emails of the site app, sent by the background worker."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django_tasks import task


@task()
def contact_email_send(name: str, email: str, subject: str, message: str) -> None:
    """A visitor's message from the contact page, to the operator; replies go to the visitor."""
    EmailMessage(
        subject=f"[{settings.SMARTREGION['PLATFORM_NAME']}] {subject}",
        body=f"{name} <{email}>\n\n{message}",
        to=[settings.SMARTREGION_OPERATOR_EMAIL],
        reply_to=[email],
    ).send()
