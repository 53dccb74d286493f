"""Disclosure control on the demo editions: cells withheld per reason, before and after, and the
withheld cells an attacker recomputes from what is published.

Run on a database holding the demo (``.venv/bin/smartregion demo`` first; DATABASE_URL selects
another database):

    DEBUG=1 .venv/bin/python bench/bench_disclosure.py

"Before" is today's rule alone (cells under 5 respondents withheld, nothing else): the engine run
with ``min_cell=1`` and no confidential question, then those cells nulled by hand. "After" is the
edition as this code publishes it (recomputed, with its trends against the previous edition).
A cell is question × base × breakdown (all its categories); a row is one category of a cell.
Recovered: withheld rows given back by subtraction ("all" minus the other provinces or
classes); audit: what the rank/bounds audit finds.
"""

from __future__ import annotations

import os
import sys
import time
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django  # noqa: E402

django.setup()

import polars as pl  # noqa: E402

from smartregion.observatory import disclosure, services  # noqa: E402
from smartregion.observatory.models import Edition  # noqa: E402
from smartregion.observatory.statistics import Options, Question, estimate  # noqa: E402

PROTECTED = set(disclosure.DISCLOSURE)


def today(edition: Edition) -> pl.DataFrame:
    """The edition's wave as today's engine publishes it: cells under 5 respondents withheld."""
    wave = edition.wave
    data = services.wave_data(wave)
    questions = services.engine_questions(wave.instrument_version.instrument)
    public = {c: Question(q.code, q.type, q.categories) for c, q in questions.items()}
    everything = estimate(data.frame, data.responses, public, Options(min_cell=1))
    few = pl.col("respondents") < 5
    return everything.with_columns(
        suppression=pl.when(few).then(pl.lit("respondents")),
        suppressed=few,
        estimate=pl.when(~few).then("estimate"),
        unweighted=pl.when(~few).then("unweighted"),
    )


def cells(rows: pl.DataFrame) -> Counter:
    withheld = rows.filter(pl.col("suppression").is_not_null())
    unique = withheld.select("question", "base", "breakdown", "suppression").unique()
    return Counter(unique.get_column("suppression").to_list())


def recovered(rows: pl.DataFrame | list[dict]) -> str:
    """Withheld rows (and cells) of communes given back by subtraction (empty cells left out)."""
    found = disclosure.subtraction_attack(rows)
    table = rows if isinstance(rows, pl.DataFrame) else pl.DataFrame(rows)
    sizes = dict(
        zip(
            table.select(pl.concat_str("question", "base", "breakdown", separator="|")).to_series(),
            table.get_column("respondents"),
            strict=True,
        )
    )
    hits = [
        (r["question"], r["base"], r["breakdown"])
        for r in found
        if r["suppression"] in PROTECTED
        and sizes["|".join((r["question"], r["base"], r["breakdown"]))]
    ]
    return f"{len(hits)} rows/{len(set(hits))} cells"


def main() -> None:
    editions = Edition.objects.filter(is_demo=True).select_related("wave__instrument_version")
    latest: dict[int, Edition] = {}
    for edition in editions.order_by("year", "revision"):
        latest[edition.year] = edition
    print("year  rows  cells  | before: respondents  recovered  | after: respondents dominance"
          " complementary reliability  recovered  audit  trend-rows-withheld")  # fmt: skip
    for year, edition in sorted(latest.items()):
        before = today(edition)
        data = services.compute_edition_data(edition.wave)  # as published by this code
        after = pl.DataFrame(data["results"], infer_schema_length=None)
        trends = data["trends"]
        started = time.perf_counter()
        problems = disclosure.audit(after, trends)
        spent = time.perf_counter() - started
        total = after.select("question", "base", "breakdown").unique().height
        b, a = cells(before), cells(after)
        trend_reasons = Counter(t["suppression"] for t in trends if t["suppression"])
        print(
            f"{year}  {after.height}  {total}  | {b['respondents']}  {recovered(before)}"
            f"  | {a['respondents']}  {a['dominance']}  {a['complementary']}"
            f"  {a['reliability']}  {recovered(after)}  {len(problems)} ({spent:.2f} s)"
            f"  {dict(sorted(trend_reasons.items()))}"
        )
        empty = (
            before.filter(pl.col("respondents") == 0)
            .select("question", "base", "breakdown")
            .unique()
        )
        exposed = {(p["question"], p["base"], p["breakdown"]) for p in disclosure.audit(before)}
        print(
            f"      before: {empty.height} of the withheld cells are empty (no respondent); "
            f"the audit finds {len(exposed)} withheld cells disclosed"
        )
        rows_before = before.filter(pl.col("suppression").is_not_null()).height
        rows_after = after.filter(pl.col("suppression").is_not_null()).height
        print(f"      withheld rows: before {rows_before}, after {rows_after}")


if __name__ == "__main__":
    main()
