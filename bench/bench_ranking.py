"""Ranking throughput: 10,000 random applications × 40 criteria in two envelopes (~5,000 each).

Run: PYTHONPATH=. .venv/bin/python bench/bench_ranking.py [N] [K]
Generation is not timed. `rank` is timed with method "ranked" and with method "knapsack" (exact
0/1 knapsack per envelope by HiGHS). Budgets cover about a third of the requests. The target for
"ranked" is well under 1 s.
"""

from __future__ import annotations

import random
import sys
import time

from smartregion.calls.ranking import Application, Criterion, Parameters, rank


def main(n: int = 10_000, k: int = 40, seed: int = 2026) -> None:
    """Build the random call, then time both methods."""
    rng = random.Random(seed)
    criteria = tuple(
        Criterion(f"c{j:02d}", float(rng.randint(1, 5)), 10.0, 0.5 if j % 10 == 0 else None)
        for j in range(k)
    )
    ruralities = ("urban", "periurban", "rural")
    bands = ("b1", "b2", "b3", "b4")
    apps = [
        Application(
            id=f"app{i:05d}",
            envelope="north" if i % 2 else "south",
            requested=rng.randint(5_000, 200_000) * 100,
            consensus={c.code: round(rng.uniform(0, 10), 1) for c in criteria},
            rurality_class=rng.choice(ruralities),
            population_band=rng.choice(bands),
            submitted_at=f"2026-03-{rng.randint(1, 28):02d}T{rng.randint(0, 23):02d}:00:00+00:00",
        )
        for i in range(n)
    ]
    total = sum(int(a.requested) for a in apps)
    envelopes = {"north": total // 6, "south": total // 6}
    for method in ("ranked", "knapsack"):
        parameters = Parameters(
            criteria=criteria,
            envelopes=envelopes,
            rurality_coefficients={"rural": 1.2, "periurban": 1.1},
            band_coefficients={"b1": 1.15, "b2": 1.05},
            overall_threshold=30.0,
            method=method,  # type: ignore[arg-type]
        )
        start = time.perf_counter()
        result = rank(parameters, apps)
        elapsed = time.perf_counter() - start
        counts = {
            s: sum(r.status == s for r in result.results)
            for s in ("selected", "reserve", "excluded")
        }
        value = sum(r.adjusted for r in result.results if r.status == "selected")
        print(
            f"{method:8s} {n} applications × {k} criteria: {elapsed:.3f} s  {counts}  "
            f"Σ adjusted selected {value:.1f}  left {result.budgets_left}"
        )


if __name__ == "__main__":
    main(*(int(a) for a in sys.argv[1:3]))
