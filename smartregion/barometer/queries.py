"""Reads for tracking a wave: response rates overall and by stratum, and who has not answered."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet, TextChoices
from django.utils.translation import gettext_lazy as _

from smartregion.accounts.models import Membership
from smartregion.territory.contacts import invitation_address
from smartregion.territory.models import Municipality

from .models import Response, Wave, WaveMember


@dataclass(frozen=True)
class Rate:
    key: str
    label: str
    population: int
    started: int
    submitted: int

    @property
    def rate(self) -> float:
        return self.submitted / self.population if self.population else 0.0


_SUBMITTED = Q(response__status=Response.Status.SUBMITTED)
_STARTED = Q(response__isnull=False)


def response_rates(wave: Wave) -> dict[str, list[Rate]]:
    """{"all": [...], "province": [...], "population_class": [...]}, in three queries."""
    members = WaveMember.objects.filter(wave=wave)
    overall = members.aggregate(
        population=Count("pk"),
        started=Count("pk", filter=_STARTED),
        submitted=Count("pk", filter=_SUBMITTED),
    )
    result = {"all": [Rate("all", "", **overall)]}
    for kind, label_fields in (
        ("province", ("province__refnis", "province__name_fr")),
        ("population_class", ("population_class__code", "population_class__label_fr")),
    ):
        rows = (
            members.values(*label_fields)
            .annotate(
                population=Count("pk"),
                started=Count("pk", filter=_STARTED),
                submitted=Count("pk", filter=_SUBMITTED),
            )
            .order_by(label_fields[0])
        )
        result[kind] = [
            Rate(
                key=row[label_fields[0]] or "",
                label=row[label_fields[1]] or "",
                population=row["population"],
                started=row["started"],
                submitted=row["submitted"],
            )
            for row in rows
        ]
    return result


def non_respondents(wave: Wave) -> QuerySet[WaveMember]:
    """Members who have not submitted, with what the tracking list and its export show."""
    return (
        WaveMember.objects.filter(wave=wave)
        .exclude(_SUBMITTED)
        .select_related("municipality", "province", "population_class", "response")
        .order_by("municipality__sort_fr")
    )


class Progress(TextChoices):
    """Where a commune of the wave stands, as the tracking page groups them."""

    SUBMITTED = "submitted", _("Submitted")
    IN_PROGRESS = "in_progress", _("In progress")
    NOT_STARTED = "not_started", _("Not started")
    TO_INVITE = "to_invite", _("Address added, not invited yet")
    NO_ADDRESS = "no_address", _("Not invited (no address)")


def manager_addresses() -> dict[int, str]:
    """A commune's first manager's address, the fallback when it has no contact address."""
    return dict(
        Membership.objects.filter(role=Membership.Role.MANAGER, municipality__isnull=False)
        .order_by("-created_at")
        .values_list("municipality_id", "user__email")
    )


def member_progress(member: WaveMember, managers: dict[int, str]) -> Progress:
    response = getattr(member, "_tracked_response", None)
    if response is not None:
        return Progress.SUBMITTED if response.submitted_at else Progress.IN_PROGRESS
    if member.invited_at:
        return Progress.NOT_STARTED
    has_address = invitation_address(member.municipality) or managers.get(member.municipality_id)
    return Progress.TO_INVITE if has_address else Progress.NO_ADDRESS


@dataclass
class Tracking:
    """Every member of the wave with its progress, and how many are at each stage."""

    members: list[tuple[WaveMember, Progress]]
    counts: dict[str, int]

    def only(self, progress: str) -> list[tuple[WaveMember, Progress]]:
        return [row for row in self.members if row[1] == progress]


def wave_tracking(wave: Wave) -> Tracking:
    """The tracking page's rows in three queries (members with their commune, responses,
    managers' addresses)."""
    members = list(
        WaveMember.objects.filter(wave=wave)
        .select_related("municipality", "province")
        .order_by("municipality__sort_fr")
    )
    responses = {
        r.member_id: r for r in Response.objects.filter(wave=wave).only("member", "submitted_at")
    }
    managers = manager_addresses()
    rows = []
    for member in members:
        member._tracked_response = responses.get(member.pk)  # type: ignore[attr-defined]
        rows.append((member, member_progress(member, managers)))
    counts = {p.value: 0 for p in Progress}
    for _member, progress in rows:
        counts[progress.value] += 1
    return Tracking(rows, counts)


def open_memberships(municipality: Municipality) -> list[WaveMember]:
    """The commune's places in the waves open now, with whether it has answered."""
    return list(
        WaveMember.objects.filter(wave__status=Wave.Status.OPEN, municipality=municipality)
        .select_related("wave", "response")
        .order_by("wave__closes_on", "wave__pk")
    )
