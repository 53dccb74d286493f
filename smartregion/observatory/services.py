"""Publishing a closed wave as an edition: estimates, trends, public answers, charts, checksum.

Steps of `edition_publish`: read the wave's frozen population and its submitted responses; turn
the instrument's questions into the statistics engine's terms (a matrix row is a question of its
own); estimate every question × category × breakdown, with the trends against the previous
published edition of the same survey; keep the answers of public questions per commune (for maps);
render one chart per question; store it all as one JSON document with its SHA-256.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
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
from smartregion.observatory import charts, exports, statistics
from smartregion.observatory.models import Edition
from smartregion.opendata.builds import open_data_changed

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
    """The instrument's estimable questions in the engine's terms, matrix rows expanded."""
    found: dict[str, statistics.Question] = {}
    for q in instrument.questions:
        specials = tuple(
            code
            for code, allowed in zip(
                SPECIAL, (q.allow_dont_know, q.allow_not_applicable), strict=True
            )
            if allowed
        )
        if q.type == "matrix":
            for row in q.rows:
                found[f"{q.code}.{row.code}"] = statistics.Question(f"{q.code}.{row.code}", "scale")
        elif q.type in ("scale", "number"):
            found[q.code] = statistics.Question(q.code, q.type)
        elif q.type in ESTIMATED_TYPES:
            found[q.code] = statistics.Question(
                q.code, q.type, tuple(o.code for o in q.options) + specials
            )
    return found


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


def checksum_of(data: dict[str, Any]) -> str:
    canonical = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def compute_edition_data(wave: Wave) -> dict[str, Any]:
    """Everything an edition shows, as JSON-ready data (no rendering, no writing)."""
    instrument = wave.instrument_version.instrument
    questions = engine_questions(instrument)
    current = wave_data(wave)
    previous = previous_edition(wave)
    if previous is not None:
        before = wave_data(previous.wave)
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
    return {
        "wave": {"year": wave.year, "title": {"fr": wave.title_fr, "en": wave.title_en}},
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
    }


def edition_slug(wave: Wave) -> str:
    return f"{wave.instrument_version.slug}-{wave.year}"


@transaction.atomic
def edition_publish(*, wave: Wave, user: User | None, now: dt.datetime | None = None) -> Edition:
    """Publish a closed wave as a new revision of its edition (earlier revisions stay)."""
    wave = Wave.objects.select_related("instrument_version").get(pk=wave.pk)
    if wave.status != Wave.Status.CLOSED:
        raise EditionError(_("Only a closed wave can be published: close it first."))
    if not Response.objects.filter(wave=wave, status=Response.Status.SUBMITTED).exists():
        raise EditionError(_("This wave has no submitted response to publish."))
    data = compute_edition_data(wave)
    slug = edition_slug(wave)
    latest = Edition.objects.filter(slug=slug).aggregate(latest=Max("revision"))["latest"] or 0
    edition = Edition(
        wave=wave,
        slug=slug,
        revision=latest + 1,
        year=wave.year,
        title_fr=wave.title_fr,
        title_en=wave.title_en or wave.title_fr,
        published_at=now or timezone.now(),
        published_by=user,
        is_demo=wave.is_demo,
        methodology_fr=charts.methodology("fr", data),
        methodology_en=charts.methodology("en", data),
        data=data,
        checksum=checksum_of(data),
    )
    edition.full_clean()
    edition.save()
    exports.edition_files_prepare(edition=edition)  # queued when the publication commits
    open_data_changed()
    return edition
