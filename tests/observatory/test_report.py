"""The edition report: key findings first, charted sections, the question page's breakdown and
trend charts, reliability flags in every table, the analyst's review of a draft's findings."""

from __future__ import annotations

import re
import subprocess

import pytest
from django.utils import translation

from smartregion.observatory import findings, queries
from smartregion.observatory.models import Edition
from smartregion.territory.models import PopulationClass, Region
from tests.observatory.pages import page_text as _text
from tests.observatory.pages import table_cells as _cells

pytestmark = pytest.mark.django_db
SLUG = "smartregion-barometer-2025"


def test_edition_page_opens_with_the_key_findings_in_the_page_language(client, published):
    data = published.latest.data
    first = data["findings"][0]

    english = _text(client.get(f"/en/observatory/{SLUG}/"))
    french = _text(client.get(f"/fr/observatory/{SLUG}/"))

    with translation.override("en"):
        sentence = queries.finding_sentence(data, first, "en")
    assert 5 <= len(data["findings"]) <= 8
    assert data["findings"] == findings.select(data, queries.HEADLINES)
    assert english.index("Key findings") < english.index("Who answered")
    assert english.index("Who answered") < english.index("Results by section")
    assert sentence in english
    assert sentence.startswith(f"{findings.points(first['estimate'])} % of communes answered")
    assert f"(95 % CI {findings.points(first['ci_low'])}–" in sentence
    french_sentence = queries.finding_sentence(data, first, "fr")
    assert re.sub(r"\s+", " ", french_sentence) in french  # no-break spaces read as spaces
    question = next(q for q in data["questions"] if q["code"] == first["question"])
    assert f"«\u202f{question['text']['fr']}\u202f»" in french_sentence


def test_edition_page_charts_every_section_with_a_data_table(client, published):
    html = client.get(f"/en/observatory/{SLUG}/").content.decode()

    charts = re.findall(r'<img src="(/en/observatory/[^"]+\.svg)" loading="lazy" alt="', html)
    assert f"/en/observatory/{SLUG}/r2/charts/strategy_formal.svg" in charts
    assert html.count('<details class="data-table">') >= len(charts)
    assert f'href="/en/observatory/{SLUG}/questions/strategy_formal/"' in html
    assert f'href="/data/editions/{SLUG}/r2/results.csv"' in html


def test_question_breadcrumb_names_the_question_not_its_code(client, published):
    html = client.get(f"/en/observatory/{SLUG}/questions/strategy_formal/").content.decode()

    crumb = re.search(r'<span aria-current="page">([^<]+)</span>', html).group(1)
    assert crumb == "Does your commune have a formalised smart territory strategy?"


def test_population_classes_are_in_numeric_order_not_text_order(territory):
    region = Region.objects.get(refnis="03000")
    bands = [
        ("c3", "10 000 à 19 999", 10000),
        ("c1", "Moins de 5 000", 0),
        ("c2", "5 000 à 9 999", 5000),
    ]
    for code, label, minimum in bands:
        PopulationClass.objects.create(
            region=region, code=code, label_fr=label, min_population=minimum
        )
    rates = [{"key": key, "label": key} for key in ("", "c3", "c2", "c1")]  # as stored: by code
    data = {"rates": {"population_class": rates}}

    labels = queries.group_labels(data, "population_class", "fr")

    with translation.override("fr"):
        unknown = str(translation.gettext("Unknown"))
    assert list(labels.values()) == ["Moins de 5 000", "5 000 à 9 999", "10 000 à 19 999", unknown]


def test_question_page_draws_breakdowns_and_the_trend_over_every_edition(client, published):
    response = client.get(f"/en/observatory/{SLUG}/questions/strategy_formal/")
    html = response.content.decode()

    rows = _cells(
        response, "Estimates in every edition (confidence interval at 95 % below each figure)"
    )
    assert rows[0] == ["Answer", "2023", "2025"]
    assert [row[0] for row in rows[1:]] == ["Yes", "Being drafted", "No"]
    assert html.count('<div class="chart-svg" role="img"') == 3  # province, class, trend
    assert 'style="' not in html


def test_caution_and_withheld_cells_show_their_flag_and_reason(client, published):
    data = published.latest.data
    for row in data["results"]:
        if row["question"] == "strategy_formal" and row["breakdown"] == "all":
            if row["category"] == "yes":
                row.update(flag="caution", n_effective=31.4, cv=0.152)
            if row["category"] == "no":
                row.update(estimate=None, ci_low=None, ci_high=None, unweighted=None)
                row.update(suppressed=True, flag="unpublished", suppression="complementary")
    Edition.objects.filter(pk=published.latest.pk).update(data=data)

    response = client.get(f"/en/observatory/{SLUG}/questions/strategy_formal/")

    rows = _cells(response, "Estimates for all communes")
    yes = next(
        r
        for r in data["results"]
        if (r["question"], r["category"], r["breakdown"]) == ("strategy_formal", "yes", "all")
    )
    assert rows[1][:2] == ["Yes", f"{yes['estimate'] * 100:.1f} % ‡ (use with caution)"]
    assert rows[1][4:6] == ["31", "15"]
    assert rows[3][:3] == ["No", "— hidden to protect another cell", "—"]
    text = _text(response)
    assert "‡ use with caution: the figure is imprecise" in text
    assert "— not published: hidden to protect another cell." in text


def test_pdf_report_has_a_table_of_contents_with_page_numbers_then_the_findings(
    published, tmp_path
):
    from smartregion.observatory import exports  # noqa: PLC0415 - only this test renders a PDF

    edition = published.latest
    path = tmp_path / "report.pdf"
    path.write_bytes(exports._render_pdf(edition, "en", lambda percent: None))

    text = subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    pages = text.split("\f")
    contents = re.findall(
        r"^\s*(Key findings|Who answered|Methodology)[ .]+(\d+)\s*$", pages[0], re.M
    )
    assert [name for name, _page in contents] == ["Key findings", "Who answered", "Methodology"]
    findings_page = int(contents[0][1])
    assert "Key findings" in pages[findings_page - 1]
    with translation.override("en"):
        first = queries.key_findings(edition.data, "en")[0].sentence
    assert first[:40] in re.sub(r"\s+", " ", pages[findings_page - 1])
