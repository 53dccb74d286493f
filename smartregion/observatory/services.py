"""Publishing a closed wave as an edition: estimates, trends, public answers, charts, checksum.

Publishing takes seconds to minutes, so a web request queues it (`edition_build_request`) and a
task runs it (`tasks.edition_build` -> `edition_build_run`), recording progress and failures on an
`EditionBuild`.

Steps of `edition_publish`: read the wave's frozen population and its submitted responses; turn the
instrument's questions into the statistics engine's terms (a matrix row is a question of its
own); estimate every question × category × breakdown, with the trends against the previous
published edition of the same survey; keep the answers of public questions per commune (for maps);
render one chart per question; store it all as one JSON document with its SHA-256.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import polars as pl
from django.db import transaction
from django.db.models import Max
from django.utils import timezone
from django.utils.translation import gettext as _

from smartregion.accounts.models import User
from smartregion.barometer.models import Response, ResponseAnswer, Wave, WaveMember
from smartregion.barometer.queries import response_rates
from smartregion.instruments.definition import Instrument
from smartregion.observatory import charts, exports, findings, queries, statistics, weighting
from smartregion.observatory.frames import questions_from_instrument
from smartregion.observatory.models import Edition, EditionBuild
from smartregion.opendata.builds import open_data_changed

Progress = Callable[[int], None]
ESTIMATED_TYPES = {"single_choice", "yes_no", "multiple_choice", "scale", "number"}
SPECIAL = ("dont_know", "not_applicable")


class EditionError(Exception):
    """The wave cannot be published; the message says why, for the analyst."""


@dataclass(frozen=True)
class WaveData:
    frame: pl.DataFrame
    responses: pl.DataFrame


def _frame(wave: Wave) -> pl.DataFrame:
    rows = WaveMember.objects.filter(wave=wave).values_list(
        "municipality__refnis", "province__refnis", "population_class__code", "population"
    )
    refnis, province, klass, population = zip(*rows, strict=True) if rows else ([], [], [], [])
    return pl.DataFrame(
        {
            "refnis": list(refnis),
            "province": [p or "none" for p in province],
            "population_class": [c or "unknown" for c in klass],
            "population": [p or 0 for p in population],
        },
        schema={
            "refnis": pl.String,
            "province": pl.String,
            "population_class": pl.String,
            "population": pl.Int64,
        },
    )


def _long_rows(refnis: str, code: str, value: Any, instrument: Instrument) -> list[tuple]:
    """One (refnis, question, value) row per selected option, matrix row or single value."""
    question = instrument.question(code)
    if question.type == "matrix" and isinstance(value, dict):
        return [(refnis, f"{code}.{row}", str(cell)) for row, cell in value.items()]
    if question.type not in ESTIMATED_TYPES:
        return []
    if isinstance(value, list):
        return [(refnis, code, str(item)) for item in value]
    return [(refnis, code, str(value))]


def _responses(wave: Wave, instrument: Instrument) -> pl.DataFrame:
    known = {q.code for q in instrument.questions}
    rows: list[tuple] = []
    answers = ResponseAnswer.objects.filter(
        response__wave=wave,
        response__status=Response.Status.SUBMITTED,
        value__isnull=False,
    ).values_list("response__member__municipality__refnis", "question_code", "value")
    for refnis, code, value in answers:
        if code in known:
            rows.extend(_long_rows(refnis, code, value, instrument))
    return pl.DataFrame(
        rows, schema={"refnis": pl.String, "question": pl.String, "value": pl.String}, orient="row"
    )


def wave_data(wave: Wave) -> WaveData:
    instrument = wave.instrument_version.instrument
    return WaveData(frame=_frame(wave), responses=_responses(wave, instrument))


def engine_questions(instrument: Instrument) -> dict[str, statistics.Question]:
    """The instrument's estimable questions in the engine's terms, matrix rows expanded (the
    mapping is `frames.questions_from_instrument`, shared with the researcher CLI). A question
    whose individual answers are not public (``public`` false) is confidential: its cells get the
    dominance rule of disclosure control."""
    return questions_from_instrument(instrument)


def question_catalogue(instrument: Instrument) -> list[dict[str, Any]]:
    """What pages and downloads need to label an edition's questions, in FR and EN."""
    catalogue = []
    for section in instrument.sections:
        for q in section.questions:
            if q.type not in ESTIMATED_TYPES and q.type != "matrix":
                continue
            entry = {
                "code": q.code,
                "type": q.type,
                "public": q.public,
                "section": dict(section.text),
                "text": dict(q.text),
                "categories": [{"code": o.code, "text": dict(o.text)} for o in q.options],
                "rows": [{"code": r.code, "text": dict(r.text)} for r in q.rows],
            }
            if q.scale:
                entry["scale"] = {"min": q.scale.min, "max": q.scale.max}
            catalogue.append(entry)
    return catalogue


