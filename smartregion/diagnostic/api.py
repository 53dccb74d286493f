"""Diagnostic routes of the public API: stateless scoring, instruments, a commune's diagnostics.

`POST /instruments/{slug}/{version}/score` is public and rate-limited per client IP (a fixed
window counted in Django's cache); `/diagnostics/` is read-only, for the commune's members and the
centre's staff, signed in with their session.
"""

from __future__ import annotations

import datetime as dt
import time
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.db.models import Prefetch
from django.http import HttpRequest, JsonResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import django_auth

from smartregion.accounts.permissions import is_member_of
from smartregion.core.api_errors import Errors, Message
from smartregion.core.i18n import active_language
from smartregion.instruments.definition import Instrument
from smartregion.instruments.models import InstrumentVersion
from smartregion.instruments.progress import answer_progress
from smartregion.instruments.scoring import (
    score,
    triggered_recommendations,
    validate_answers,
)
from smartregion.instruments.validation import ValidationError
from smartregion.territory.models import Municipality

from .models import Diagnostic, DiagnosticAnswer
from .permissions import can_view_diagnostics
from .services import result_snapshot

instruments_router = Router(tags=["instruments"])
diagnostics_router = Router(tags=["diagnostics"])

LANGUAGES = ("fr", "en", "de", "nl")
LANG_PATTERN = r"^(fr|en|de|nl)$"
# Defaults of the score route's limit; deployments and tests override them in settings.
SCORE_RATE_LIMIT = 60
SCORE_RATE_WINDOW = 60


# ---------------------------------------------------------------------------------------------
# Schemas
# ---------------------------------------------------------------------------------------------


class ScoreIn(Schema):
    answers: dict[str, Any] = Field(
        ...,
        description=(
            "Question code → answer: an option code (single choice; yes/no as “yes”/“no”), a "
            "list of option codes (multiple choice), a whole number (scale), a number, a mapping "
            "row code → number (matrix), a text; “dont_know” or “not_applicable” where allowed."
        ),
    )

    model_config = {
        "json_schema_extra": {
            "examples": [
                {
                    "answers": {
                        "gov_strategy": "adopted",
                        "gov_strategy_pst": "partly",
                        "gov_director": 4,
                        "gov_partners": ["intermunicipal", "research"],
                        "org_fte": 0.5,
                        "data_cyber_practices": {"backups": 4, "mfa": 2},
                        "data_sensors": "dont_know",
                    }
                }
            ]
        }
    }


class DimensionOut(Schema):
    code: str = Field(..., examples=["gov"])
    title: str = Field(..., examples=["Governance and policy"])
    score: float | None = Field(None, description="0–100; null when nothing was answered")
    level: int | None = Field(None, description="Maturity level 1–5")
    level_text: str | None = Field(None, description="Descriptor of the level in this domain")
    coverage: float | None = Field(None, description="Answered / applicable questions, 0–1")
    dont_know: list[str] = Field(..., description="Questions answered “don't know”")
    not_applicable: list[str] = Field(
        ..., description="Questions answered “not applicable” or hidden by their condition"
    )


class RecommendationOut(Schema):
    code: str
    dimension: str
    priority: int = Field(..., description="1 first")
    title: str


class ScoreOut(Schema):
    instrument: str = Field(..., examples=["smartregion-maturity"])
    version: str = Field(..., examples=["2026"])
    language: str = Field(..., examples=["en"])
    overall: float | None = Field(None, description="Weighted mean of the domain scores")
    overall_level: int | None
    coverage: float | None
    dimensions: list[DimensionOut]
    recommendations: list[RecommendationOut] = Field(
        ..., description="Triggered recommendations, by priority"
    )


class InstrumentDimensionOut(Schema):
    code: str
    title: str


class InstrumentOut(Schema):
    slug: str = Field(..., examples=["smartregion-maturity"])
    version: str = Field(..., examples=["2026"])
    title: str
    languages: list[str]
    questions: int = Field(..., description="Number of questions")
    dimensions: list[InstrumentDimensionOut]
    loaded_at: dt.datetime
    score_url: str = Field(..., examples=["/api/v1/instruments/smartregion-maturity/2026/score"])


