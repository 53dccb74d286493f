"""The ranking engine on small cases worked out by hand."""

from __future__ import annotations

import random
from dataclasses import replace
from decimal import Decimal

import pytest

from smartregion.calls.ranking import Application, Criterion, Parameters, promote, rank

# Two criteria: "impact" weighs 3 (max 10), "quality" weighs 1 (max 5).
# weighted = 100 · (3·impact/10 + 1·quality/5) / 4 = 7.5·impact + 5·quality.
CRITERIA = (Criterion("impact", 3.0, 10.0), Criterion("quality", 1.0, 5.0))


def app(
    id_: str,
    impact: float,
    quality: float,
    requested: int = 100,
    envelope: str = "E",
    rurality: str = "urban",
    band: str = "b1",
    submitted_at: str = "2026-03-01T12:00:00+00:00",
) -> Application:
    return Application(
        id=id_,
        envelope=envelope,
        requested=requested,
        consensus={"impact": impact, "quality": quality},
        rurality_class=rurality,
        population_band=band,
        submitted_at=submitted_at,
    )


def params(**kwargs: object) -> Parameters:
    base: dict[str, object] = {"criteria": CRITERIA, "envelopes": {"E": 10_000}}
    base.update(kwargs)
    return Parameters(**base)  # type: ignore[arg-type]


def test_weighted_score_and_coefficients():
    result = rank(
        params(rurality_coefficients={"rural": 1.2}, band_coefficients={"small": 1.5}),
        [app("a", 10, 5), app("b", 5, 0, rurality="rural", band="small"), app("c", 0, 5)],
    )
    a, b, c = (result.by_id(x) for x in "abc")
    assert (a.weighted, a.coefficient, a.adjusted) == (100.0, 1.0, 100.0)
    # 100 · (3 · 0.5 + 0) / 4 = 37.5; coefficient 1.2 × 1.5 = 1.8; adjusted 67.5.
    assert b.weighted == 37.5
    assert b.coefficient == pytest.approx(1.8)
    assert b.adjusted == 67.5
    # 100 · (0 + 1) / 4 = 25.
    assert c.weighted == 25.0
    assert [a.rank, b.rank, c.rank] == [1, 2, 3]


def test_coefficient_reorders_ranking():
    result = rank(
        params(rurality_coefficients={"rural": 2.0}),
        [app("city", 8, 4), app("village", 5, 3, rurality="rural")],
    )
    # city 100·(2.4+0.8)/4 = 80; village 100·(1.5+0.6)/4 = 52.5 ×2 = 105.
    assert result.by_id("village").rank == 1
    assert result.by_id("city").rank == 2


def test_thresholds_exclude_with_reason():
    criteria = (Criterion("impact", 3.0, 10.0, threshold=4.0), Criterion("quality", 1.0, 5.0, 2))
    result = rank(
        params(criteria=criteria, overall_threshold=50.0),
        [
            app("ok", 8, 4),
            app("low_impact", 3.9, 5),
            app("low_both", 0, 0),
            app("at_threshold", 4, 2),  # passes both criteria; 100·(1.2+0.4)/4 = 40 < 50
        ],
    )
    assert result.by_id("ok").status == "selected"
    assert result.by_id("low_impact").status == "excluded"
    assert result.by_id("low_impact").reason == "impact"
    assert result.by_id("low_impact").rank is None
    assert result.by_id("low_both").reason == "impact"  # first failing criterion in code order
    assert result.by_id("at_threshold").reason == "overall"


def test_tie_breaks_each_level():
    rural = {"rurality_coefficients": {"rural": 1.25}}
    # Level 1: same adjusted (80), higher weighted wins: x 80×1 vs y 64×1.25.
    result = rank(params(**rural), [app("y", 6, 3.8, rurality="rural"), app("x", 8, 4)])
    assert result.by_id("y").adjusted == result.by_id("x").adjusted == 80.0
    assert [result.by_id("x").rank, result.by_id("y").rank] == [1, 2]
    # Level 2: same scores, lower requested wins.
    result = rank(params(), [app("p", 8, 4, requested=200), app("q", 8, 4, requested=150)])
    assert [result.by_id("q").rank, result.by_id("p").rank] == [1, 2]
    # Level 3: same scores and amount, earlier submission wins (offsets are honoured).
    result = rank(
        params(),
        [
            app("late", 8, 4, submitted_at="2026-03-01T12:00:00+00:00"),
            app("early", 8, 4, submitted_at="2026-03-01T13:00:00+02:00"),  # 11:00 UTC
        ],
    )
    assert [result.by_id("early").rank, result.by_id("late").rank] == [1, 2]
    # Level 4: everything equal, id decides.
    result = rank(params(), [app("n2", 8, 4), app("n1", 8, 4)])
    assert [result.by_id("n1").rank, result.by_id("n2").rank] == [1, 2]


def knapsack_case() -> list[Application]:
    # Scores 90, 80, 70 (quality 5 fixes 25 points; impact gives the rest).
    return [
        app("A", 10 * (90 - 25) / 75, 5, requested=60),
        app("B", 10 * (80 - 25) / 75, 5, requested=50),
        app("C", 10 * (70 - 25) / 75, 5, requested=50),
    ]


