"""Public observatory pages: latest edition, an edition, a question; revisions, 404s, PDF, cost."""

from __future__ import annotations

import copy
import re
import subprocess

import pytest
from django.urls import reverse
from django.utils import translation

from smartregion.barometer.models import Wave
from smartregion.observatory.models import Edition, EditionBuild
from smartregion.territory.models import Boundary, Municipality
from tests.observatory.pages import page_text as _text
from tests.observatory.pages import table_cells as _cells

pytestmark = pytest.mark.django_db
SLUG = "smartregion-barometer-2025"


def _pct(value: float) -> str:
    return f"{value * 100:.1f}".replace(".", ",")


def _whole(value: float | None) -> str:
    """A figure as the tables print it with no decimals, or the dash of a missing one."""
    return "—" if value is None else f"{value:.0f}"


def _row(edition, question, category, breakdown="all", source="results"):
    return next(
        r
        for r in edition.data[source]
        if (r["question"], r["category"], r["breakdown"]) == (question, category, breakdown)
    )


# ---------------------------------------------------------------------------------------------
# Index
# ---------------------------------------------------------------------------------------------


def test_index_shows_the_latest_edition_at_a_glance(client, published):
    data = published.latest.data

    response = client.get("/fr/observatory/")

    text = _text(response)
    assert response.status_code == 200
    overall = data["rates"]["all"][0]
    assert (
        f"{overall['submitted']} communes sur 261" in text
        or f"{overall['submitted']} of 261 communes answered in 2025" in text
    )
    assert "Demonstration data" in text or "Données de démonstration" in text
    yes = _row(published.latest, "strategy_formal", "yes")
    assert f"{round(yes['estimate'] * 100)} %" in text
    low, high = _pct(yes["ci_low"]), _pct(yes["ci_high"])
    assert f"{low} – {high} %" in text
    trend = next(
        r
        for r in data["trends"]
        if (r["question"], r["category"], r["comparison"])
        == ("strategy_formal", "yes", "independent")
    )
    assert f"{trend['difference'] * 100:.1f}".replace(".", ",") in text


def test_index_tables_rates_by_province(client, published):
    response = client.get("/en/observatory/")

    rows = _cells(response, "Response rate by province")
    province = published.latest.data["rates"]["province"][0]
    assert rows[0] == ["Province", "Communes", "Submitted", "Rate"]
    assert rows[1] == [
        "Province of Walloon Brabant",
        "27",
        str(province["submitted"]),
        f"{round(province['rate'] * 100)} %",
    ]


def test_index_lists_every_revision_with_checksum(client, published):
    response = client.get("/en/observatory/")

    rows = _cells(response, "All editions and their revisions")
    assert [row[1:3] for row in rows[1:]] == [["2025", "2"], ["2025", "1"], ["2023", "1"]]
    assert rows[1][0] == "Barometer 2025 demo"
    assert rows[1][4] == published.latest.checksum[:12] + "…"
    assert rows[3][0] == "Barometer 2023 demo"


def test_index_without_editions_says_so(client, published):
    Edition.objects.all().delete()

    response = client.get("/en/observatory/")

    assert "No edition has been published yet." in _text(response)


def test_main_navigation_links_to_the_observatory(client, published):
    response = client.get("/en/")

    assert '<a href="/en/observatory/">Observatory</a>' in response.content.decode()


# ---------------------------------------------------------------------------------------------
# Edition
# ---------------------------------------------------------------------------------------------


def test_edition_page_groups_questions_by_section_with_links(client, published):
    response = client.get(f"/en/observatory/{SLUG}/")

    html = response.content.decode()
    text = _text(response)
    assert response.status_code == 200
    assert re.search(r'<h3 id="section-\d+">Strategy and steering</h3>', html)
    assert f'href="/en/observatory/{SLUG}/questions/strategy_formal/"' in html
    assert "Does your commune have a formalised smart territory strategy?" in text
    assert "Revision 2, published on" in text
    assert published.latest.checksum in text
    assert "A newer revision" not in text
    assert "Who answered is not who exists" in text  # methodology
    assert f'href="/data/editions/{SLUG}/r2/results.csv"' in html
    assert f'href="/data/editions/{SLUG}/r2/package.zip"' in html
    assert f'href="/en/observatory/{SLUG}/r2/report.pdf"' in html


