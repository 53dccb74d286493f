"""Learning paths and resources under recommendations, on a diagnostic's results page."""

from __future__ import annotations

import re
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from smartregion.knowledge.journey import weakest_domains
from smartregion.knowledge.models import Kind, MethodPhase, Resource, StepProgress
from smartregion.territory.models import Municipality
from tests.factories import ProjectFactory, submitted
from tests.knowledge.method_support import resource, step

pytestmark = pytest.mark.django_db

TARGETS = {"gov": 5, "data": 4, "eval": 3, "org": 2, "plan": 1, "innov": 1, "sust": 1}


def _domain(code, score, level, gap):
    return SimpleNamespace(code=code, score=score, level=level, gap=gap)


def test_weakest_domains_by_gap_then_lower_score():
    domains = [
        _domain("gov", 40.0, 2, 1),
        _domain("org", 10.0, 1, 3),
        _domain("plan", 5.0, 1, 3),
        _domain("eval", 20.0, 1, 2),
        _domain("data", 80.0, 4, 0),
        _domain("innov", None, None, None),
    ]

    assert [d.code for d in weakest_domains(domains, has_targets=True)] == ["plan", "org", "eval"]


def test_weakest_domains_without_targets_are_the_lowest_scores():
    domains = [
        _domain("gov", 40.0, 2, None),
        _domain("org", 10.0, 1, None),
        _domain("x", None, None, None),
    ]

    assert [d.code for d in weakest_domains(domains, has_targets=False)] == ["org", "gov"]


def test_weakest_domains_when_every_target_is_reached_is_empty():
    assert weakest_domains([_domain("gov", 90.0, 5, 0)], has_targets=True) == []


# --- on the results page -------------------------------------------------------------------------


@pytest.fixture
def low(instrument_version, namur, reference_population):
    """Namur (a large commune) at level 1 everywhere, furthest from its targets in gov, data,
    eval."""
    year = timezone.localdate().year + 2
    return submitted(namur, instrument_version, 0.0, targets=TARGETS, horizon_year=year)


@pytest.fixture
def library(territory, reference_population):
    liege = Municipality.objects.get(refnis="62063")  # large, like Namur
    small = Municipality.objects.filter(population__lt=10_000).order_by("refnis").first()
    completed = ProjectFactory(slug="big", owner_municipality=liege, status="completed")
    village = ProjectFactory(slug="small", owner_municipality=small, status="completed")
    return {
        "gov-step-2": step(
            "gov-step-2", MethodPhase.PLANNING, 1, title_en="Gov step two", domains=["gov"]
        ),
        "gov-step-1": step(
            "gov-step-1", MethodPhase.PREREQUISITES, 1, title_en="Gov step one", domains=["gov"]
        ),
        "gov-guide-l4": resource(
            "gov-guide-l4", title_en="Gov guide for level 4", domains=["gov"], levels=[4]
        ),
        "gov-guide-l1": resource(
            "gov-guide-l1", title_en="Gov guide for level 1", domains=["gov"], levels=[1]
        ),
        "gov-case-big": resource(
            "gov-case-big",
            Kind.CASE_STUDY,
            title_en="Gov case big",
            domains=["gov"],
            project=completed,
        ),
        "gov-case-small": resource(
            "gov-case-small",
            Kind.CASE_STUDY,
            title_en="Gov case small",
            domains=["gov"],
            project=village,
        ),
        "gov-draft": resource(
            "gov-draft", title_en="Gov draft", domains=["gov"], state=Resource.State.DRAFT
        ),
        "data-guide": resource(
            "data-guide", title_en="Data guide", domains=["data"], levels=[1, 2]
        ),
        "data-faq-fr": resource("data-faq-fr", Kind.FAQ, title_fr="FAQ données", domains=["data"]),
        "org-guide": resource("org-guide", title_en="Org guide", domains=["org"]),
    }


def _path_section(html: str) -> str:
    start = html.index('<section aria-labelledby="learning-path-heading"')
    return html[start : html.index("</section>", start)]