def test_ranked_skips_and_continues_while_knapsack_maximises():
    apps = knapsack_case()
    ranked = rank(params(envelopes={"E": 100}), apps)
    assert [ranked.by_id(x).adjusted for x in "ABC"] == [90.0, 80.0, 70.0]
    # Ranked: A (60) fits, leaves 40; B and C (50) do not.
    assert ranked.selected("E") == ["A"]
    assert ranked.reserve("E") == ["B", "C"]
    assert ranked.budgets_left == {"E": 40}
    # Knapsack: B + C = 150 > A alone = 90, cost exactly 100.
    knap = rank(params(envelopes={"E": 100}, method="knapsack"), apps)
    assert knap.selected("E") == ["B", "C"]
    assert knap.reserve("E") == ["A"]
    assert knap.budgets_left == {"E": 0}


def test_ranked_skip_lets_a_smaller_one_in_and_reserve_order():
    apps = [
        app("r1", 10, 5, requested=70),
        app("r2", 9, 5, requested=50),  # does not fit in 30: skipped, first on the reserve
        app("r3", 8, 5, requested=30),  # fits
        app("r4", 7, 5, requested=40),
    ]
    result = rank(params(envelopes={"E": 100}), apps)
    assert result.selected("E") == ["r1", "r3"]
    assert result.reserve("E") == ["r2", "r4"]
    assert [result.by_id(x).reserve_position for x in ("r2", "r4")] == [1, 2]
    # Phase 2: 45 freed: r2 (50) does not fit, r4 (40) does.
    (promoted,) = promote(result, {"E": 45})
    assert (promoted.id, promoted.reserve_position, promoted.remaining) == ("r4", 2, 5)
    assert [p.id for p in promote(result, {"E": 90})] == ["r2", "r4"]
    assert promote(result, {"E": 10}) == ()


def test_knapsack_tie_prefers_better_ranks():
    # Three identical-score items of 50 under a budget of 100: any two are optimal; ranks 1, 2.
    apps = [app(x, 8, 4, requested=50) for x in ("k3", "k1", "k2")]
    result = rank(params(envelopes={"E": 100}, method="knapsack"), apps)
    assert result.selected("E") == ["k1", "k2"]


def test_envelopes_are_separate():
    apps = [app("a", 10, 5, envelope="E"), app("b", 5, 5, envelope="F"), app("c", 9, 5)]
    result = rank(params(envelopes={"E": 100, "F": 100}), apps)
    assert result.by_id("b").rank == 1
    assert result.selected("E") == ["a"]
    assert result.reserve("E") == ["c"]
    assert result.selected("F") == ["b"]


def test_checksum_stable_under_permutation_and_sensitive_to_a_score():
    rng = random.Random(7)
    apps = [
        app(f"id{i}", rng.randint(0, 10), rng.randint(0, 5), requested=rng.randint(1, 50) * 10)
        for i in range(30)
    ]
    p = params(envelopes={"E": 1_000})
    first = rank(p, apps)
    shuffled = apps[:]
    rng.shuffle(shuffled)
    reordered_criteria = params(envelopes={"E": 1_000}, criteria=CRITERIA[::-1])
    assert rank(p, shuffled).checksum == first.checksum
    assert rank(reordered_criteria, shuffled).checksum == first.checksum
    assert rank(p, shuffled).canonical_json() == first.canonical_json()
    changed = apps[:]
    bumped = {**apps[0].consensus, "impact": apps[0].consensus["impact"] + 0.5}
    changed[0] = replace(apps[0], consensus=bumped)
    assert rank(p, changed).checksum != first.checksum
    assert len(first.checksum) == 64


def test_decimal_amounts_accepted():
    result = rank(params(envelopes={"E": Decimal("100")}), [app("a", 1, 1, requested=100)])
    assert result.selected("E") == ["a"]


@pytest.mark.parametrize(
    ("parameters", "applications", "message"),
    [
        (
            None,
            [
                Application(
                    "a1", "E", 1, {"impact": 1, "quality": 1, "cost": 2}, "u", "b", "2026-01-01"
                )
            ],
            "application 'a1': unknown criterion 'cost'",
        ),
        (None, [app("a2", 11, 1)], "application 'a2': score 11.0 on criterion 'impact'"),
        (None, [app("a3", 1, -1)], "application 'a3': score -1.0 on criterion 'quality'"),
        ("neg", [app("a4", 1, 1)], "criterion 'quality': negative weight"),
        (None, [app("a5", 1, 1, envelope="Z")], "application 'a5': envelope 'Z' has no budget"),
        (
            None,
            [Application("a6", "E", 1, {"impact": 1}, "u", "b", "2026-01-01")],
            "application 'a6' criterion 'quality': missing consensus score",
        ),
        (None, [app("a7", 1, 1, requested=-5)], "application 'a7' requested"),
        (None, [app("a8", 1, 1, submitted_at="yesterday")], "application 'a8': submitted_at"),
        (None, [app("d", 1, 1), app("d", 2, 2)], "application 'd': duplicate id"),
    ],
)
def test_bad_input_raises_value_error(parameters, applications, message):
    p = params()
    if parameters == "neg":
        p = params(criteria=(CRITERIA[0], Criterion("quality", -1.0, 5.0)))
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        rank(p, applications)


def test_promote_unknown_envelope():
    result = rank(params(), [app("a", 1, 1)])
    with pytest.raises(ValueError, match="unknown envelope 'Z'"):
        promote(result, {"Z": 10})