def test_older_revision_says_a_newer_one_exists(client, published):
    response = client.get(f"/en/observatory/{SLUG}/r1/")

    text = _text(response)
    assert "Revision 1, published on" in text
    assert "A newer revision of this edition exists (revision 2)." in text
    assert published.old.checksum in text


def test_revision_query_parameter_redirects_to_the_stable_url(client, published):
    response = client.get(f"/en/observatory/{SLUG}/?revision=1")

    assert (response.status_code, response["Location"]) == (302, f"/en/observatory/{SLUG}/r1/")


@pytest.mark.parametrize(
    "path",
    [
        "/en/observatory/unknown-2025/",
        f"/en/observatory/{SLUG}/r9/",
        f"/en/observatory/{SLUG}/?revision=9",
        f"/en/observatory/{SLUG}/?revision=two",
        f"/en/observatory/{SLUG}/questions/unknown/",
        f"/en/observatory/{SLUG}/r9/questions/strategy_formal/",
        f"/en/observatory/{SLUG}/charts/unknown.svg",
        f"/en/observatory/{SLUG}/charts/unknown.vl.json",
        "/en/observatory/unknown-2025/report.pdf",
    ],
)
def test_unknown_edition_revision_or_question_is_404(client, published, path):
    assert client.get(path).status_code == 404


# ---------------------------------------------------------------------------------------------
# Question
# ---------------------------------------------------------------------------------------------


def test_question_page_shows_the_estimates_table(client, published):
    edition = published.latest
    yes = _row(edition, "strategy_formal", "yes")

    response = client.get(f"/fr/observatory/{SLUG}/questions/strategy_formal/")

    rows = _cells(response, "Estimations pour l’ensemble des communes")
    assert rows[1] == [
        "Oui",
        f"{_pct(yes['estimate'])} %",
        f"{_pct(yes['ci_low'])} – {_pct(yes['ci_high'])}",
        str(yes["respondents"]),
        _whole(yes.get("n_effective")),
        _whole(yes["cv"] * 100 if yes.get("cv") is not None else None),
        f"{_pct(yes['unweighted'])} %",
    ]
    assert [row[0] for row in rows[1:]] == [
        "Oui",
        "En cours d’élaboration",
        "Non",
        "Je ne sais pas",
    ]


def test_question_page_shows_the_chart_and_its_specification(client, published):
    response = client.get(f"/en/observatory/{SLUG}/questions/strategy_formal/")

    html = response.content.decode()
    assert f'<img src="/en/observatory/{SLUG}/r2/charts/strategy_formal.svg" alt="Bar chart' in html
    assert f'href="/en/observatory/{SLUG}/r2/charts/strategy_formal.vl.json"' in html
    assert 'style="' not in html


def test_chart_is_served_as_svg_without_inline_styles(client, published):
    response = client.get(f"/en/observatory/{SLUG}/r2/charts/strategy_formal.svg")

    assert response["Content-Type"] == "image/svg+xml; charset=utf-8"
    assert response.content.startswith(b"<svg")
    assert b"style=" not in response.content


def test_chart_specification_is_downloadable_vega_lite(client, published):
    response = client.get(f"/en/observatory/{SLUG}/charts/strategy_formal.vl.json")

    spec = response.json()
    assert spec["$schema"].startswith("https://vega.github.io/schema/vega-lite/")
    assert [v["label"] for v in spec["data"]["values"]] == [
        "Yes",
        "Being drafted",
        "No",
        "Don't know",
    ]
    assert response["Content-Disposition"] == (
        f'attachment; filename="{SLUG}-r2-strategy_formal.vl.json"'
    )


