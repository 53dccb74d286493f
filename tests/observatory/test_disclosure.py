"""Disclosure control: the exact cells withheld on hand-built tables, and an attacker who tries to
recompute every withheld cell from what is published (subtraction and the linear-algebra audit)
on a generated Walloon-like wave and on the demo editions."""

from __future__ import annotations

import random

import numpy as np
import polars as pl
import pytest
from django.db import transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from smartregion.barometer.demo import barometer_demo_create
from smartregion.observatory import disclosure, exports
from smartregion.observatory.demo import observatory_demo_create
from smartregion.observatory.models import Edition
from smartregion.observatory.statistics import Options, Question, estimate, estimate_edition
from tests.factories import load_reference_population

OPTIONS = Options(class_order=("small", "large"))
YES_NO = ("yes", "no")


def frame_of(sizes: dict[str, tuple[int, int]]) -> pl.DataFrame:
    """Communes p1…, per province: (small, large)."""
    rows = []
    for province, (small, large) in sizes.items():
        for klass, count in (("small", small), ("large", large)):
            rows += [(f"{province}{klass}{i}", province, klass) for i in range(count)]
    return pl.DataFrame(rows, schema=["refnis", "province", "population_class"], orient="row")


def yes_no_answers(frame: pl.DataFrame, no: set[str]) -> pl.DataFrame:
    return frame.select(
        "refnis",
        question=pl.lit("q"),
        value=pl.when(pl.col("refnis").is_in(list(no))).then(pl.lit("no")).otherwise(pl.lit("yes")),
    )


def reasons(results: pl.DataFrame, question: str = "q", category: str = "yes") -> dict:
    rows = results.filter((pl.col("question") == question) & (pl.col("category") == category))
    return dict(rows.select("breakdown", "suppression").iter_rows())


# A: 10 communes, B: 3, C: 8, D: 6; every commune answers.
SIZES = {"A": (6, 4), "B": (2, 1), "C": (5, 3), "D": (4, 2)}
FRAME = frame_of(SIZES)
MIXED = {"Asmall0", "Asmall1", "Bsmall0", "Csmall0", "Clarge0", "Dsmall0", "Dlarge0", "Dsmall3"}


def test_protect_hides_the_small_province_and_the_province_with_fewest_respondents():
    questions = {"q": Question("q", "yes_no", YES_NO)}

    results = estimate(FRAME, yes_no_answers(FRAME, MIXED), questions, OPTIONS)

    assert reasons(results) == {
        "all": None,
        "province=A": None,
        "province=B": "respondents",
        "province=C": None,
        "province=D": "complementary",
        "population_class=small": None,
        "population_class=large": None,
    }
    withheld = results.filter(pl.col("suppressed"))
    assert withheld.height == 4  # B and D, both categories: the whole cell
    assert withheld["estimate"].is_null().all() and withheld["unweighted"].is_null().all()
    assert withheld["respondents"].to_list() == [3, 3, 6, 6]


# A answers yes unanimously (10/10), D all but one (5/6): both dominated. Each hides the other
# only if A + D showed fewer than 15 yes of 16; here it shows 15, so C (4 "no" of 8) is added.
DOMINATED = {"Dsmall0", "Csmall0", "Csmall1", "Clarge0", "Clarge1"}


def test_protect_dominance_of_a_confidential_question_needs_a_third_province():
    questions = {"q": Question("q", "yes_no", YES_NO, confidential=True)}
    answers = yes_no_answers(FRAME, DOMINATED).filter(~pl.col("refnis").str.starts_with("B"))

    results = estimate(FRAME, answers, questions, OPTIONS)

    assert reasons(results) == {
        "all": None,
        "province=A": "dominance",
        "province=B": "respondents",  # nobody answered: no one to protect, no complement
        "province=C": "complementary",
        "province=D": "dominance",
        "population_class=small": None,
        "population_class=large": None,
    }
    assert disclosure.audit(results, questions=questions) == []


def test_dominance_rule_ignores_public_questions():
    questions = {"q": Question("q", "yes_no", YES_NO)}
    answers = yes_no_answers(FRAME, DOMINATED).filter(~pl.col("refnis").str.starts_with("B"))

    results = estimate(FRAME, answers, questions, OPTIONS)

    assert {b: r for b, r in reasons(results).items() if r} == {"province=B": "respondents"}