def _path(html: str) -> list[tuple[str, list[str]]]:
    """(domain heading, [link texts]) for each domain of the path."""
    section = _path_section(html)
    blocks = section.split('<div class="path-domain">')[1:]
    return [
        (
            re.sub(
                r"\s+—.*", "", re.sub(r"<[^>]+>", "", re.search(r"<h3>(.*?)</h3>", b, re.S)[1])
            ).strip(),
            re.findall(r'<a href="[^"]+">([^<]+)</a>', b),
        )
        for b in blocks
    ]


def test_results_page_proposes_the_path_for_the_three_furthest_domains(
    client, low, library, member
):
    client.force_login(member)

    html = client.get(f"/en/diagnostics/{low.pk}/results/").content.decode()

    assert _path(html) == [
        (
            "Governance and policy",
            [
                "Gov step one",
                "Gov step two",
                "Gov guide for level 1",
                "Gov guide for level 4",
                "Gov case big",
            ],
        ),
        ("Data and technologies", ["Data guide"]),
        ("Monitoring and evaluation", []),
    ]
    assert "No resource for this domain yet." in _path_section(html)


def test_steps_done_or_not_relevant_leave_the_path(client, low, library, member):
    today = timezone.localdate()
    StepProgress.objects.create(
        municipality=low.municipality, step=library["gov-step-1"], status="done", date=today
    )
    StepProgress.objects.create(
        municipality=low.municipality, step=library["gov-step-2"], status="in_progress"
    )
    client.force_login(member)

    html = client.get(f"/en/diagnostics/{low.pk}/results/").content.decode()

    assert _path(html)[0][1][:2] == ["Gov step two", "Gov guide for level 1"]


def test_path_links_are_in_the_pages_language_with_french_fallback(client, low, library, member):
    library["gov-step-1"].title_de = "Schritt eins"
    library["gov-step-1"].save()
    client.force_login(member)

    html = client.get(f"/de/diagnostics/{low.pk}/results/").content.decode()

    links = [link for _, links in _path(html) for link in links]
    assert links[:2] == ["Schritt eins", "Gov step 2"]  # no German title: the French one


def test_recommendation_lists_resources_of_its_domain_at_the_communes_level(
    client, low, library, member
):
    client.force_login(member)

    html = client.get(f"/en/diagnostics/{low.pk}/results/").content.decode()

    rec = html[html.index('id="rec-gov_write_strategy"') :]
    rec = rec[
        : rec.index("</li>\n    \n      <li") if "</li>\n    \n      <li" in rec else len(rec)
    ]
    block = rec[rec.index('<ul class="rec-links rec-resources">') :]
    block = block[: block.index("</ul>")]
    assert re.findall(r'<a href="[^"]+">([^<]+)</a>', block) == [
        "Gov step one",
        "Gov step two",
        "Gov guide for level 1",
        "More resources on this domain",
    ]
    assert 'href="/en/knowledge/resources/?domain=gov"' in block


def test_results_show_where_the_commune_stands_in_the_method(client, low, library, member):
    StepProgress.objects.create(
        municipality=low.municipality,
        step=library["gov-step-1"],
        status="done",
        date=timezone.localdate(),
    )
    client.force_login(member)

    html = client.get(f"/en/diagnostics/{low.pk}/results/").content.decode()

    assert "Where the commune stands in the method" in html
    assert "1 of 2 steps done (50 %)" in html


def _queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200
    return len(captured.captured_queries)


def test_results_with_paths_run_a_constant_number_of_queries(
    client, low, library, member, territory
):
    client.force_login(member)
    url = f"/en/diagnostics/{low.pk}/results/"
    client.get(url)  # warm the parsed-instrument cache
    small = _queries(client, url)
    others = Municipality.objects.filter(population__gte=50_000).order_by("refnis")[:6]
    for n, place in enumerate(others):
        project = ProjectFactory(slug=f"p{n}", owner_municipality=place, status="completed")
        resource(f"case-{n}", Kind.CASE_STUDY, domains=["gov", "data"], project=project)
        resource(f"guide-{n}", domains=["eval", "gov"])
        step(f"step-{n}", MethodPhase.MONITORING, n + 5, domains=["eval"])
    large = _queries(client, url)

    # the page's own, + resources under recommendations, path candidates and their case studies'
    # communes, progress, then membership, method steps, progress (without peers: fewer than
    # test_results' 20)
    assert small == large == 18
