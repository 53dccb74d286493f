"""Writes to diagnostics. Views, the API, commands and demo data all go through these."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from smartregion.accounts.models import User
from smartregion.core.pagecache import data_version_bump

# AnswerConflict and InvalidAnswer are what answer_save raises: importers may take them from here.
from smartregion.instruments.answers import AnswerConflict, answer_check
from smartregion.instruments.answers import InvalidAnswer as InvalidAnswer
from smartregion.instruments.models import InstrumentVersion
from smartregion.instruments.progress import missing_required
from smartregion.instruments.scoring import ScoreResult, score
from smartregion.territory.models import Municipality

from .models import Diagnostic, DiagnosticAnswer, DomainScore, DomainTarget

INSTRUMENT_SLUG = "smartregion-maturity"


class DiagnosticError(Exception):
    """A request the diagnostic cannot accept; the message is for the user."""


@dataclass
class DiagnosticIncomplete(Exception):  # not frozen: raising sets __traceback__
    missing: list[str]


def current_instrument_version() -> InstrumentVersion:
    version = InstrumentVersion.objects.filter(slug=INSTRUMENT_SLUG).order_by("-version").first()
    if version is None:
        raise DiagnosticError(
            _(
                "The maturity diagnostic is not loaded: "
                "run “smartregion instrument load instruments”."
            )
        )
    return version


@transaction.atomic
def diagnostic_start(
    *, municipality: Municipality, user: User | None, year: int | None = None
) -> Diagnostic:
    """Resume the commune's draft, or start one on the latest instrument version."""
    draft = Diagnostic.objects.filter(
        municipality=municipality, status=Diagnostic.Status.DRAFT
    ).first()
    if draft is not None:
        return draft
    diagnostic = Diagnostic(
        municipality=municipality,
        instrument_version=current_instrument_version(),
        year=year or timezone.localdate().year,
        created_by=user,
    )
    diagnostic.full_clean()
    diagnostic.save()
    return diagnostic


def answers_of(diagnostic: Diagnostic) -> dict[str, Any]:
    return {
        code: value
        for code, value in diagnostic.answers.values_list("question_code", "value")
        if value is not None
    }


@transaction.atomic
def answer_save(
    *,
    diagnostic: Diagnostic,
    question_code: str,
    value: Any,
    base_revision: int | None,
    user: User | None,
    force: bool = False,
) -> DiagnosticAnswer:
    """Save one answer, checked against the instrument and against concurrent edits.

    `base_revision` is the revision the client started from (None or 0 for a new answer); when
    another save happened since, AnswerConflict carries the other value instead of overwriting it,
    unless `force` (the user saw the conflict and chose their own value).
    """
    # One locked read of the diagnostic with its instrument version (whose large definition is
    # only read when the parsed instrument is not cached yet), one read of all the answers.
    diagnostic = (
        Diagnostic.objects.select_for_update(of=("self",))
        .select_related("instrument_version")
        .defer("result", "instrument_version__definition")
        .get(pk=diagnostic.pk)
    )
    if not diagnostic.is_draft:
        raise DiagnosticError(_("This diagnostic is submitted: its answers can no longer change."))
    instrument = diagnostic.instrument_version.instrument
    stored = {a.question_code: a for a in diagnostic.answers.select_related("updated_by")}
    answers = {code: a.value for code, a in stored.items() if a.value is not None}
    value = answer_check(instrument, answers, question_code, value)
    answer = stored.get(question_code)
    if answer is None:
        answer = DiagnosticAnswer(diagnostic=diagnostic, question_code=question_code, revision=0)
    elif not force and (base_revision or 0) != answer.revision:
        raise AnswerConflict(
            question_code=question_code,
            value=answer.value,
            revision=answer.revision,
            updated_by=str(answer.updated_by) if answer.updated_by else "",
            updated_at=answer.updated_at,
        )
    answer.value = value
    answer.revision += 1
    answer.updated_by = user
    answer.save()
    Diagnostic.objects.filter(pk=diagnostic.pk).update(updated_at=timezone.now())
    return answer


def result_snapshot(result: ScoreResult) -> dict[str, Any]:
    """The score result as JSON, stored with the submitted diagnostic."""
    return {
        "overall": result.overall,
        "overall_level": result.overall_level,
        "coverage": result.coverage,
        "dimensions": {
            code: {
                "score": d.score,
                "level": d.level,
                "coverage": d.coverage,
                "answered": d.answered,
                "applicable": d.applicable,
                "dont_know": list(d.dont_know),
                "not_applicable": list(d.not_applicable),
            }
            for code, d in result.dimensions.items()
        },
    }


@transaction.atomic
def diagnostic_submit(
    *, diagnostic: Diagnostic, user: User | None, when: dt.datetime | None = None
) -> Diagnostic:
    """Check that every required visible question is answered, then score and freeze."""
    diagnostic = Diagnostic.objects.select_for_update().get(pk=diagnostic.pk)
    if not diagnostic.is_draft:
        raise DiagnosticError(_("This diagnostic is already submitted."))
    instrument = diagnostic.instrument_version.instrument
    answers = answers_of(diagnostic)
    missing = missing_required(instrument, answers)
    if missing:
        raise DiagnosticIncomplete(missing)
    result = score(instrument, answers)
    diagnostic.status = Diagnostic.Status.SUBMITTED
    diagnostic.submitted_at = when or timezone.now()
    diagnostic.submitted_by = user
    diagnostic.overall_score = result.overall
    diagnostic.overall_level = result.overall_level
    diagnostic.coverage = result.coverage
    diagnostic.result = result_snapshot(result)
    diagnostic.save()
    DomainScore.objects.bulk_create(
        DomainScore(diagnostic=diagnostic, dimension=code, score=d.score, level=d.level)
        for code, d in result.dimensions.items()
    )
    return diagnostic


@transaction.atomic
def targets_set(
    *, diagnostic: Diagnostic, targets: dict[str, int], horizon_year: int | None
) -> None:
    """Replace the commune's target levels (1–5 per domain) and horizon year."""
    dimensions = {d.code for d in diagnostic.instrument_version.instrument.dimensions}
    unknown = sorted(set(targets) - dimensions)
    if unknown:
        raise DiagnosticError(_("Unknown domain: %(codes)s.") % {"codes": ", ".join(unknown)})
    if any(not 1 <= level <= 5 for level in targets.values()):
        raise DiagnosticError(_("A target level is between 1 and 5."))
    this_year = timezone.localdate().year
    if horizon_year is not None and not this_year <= horizon_year <= this_year + 15:
        raise DiagnosticError(
            _("The horizon is a year between %(start)s and %(end)s.")
            % {"start": this_year, "end": this_year + 15}
        )
    diagnostic.targets.exclude(dimension__in=targets).delete()
    for dimension, level in targets.items():
        DomainTarget.objects.update_or_create(
            diagnostic=diagnostic, dimension=dimension, defaults={"level": level}
        )
    diagnostic.horizon_year = horizon_year
    diagnostic.save(update_fields=["horizon_year", "updated_at"])


@transaction.atomic
def diagnostic_publish(*, diagnostic: Diagnostic, publish: bool) -> None:
    """Show (or hide) a submitted result on the commune's public profile; one at a time."""
    if diagnostic.is_draft:
        raise DiagnosticError(_("Only a submitted diagnostic can be published."))
    Diagnostic.objects.filter(municipality=diagnostic.municipality, is_published=True).update(
        is_published=False
    )
    if publish:
        Diagnostic.objects.filter(pk=diagnostic.pk).update(is_published=True)
    data_version_bump()  # the commune's public profile is cached per data version
