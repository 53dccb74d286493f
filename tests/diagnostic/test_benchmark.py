"""Peer benchmark: quartiles against NumPy, the minimum group size, which diagnostics count."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from smartregion.diagnostic.benchmark import MIN_PEERS, quantile, spread
from smartregion.diagnostic.queries import peer_groups
from tests.factories import province_peers, submitted

scores = st.floats(min_value=0, max_value=100, allow_nan=False, allow_infinity=False)


@given(st.lists(scores, min_size=1, max_size=300), st.floats(min_value=0, max_value=1))
def test_quantile_matches_numpy_percentile(values, fraction):
    ordered = sorted(values)

    expected = float(np.percentile(values, fraction * 100))

    assert quantile(ordered, fraction) == pytest.approx(expected, abs=1e-9)


@given(st.lists(st.one_of(scores, st.none()), min_size=MIN_PEERS, max_size=100))
def test_spread_matches_numpy_and_ignores_missing(values):
    known = [v for v in values if v is not None]

    result = spread(values)

    if len(known) < MIN_PEERS:
        assert result is None
    else:
        q1, median, q3 = np.percentile(known, [25, 50, 75])
        assert result.count == len(known)
        assert (result.q1, result.median, result.q3) == (
            pytest.approx(q1),
            pytest.approx(median),
            pytest.approx(q3),
        )
        assert result.q1 <= result.median <= result.q3


def test_spread_exact_values():
    assert spread([10, 20, 30, 40, 50]).__dict__ == {
        "count": 5,
        "q1": 20.0,
        "median": 30.0,
        "q3": 40.0,
    }
    assert spread([1, 2, 3, 4]) is None
    assert spread([1, 2, 3, 4], minimum=4).median == 2.5


@pytest.mark.django_db
def test_peer_groups_need_five_peers(instrument_version, namur):
    peers = province_peers(namur, 5)
    for municipality in peers[:4]:
        submitted(municipality, instrument_version, 0.5)
    own = submitted(namur, instrument_version, 0.5)

    four = next(g for g in peer_groups(own) if g.kind == "province")
    submitted(peers[4], instrument_version, 0.5)
    five = next(g for g in peer_groups(own) if g.kind == "province")

    assert (four.count, four.dimensions, four.overall) == (4, None, None)
    assert five.count == 5
    assert five.overall.median == pytest.approx(own.overall_score)


@pytest.mark.django_db
def test_peer_groups_count_only_the_latest_result_of_other_communes(instrument_version, namur):
    peers = province_peers(namur, 5)
    for municipality in peers:
        submitted(municipality, instrument_version, 0.0, year=2025)
        latest = submitted(municipality, instrument_version, 1.0, year=2026)
    submitted(namur, instrument_version, 0.2, year=2025)
    own = submitted(namur, instrument_version, 0.5, year=2026)

    province = next(g for g in peer_groups(own) if g.kind == "province")

    assert province.count == 5
    assert province.overall.q1 == province.overall.q3 == pytest.approx(latest.overall_score)
    assert latest.overall_score > own.overall_score