class LangQuery(Schema):
    lang: str | None = Field(
        None,
        pattern=LANG_PATTERN,
        description="Language of titles (fr, en, de, nl); default: the request's language",
    )


class DiagnosticFilters(LangQuery):
    municipality: str = Field(
        ..., pattern=r"^\d{5}$", description="REFNIS code of the commune", examples=["92094"]
    )


class DiagnosticScoreOut(Schema):
    code: str
    title: str
    score: float | None
    level: int | None
    coverage: float | None
    target: int | None = Field(None, description="Target level 1–5 set by the commune")


class ProgressOut(Schema):
    answered: int = Field(..., description="Visible questions answered")
    visible: int = Field(..., description="Questions shown with the current answers")
    required_answered: int = Field(..., description="Visible required questions answered")
    required: int = Field(..., description="Visible required questions")
    percent: int = Field(
        ..., description="required_answered of required, in percent, as the pages show it"
    )
    missing_required: list[str] = Field(..., description="Required questions still unanswered")


class DiagnosticOut(Schema):
    id: int
    municipality: str = Field(..., description="REFNIS code", examples=["92094"])
    instrument: str
    version: str
    year: int
    status: str = Field(..., description="draft or submitted", examples=["submitted"])
    is_demo: bool = Field(..., description="Synthetic demonstration data")
    is_published: bool
    submitted_at: dt.datetime | None
    horizon_year: int | None
    overall: float | None
    overall_level: int | None
    coverage: float | None
    scores: list[DiagnosticScoreOut] = Field(
        ..., description="Per domain; empty for a draft (no score before submission)"
    )
    progress: ProgressOut | None = Field(None, description="Drafts only, for the commune's members")
    answers: dict[str, Any] | None = Field(
        None, description="Detail only, for the commune's members (not staff)"
    )


class DiagnosticPage(Schema):
    count: int
    items: list[DiagnosticOut]


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def _language(lang: str | None) -> str:
    code = lang[:2] if lang else active_language()
    return code if code in LANGUAGES else "fr"


