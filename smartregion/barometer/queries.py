"""Reads for tracking a wave: response rates overall and by stratum, and who has not answered."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet

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