def previous_edition(wave: Wave) -> Edition | None:
    """The latest revision of the most recent earlier edition of the same survey and kind."""
    return (
        Edition.objects.filter(
            wave__instrument_version__slug=wave.instrument_version.slug,
            year__lt=wave.year,
            is_demo=wave.is_demo,  # real figures are never compared with demonstration ones
        )
        .select_related("wave__instrument_version")
        .order_by("-year", "-revision")
        .first()
    )


def _records(table: pl.DataFrame) -> list[dict[str, Any]]:
    return [
        {
            key: (round(value, 10) if isinstance(value, float) else value)
            for key, value in row.items()
        }
        for row in table.to_dicts()
    ]


def _public_answers(wave: Wave, instrument: Instrument) -> dict[str, dict[str, Any]]:
    public = {q.code for q in instrument.questions if q.public}
    found: dict[str, dict[str, Any]] = {code: {} for code in sorted(public)}
    answers = ResponseAnswer.objects.filter(
        response__wave=wave,
        response__status=Response.Status.SUBMITTED,
        question_code__in=public,
        value__isnull=False,
    ).values_list("question_code", "response__member__municipality__refnis", "value")
    for code, refnis, value in answers.order_by(
        "question_code", "response__member__municipality__refnis"
    ):
        found[code][refnis] = value
    return found


def _rates(wave: Wave) -> dict[str, list[dict[str, Any]]]:
    return {
        kind: [
            {
                "key": rate.key,
                "label": rate.label,
                "population": rate.population,
                "submitted": rate.submitted,
                "rate": round(rate.rate, 6),
            }
            for rate in rates
        ]
        for kind, rates in response_rates(wave).items()
    }


def _silent(percent: int) -> None:
    """No one follows the computation."""


def checksum_of(data: dict[str, Any]) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def compute_edition_data(wave: Wave, progress: Progress = _silent) -> dict[str, Any]:
    """Everything an edition shows, as JSON-ready data (no rendering, no writing); `progress`
    hears a percentage after each step."""
    instrument = wave.instrument_version.instrument
    questions = engine_questions(instrument)
    current = wave_data(wave)
    progress(10)
    previous = previous_edition(wave)
    if previous is not None:
        before = wave_data(previous.wave)
        progress(20)
        both = {**engine_questions(previous.wave.instrument_version.instrument), **questions}
        result = statistics.estimate_edition(
            before.frame, before.responses, current.frame, current.responses, both
        )
        # The union of both versions' questions is needed for trends; the edition itself only
        # reports the questions its own questionnaire asked.
        asked = list(questions)
        results = result.results_to.filter(pl.col("question").is_in(asked))
        trends = result.trends
    else:
        results = statistics.estimate(current.frame, current.responses, questions)
        trends = pl.DataFrame(schema={c: pl.String for c in statistics.TREND_COLUMNS})
    progress(80)
    data = {
        "wave": {
            "year": wave.year,
            "title": {"fr": wave.title_fr, "en": wave.title_en}
            | {
                lang: title
                for lang, title in (("de", wave.title_de), ("nl", wave.title_nl))
                if title
            },
        },
        "instrument": {"slug": instrument.slug, "version": instrument.version},
        "questions": question_catalogue(instrument),
        "results": _records(results),
        "trends": _records(trends),
        "previous": (
            {"slug": previous.slug, "revision": previous.revision, "year": previous.year}
            if previous
            else None
        ),
        "rates": _rates(wave),
        "public_answers": _public_answers(wave, instrument),
        "statistics": _statistics_used(statistics.Options()),
        "weighting": weighting.weighting_report(
            current.frame, current.responses, statistics.Options()
        ),
    }
    # The key findings by their documented rule; the analyst may reword them before publishing.
    data["findings"] = findings.select(data, queries.HEADLINES)
    return data