def test_question_page_breaks_down_by_province(client, published):
    edition = published.latest
    yes = _row(edition, "strategy_formal", "yes", "province=90000")

    response = client.get(f"/fr/observatory/{SLUG}/questions/strategy_formal/")

    caption = "Estimations par province (intervalle de confiance à 95 % sous chaque chiffre)"
    rows = _cells(response, caption)
    namur = next(row for row in rows if row[0] == "Province de Namur")
    assert namur[1] == f"{_pct(yes['estimate'])} % {_pct(yes['ci_low'])} – {_pct(yes['ci_high'])}"
    assert [row[0] for row in rows[1:]] == [
        "Province du Brabant wallon",
        "Province du Hainaut",
        "Province de Liège",
        "Province du Luxembourg",
        "Province de Namur",
    ]


def test_suppressed_cells_show_a_dash_and_a_footnote(client, published):
    """Cells under 5 respondents come out of the engine with null figures; the page shows —."""
    data = copy.deepcopy(published.latest.data)
    for row in data["results"]:
        if row["question"] == "strategy_formal" and row["breakdown"] == "province=90000":
            row.update(estimate=None, se=None, ci_low=None, ci_high=None, suppressed=True)
            row.update(unweighted=None, respondents=4, suppression="respondents")
    Edition.objects.filter(pk=published.latest.pk).update(data=data)

    response = client.get(f"/en/observatory/{SLUG}/questions/strategy_formal/")

    rows = _cells(response, "Estimates by province (95 % confidence interval below each figure)")
    withheld = "— fewer than 5 communes"
    assert rows[-1] == ["Province of Namur", withheld, withheld, withheld, withheld]
    assert "— not published: fewer than 5 communes" in _text(response)
    assert "fewer than 5" not in _text(client.get(f"/en/observatory/{SLUG}/r1/questions/team/"))


def test_question_page_shows_trends_independent_and_panel(client, published):
    edition = published.latest
    independent = next(
        r
        for r in edition.data["trends"]
        if (r["question"], r["category"], r["comparison"])
        == ("strategy_formal", "no", "independent")
    )

    response = client.get(f"/en/observatory/{SLUG}/questions/strategy_formal/")

    rows = _cells(response, "Change from 2023 to 2025")
    assert rows[0] == [
        "Answer",
        "Comparison",
        "2023",
        "2025",
        "Change (points)",
        "95 % confidence interval",
        "Respondents",
    ]
    sign = "+" if independent["difference"] > 0 else ""
    assert [
        "No",
        "All respondents",
        f"{independent['estimate_from'] * 100:.1f}",
        f"{independent['estimate_to'] * 100:.1f}",
        f"{sign}{independent['difference'] * 100:.1f}"
        + (" *" if independent["ci_low"] > 0 or independent["ci_high"] < 0 else ""),
        f"{independent['ci_low'] * 100:.1f} – {independent['ci_high'] * 100:.1f}",
        f"{independent['respondents_from']} / {independent['respondents_to']}",
    ] in rows
    assert {row[1] for row in rows[1:]} == {"All respondents", "Panel (answered both)"}


def test_new_question_is_not_comparable(client, published):
    response = client.get(f"/en/observatory/{SLUG}/questions/ai_use/")

    assert "Not comparable: this question was not asked in the 2023 edition." in _text(response)


def test_first_edition_has_no_trend(client, published):
    response = client.get("/en/observatory/smartregion-barometer-2023/questions/strategy_formal/")

    assert "First edition: no trend yet." in _text(response)


def test_public_question_without_boundaries_tables_answers_by_province(client, published):
    answers = published.latest.data["public_answers"]["strategy_formal"]

    response = client.get(f"/en/observatory/{SLUG}/questions/strategy_formal/")

    rows = _cells(response, "Number of communes by answer and province")
    assert rows[0] == ["Province", "Yes", "Being drafted", "No", "Don't know"]
    assert sum(int(n) for row in rows[1:] for n in row[1:]) == len(answers)
    assert 'class="map"' not in response.content.decode()
    communes = _cells(response, "Answers by commune")
    assert len(communes) == 1 + len(answers)


