"""Problems found in instrument files and answer sets: a path, a message code, its parameters.

Pure module. The English rendering (`reason`) comes from MESSAGES; keeping the code and parameters
apart lets a translated rendering be added without touching the checks.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

MESSAGES: dict[str, str] = {
    # structure
    "missing_key": "required key is missing",
    "unknown_key": "unknown key (allowed here: {allowed})",
    "wrong_type": "must be {expected}, not {actual}",
    "empty_list": "must not be empty",
    "invalid_code": (
        "{value!r} is not a valid code (lowercase letters, digits, '_' and '-', starting with "
        "a letter)"
    ),
    "invalid_slug": "{value!r} is not a valid slug (lowercase letters, digits and '-')",
    "duplicate_code": "duplicate {kind} code {value!r} (first used at {first})",
    "reserved_code": "{value!r} is reserved for the special answers dont_know and not_applicable",
    "unknown_value": "unknown value {value!r} (expected one of: {allowed})",
    # texts and languages
    "missing_text": "{language} text is required",
    "unknown_language": "unknown language {value!r} (expected fr, en, de or nl)",
    "language_required": "the instrument must be offered in {lang!r}",
    # dimensions, axes, scoring
    "wrong_level_count": "exactly {expected} level descriptors are required, got {count}",
    "weight_not_positive": "weight must be greater than 0, got {value}",
    "not_positive": "must be greater than 0, got {value}",
    "invalid_thresholds": "level_thresholds must be {count} increasing numbers between 0 and 100",
    "unknown_dimension": "unknown dimension {value!r} (declared: {known})",
    "unknown_axis": "unknown axis {value!r} (declared: {known})",
    "unknown_criterion": "unknown criterion {value!r} for this dimension (declared: {known})",
    "criterion_without_dimension": "a criterion needs the question's dimension",
    # questions
    "unknown_question_type": "unknown question type {value!r} (expected one of: {allowed})",
    "key_not_for_type": "{key!r} does not apply to a {type} question",
    "too_few_options": "a choice question needs at least 2 options, got {count}",
    "score_required": "options of a scored question need a score",
    "score_out_of_range": "score {value} is outside 0..{max}",
    "scores_not_spanning": (
        "option scores of a scored question must run from 0 to {max} (here {low} to {high})"
    ),
    "yes_no_not_spanning": "yes/no scores must be 0 and {max}",
    "scale_min_not_below_max": "scale min ({min}) must be less than max ({max})",
    "number_min_above_max": "min ({min}) is greater than max ({max})",
    "number_unscorable": "a scored number question needs min and max, or bands",
    "bands_not_increasing": "bands must be listed with strictly increasing 'from' values",
    "matrix_without_rows": "a matrix question needs at least one row",
    "text_question_scored": "text questions are never scored: remove the dimension",
    # conditions and rules
    "combinator_alone": "{key!r} must be the only key of its condition",
    "condition_operator": "a condition needs one of in, not_in, or at_least/at_most",
    "condition_self": "a question cannot depend on itself",
    "condition_later_question": "condition refers to question {value!r}, which comes later",
    "condition_unknown_question": "condition refers to unknown question {value!r}",
    "condition_unknown_value": (
        "{value!r} is not an answer of question {question!r} (expected one of: {allowed})"
    ),
    "operator_for_type": "{op!r} does not apply to a {type} question",
    "rule_operator": "a dimension rule needs exactly one of: {allowed}",
    "level_below_range": "level_below must be between 2 and {max}, got {value}",
    "score_below_range": "score_below must be above 0 and at most 100, got {value}",
    "priority_not_positive": "priority must be 1 or more, got {value}",
    "link_target": "a link needs exactly one of 'route' or 'url'",
    "invalid_url": "{value!r} is not an http(s) URL",
    # files
    "file_unreadable": "cannot read the file: {error}",
    "invalid_yaml": "not valid YAML: {error}",
    # answers
    "unknown_question": "unknown question",
    "answer_type": "a {type} answer must be {expected}",
    "unknown_option": "{value!r} is not an option of this question (expected one of: {allowed})",
    "unknown_row": "unknown row {value!r}",
    "duplicate_option": "option {value!r} is selected twice",
    "exclusive_option": "{value!r} cannot be combined with other options",
    "out_of_range": "{value} is outside {min}..{max}",
    "not_integer": "{value} must be a whole number",
    "too_long": "a text of at most {max} characters is expected",
    "dont_know_not_allowed": "'don't know' is not allowed for this question",
    "not_applicable_not_allowed": "'not applicable' is not allowed for this question",
    "hidden_question": "this question is not shown with the other answers, so it takes no answer",
}

LANGUAGE_NAMES = {"fr": "French", "en": "English", "de": "German", "nl": "Dutch"}


@dataclass(frozen=True)
class ValidationError:
    """One problem; unpacks as `(path, reason)` for callers that only need the English text."""

    path: str
    code: str
    params: dict[str, Any] = field(default_factory=dict)

    @property
    def reason(self) -> str:
        return MESSAGES[self.code].format(**self.params)

    def __iter__(self) -> Iterator[str]:
        return iter((self.path, self.reason))

    def __str__(self) -> str:
        return f"{self.path}: {self.reason}"


def describe_type(value: Any) -> str:
    """The YAML/JSON name of a value's type, as an author would write it."""
    if value is None:
        return "null"
    names = {bool: "a boolean", int: "a number", float: "a number", str: "a string"}
    names |= {list: "a list", dict: "a mapping"}
    return names.get(type(value), type(value).__name__)


