"""The issue's "Done when": nominal 95 % intervals cover at least 93 % in every cell of the
barometer's response model on the real 2020 frame (bench/bench_coverage.py, smaller and seeded).

500 replications (about 5 s) give each coverage a binomial standard error of about 1 point at
95 %; the default method's lowest cell is at 94.6 % (1,000 replications: 95.7 %, the "all" cell
of the question near one half), 1.6 standard errors above the bar, and the seed is fixed, so the
figure is exact: the test fails only if the method changes. With 200 replications the same cell
comes out at 92.0 %: too few to judge a 93 % bar."""

from __future__ import annotations

import pytest

from bench.bench_coverage import coverage, simulate


@pytest.fixture(scope="module")
def simulation():
    return simulate(500, seed=2020, rate=0.46)


def test_korn_graubard_covers_at_least_93_percent_in_every_cell(simulation):
    table = coverage(simulation, "korn-graubard")

    assert table.height == 22  # 2 questions × (all + 5 provinces + 5 classes)
    assert table["coverage"].min() == pytest.approx(0.946, abs=1e-9)
    assert table["coverage"].min() >= 0.93
    assert table.filter(table["breakdown"].str.starts_with("province"))["zero_width"].max() == 0.0


def test_t_intervals_covered_less(simulation):
    table = coverage(simulation, "t")

    assert table["coverage"].min() < 0.85
    assert table["zero_width"].max() > 0.2
