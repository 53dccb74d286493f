"""Reusable reads of diagnostics, each in a fixed number of queries."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from django.db.models import QuerySet

from smartregion.territory.models import Municipality

from .benchmark import MIN_PEERS, Spread, spread
from .models import Diagnostic, DomainScore


def diagnostics_of(municipality: Municipality) -> QuerySet[Diagnostic]:
    return Diagnostic.objects.filter(municipality=municipality).select_related(
        "instrument_version", "created_by", "submitted_by"
    )


def latest_submitted_ids(instrument_version_id: int) -> dict[int, int]:
    """The latest submitted diagnostic per commune: {municipality id: diagnostic id}."""
    latest: dict[int, int] = {}
    rows = (
        Diagnostic.objects.filter(
            status=Diagnostic.Status.SUBMITTED, instrument_version_id=instrument_version_id
        )
        .order_by("municipality_id", "-submitted_at", "-pk")
        .values_list("municipality_id", "pk")
    )
    for municipality_id, pk in rows:
        latest.setdefault(municipality_id, pk)
    return latest


@dataclass(frozen=True)
class PeerGroup:
    kind: str  # "population_class" or "province"
    label: str
    count: int
    # None when fewer than MIN_PEERS peers; a dimension's spread is None when no peer scored it
    dimensions: dict[str, Spread | None] | None
    overall: Spread | None


def peer_groups(diagnostic: Diagnostic) -> list[PeerGroup]:
    """Quartiles of the latest results of the other communes of the same size and province."""
    municipality = diagnostic.municipality
    latest = latest_submitted_ids(diagnostic.instrument_version_id)
    latest.pop(municipality.pk, None)
    peers = Municipality.objects.filter(pk__in=latest).values_list(
        "pk", "population_class_id", "province_id"
    )
    groups: dict[str, set[int]] = {"population_class": set(), "province": set()}
    for pk, population_class_id, province_id in peers:
        if population_class_id and population_class_id == municipality.population_class_id:
            groups["population_class"].add(latest[pk])
        if province_id and province_id == municipality.province_id:
            groups["province"].add(latest[pk])
    wanted = groups["population_class"] | groups["province"]
    scores: dict[int, dict[str, float | None]] = defaultdict(dict)
    for diagnostic_id, dimension, score in DomainScore.objects.filter(
        diagnostic_id__in=wanted
    ).values_list("diagnostic_id", "dimension", "score"):
        scores[diagnostic_id][dimension] = score
    overall = dict(Diagnostic.objects.filter(pk__in=wanted).values_list("pk", "overall_score"))
    labels = {
        "population_class": str(municipality.population_class or ""),
        "province": str(municipality.province or ""),
    }
    return [_group(kind, labels[kind], ids, scores, overall) for kind, ids in groups.items()]


def _group(
    kind: str,
    label: str,
    ids: set[int],
    scores: dict[int, dict[str, float | None]],
    overall: dict[int, float | None],
) -> PeerGroup:
    if len(ids) < MIN_PEERS:
        return PeerGroup(kind, label, len(ids), None, None)
    dimensions = sorted({d for i in ids for d in scores[i]})
    return PeerGroup(
        kind=kind,
        label=label,
        count=len(ids),
        dimensions={d: spread([scores[i].get(d) for i in ids], 1) for d in dimensions},
        overall=spread([overall.get(i) for i in ids], 1),
    )


def history(diagnostic: Diagnostic) -> list[Diagnostic]:
    """The commune's submitted diagnostics up to this one, oldest first, with their scores."""
    return list(
        Diagnostic.objects.filter(
            municipality_id=diagnostic.municipality_id, status=Diagnostic.Status.SUBMITTED
        )
        .order_by("submitted_at")
        .prefetch_related("scores")
    )


def latest_published(municipality: Municipality) -> Diagnostic | None:
    """The commune's latest submitted diagnostic its managers chose to publish, if any."""
    return (
        Diagnostic.objects.filter(
            municipality=municipality,
            is_published=True,
            status=Diagnostic.Status.SUBMITTED,
        )
        .select_related("instrument_version")
        .order_by("-submitted_at")
        .first()
    )