def _statistics_used(options: statistics.Options) -> dict[str, Any]:
    """The options an edition was computed with (its methodology note quotes them)."""
    return {
        "ci_method": options.ci_method,
        "confidence": options.confidence,
        "min_cell": options.min_cell,
        "min_weighting_cell": options.weighting_cell,
        "rake": options.rake,
        "trim": options.trim,
        "reliability_rule": dict(getattr(statistics, "RELIABILITY_RULE", {})),
    }


def edition_slug(wave: Wave) -> str:
    return f"{wave.instrument_version.slug}-{wave.year}"


def edition_check(wave: Wave) -> None:
    """Refuse a wave that cannot be published, saying why (before queueing, again when built)."""
    if wave.status != Wave.Status.CLOSED:
        raise EditionError(_("Only a closed wave can be published: close it first."))
    if not Response.objects.filter(wave=wave, status=Response.Status.SUBMITTED).exists():
        raise EditionError(_("This wave has no submitted response to publish."))


def edition_publish(
    *,
    wave: Wave,
    user: User | None,
    now: dt.datetime | None = None,
    progress: Progress | None = None,
    draft: bool = False,
) -> Edition:
    """Publish a closed wave as a new revision of its edition (earlier revisions stay), or with
    `draft`, save it for staff to review its key findings first (`edition_draft_publish`).

    The statistics are computed outside the transaction (they only read a closed wave) so that a
    build's progress is seen while it runs; the edition is then written at once. Web requests do
    not call this: they queue a build (`edition_build_request`); the demo and tests may."""
    wave = Wave.objects.select_related("instrument_version").get(pk=wave.pk)
    edition_check(wave)
    data = compute_edition_data(wave, progress or _silent)
    return _edition_save(wave=wave, data=data, user=user, now=now or timezone.now(), draft=draft)


@transaction.atomic
def _edition_save(
    *, wave: Wave, data: dict[str, Any], user: User | None, now: dt.datetime, draft: bool = False
) -> Edition:
    slug = edition_slug(wave)
    revisions = Edition.with_drafts.filter(slug=slug)
    latest = revisions.aggregate(latest=Max("revision"))["latest"] or 0
    edition = Edition(
        wave=wave,
        slug=slug,
        revision=latest + 1,
        year=wave.year,
        title_fr=wave.title_fr,
        title_en=wave.title_en or wave.title_fr,
        title_de=wave.title_de,
        title_nl=wave.title_nl,
        published_at=now,
        published_by=user,
        is_demo=wave.is_demo,
        methodology_fr=charts.methodology("fr", data),
        methodology_en=charts.methodology("en", data),
        data=data,
        checksum=checksum_of(data),
        is_draft=draft,
    )
    edition.full_clean()
    edition.save()
    if not draft:
        _edition_announce(edition)
    return edition


def _edition_announce(edition: Edition) -> None:
    exports.edition_files_prepare(edition=edition)  # queued when the publication commits
    open_data_changed()


class FindingsError(EditionError):
    """The key findings cannot be published as given (the message says why)."""


