"""The methodology page and the weighting report of an edition: what a statistician needs to
reproduce a figure, read from the edition's recorded options and weighting report; revisions
published before those were recorded say so."""

from __future__ import annotations

import copy
import re

import pytest
from django.urls import reverse
from django.utils import translation

from smartregion.observatory import charts, exports, methodology
from smartregion.observatory.models import Edition
from tests.observatory.pages import page_text as _text
from tests.observatory.pages import table_cells as _cells

pytestmark = pytest.mark.django_db
SLUG = "smartregion-barometer-2025"

STATISTICS = {
    "ci_method": "korn-graubard",
    "confidence": 0.95,
    "min_cell": 5,
    "min_weighting_cell": 8,
    "rake": True,
    "trim": 3.5,
    "reliability_rule": {
        "source": "NCHS 2017, adapted",
        "proportion": {
            "caution": {"zz_unknown": 7, "max_cv": 0.2},
            "unpublished": {"max_ci_width": 0.3, "min_effective_n": 30},
        },
    },
}
WEIGHTING = {
    "raked": True,
    "trim": 3.5,
    "min_weighting_cell": 8,
    "respondents": 20,
    "population": 60,
    "cells": [
        {
            "label": "20002 all classes",
            "provinces": ["20002"],
            "classes": ["lt5k", "5k-10k"],
            "population": 27,
            "respondents": 9,
            "weight_min": 2.5,
            "weight_max": 3.25,
        },
        {
            "label": "10000 lt5k",
            "provinces": ["10000"],
            "classes": ["lt5k"],
            "population": 33,
            "respondents": 11,
            "weight_min": 3.0,
            "weight_max": 3.0,
        },
    ],
    "weights": {"min": 2.5, "median": 3.0, "max": 3.25},
    "kish": 1.0125,
    "effective_respondents": 19.753,
    "trimmed": 1,
}


def _recorded(edition: Edition) -> Edition:
    """The edition as a revision that recorded its options and weighting report (this test's
    transaction only)."""
    data = copy.deepcopy(edition.data)
    data["statistics"] = STATISTICS
    data["weighting"] = WEIGHTING
    Edition.objects.filter(pk=edition.pk).update(data=data)
    edition.refresh_from_db()
    return edition


def _get(client, name: str, *args):
    with translation.override("en"):
        return client.get(reverse(f"observatory:{name}", args=args))


def test_methodology_page_prints_the_recorded_options_and_rule(client, published):
    _recorded(published.latest)

    response = _get(client, "methodology", SLUG)

    text = _text(response)
    assert response.status_code == 200
    assert "Korn–Graubard used in this edition" in text
    assert "Student t used in this edition" not in text
    assert "a weighting cell with fewer than 8 respondents, and not a census" in text
    assert "adjusted by iterative proportional fitting (raking)" in text
    assert "weights above the cap of 3.5 are cut to it" in text
    assert "a figure based on fewer than 5 respondents is withheld" in text
    assert "Intervals are given at the 95 % level" in text
    assert _cells(response, "The reliability rule of this edition (its actual thresholds)") == [
        ["Threshold", "Meaning", "Value"],
        [
            "proportion.unpublished.min_effective_n",
            "Shares: not published below this effective sample size",
            "30",
        ],
        [
            "proportion.unpublished.max_ci_width",
            "Shares: not published when the interval is at least this wide (absolute)",
            "0.3",
        ],
        [
            "proportion.caution.max_cv",
            "Shares: use with caution above this coefficient of variation",
            "0.2",
        ],
        ["proportion.caution.zz_unknown", "", "7"],
    ]


def test_methodology_page_of_a_revision_without_options_says_so(client, published):
    edition = published.latest
    data = copy.deepcopy(edition.data)
    data.pop("statistics", None)  # as in a revision published before the options were recorded
    data.pop("weighting", None)
    for row in data["results"]:
        row["method"] = "stratified/t"
    Edition.objects.filter(pk=edition.pk).update(data=data)
    results = data["results"]
    withheld = sum(1 for row in results if row["suppressed"])
    caution = sum(1 for row in results if not row["suppressed"] and row.get("flag") == "caution")

    response = _get(client, "methodology-revision", SLUG, edition.revision)

    text = _text(response)
    assert response.status_code == 200
    assert "Student t used in this edition" in text  # read from the method column
    assert "The reliability rule is not recorded for this revision." in text
    assert "The minimum weighting cell is not recorded for this revision." in text
    assert "Raking and trimming: not recorded for this revision" in text
    assert (
        f"In this edition: {len(results)} cells, {len(results) - withheld} published "
        f"({caution} to use with caution), {withheld} withheld." in text
    )
    assert "The population is the 261 communes of Walloon Region that exist on" in text
    date = edition.wave.population_date
    assert f"that exist on {date.day} {date:%B} {date.year}, the wave's reference date" in text


def test_methodology_page_links_the_weighting_report_and_every_file(client, published):
    edition = published.old

    response = _get(client, "methodology-revision", SLUG, edition.revision)

    html = response.content.decode()
    base = f"/data/editions/{SLUG}/r1/"
    assert [f"{base}{name}" for name in exports.DOWNLOADS] == [
        href for href in re.findall(r'href="([^"]+)"', html) if href.startswith(base)
    ]
    assert f'href="/en/observatory/{SLUG}/r1/weighting/"' in html
    assert f'<link rel="canonical" href="/en/observatory/{SLUG}/r1/methodology/">' in html


