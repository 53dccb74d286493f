"""Writes of the barometer: waves from preparation to closing, and communes' responses."""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _

# InvalidAnswer is what response_answer_save raises: importers may take it from here.
from smartregion.instruments.answers import InvalidAnswer as InvalidAnswer
from smartregion.instruments.answers import answer_check
from smartregion.territory.contacts import invitation_address
from smartregion.territory.models import Municipality

from .models import Response, ResponseAnswer, Wave, WaveLink, WaveMember
from .queries import manager_addresses
from .signals import wave_closed
from .tasks import wave_email_send

LINK_SALT = "smartregion.barometer.link"


class BarometerError(Exception):
    """A request the barometer cannot accept; the message is for the user."""


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Invitations:
    """What an opening (or a later round of invitations) did, commune by commune.

    `tokens` maps every member's municipality id to its link's token (callers and tests build
    links from it); `invited` and `without_address` list the communes' names in the wave's order.
    """

    tokens: dict[int, str] = field(default_factory=dict)
    invited: list[str] = field(default_factory=list)
    without_address: list[str] = field(default_factory=list)


def member_token(member: WaveMember) -> str:
    """The commune's link token, recomputed from its seed and the site's secret key."""
    return salted_hmac(LINK_SALT, f"{member.pk}:{member.link_seed}", algorithm="sha256").hexdigest()


def member_links(members: list[WaveMember]) -> dict[int, str]:
    """{member id: token} of the members' links, creating the link rows that are missing.

    The row is missing when the secret key changed since the wave opened: the recomputed link
    then works from now on, and the links already sent keep working too.
    """
    tokens = {member.pk: member_token(member) for member in members}
    known = set(
        WaveLink.objects.filter(
            token_hash__in=[token_hash(t) for t in tokens.values()]
        ).values_list("token_hash", flat=True)
    )
    WaveLink.objects.bulk_create(
        WaveLink(member_id=pk, token_hash=token_hash(token))
        for pk, token in tokens.items()
        if token_hash(token) not in known
    )
    return tokens


def _address(municipality: Municipality, managers: dict[int, str]) -> str:
    return invitation_address(municipality) or managers.get(municipality.pk, "")


@transaction.atomic
def wave_open(
    *, wave: Wave, link_for: Callable[[str], str], now: dt.datetime | None = None
) -> Invitations:
    """Freeze the population, give each commune its link, and invite those with an address.

    Steps: take the region's communes that exist on the population date with their province,
    population class and population; store one member per commune with a fresh link seed and the
    hash of its link's token; email each commune that has an address (smart-city contact, else
    general address, else its manager): a task per email, queued once the transaction commits.
    Communes without an address stay uninvited (`without_address`) until `wave_invite_missing`.
    """
    wave = Wave.objects.select_for_update().get(pk=wave.pk)
    if wave.status != Wave.Status.DRAFT:
        raise BarometerError(_("Only a wave being prepared can be opened."))
    now = now or timezone.now()
    municipalities = list(
        Municipality.objects.current(wave.population_date)
        .filter(region=wave.region)
        .order_by("sort_fr")
    )
    if not municipalities:
        raise BarometerError(_("The wave's population is empty: check the region and the date."))
    managers = manager_addresses()
    members = wave_members_create(
        wave=wave, municipalities=municipalities, address=lambda m: _address(m, managers), now=now
    )
    tokens = member_links(members)
    wave.status = Wave.Status.OPEN
    wave.opened_at = now
    wave.save(update_fields=["status", "opened_at"])
    invited = [member for member in members if member.email]
    _send_invitations([(m, link_for(tokens[m.pk])) for m in invited], reminder=False)
    return Invitations(
        tokens={member.municipality_id: tokens[member.pk] for member in members},
        invited=[member.municipality.name for member in invited],
        without_address=[member.municipality.name for member in members if not member.email],
    )


def wave_members_create(
    *,
    wave: Wave,
    municipalities: list[Municipality],
    address: Callable[[Municipality], str],
    now: dt.datetime,
) -> list[WaveMember]:
    """One member per commune, with the figures of the wave's date frozen, its own link seed, and
    stamped as invited at `now` when `address` gives it one (the others wait for an address)."""
    rows = []
    for m in municipalities:
        email = address(m)
        rows.append(
            WaveMember(
                wave=wave,
                municipality=m,
                province_id=m.province_id,
                population_class_id=m.population_class_id,
                population=m.population,
                email=email,
                invited_at=now if email else None,
                link_seed=secrets.token_urlsafe(32),
            )
        )
    return WaveMember.objects.bulk_create(rows)


@transaction.atomic
def wave_invite_missing(
    *, wave: Wave, link_for: Callable[[str], str], now: dt.datetime | None = None
) -> Invitations:
    """Invite the members not invited yet whose commune now has an address (added since)."""
    if not wave.is_open:
        raise BarometerError(_("Invitations are sent only while a wave is open."))
    now = now or timezone.now()
    managers = manager_addresses()
    pending = list(
        WaveMember.objects.select_for_update()
        .filter(wave=wave, invited_at__isnull=True)
        .select_related("municipality")
        .order_by("municipality__sort_fr")
    )
    invited: list[WaveMember] = []
    without: list[WaveMember] = []
    for member in pending:
        member.email = _address(member.municipality, managers)
        (invited if member.email else without).append(member)
    for member in invited:
        member.invited_at = now
    WaveMember.objects.bulk_update(invited, ["email", "invited_at"])
    tokens = member_links(invited)
    _send_invitations([(m, link_for(tokens[m.pk])) for m in invited], reminder=False)
    return Invitations(
        tokens={m.municipality_id: tokens[m.pk] for m in invited},
        invited=[m.municipality.name for m in invited],
        without_address=[m.municipality.name for m in without],
    )