def test_confidential_question_has_no_answers_by_commune(client, published):
    response = client.get(f"/en/observatory/{SLUG}/questions/budget_annual/")

    assert response.status_code == 200
    assert "Answers by commune" not in _text(response)


def _square(municipality: Municipality, x: float, y: float) -> Boundary:
    ring = [[x, y], [x + 0.1, y], [x + 0.1, y + 0.1], [x, y + 0.1], [x, y]]
    return Boundary.objects.create(
        municipality=municipality,
        geometry={"type": "Polygon", "coordinates": [ring]},
        min_lon=x,
        min_lat=y,
        max_lon=x + 0.1,
        max_lat=y + 0.1,
        centroid_lon=x + 0.05,
        centroid_lat=y + 0.05,
    )


def test_public_question_with_boundaries_is_a_choropleth_by_answer(client, published):
    answers = published.latest.data["public_answers"]["strategy_formal"]
    answered = sorted(answers)[:3]
    silent = Municipality.objects.filter(region__refnis="03000").exclude(refnis__in=answers).first()
    for index, refnis in enumerate([*answered, silent.refnis]):
        _square(Municipality.objects.get(refnis=refnis), 4 + index * 0.1, 50)

    response = client.get(f"/en/observatory/{SLUG}/questions/strategy_formal/")

    html = response.content.decode()
    first = Municipality.objects.get(refnis=answered[0])
    label = {"yes": "Yes", "in_progress": "Being drafted", "no": "No", "dont_know": "Don't know"}
    css = {"yes": 0, "in_progress": 1, "no": 2, "dont_know": 3}[answers[answered[0]]]
    assert f'aria-label="{first.name}: {label[answers[answered[0]]]}"' in html
    assert f'<path class="answer-{css}"' in html
    assert f'aria-label="{silent.name}: No published answer"' in html
    answer_map = re.search(r'<svg class="map".*?</svg>', html, re.S).group(0)
    assert answer_map.count("<path ") == 4
    legend = re.search(r'<ul class="legend".*?</ul>', html, re.S).group(0)
    counts = {code: list(answers.values()).count(code) for code in label}
    assert f"Yes ({counts['yes']})" in legend
    assert "Number of communes by answer and province" not in html


# ---------------------------------------------------------------------------------------------
# PDF
# ---------------------------------------------------------------------------------------------


def test_report_pdf_is_prepared_then_served_with_the_edition_title(
    client, published, tmp_path, fetch_prepared
):
    response = fetch_prepared(client, f"/en/observatory/{SLUG}/report.pdf")

    content = b"".join(response.streaming_content)
    assert (response.status_code, response["Content-Type"], response["Content-Disposition"]) == (
        200,
        "application/pdf",
        f'inline; filename="{SLUG}-r{published.latest.revision}-en.pdf"',
    )
    assert content.startswith(b"%PDF")
    path = tmp_path / "report.pdf"
    path.write_bytes(content)
    text = subprocess.run(
        ["pdftotext", str(path), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert "Barometer 2025" in text
    assert "Demonstration data" in text
    assert "Does your commune have a formalised smart territory strategy?" in text
    assert "Response rate by province" in text


def test_report_pdf_page_says_it_is_being_prepared(client, published):
    response = client.get(f"/fr/observatory/{SLUG}/report.pdf")

    html = response.content.decode()
    assert (response.status_code, response["Content-Type"]) == (202, "text/html; charset=utf-8")
    assert "<progress" in html and 'role="status"' in html
    assert f'href="/fr/observatory/{SLUG}/report.pdf"' in html


# ---------------------------------------------------------------------------------------------
# Cost
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "queries"),
    [
        # data version, editions, latest edition, and the names of its provinces and population
        # classes in the page's language
        ("/en/observatory/", 5),
        (f"/en/observatory/{SLUG}/", 4),  # data version, edition, names
        # a numeric question: + the names of its groups, the earlier editions (trend)
        (f"/en/observatory/{SLUG}/questions/budget_annual/", 4),
        # + names of the answering communes, the region's outlines (stamp, paths), its communes
        (f"/en/observatory/{SLUG}/questions/strategy_formal/", 8),
    ],
)
def test_pages_run_a_constant_number_of_queries(
    client, published, django_assert_num_queries, path, queries
):
    with django_assert_num_queries(queries):
        assert client.get(path).status_code == 200