def test_audit_finds_the_province_that_todays_suppression_leaks():
    questions = {"q": Question("q", "yes_no", YES_NO)}
    everything = estimate(
        FRAME,
        yes_no_answers(FRAME, MIXED),
        questions,
        Options(class_order=OPTIONS.class_order, min_cell=1),
    )
    few = pl.col("respondents") < 5
    today = everything.with_columns(
        suppression=pl.when(few).then(pl.lit("respondents")),
        suppressed=few,
        estimate=pl.when(~few).then("estimate"),
        unweighted=pl.when(~few).then("unweighted"),
    )

    problems = disclosure.audit(today, questions=questions)
    recovered = disclosure.subtraction_attack(today)

    assert {(p["breakdown"], p["category"], p["problem"]) for p in problems} == {
        ("province=B", "yes", "determined"),
        ("province=B", "no", "determined"),
    }
    truth = everything.filter(pl.col("breakdown") == "province=B").sort("category")
    assert [r["category"] for r in recovered] == ["yes", "no"]
    assert sorted(r["unweighted"] for r in recovered) == pytest.approx(
        sorted(truth["unweighted"].to_list()), abs=1e-12
    )


def test_trends_are_withheld_with_their_cells():
    questions = {"q": Question("q", "yes_no", YES_NO)}
    before = yes_no_answers(FRAME, {"Asmall0", "Csmall1", "Clarge1", "Dlarge1", "Dsmall2"})
    after = yes_no_answers(FRAME, MIXED)

    edition = estimate_edition(FRAME, before, FRAME, after, questions, OPTIONS)

    trends = edition.trends.filter(pl.col("category") == "yes")
    got = {
        (r["comparison"], r["breakdown"]): r["suppression"] for r in trends.iter_rows(named=True)
    }
    assert {k: v for k, v in got.items() if v is not None} == {
        ("independent", "province=B"): "respondents",
        ("independent", "province=D"): "complementary",
        ("panel", "province=B"): "respondents",
        ("panel", "province=D"): "complementary",
    }
    withheld = edition.trends.filter(pl.col("suppressed"))
    assert withheld["difference"].is_null().all() and withheld["estimate_to"].is_null().all()
    assert disclosure.audit(edition.results_to, edition.trends, questions) == []


# ---------------------------------------------------------------------------------------------
# A generated Walloon-like wave: 262 communes, 5 provinces, 5 population classes


PROVINCES = {"25000": 27, "50000": 69, "60000": 84, "80000": 44, "90000": 38}
CLASSES = ("c1", "c2", "c3", "c4", "c5")
WALLOON_QUESTIONS = {
    "strategy": Question("strategy", "yes_no", ("yes", "no", "dont_know"), confidential=True),
    "priority": Question("priority", "single_choice", ("mobility", "energy", "data", "health")),
    "tools": Question("tools", "multiple_choice", ("gis", "erp", "open_data"), confidential=True),
    "progress": Question("progress", "scale", confidential=True),
}


