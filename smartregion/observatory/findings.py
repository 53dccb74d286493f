"""Key findings of an edition: which figures open the report, chosen by a fixed rule.

The rule (shown to analysts on the review page, `RULE` below):

1. Only whole-population figures (breakdown "all") that are shares of communes (kind
   "proportion"), published (not suppressed) and flagged "reliable"; never "don't know" or
   "not applicable", never a cell flagged "use with caution".
2. First the headline figures the observatory always reports (`headlines`, in their order).
3. Then the largest significant changes since the previous edition: the change on all
   respondents (independent samples) whose 95 % interval excludes zero and whose trend cell is
   published, by absolute size, largest first.
4. If fewer than `MINIMUM` are found, the largest remaining shares, largest first.
5. At most one finding per question, at most `MAXIMUM` in all.

Each finding keeps its figures (not a sentence): pages write the sentence in the reader's
language from them, so a finding reads the same in French and English. Rounding: estimates,
interval bounds and changes are rounded to whole percentage points, half away from zero
(`points`); a change is called up or down only when it is significant, otherwise "no significant
change". An analyst may replace the sentence (per language) before publication; `text` then holds
it and pages print it instead.

Pure: no Django, so the rule is tested in milliseconds and applied the same by the build and the
CLI.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal
from typing import Any

MINIMUM = 5
MAXIMUM = 8
SPECIAL_CATEGORIES = ("dont_know", "not_applicable")
RULE = (
    "Shares of all communes only, published and reliable (never 'use with caution', never "
    "'don't know'); first the headline figures, then the largest significant changes since the "
    "previous edition, then the largest remaining shares up to five; one finding per question, "
    "eight at most; rounded to whole points."
)


def points(value: float) -> int:
    """A share (0–1) or a change of shares as whole percentage points, half away from zero."""
    return int(Decimal(str(value * 100)).quantize(Decimal("1"), rounding=ROUND_HALF_UP))


def _eligible(row: dict[str, Any]) -> bool:
    return (
        row["breakdown"] == "all"
        and row.get("kind") == "proportion"
        and not row["suppressed"]
        and row["estimate"] is not None
        and row["ci_low"] is not None
        and row["ci_high"] is not None
        and row.get("flag", "reliable") == "reliable"
        and row["category"] not in SPECIAL_CATEGORIES
    )


def _significant(trend: dict[str, Any]) -> bool:
    return (
        not trend["suppressed"]
        and trend["difference"] is not None
        and trend["ci_low"] is not None
        and trend["ci_high"] is not None
        and (trend["ci_low"] > 0 or trend["ci_high"] < 0)
    )


def _trends(data: dict[str, Any]) -> dict[tuple[str, str], dict[str, Any]]:
    return {
        (t["question"], t["category"]): t
        for t in data.get("trends", [])
        if t["breakdown"] == "all"
        and t["comparison"] == "independent"
        and not t["suppressed"]
        and t["difference"] is not None
    }


def finding(
    row: dict[str, Any], trend: dict[str, Any] | None, reason: str, year: int | None
) -> dict[str, Any]:
    """One finding's stored figures (JSON-ready)."""
    return {
        "question": row["question"],
        "category": row["category"],
        "reason": reason,
        "estimate": row["estimate"],
        "ci_low": row["ci_low"],
        "ci_high": row["ci_high"],
        "respondents": row["respondents"],
        "difference": trend["difference"] if trend else None,
        "diff_low": trend["ci_low"] if trend else None,
        "diff_high": trend["ci_high"] if trend else None,
        "significant": _significant(trend) if trend else False,
        "previous_year": year if trend else None,
        "text": {},
    }


def select(
    data: dict[str, Any], headlines: tuple[tuple[str, str], ...] = ()
) -> list[dict[str, Any]]:
    """The edition's key findings by the rule above, from its results and trends."""
    cells = {(r["question"], r["category"]): r for r in data["results"] if _eligible(r)}
    trends = _trends(data)
    year = (data.get("previous") or {}).get("year")
    chosen: list[tuple[tuple[str, str], str]] = []
    taken: set[str] = set()

    def take(key: tuple[str, str], reason: str) -> None:
        if key in cells and key[0] not in taken and len(chosen) < MAXIMUM:
            chosen.append((key, reason))
            taken.add(key[0])

    for key in headlines:
        take(key, "headline")
    changes = [key for key, trend in trends.items() if _significant(trend)]
    changes.sort(key=lambda key: (-abs(trends[key]["difference"]), key))
    for key in changes:
        take(key, "change")
    if len(chosen) < MINIMUM:
        shares = sorted(cells, key=lambda key: (-cells[key]["estimate"], key))
        for key in shares:
            if len(chosen) >= MINIMUM:
                break
            take(key, "share")
    return [finding(cells[key], trends.get(key), reason, year) for key, reason in chosen]