def test_weighting_page_lists_the_cells_and_the_weights(client, published):
    _recorded(published.latest)

    response = _get(client, "weighting", SLUG)

    text = _text(response)
    assert response.status_code == 200
    assert _cells(
        response,
        "Weighting cells: the strata pooled in each, its communes (N), respondents (n), weight N/n "
        "and weights after raking and trimming (smallest–largest)",
    )[1:] == [
        [
            "20002 all classes pooled",
            "27",
            "9",
            "3.000",
            "2.500–3.250",
            "Province of Walloon Brabant",
            "lt5k, 5k-10k",
        ],
        ["10000 lt5k", "33", "11", "3.000", "3.000–3.000", "10000", "lt5k"],
    ]
    assert "Respondents 20 / 60" in text
    assert "Kish weighting effect 1.013" in text
    assert "Effective respondents 19.8" in text
    assert "Median weight 3.000" in text
    assert "Raking to the province and population class margins yes" in text
    assert "Weights trimmed 1" in text
    assert "Cells pooled from several strata 1" in text
    assert f'href="/data/editions/{SLUG}/r2/weighting.csv"' in response.content.decode()


def test_weighting_page_of_a_revision_without_report_says_so(client, published):
    first = Edition.objects.get(slug=SLUG, revision=1)
    data = copy.deepcopy(first.data)
    data.pop("weighting", None)  # as in a revision published before the report was recorded
    Edition.objects.filter(pk=first.pk).update(data=data)

    response = _get(client, "weighting-revision", SLUG, 1)

    assert response.status_code == 200
    assert "The weighting report was not recorded for this revision." in _text(response)
    assert "<table" not in response.content.decode()


@pytest.mark.parametrize("name", ["methodology", "weighting"])
def test_pages_of_an_unknown_edition_or_revision_are_404(client, published, name):
    assert _get(client, name, "unknown-2025").status_code == 404
    assert _get(client, f"{name}-revision", SLUG, 9).status_code == 404


def test_pages_are_in_french_by_default(client, published):
    response = client.get(f"/fr/observatory/{SLUG}/methodology/")

    assert response.status_code == 200
    assert '<html lang="fr"' in response.content.decode()


def test_edition_page_links_the_methodology_and_the_weighting_report(client, published):
    html = _get(client, "edition", SLUG).content.decode()

    assert f'href="/en/observatory/{SLUG}/methodology/"' in html
    assert f'href="/en/observatory/{SLUG}/weighting/"' in html


@pytest.mark.parametrize(
    ("used", "expected"),
    [
        ({}, "Confidence intervals (95 %) use Student's t with the design degrees of freedom"),
        (STATISTICS, "Confidence intervals (95 %) of shares are Korn–Graubard intervals"),
        ({"ci_method": "wilson", "confidence": 0.9}, "(90 %) of shares are Wilson intervals"),
    ],
)
def test_methodology_note_names_the_interval_method(published, used, expected):
    data = {**published.latest.data, "statistics": used}

    note = charts.methodology("en", data)

    assert expected in note
    assert note.split("\n\n")[0].startswith("Population: the 261 communes of the region")
    assert note.endswith("its weighting report gives the cells and the weights.")


def test_cell_counts_give_each_reason_for_withholding():
    data = {
        "results": [
            {"suppressed": False, "flag": "reliable"},
            {"suppressed": False, "flag": "caution"},
            {"suppressed": True, "suppression": "respondents"},
            {"suppressed": True, "suppression": "complementary"},
            {"suppressed": True, "suppression": "complementary"},
        ]
    }

    with translation.override("en"):
        counts = methodology.cell_counts(data)

    assert (counts.total, counts.published, counts.caution, counts.withheld) == (5, 2, 1, 3)
    assert counts.reasons == [
        ("fewer respondents than the minimum", 1),
        ("complementary suppression", 2),
    ]


def test_interval_method_is_unknown_when_rows_disagree():
    data = {"results": [{"method": "stratified/t"}, {"method": "stratified/logit"}]}

    assert methodology.ci_method_of(data) is None
    assert methodology.ci_method_of({**data, "statistics": {"ci_method": "wilson"}}) == "wilson"


@pytest.mark.parametrize(("name", "queries"), [("methodology", 3), ("weighting", 3)])
def test_pages_cost_a_constant_number_of_queries(
    client, published, django_assert_num_queries, name, queries
):
    _recorded(published.latest)

    with django_assert_num_queries(queries):  # the data version, the edition, group names
        response = _get(client, name, SLUG)

    assert response.status_code == 200


def test_methodology_page_shows_a_published_share_column_by_column(client, published):
    edition = published.latest
    row = next(
        r
        for r in edition.data["results"]
        if r["kind"] == "proportion"
        and r["breakdown"] == "all"
        and not r["suppressed"]
        and r["estimate"] not in (0, 1)
    )

    response = _get(client, "methodology", SLUG)

    rows = _cells(response, "One row of the results table, column by column")
    assert rows[0] == ["Column", "Value"]
    assert rows[1:7] == [
        ["question", row["question"]],
        ["category", row["category"]],
        ["breakdown", "all"],
        ["base", row["base"]],
        ["kind", "proportion"],
        ["estimate", str(row["estimate"])],
    ]
    assert ["df", str(row["df"])] in rows
    assert ["method", row["method"]] in rows