def _send_invitations(messages: list[tuple[WaveMember, str]], *, reminder: bool) -> None:
    """Queue one email task per commune once the transaction commits (the worker sends them)."""
    emails = [(member.pk, link) for member, link in messages]
    transaction.on_commit(partial(_enqueue_emails, emails, reminder))


def _enqueue_emails(emails: list[tuple[int, str]], reminder: bool) -> None:
    for member_id, link in emails:
        wave_email_send.enqueue(member_id, link, reminder)


def member_for_token(token: str) -> WaveMember:
    """The wave member behind an invitation link; refuses forged links and closed waves."""
    link = (
        WaveLink.objects.select_related("member__wave__instrument_version", "member__municipality")
        .filter(token_hash=token_hash(token))
        .first()
    )
    member = link.member if link else None
    if member is None:
        raise BarometerError(_("This link is not valid. Check that you copied it whole."))
    if member.wave.status == Wave.Status.CLOSED:
        raise BarometerError(
            _("This survey closed on %(date)s: answers can no longer be given or changed.")
            % {"date": member.wave.closed_at.date().isoformat() if member.wave.closed_at else ""}
        )
    if member.wave.status != Wave.Status.OPEN:
        raise BarometerError(_("This survey is not open yet."))
    return member


def response_for(member: WaveMember) -> Response:
    response, _created = Response.objects.get_or_create(wave=member.wave, member=member)
    return response


def answers_of(response: Response) -> dict[str, Any]:
    return {
        code: value
        for code, value in response.answers.values_list("question_code", "value")
        if value is not None
    }


@transaction.atomic
def response_answer_save(*, member: WaveMember, question_code: str, value: Any) -> ResponseAnswer:
    """Save one answer of a commune's response; allowed until the wave closes, even after submit."""
    member = WaveMember.objects.select_for_update().select_related("wave").get(pk=member.pk)
    if not member.wave.is_open:
        raise BarometerError(_("This survey is closed: answers can no longer change."))
    response = response_for(member)
    instrument = member.wave.instrument_version.instrument
    value = answer_check(instrument, answers_of(response), question_code, value)
    answer, created = ResponseAnswer.objects.get_or_create(
        response=response, question_code=question_code, defaults={"value": value}
    )
    if not created:
        answer.value = value
        answer.revision += 1
        answer.save(update_fields=["value", "revision", "updated_at"])
    Response.objects.filter(pk=response.pk).update(updated_at=timezone.now())
    return answer


@transaction.atomic
def response_respondent_set(*, member: WaveMember, name: str, role: str) -> Response:
    """Who answers for the commune; like the answers, changeable only while the wave is open."""
    member = WaveMember.objects.select_for_update().select_related("wave").get(pk=member.pk)
    if not member.wave.is_open:
        raise BarometerError(_("This survey is closed: answers can no longer change."))
    response = response_for(member)
    response.respondent_name, response.respondent_role = name, role
    response.full_clean()
    response.save(update_fields=["respondent_name", "respondent_role", "updated_at"])
    return response


@transaction.atomic
def response_submit(*, member: WaveMember, now: dt.datetime | None = None) -> Response:
    """Mark the commune's response as submitted; it stays correctable until the wave closes."""
    from smartregion.instruments.progress import missing_required

    member = WaveMember.objects.select_for_update().select_related("wave").get(pk=member.pk)
    if not member.wave.is_open:
        raise BarometerError(_("This survey is closed."))
    response = response_for(member)
    missing = missing_required(member.wave.instrument_version.instrument, answers_of(response))
    if missing:
        raise BarometerError(
            _("Some required questions are not answered yet: %(codes)s.")
            % {"codes": ", ".join(missing)}
        )
    response.status = Response.Status.SUBMITTED
    response.submitted_at = response.submitted_at or now or timezone.now()
    response.save(update_fields=["status", "submitted_at", "updated_at"])
    return response


@transaction.atomic
def wave_close(*, wave: Wave, now: dt.datetime | None = None) -> Wave:
    """Close the wave: from now on its responses are frozen (answers can no longer change)."""
    wave = Wave.objects.select_for_update().get(pk=wave.pk)
    if wave.status != Wave.Status.OPEN:
        raise BarometerError(_("Only an open wave can be closed."))
    wave.status = Wave.Status.CLOSED
    wave.closed_at = now or timezone.now()
    wave.save(update_fields=["status", "closed_at"])
    transaction.on_commit(lambda: wave_closed.send(sender=Wave, wave=wave))
    return wave


@transaction.atomic
def reminders_send(
    *,
    wave: Wave,
    link_for: Callable[[str], str],
    now: dt.datetime | None = None,
    force: bool = False,
) -> int:
    """Remind the communes that have not submitted, when a reminder day is due (or `force`).

    A reminder carries the commune's link again (the one staff can copy); only invited communes
    are reminded. Idempotent per due day.
    """
    now = now or timezone.now()
    if not wave.is_open or wave.opened_at is None:
        raise BarometerError(_("Reminders are sent only while a wave is open."))
    days_open = (now - wave.opened_at).days
    due = sum(1 for day in wave.reminder_days if day <= days_open)
    pending = (
        WaveMember.objects.filter(wave=wave)
        .exclude(response__status=Response.Status.SUBMITTED)
        .exclude(email="")
    )
    if not force:
        pending = pending.filter(reminders_sent__lt=due)
    members = list(pending.filter(invited_at__isnull=False).select_related("municipality"))
    tokens = member_links(members)
    for member in members:
        member.reminders_sent += 1
        member.last_reminded_at = now
    WaveMember.objects.bulk_update(members, ["reminders_sent", "last_reminded_at"])
    _send_invitations([(m, link_for(tokens[m.pk])) for m in members], reminder=True)
    return len(members)
