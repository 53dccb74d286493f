"""Emails of the barometer (invitations and reminders), sent by the background worker."""

from __future__ import annotations

from django.core.mail import send_mail
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from smartregion.accounts.models import User

from .models import WaveMember


@task()
def wave_email_send(member_id: int, link: str, reminder: bool) -> None:
    """One commune's invitation or reminder, in its contact's language."""
    member = WaveMember.objects.select_related("wave__region", "municipality").get(pk=member_id)
    template = "barometer/email/reminder.txt" if reminder else "barometer/email/invitation.txt"
    with translation.override(recipient_language(member)):
        body = render_to_string(template, {"wave": member.wave, "member": member, "link": link})
        subject = (
            _("Reminder: %(title)s") if reminder else _("Your commune is invited: %(title)s")
        ) % {"title": member.wave.title}
    send_mail(subject, body, None, [member.email])


def recipient_language(member: WaveMember) -> str:
    """The language of the account behind the contact address, else the region's first one."""
    user = User.objects.filter(email__iexact=member.email).only("preferred_language").first()
    if user is not None and user.preferred_language:
        return user.preferred_language
    return member.wave.region.languages.split(",")[0].strip() or "fr"