def join(path: str, key: str) -> str:
    return f"{path}.{key}" if path else key


EXPECTED = {
    str: "a string",
    int: "an integer",
    bool: "a boolean",
    list: "a list",
    dict: "a mapping",
}


class Checker:
    """Accumulates problems; helpers return whether the value is usable for further checks.

    A required key that is absent or null is reported once, by `mapping`; the type helpers then
    stay silent on None so one omission never produces a cascade of errors.
    """

    def __init__(self) -> None:
        self.errors: list[ValidationError] = []
        self._seen: dict[str, dict[str, str]] = {}

    def add(self, path: str, code: str, **params: Any) -> None:
        if code == "missing_text":
            params = {"language": LANGUAGE_NAMES[params.pop("lang")], **params}
        if "allowed" in params and not isinstance(params["allowed"], str):
            params["allowed"] = ", ".join(params["allowed"])
        self.errors.append(ValidationError(path, code, params))

    def mapping(self, obj: Any, path: str, keys: dict[str, bool]) -> bool:
        """A dict with its required keys (`keys` maps key → required) and no unknown key."""
        if not isinstance(obj, dict):
            if obj is not None:
                self.add(path, "wrong_type", expected="a mapping", actual=describe_type(obj))
            return False
        for key, required in keys.items():
            if required and obj.get(key) is None:
                self.add(join(path, key), "missing_key")
        for key in obj:
            if key not in keys:
                self.add(join(path, str(key)), "unknown_key", allowed=", ".join(keys))
        return True

    def typed(self, value: Any, path: str, kind: type, optional: bool = False) -> bool:
        if value is None:
            return optional
        if isinstance(value, kind) and not (kind is int and isinstance(value, bool)):
            return True
        self.add(path, "wrong_type", expected=EXPECTED[kind], actual=describe_type(value))
        return False

    def number(self, value: Any, path: str) -> bool:
        if value is None:
            return False
        if isinstance(value, int | float) and not isinstance(value, bool):
            return True
        self.add(path, "wrong_type", expected="a number", actual=describe_type(value))
        return False

    def items(self, value: Any, path: str, required: bool) -> Iterator[tuple[str, Any]]:
        """(path, item) for each element of a list; an empty required list is an error."""
        if not self.typed(value, path, list):
            return
        if required and not value:
            self.add(path, "empty_list")
        for i, item in enumerate(value):
            yield f"{path}[{i}]", item

    def unique(self, kind: str, code: str, path: str, owner: str) -> bool:
        """Record a code; `kind` may carry a scope after ':' (codes unique per question)."""
        seen = self._seen.setdefault(kind, {})
        if code in seen:
            self.add(path, "duplicate_code", kind=kind.split(":")[0], value=code, first=seen[code])
            return False
        seen[code] = owner
        return True
