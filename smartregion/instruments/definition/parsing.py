"""Building the typed model from a valid raw definition."""

from __future__ import annotations

from typing import Any

from .checks import validate
from .model import (
    DEFAULT_THRESHOLDS,
    REQUIRED_LANGUAGES,
    YES_NO_TEXTS,
    AllOf,
    AnswerIs,
    AnswerRange,
    AnyOf,
    Axis,
    Band,
    Condition,
    Criterion,
    Dimension,
    DimensionBelow,
    Instrument,
    InstrumentInvalid,
    Link,
    NumberSpec,
    Option,
    Question,
    Recommendation,
    Row,
    ScaleSpec,
    ScoringSettings,
    Section,
)

# ---------------------------------------------------------------------------------------------
# Parsing
# ---------------------------------------------------------------------------------------------


def parse(raw: Any) -> Instrument:
    """A typed instrument from raw data; raises InstrumentInvalid with every error when invalid."""
    errors = validate(raw)
    if errors:
        raise InstrumentInvalid(errors)
    defaults = raw.get("defaults") or {}
    scoring = raw.get("scoring") or {}
    max_score = float(scoring.get("max_option_score", 1))
    return Instrument(
        slug=raw["slug"],
        version=str(raw["version"]),
        title=dict(raw["title"]),
        description=dict(raw.get("description") or {}),
        languages=tuple(raw.get("languages") or REQUIRED_LANGUAGES),
        axes=tuple(Axis(a["code"], dict(a["text"])) for a in raw.get("axes") or []),
        dimensions=tuple(_dimension(d) for d in raw.get("dimensions") or ()),
        sections=tuple(_section(s, defaults, max_score) for s in raw["sections"]),
        recommendations=tuple(_recommendation(r) for r in raw.get("recommendations") or []),
        scoring=ScoringSettings(
            level_thresholds=tuple(
                float(t) for t in scoring.get("level_thresholds", DEFAULT_THRESHOLDS)
            ),
            max_option_score=max_score,
            overall=scoring.get("overall", "weighted_mean"),
        ),
    )


def _dimension(raw: dict[str, Any]) -> Dimension:
    return Dimension(
        code=raw["code"],
        text=dict(raw["text"]),
        description=dict(raw.get("description") or {}),
        weight=float(raw.get("weight", 1)),
        levels=tuple(dict(level) for level in raw["levels"]),
        criteria=tuple(Criterion(c["code"], dict(c["text"])) for c in raw.get("criteria") or []),
    )


def _section(raw: dict[str, Any], defaults: dict[str, Any], max_score: float) -> Section:
    return Section(
        code=raw["code"],
        text=dict(raw["text"]),
        intro=dict(raw.get("intro") or {}),
        questions=tuple(_question(q, defaults, max_score) for q in raw["questions"]),
    )


def _question(raw: dict[str, Any], defaults: dict[str, Any], max_score: float) -> Question:
    def flag(name: str, fallback: bool) -> bool:
        return bool(raw.get(name, defaults.get(name, fallback)))

    return Question(
        code=raw["code"],
        type=raw["type"],
        text=dict(raw["text"]),
        help=dict(raw.get("help") or {}),
        required=flag("required", True),
        allow_dont_know=flag("allow_dont_know", False),
        allow_not_applicable=flag("allow_not_applicable", False),
        dimension=raw.get("dimension"),
        criterion=raw.get("criterion"),
        weight=float(raw.get("weight", 1)),
        axes=tuple(raw.get("axes") or ()),
        public=bool(raw.get("public", False)),
        show_if=_condition(raw["show_if"]) if "show_if" in raw else None,
        options=_options(raw, max_score),
        scale=_scale(raw.get("scale")),
        number=_number(raw.get("number")),
        rows=tuple(Row(r["code"], dict(r["text"])) for r in raw.get("rows") or []),
    )


def _options(raw: dict[str, Any], max_score: float) -> tuple[Option, ...]:
    if raw["type"] == "yes_no":
        scores = raw.get("scores") or {"yes": max_score, "no": 0}
        return tuple(Option(c, YES_NO_TEXTS[c], float(scores[c])) for c in ("yes", "no"))
    return tuple(
        Option(
            code=o["code"],
            text=dict(o["text"]),
            score=float(o["score"]) if "score" in o else None,
            exclusive=bool(o.get("exclusive", False)),
        )
        for o in raw.get("options") or []
    )


def _scale(raw: dict[str, Any] | None) -> ScaleSpec | None:
    if raw is None:
        return None
    labels = {label["value"]: dict(label["text"]) for label in raw.get("labels") or []}
    return ScaleSpec(min=raw["min"], max=raw["max"], labels=labels)


def _number(raw: dict[str, Any] | None) -> NumberSpec | None:
    if raw is None:
        return None
    return NumberSpec(
        unit=dict(raw.get("unit") or {}),
        min=float(raw["min"]) if "min" in raw else None,
        max=float(raw["max"]) if "max" in raw else None,
        integer=bool(raw.get("integer", False)),
        bands=tuple(Band(float(b["from"]), float(b["score"])) for b in raw.get("bands") or []),
    )


def _condition(raw: dict[str, Any]) -> Condition:
    if "all" in raw:
        return AllOf(tuple(_condition(c) for c in raw["all"]))
    if "any" in raw:
        return AnyOf(tuple(_condition(c) for c in raw["any"]))
    if "answer" in raw:
        return _condition(raw["answer"])
    if "dimension" in raw:
        return DimensionBelow(raw["dimension"], raw.get("level_below"), raw.get("score_below"))
    if "in" in raw or "not_in" in raw:
        values = raw.get("in", raw.get("not_in"))
        return AnswerIs(raw["question"], frozenset(values), negate="not_in" in raw)
    return AnswerRange(raw["question"], raw.get("at_least"), raw.get("at_most"))


def _recommendation(raw: dict[str, Any]) -> Recommendation:
    return Recommendation(
        code=raw["code"],
        dimension=raw["dimension"],
        priority=raw["priority"],
        title=dict(raw["title"]),
        text=dict(raw["text"]),
        when=_condition(raw["when"]),
        links=tuple(
            Link(route=link.get("route"), url=link.get("url"), text=dict(link.get("text") or {}))
            for link in raw.get("links") or []
        ),
        axes=tuple(raw.get("axes") or ()),
    )