def walloon_wave(seed: int = 11) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Walloon Brabant (25000) answers little: 3 respondents to "strategy", so today's engine
    withholds that province alone and "all" minus the four others gives it back."""
    rng = random.Random(seed)
    frame_rows, answer_rows = [], []
    for province, communes in PROVINCES.items():
        for i in range(communes):
            refnis = f"{province[:2]}{i:03d}"
            frame_rows.append((refnis, province, CLASSES[min(4, int(rng.random() ** 2 * 5))]))
            rate = 0.12 if province == "25000" else 0.6
            if rng.random() < rate:
                answer_rows += _walloon_answers(rng, refnis)
    frame = pl.DataFrame(
        frame_rows, schema=["refnis", "province", "population_class"], orient="row"
    )
    return frame, pl.DataFrame(answer_rows, schema=["refnis", "question", "value"], orient="row")


def _walloon_answers(rng: random.Random, refnis: str) -> list[tuple[str, str, str]]:
    rows = [
        (refnis, "strategy", rng.choices(["yes", "no", "dont_know"], [6, 3, 1])[0]),
        (refnis, "priority", rng.choice(["mobility", "energy", "data", "health"])),
        (refnis, "progress", str(rng.randint(0, 10))),
    ]
    tools = [t for t, p in (("gis", 0.9), ("erp", 0.5), ("open_data", 0.2)) if rng.random() < p]
    return rows + [(refnis, "tools", t) for t in tools]


WALLOON_OPTIONS = Options(class_order=CLASSES)


def test_walloon_wave_today_leaks_the_suppressed_province():
    frame, responses = walloon_wave()
    public = {code: Question(q.code, q.type, q.categories) for code, q in WALLOON_QUESTIONS.items()}
    today_options = Options(class_order=CLASSES, min_cell=1, withhold_unreliable=False)
    everything = estimate(frame, responses, public, today_options)
    few = pl.col("respondents") < 5
    today = everything.with_columns(
        estimate=pl.when(~few).then("estimate"), unweighted=pl.when(~few).then("unweighted")
    )

    recovered = disclosure.subtraction_attack(today)

    brabant = [r for r in recovered if r["breakdown"] == "province=25000"]
    assert {r["question"] for r in brabant} == {"strategy", "priority", "tools", "progress"}
    truth = everything.join(
        pl.DataFrame(brabant).select("question", "base", "category", "breakdown", got="unweighted"),
        on=["question", "base", "category", "breakdown"],
    )
    assert (truth["got"] - truth["unweighted"]).abs().max() < 1e-9


def test_walloon_wave_no_withheld_cell_comes_back():
    frame, responses = walloon_wave()

    results = estimate(frame, responses, WALLOON_QUESTIONS, WALLOON_OPTIONS)

    reasons_found = set(results["suppression"].drop_nulls())
    assert reasons_found == {"respondents", "dominance", "complementary", "reliability"}
    assert _recovered_disclosure_cells(results) == []
    assert disclosure.audit(results, questions=WALLOON_QUESTIONS) == []
    assert disclosure.audit(results) == []  # the types guessed from the published rows


def test_walloon_edition_trends_give_nothing_back():
    frame, responses = walloon_wave()
    _, later = walloon_wave(seed=12)

    edition = estimate_edition(frame, responses, frame, later, WALLOON_QUESTIONS, WALLOON_OPTIONS)

    assert disclosure.audit(edition.results_to, edition.trends, WALLOON_QUESTIONS) == []
    assert disclosure.audit(edition.results_from, None, WALLOON_QUESTIONS) == []


def _recovered_disclosure_cells(results: pl.DataFrame | list[dict]) -> list[dict]:
    return [
        r
        for r in disclosure.subtraction_attack(results)
        if r["suppression"] in disclosure.DISCLOSURE and r["respondents"] > 0  # not empty
    ]


# ---------------------------------------------------------------------------------------------
# The demo editions


@pytest.fixture(scope="class")
def demo_editions(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock(), transaction.atomic():
        load_reference_population()
        barometer_demo_create()
        observatory_demo_create()
        yield list(Edition.objects.order_by("year"))
        transaction.set_rollback(True)


@pytest.mark.django_db
class TestDemoEditions:
    def test_demo_editions_withhold_for_disclosure(self, demo_editions):
        assert [e.year for e in demo_editions] == [2019, 2021, 2023, 2025]
        for edition in demo_editions:
            found = {row["suppression"] for row in edition.data["results"]}
            assert {"respondents", "complementary"} <= found

    def test_demo_editions_no_withheld_cell_comes_back(self, demo_editions):
        for edition in demo_editions:
            results, trends = edition.data["results"], edition.data["trends"]
            assert _recovered_disclosure_cells(results) == [], edition.slug
            assert disclosure.audit(results, trends) == [], edition.slug

    def test_open_data_tables_carry_the_published_rows_and_their_nulls(self, demo_editions):
        for edition in demo_editions:
            tables = {t.name: t for t in exports.edition_tables(edition)}
            for name in ("results", "trends"):
                names = [f.name for f in tables[name].fields]
                expected = [{n: row.get(n) for n in names} for row in edition.data[name]]
                assert tables[name].rows == expected

    def test_demo_editions_publish_no_answer_of_a_confidential_question(self, demo_editions):
        for edition in demo_editions:
            public = {q["code"] for q in edition.data["questions"] if q["public"]}
            assert set(edition.data["public_answers"]) <= public


def test_margin_bounds_agree_with_linear_programming():
    """The closed-form (Fréchet) bounds used when "all" is published equal the LP's."""
    rng = np.random.default_rng(3)
    compared = 0
    for _ in range(60):
        table = _random_table(rng)
        hidden = [int(b) for b in np.flatnonzero(table.protected)]
        size = len(table.categories)
        wanted = [b * size + k for b in hidden for k in range(size)]
        closed = disclosure._margin_bounds(table, 0, wanted)
        if not closed:
            continue
        solved = disclosure._bounds(
            table, table.equations(), table.withheld.reshape(-1), list(closed)
        )
        assert sorted(closed) == sorted(solved)
        ends = [end for v in sorted(closed) for end in (*closed[v], *solved[v])]
        assert ends[0::4] == pytest.approx(ends[2::4], abs=1e-6)
        assert ends[1::4] == pytest.approx(ends[3::4], abs=1e-6)
        compared += len(closed)
    assert compared > 250


