"""Scoring throughput on the real instrument: 100,000 random valid answer sets.

Run: .venv/bin/python bench/bench_scoring.py [N]
Generation is not timed; `score_many` (dimension and overall scores) and `score` (the full result
with levels, coverage and lists) are timed separately. The target is 100,000 sets in under 2 s.
"""

from __future__ import annotations

import random
import sys
import time
from pathlib import Path

from smartregion.instruments.definition import DONT_KNOW, NOT_APPLICABLE, Question, load_file, parse
from smartregion.instruments.scoring import compile_instrument, score, score_many

ROOT = Path(__file__).resolve().parent.parent
INSTRUMENT = ROOT / "instruments" / "smartregion-maturity" / "2026.yaml"


def random_answer(q: Question, rng: random.Random) -> object:
    """A valid answer, with 5 % don't know / not applicable where allowed and 5 % skipped."""
    roll = rng.random()
    if roll < 0.05:
        return None
    if roll < 0.08 and q.allow_dont_know:
        return DONT_KNOW
    if roll < 0.10 and q.allow_not_applicable:
        return NOT_APPLICABLE
    if q.type in ("single_choice", "yes_no"):
        return rng.choice(q.options).code
    if q.type == "multiple_choice":
        combinable = [o.code for o in q.options if not o.exclusive]
        return rng.sample(combinable, rng.randint(1, len(combinable)))
    if q.type == "scale":
        return rng.randint(q.scale.min, q.scale.max)
    if q.type == "number":
        return round(rng.uniform(q.number.min or 0, min(q.number.max or 20, 20)))
    if q.type == "matrix":
        return {row.code: rng.randint(q.scale.min, q.scale.max) for row in q.rows}
    return "Texte libre"


def random_answer_set(questions: list[Question], rng: random.Random) -> dict[str, object]:
    answers = {q.code: random_answer(q, rng) for q in questions}
    return {code: value for code, value in answers.items() if value is not None}


def main(count: int) -> None:
    instrument = parse(load_file(INSTRUMENT))
    compiled = compile_instrument(instrument)
    rng = random.Random(2026)
    questions = list(instrument.questions)
    sets = [random_answer_set(questions, rng) for _ in range(count)]

    started = time.perf_counter()
    rows = score_many(compiled, sets)
    fast = time.perf_counter() - started
    started = time.perf_counter()
    for answers in sets:
        score(compiled, answers)
    full = time.perf_counter() - started

    assert len(rows) == count
    print(f"instrument: {instrument.slug} {instrument.version}, {len(questions)} questions")
    print(f"score_many: {count} answer sets in {fast:.3f} s ({count / fast:,.0f} sets/s)")
    print(f"score:      {count} answer sets in {full:.3f} s ({count / full:,.0f} sets/s)")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
