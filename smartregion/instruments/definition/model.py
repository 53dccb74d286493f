"""The typed model of an instrument definition: frozen dataclasses and the constants they use.

Pure module (no Django): the questionnaire engine, the CLI, the API, views and tasks share it.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any, Literal

from ..validation import ValidationError

DONT_KNOW = "dont_know"
NOT_APPLICABLE = "not_applicable"
SPECIAL_ANSWERS = (DONT_KNOW, NOT_APPLICABLE)
CHOICE_TYPES = ("single_choice", "multiple_choice", "yes_no")
TEXT_TYPES = ("short_text", "long_text")
QUESTION_TYPES = (
    "single_choice",
    "multiple_choice",
    "scale",
    "number",
    "yes_no",
    "short_text",
    "long_text",
    "matrix",
)
REQUIRED_LANGUAGES = ("fr", "en")
KNOWN_LANGUAGES = ("fr", "en", "de", "nl")
LEVEL_COUNT = 5
DEFAULT_THRESHOLDS = (20.0, 40.0, 60.0, 80.0)
YES_NO_TEXTS = {
    "yes": {"fr": "Oui", "en": "Yes", "de": "Ja", "nl": "Ja"},
    "no": {"fr": "Non", "en": "No", "de": "Nein", "nl": "Nee"},
}
CODE_RE = re.compile(r"^[a-z][a-z0-9_-]*$")
SLUG_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")

Texts = Mapping[str, str]
Answer = str | int | float | list[str] | dict[str, Any]


# ---------------------------------------------------------------------------------------------
# Typed model
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Option:
    code: str
    text: Texts
    score: float | None = None
    exclusive: bool = False


@dataclass(frozen=True)
class ScaleSpec:
    min: int
    max: int
    labels: Mapping[int, Texts] = field(default_factory=dict)


@dataclass(frozen=True)
class Band:
    """Answers from `start` (inclusive) up to the next band score `score`."""

    start: float
    score: float


@dataclass(frozen=True)
class NumberSpec:
    unit: Texts = field(default_factory=dict)
    min: float | None = None
    max: float | None = None
    integer: bool = False
    bands: tuple[Band, ...] = ()


@dataclass(frozen=True)
class Row:
    code: str
    text: Texts


@dataclass(frozen=True)
class AnswerIs:
    """True when the answer (or, for multiple choice, any selected option) is among `values`."""

    question: str
    values: frozenset[str]
    negate: bool = False


@dataclass(frozen=True)
class AnswerRange:
    question: str
    at_least: float | None = None
    at_most: float | None = None


@dataclass(frozen=True)
class DimensionBelow:
    dimension: str
    level_below: int | None = None
    score_below: float | None = None


@dataclass(frozen=True)
class AllOf:
    conditions: tuple[Condition, ...]


@dataclass(frozen=True)
class AnyOf:
    conditions: tuple[Condition, ...]


Condition = AnswerIs | AnswerRange | DimensionBelow | AllOf | AnyOf


@dataclass(frozen=True)
class Question:
    code: str
    type: str
    text: Texts
    help: Texts = field(default_factory=dict)
    required: bool = True
    allow_dont_know: bool = False
    allow_not_applicable: bool = False
    dimension: str | None = None
    criterion: str | None = None
    weight: float = 1.0
    axes: tuple[str, ...] = ()
    public: bool = False
    show_if: Condition | None = None
    options: tuple[Option, ...] = ()
    scale: ScaleSpec | None = None
    number: NumberSpec | None = None
    rows: tuple[Row, ...] = ()

    @property
    def scored(self) -> bool:
        """Text questions never score; a question without a dimension is informational."""
        return self.dimension is not None and self.type not in TEXT_TYPES

    def option(self, code: str) -> Option | None:
        return next((option for option in self.options if option.code == code), None)


@dataclass(frozen=True)
class Section:
    code: str
    text: Texts
    intro: Texts = field(default_factory=dict)
    questions: tuple[Question, ...] = ()


@dataclass(frozen=True)
class Axis:
    code: str
    text: Texts


@dataclass(frozen=True)
class Criterion:
    code: str
    text: Texts


@dataclass(frozen=True)
class Dimension:
    code: str
    text: Texts
    levels: tuple[Texts, ...]
    description: Texts = field(default_factory=dict)
    weight: float = 1.0
    criteria: tuple[Criterion, ...] = ()


@dataclass(frozen=True)
class Link:
    """An internal route name (`knowledge:guide-strategy`) or an external URL, with its label."""

    route: str | None = None
    url: str | None = None
    text: Texts = field(default_factory=dict)


@dataclass(frozen=True)
class Recommendation:
    code: str
    dimension: str
    priority: int
    title: Texts
    text: Texts
    when: Condition
    links: tuple[Link, ...] = ()
    axes: tuple[str, ...] = ()


@dataclass(frozen=True)
class ScoringSettings:
    """Level cut-offs and how dimension scores combine; see scoring.py for the formulas."""

    level_thresholds: tuple[float, ...] = DEFAULT_THRESHOLDS
    max_option_score: float = 1.0
    overall: Literal["weighted_mean", "mean"] = "weighted_mean"


@dataclass(frozen=True)
class Instrument:
    slug: str
    version: str
    title: Texts
    languages: tuple[str, ...]
    dimensions: tuple[Dimension, ...]
    sections: tuple[Section, ...]
    description: Texts = field(default_factory=dict)
    axes: tuple[Axis, ...] = ()
    recommendations: tuple[Recommendation, ...] = ()
    scoring: ScoringSettings = field(default_factory=ScoringSettings)

    @cached_property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for section in self.sections for q in section.questions)

    @cached_property
    def _questions_by_code(self) -> dict[str, Question]:
        return {q.code: q for q in self.questions}

    def question(self, code: str) -> Question:
        return self._questions_by_code[code]

    def dimension(self, code: str) -> Dimension:
        return next(d for d in self.dimensions if d.code == code)

    @staticmethod
    def text(obj: Texts | object, lang: str, attr: str = "text") -> str:
        """The text in `lang`, falling back to French (always present) as the platform does."""
        texts = obj if isinstance(obj, Mapping) else getattr(obj, attr)
        return texts.get(lang) or texts.get("fr", "")


class InstrumentInvalid(ValueError):
    """Raised by `parse`; `.errors` holds every problem found, not just the first."""

    def __init__(self, errors: list[ValidationError]) -> None:
        self.errors = errors
        lines = "\n".join(f"{e.path}: {e.reason}" for e in errors)
        super().__init__(f"{len(errors)} error(s) in instrument definition:\n{lines}")


def iter_conditions(condition: Condition | None) -> Iterator[Condition]:
    """Leaves of a condition tree, for tools that list what a question depends on."""
    if condition is None:
        return
    if isinstance(condition, AllOf | AnyOf):
        for child in condition.conditions:
            yield from iter_conditions(child)
    else:
        yield condition