def test_closed_form_rank_test_agrees_with_the_svd():
    rng = np.random.default_rng(4)
    compared = 0
    for _ in range(200):
        table = _random_table(rng, hide_all=rng.random() < 0.3)
        closed = disclosure._margin_determined(table)
        unknown = table.withheld.reshape(-1)
        svd = disclosure._determined(table.equations(), unknown)
        expected = dict(zip(np.flatnonzero(unknown).tolist(), svd.tolist(), strict=True))
        assert closed == expected
        compared += sum(expected.values())
    assert compared > 50  # determined cells were among them


def _random_table(rng: np.random.Generator, *, hide_all: bool = False) -> disclosure._Table:
    provinces, classes, size = rng.integers(2, 5), rng.integers(2, 4), int(rng.integers(2, 5))
    exclusive = bool(rng.integers(0, 2))
    communes = rng.integers(0, 4, (provinces, classes))
    if exclusive:
        chosen = np.array(
            [[rng.multinomial(c, np.ones(size) / size) for c in row] for row in communes]
        ).astype(float)
    else:
        chosen = rng.binomial(communes[:, :, None].repeat(size, 2), 0.5).astype(float)
    breakdowns = ["all"]
    breakdowns += [f"province={i}" for i in range(provinces)]
    breakdowns += [f"population_class={j}" for j in range(classes)]
    counts = np.vstack([chosen.sum((0, 1))[None], chosen.sum(1), chosen.sum(0)])
    respondents = np.concatenate([[communes.sum()], communes.sum(1), communes.sum(0)]).astype(float)
    hide = rng.random(len(breakdowns)) < 0.4
    hide[0] = hide_all
    withheld = np.zeros(counts.shape, dtype=bool)
    withheld[hide] = True
    counts[withheld] = np.nan
    return disclosure._Table(
        breakdowns,
        [str(k) for k in range(size)],
        respondents,
        respondents,
        counts,
        withheld,
        exclusive,
        protected=hide & (respondents > 0),
        dominant=np.zeros(counts.shape, dtype=bool),
    )


# ---------------------------------------------------------------------------------------------
# Property: whatever the answers, nothing withheld for disclosure comes back


@st.composite
def small_waves(draw):
    """2–5 provinces × 2–3 classes of 1–6 communes, about half answering; confidential
    questions of every kind."""
    provinces, classes = draw(st.integers(2, 5)), draw(st.integers(2, 3))
    frame_rows, answer_rows = [], []
    for p in range(provinces):
        for c in range(classes):
            for _ in range(draw(st.integers(1, 6))):
                refnis = f"r{len(frame_rows)}"
                frame_rows.append((refnis, f"P{p}", "sml"[c]))
                if draw(st.booleans()):
                    answer_rows.append((refnis, "plan", draw(st.sampled_from("abcd"))))
                    answer_rows.append((refnis, "ok", draw(st.sampled_from(["yes", "no"]))))
                    for option in draw(st.sets(st.sampled_from("xyz"))):
                        answer_rows.append((refnis, "tools", option))
                    answer_rows.append((refnis, "score", str(draw(st.integers(0, 10)))))
    answer_rows = [(r, q, "dont_know" if v == "d" else v) for r, q, v in answer_rows]
    frame = pl.DataFrame(
        frame_rows, schema=["refnis", "province", "population_class"], orient="row"
    )
    answers = pl.DataFrame(
        answer_rows or [("r0", "ok", "yes")], schema=["refnis", "question", "value"], orient="row"
    )
    return frame, answers


PROPERTY_QUESTIONS = {
    "plan": Question("plan", "single_choice", ("a", "b", "c", "dont_know"), confidential=True),
    "ok": Question("ok", "yes_no", YES_NO, confidential=True),
    "tools": Question("tools", "multiple_choice", ("x", "y", "z"), confidential=True),
    "score": Question("score", "scale", confidential=True),
}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_waves())
def test_no_disclosure_suppressed_cell_is_ever_recovered(wave):
    frame, answers = wave

    results = estimate(frame, answers, PROPERTY_QUESTIONS, Options(class_order=("s", "m", "l")))

    assert _recovered_disclosure_cells(results) == []
    assert disclosure.audit(results, questions=PROPERTY_QUESTIONS) == []