def test_question_page_queries_do_not_grow_with_boundaries(
    client, published, django_assert_num_queries
):
    for index, municipality in enumerate(Municipality.objects.filter(region__refnis="03000")[:40]):
        _square(municipality, 3 + (index % 10) * 0.1, 50 + (index // 10) * 0.1)

    with django_assert_num_queries(8):
        client.get(f"/en/observatory/{SLUG}/questions/strategy_formal/")


def test_cached_page_costs_no_query(client, published, django_assert_num_queries):
    client.get(f"/en/observatory/{SLUG}/questions/strategy_formal/")

    with django_assert_num_queries(0):
        client.get(f"/en/observatory/{SLUG}/questions/strategy_formal/")


# ---------------------------------------------------------------------------------------------
# Analyst: publish a closed wave
# ---------------------------------------------------------------------------------------------


def _publish_url(wave: Wave) -> str:
    return reverse("observatory:wave-publish", args=[wave.pk])


def test_anonymous_cannot_publish(client, published):
    wave = published.latest.wave

    response = client.post(_publish_url(wave))

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert Edition.objects.filter(wave=wave).count() == 2


def test_commune_member_cannot_publish(client, published, member):
    client.force_login(member)

    response = client.post(_publish_url(published.latest.wave))

    assert response.status_code == 403
    assert Edition.objects.filter(wave=published.latest.wave).count() == 2


def test_staff_publishes_a_new_revision_and_sees_a_link(
    client, published, staff_user, django_capture_on_commit_callbacks
):
    client.force_login(staff_user)

    with translation.override("fr"):
        url = _publish_url(published.latest.wave)
    with django_capture_on_commit_callbacks(execute=True):  # the build task runs once queued
        response = client.post(url)
    page = client.get(response["Location"])

    edition = Edition.objects.get(slug=SLUG, revision=3)
    build = EditionBuild.objects.get(edition=edition)
    assert edition.published_by == staff_user
    assert response["Location"] == f"/fr/observatory/builds/{build.public_id}/"
    assert page.status_code == 200
    assert f'<a href="/fr/observatory/{SLUG}/r3/">' in page.content.decode()


def test_wave_page_offers_publishing_only_when_closed(client, published, staff_user):
    client.force_login(staff_user)
    wave = published.latest.wave

    closed = client.get(reverse("barometer:wave", args=[wave.pk])).content.decode()
    Wave.objects.filter(pk=wave.pk).update(status=Wave.Status.OPEN)
    opened = client.get(reverse("barometer:wave", args=[wave.pk])).content.decode()

    assert _publish_url(wave) in closed
    assert _publish_url(wave) not in opened


def test_publishing_an_open_wave_shows_the_error(client, published, staff_user):
    client.force_login(staff_user)
    wave = published.latest.wave
    Wave.objects.filter(pk=wave.pk).update(status=Wave.Status.OPEN)

    with translation.override("en"):
        response = client.post(_publish_url(wave), follow=True)

    messages = [str(message) for message in response.context["messages"]]
    assert messages == ["Only a closed wave can be published: close it first."]
    assert (Edition.objects.filter(wave=wave).count(), EditionBuild.objects.count()) == (2, 0)