def _rate_limited(request: HttpRequest, scope: str) -> int | None:
    """Seconds until the client may retry, or None when within the limit.

    A fixed window per client IP: simple, one cache round trip, and bursts at a window edge are
    acceptable for a free scoring endpoint. The cache is per process with the default local-memory
    backend, so the limit is per worker unless a shared cache is configured.
    """
    limit = getattr(settings, "API_SCORE_RATE_LIMIT", SCORE_RATE_LIMIT)
    window = getattr(settings, "API_SCORE_RATE_WINDOW", SCORE_RATE_WINDOW)
    now = time.time()
    start = int(now // window) * window
    key = f"ratelimit:{scope}:{request.META.get('REMOTE_ADDR', '')}:{start}"
    cache.add(key, 0, timeout=window + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr: count this request as the first
        cache.set(key, 1, timeout=window + 1)
        count = 1
    if count <= limit:
        return None
    return max(1, int(start + window - now + 0.999))


def _error_loc(error: ValidationError) -> list[str | int]:
    """The error's path as JSON-pointer-like parts: `q[1]` → q, 1; `q.row` → q, row."""
    if error.code == "unknown_question" or not error.path:
        return ["body", "answers", *([error.path] if error.path else [])]
    parts: list[str | int] = []
    for segment in error.path.split("."):
        name, _bracket, index = segment.partition("[")
        parts.append(name)
        if index:
            parts.append(int(index.rstrip("]")))
    return ["body", "answers", *parts]


def _dimension_out(instrument: Instrument, code: str, values: dict[str, Any], lang: str) -> dict:
    dimension = instrument.dimension(code)
    level = values["level"]
    return {
        "code": code,
        "title": Instrument.text(dimension, lang),
        "score": values["score"],
        "level": level,
        "level_text": Instrument.text(dimension.levels[level - 1], lang) if level else None,
        "coverage": values["coverage"],
        "dont_know": values["dont_know"],
        "not_applicable": values["not_applicable"],
    }


def _version_or_404(slug: str, version: str) -> InstrumentVersion:
    # The definition is only read when the parsed instrument is not cached yet.
    found = InstrumentVersion.objects.defer("definition").filter(slug=slug, version=version)
    instrument_version = found.first()
    if instrument_version is None:
        raise HttpError(
            404, _("No instrument %(slug)s %(version)s.") % {"slug": slug, "version": version}
        )
    return instrument_version


# ---------------------------------------------------------------------------------------------
# Instruments
# ---------------------------------------------------------------------------------------------


@instruments_router.get(
    "/",
    response={200: list[InstrumentOut], 422: Errors},
    summary="List loaded instrument versions",
    description="Every questionnaire version loaded on the platform, newest version first.",
)
def list_instruments(request: HttpRequest, query: Query[LangQuery]) -> list[dict]:
    lang = _language(query.lang)
    versions = InstrumentVersion.objects.defer("definition").order_by("slug", "-version")
    return [_instrument_out(version, lang) for version in versions]


def _instrument_out(version: InstrumentVersion, lang: str) -> dict:
    instrument = version.instrument
    return {
        "slug": version.slug,
        "version": version.version,
        "title": Instrument.text(instrument.title, lang),
        "languages": list(instrument.languages),
        "questions": len(instrument.questions),
        "dimensions": [
            {"code": d.code, "title": Instrument.text(d, lang)} for d in instrument.dimensions
        ],
        "loaded_at": version.loaded_at,
        "score_url": f"/api/v1/instruments/{version.slug}/{version.version}/score",
    }


@instruments_router.post(
    "/{slug}/{version}/score",
    response={200: ScoreOut, 404: Message, 422: Errors, 429: Message},
    summary="Score an answer set",
    description=(
        "Stateless: nothing is stored. Returns the overall score (0–100), level (1–5) and "
        "coverage, the same per domain with the questions answered “don't know” or not "
        "applicable, and the triggered recommendations. Invalid answers give 422 listing every "
        "error, each with its path (`loc`). Rate-limited per client IP (429 with Retry-After)."
    ),
)
def score_answers(
    request: HttpRequest, slug: str, version: str, payload: ScoreIn, query: Query[LangQuery]
) -> Any:
    retry_after = _rate_limited(request, "score")
    if retry_after is not None:
        return JsonResponse(
            {
                "detail": _("Too many requests: try again in %(seconds)d s.")
                % {"seconds": retry_after}
            },
            status=429,
            headers={"Retry-After": str(retry_after)},
        )
    instrument = _version_or_404(slug, version).instrument
    errors = validate_answers(instrument, payload.answers)
    if errors:
        detail = [{"loc": _error_loc(e), "msg": e.reason, "type": e.code} for e in errors]
        return Status(422, {"detail": detail})
    lang = _language(query.lang)
    result = score(instrument, payload.answers)
    snapshot = result_snapshot(result)
    recommendations = triggered_recommendations(instrument, result, payload.answers)
    return {
        "instrument": instrument.slug,
        "version": instrument.version,
        "language": lang,
        "overall": result.overall,
        "overall_level": result.overall_level,
        "coverage": result.coverage,
        "dimensions": [
            _dimension_out(instrument, code, values, lang)
            for code, values in snapshot["dimensions"].items()
        ],
        "recommendations": [
            {
                "code": r.code,
                "dimension": r.dimension,
                "priority": r.priority,
                "title": Instrument.text(r.title, lang),
            }
            for r in recommendations
        ],
    }


# ---------------------------------------------------------------------------------------------
# A commune's diagnostics
# ---------------------------------------------------------------------------------------------


def _diagnostics(municipality: Municipality, *, answers: str | None) -> Any:
    """The commune's diagnostics; `answers`: prefetch those of "drafts", of "all", or None."""
    queryset = (
        Diagnostic.objects.filter(municipality=municipality)
        .select_related("instrument_version", "municipality")
        .prefetch_related("targets")
        .order_by("-year", "-created_at")
    )
    if answers is not None:
        wanted = DiagnosticAnswer.objects.filter(value__isnull=False)
        if answers == "drafts":
            wanted = wanted.filter(diagnostic__status=Diagnostic.Status.DRAFT)
        queryset = queryset.prefetch_related(Prefetch("answers", queryset=wanted))
    return queryset


def _diagnostic_out(diagnostic: Diagnostic, *, member: bool, detail: bool, lang: str) -> dict:
    version = diagnostic.instrument_version
    instrument = version.instrument
    targets = {t.dimension: t.level for t in diagnostic.targets.all()}
    answers = {a.question_code: a.value for a in diagnostic.answers.all()} if member else None
    dimensions = diagnostic.result.get("dimensions", {})
    return {
        "id": diagnostic.pk,
        "municipality": diagnostic.municipality.refnis,
        "instrument": version.slug,
        "version": version.version,
        "year": diagnostic.year,
        "status": diagnostic.status,
        "is_demo": diagnostic.is_demo,
        "is_published": diagnostic.is_published,
        "submitted_at": diagnostic.submitted_at,
        "horizon_year": diagnostic.horizon_year,
        "overall": diagnostic.overall_score,
        "overall_level": diagnostic.overall_level,
        "coverage": diagnostic.coverage,
        "scores": [
            {
                "code": code,
                "title": Instrument.text(instrument.dimension(code), lang),
                "score": values["score"],
                "level": values["level"],
                "coverage": values["coverage"],
                "target": targets.get(code),
            }
            # In the instrument's order: PostgreSQL's jsonb does not keep the keys' order.
            for code, values in (
                (d.code, dimensions[d.code]) for d in instrument.dimensions if d.code in dimensions
            )
        ],
        "progress": _progress(instrument, answers)
        if diagnostic.is_draft and answers is not None
        else None,
        "answers": answers if detail else None,
    }


def _progress(instrument: Instrument, answers: dict[str, Any]) -> dict:
    progress = answer_progress(instrument, answers)
    return {
        "answered": progress.visible_answered,
        "visible": progress.visible,
        "required_answered": progress.answered,
        "required": progress.total,
        "percent": progress.percent,
        "missing_required": list(progress.missing),
    }


def _check_access(request: HttpRequest, municipality: Municipality) -> bool:
    """Whether the user is a member (sees drafts' answers); HttpError 403 when not allowed."""
    if not can_view_diagnostics(request.user, municipality):
        raise HttpError(403, _("Only the commune's members and the centre's staff see this."))
    return is_member_of(request.user, municipality)


@diagnostics_router.get(
    "/",
    auth=django_auth,
    response={200: DiagnosticPage, 401: Message, 403: Message, 404: Message, 422: Errors},
    summary="A commune's diagnostics",
    description=(
        "Every diagnostic of one commune, newest first, with status, year, scores per domain and "
        "target levels. Signed-in members of the commune and the centre's staff only (session "
        "cookie); a draft's progress is shown to members only."
    ),
)
def list_diagnostics(request: HttpRequest, filters: Query[DiagnosticFilters]) -> dict:
    municipality = Municipality.objects.filter(refnis=filters.municipality).first()
    if municipality is None:
        raise HttpError(
            404, _("No commune with REFNIS code %(code)s.") % {"code": filters.municipality}
        )
    member = _check_access(request, municipality)
    lang = _language(filters.lang)
    items = [
        _diagnostic_out(d, member=member, detail=False, lang=lang)
        for d in _diagnostics(municipality, answers="drafts" if member else None)
    ]
    return {"count": len(items), "items": items}


@diagnostics_router.get(
    "/{diagnostic_id}",
    auth=django_auth,
    response={200: DiagnosticOut, 401: Message, 403: Message, 404: Message, 422: Errors},
    summary="One diagnostic",
    description=(
        "Status, year, scores, targets; for the commune's members also the answers and, for a "
        "draft, the progress. Centre staff see the scores but not the answers."
    ),
)
def get_diagnostic(request: HttpRequest, diagnostic_id: int, query: Query[LangQuery]) -> dict:
    diagnostic = Diagnostic.objects.select_related("municipality").filter(pk=diagnostic_id).first()
    if diagnostic is None:
        raise HttpError(404, _("No diagnostic %(id)s.") % {"id": diagnostic_id})
    member = _check_access(request, diagnostic.municipality)
    found = _diagnostics(diagnostic.municipality, answers="all" if member else None)
    found = found.get(pk=diagnostic_id)
    return _diagnostic_out(found, member=member, detail=True, lang=_language(query.lang))