@transaction.atomic
def edition_draft_publish(
    *,
    edition: Edition,
    findings_edited: list[dict[str, Any]],
    user: User | None,
    now: dt.datetime | None = None,
) -> Edition:
    """Publish a draft edition with the analyst's key findings: their order, the ones kept and
    their sentences (`text` per language; empty: the generated sentence). The findings then
    belong to the frozen data its checksum covers, like every figure."""
    edition = Edition.with_drafts.select_for_update().get(pk=edition.pk)
    if not edition.is_draft:
        raise FindingsError(_("This edition is already published: its findings are frozen."))
    stored = {(f["question"], f["category"]): f for f in edition.data.get("findings", [])}
    kept = []
    for item in findings_edited:
        found = stored.get((item["question"], item["category"]))
        if found is None:
            raise FindingsError(_("A finding is not one of this edition's."))
        texts = {lang: text.strip() for lang, text in item.get("text", {}).items() if text.strip()}
        kept.append({**found, "text": texts})
    data = {**edition.data, "findings": kept}
    edition.data = data
    edition.checksum = checksum_of(data)
    edition.is_draft = False
    edition.published_at = now or timezone.now()
    edition.published_by = user
    edition.full_clean()
    edition.save(update_fields=["data", "checksum", "is_draft", "published_at", "published_by"])
    _edition_announce(edition)
    return edition


# ---------------------------------------------------------------------------------------------
# Builds: the publication as a task, followed by the staff member who asked for it
# ---------------------------------------------------------------------------------------------


def edition_build_request(*, wave: Wave, user: User | None, review: bool = False) -> EditionBuild:
    """Queue the publication of a closed wave, or give the build already under way for it;
    with `review`, the build makes a draft whose key findings staff review before publishing."""
    edition_check(wave)
    running = EditionBuild.objects.filter(
        wave=wave, status__in=[EditionBuild.Status.QUEUED, EditionBuild.Status.RUNNING]
    ).first()
    if running is not None:
        return running
    build = EditionBuild(wave=wave, requested_by=user, review=review)
    build.full_clean()
    build.save()
    transaction.on_commit(partial(_build_enqueue, build.pk))
    return build


def edition_build_retry(*, build: EditionBuild) -> EditionBuild:
    """Queue a failed build again (the same wave, by the same person)."""
    EditionBuild.objects.filter(pk=build.pk).update(
        status=EditionBuild.Status.QUEUED, progress=0, error="", started_at=None, finished_at=None
    )
    transaction.on_commit(partial(_build_enqueue, build.pk))
    build.refresh_from_db()
    return build


def edition_build_run(build_id: int) -> dict[str, Any]:
    """Run one build (the task's body). Records a failure, then re-raises it so the task fails
    visibly (core's failed-task admin lists it and retries it)."""
    build = EditionBuild.objects.select_related("wave", "requested_by").filter(pk=build_id).first()
    if build is None or build.status == EditionBuild.Status.READY:
        return {"status": "gone" if build is None else build.status}
    rows = EditionBuild.objects.filter(pk=build.pk)
    rows.update(status=EditionBuild.Status.RUNNING, progress=0, error="", started_at=timezone.now())
    try:
        edition = edition_publish(
            wave=build.wave,
            user=build.requested_by,
            progress=partial(_build_progress, build.pk),
            draft=build.review,
        )
    except Exception as error:
        message = str(error) if isinstance(error, EditionError) else traceback.format_exc()
        rows.update(status=EditionBuild.Status.FAILED, error=message, finished_at=timezone.now())
        raise
    rows.update(
        status=EditionBuild.Status.READY,
        progress=100,
        edition=edition,
        finished_at=timezone.now(),
    )
    return {"status": EditionBuild.Status.READY, "edition": edition.pk}


def _build_progress(build_id: int, percent: int) -> None:
    EditionBuild.objects.filter(pk=build_id).update(progress=max(0, min(int(percent), 99)))


def _build_enqueue(build_id: int) -> None:
    from .tasks import edition_build  # noqa: PLC0415 - the task module imports this one

    result = edition_build.enqueue(build_id)
    EditionBuild.objects.filter(pk=build_id).update(task_result_id=result.id)
