"""Instrument definitions: the typed model of a questionnaire, its validation and its parsing.

Pure package (no Django), so the CLI, the API, views and tasks share one engine and tests run in
milliseconds. One module per concept: `model` (the frozen dataclasses and constants), `loading`
(YAML), `checks` (`validate(raw)`: every problem with its path into the file) and `parsing`
(`parse(raw)`: the typed model from a valid mapping). This package re-exports their public names,
so `from smartregion.instruments.definition import Question` works whichever module defines it.
"""

from __future__ import annotations

from ..validation import ValidationError
from .checks import validate
from .loading import load_file, loads
from .model import (
    CHOICE_TYPES,
    CODE_RE,
    DEFAULT_THRESHOLDS,
    DONT_KNOW,
    KNOWN_LANGUAGES,
    LEVEL_COUNT,
    NOT_APPLICABLE,
    QUESTION_TYPES,
    REQUIRED_LANGUAGES,
    SLUG_RE,
    SPECIAL_ANSWERS,
    TEXT_TYPES,
    YES_NO_TEXTS,
    AllOf,
    Answer,
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
    Texts,
    iter_conditions,
)
from .parsing import parse

__all__ = [
    "CHOICE_TYPES",
    "CODE_RE",
    "DEFAULT_THRESHOLDS",
    "DONT_KNOW",
    "KNOWN_LANGUAGES",
    "LEVEL_COUNT",
    "NOT_APPLICABLE",
    "QUESTION_TYPES",
    "REQUIRED_LANGUAGES",
    "SLUG_RE",
    "SPECIAL_ANSWERS",
    "TEXT_TYPES",
    "YES_NO_TEXTS",
    "AllOf",
    "Answer",
    "AnswerIs",
    "AnswerRange",
    "AnyOf",
    "Axis",
    "Band",
    "Condition",
    "Criterion",
    "Dimension",
    "DimensionBelow",
    "Instrument",
    "InstrumentInvalid",
    "Link",
    "NumberSpec",
    "Option",
    "Question",
    "Recommendation",
    "Row",
    "ScaleSpec",
    "ScoringSettings",
    "Section",
    "Texts",
    "ValidationError",
    "iter_conditions",
    "load_file",
    "loads",
    "parse",
    "validate",
]
