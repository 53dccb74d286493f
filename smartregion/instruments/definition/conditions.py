"""Checks of the conditions in a definition: a question's `show_if`, a recommendation's `when`.

A condition may only look at earlier questions (so one pass in questionnaire order decides what is
shown) and only at values those questions can take.
"""

from __future__ import annotations

from typing import Any

from ..validation import Checker
from .model import CHOICE_TYPES, DONT_KNOW, LEVEL_COUNT, NOT_APPLICABLE


class ConditionChecks(Checker):
    """The condition part of the definition validator (checks._Validator)."""

    raw: Any
    questions: dict[str, tuple[int, dict[str, Any]]]
    defaults: dict[str, Any]

    def dimension_ref(self, code: Any, path: str) -> None:
        raise NotImplementedError

    def show_if(self, cond: Any, path: str, own_code: Any) -> None:
        self.condition(cond, path, lambda c, p: self._answer_leaf(c, p, own_code))

    def when(self, cond: Any, path: str) -> None:
        self.condition(cond, path, self._when_leaf)

    def condition(self, cond: Any, path: str, leaf: Any) -> None:
        if not self.typed(cond, path, dict):
            return
        for combinator in ("all", "any"):
            if combinator in cond:
                if len(cond) != 1:
                    self.add(path, "combinator_alone", key=combinator)
                for cpath, child in self.items(cond[combinator], f"{path}.{combinator}", True):
                    self.condition(child, cpath, leaf)
                return
        leaf(cond, path)

    def _when_leaf(self, cond: dict[str, Any], path: str) -> None:
        if "answer" in cond:
            if self.mapping(cond, path, {"answer": True}):
                self._answer_leaf(cond["answer"], f"{path}.answer", None)
            return
        keys = {"dimension": True, "level_below": False, "score_below": False}
        if not self.mapping(cond, path, keys):
            return
        self.dimension_ref(cond.get("dimension"), f"{path}.dimension")
        if ("level_below" in cond) == ("score_below" in cond):
            self.add(path, "rule_operator", allowed="level_below, score_below")
        level = cond.get("level_below")
        level_ok = self.typed(level, f"{path}.level_below", int) and level is not None
        if level_ok and not 2 <= level <= LEVEL_COUNT:
            self.add(f"{path}.level_below", "level_below_range", value=level, max=LEVEL_COUNT)
        score = cond.get("score_below")
        if self.number(score, f"{path}.score_below") and not 0 < score <= 100:
            self.add(f"{path}.score_below", "score_below_range", value=score)

    def _answer_leaf(self, cond: Any, path: str, own_code: Any) -> None:
        keys = {"question": True, "in": False, "not_in": False, "at_least": False, "at_most": False}
        if not self.mapping(cond, path, keys):
            return
        ops = [op for op in ("in", "not_in", "at_least", "at_most") if op in cond]
        if not ops or (len(ops) > 1 and set(ops) != {"at_least", "at_most"}):
            self.add(path, "condition_operator")
        target = self._condition_target(cond.get("question"), f"{path}.question", own_code)
        for op in ops:
            self._condition_values(cond[op], f"{path}.{op}", op, target)

    def _condition_target(self, code: Any, path: str, own_code: Any) -> dict[str, Any] | None:
        if not self.typed(code, path, str):
            return None
        if own_code is not None and code == own_code:
            self.add(path, "condition_self")
        elif code in self.questions:
            return self.questions[code][1]
        elif own_code is not None and self.declared_later(code):
            self.add(path, "condition_later_question", value=code)
        else:
            self.add(path, "condition_unknown_question", value=code)
        return None

    def declared_later(self, code: str) -> bool:
        """Whether `code` is a question further down the file (the raw data is walked once here)."""
        for section in self.raw.get("sections") or []:
            for q in (section.get("questions") or []) if isinstance(section, dict) else []:
                if isinstance(q, dict) and q.get("code") == code:
                    return True
        return False

    def _condition_values(self, values: Any, path: str, op: str, target: Any) -> None:
        qtype = target.get("type") if target else None
        if op in ("at_least", "at_most"):
            if self.number(values, path) and target and qtype not in ("scale", "number"):
                self.add(path, "operator_for_type", op=op, type=qtype)
            return
        if not self.typed(values, path, list) or target is None:
            return
        if qtype not in CHOICE_TYPES:
            self.add(path, "operator_for_type", op=op, type=qtype)
            return
        allowed = _answer_values(target, self.defaults)
        for i, value in enumerate(values):
            if value not in allowed:
                self.add(
                    f"{path}[{i}]",
                    "condition_unknown_value",
                    value=value,
                    question=target.get("code"),
                    allowed=", ".join(allowed),
                )


def _answer_values(q: dict[str, Any], defaults: dict[str, Any]) -> list[str]:
    """Codes an answer to a choice question may take, special answers included when allowed."""
    if q.get("type") == "yes_no":
        codes = ["yes", "no"]
    else:
        codes = [o.get("code") for o in q.get("options") or [] if isinstance(o, dict)]
    for special, flag in ((DONT_KNOW, "allow_dont_know"), (NOT_APPLICABLE, "allow_not_applicable")):
        if q.get(flag, defaults.get(flag, False)) is True:
            codes.append(special)
    return [c for c in codes if isinstance(c, str)]
