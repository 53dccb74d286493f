"""The results page: permissions, exact content, peers, progress, publication, query counts.

The builders at the top (answer sets scaled from worst to best, submitted diagnostics) are reused
by test_exports, test_overview and test_benchmark.
"""

from __future__ import annotations

import re
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from smartregion.core.models import DataVersion
from smartregion.diagnostic.models import Diagnostic
from smartregion.diagnostic.results import build_results, gap_text
from smartregion.instruments.scoring import hidden_questions
from smartregion.territory.models import Municipality
from tests.factories import province_peers, scaled_answers, submitted

pytestmark = pytest.mark.django_db


# --- builders ---------------------------------------------------------------------------------


def text_of(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html))


# --- fixtures ---------------------------------------------------------------------------------


@pytest.fixture
def low(instrument_version, namur) -> Diagnostic:
    """Namur's diagnostic with the worst answers and targets of level 3 by 2028."""
    targets = {dim.code: 3 for dim in instrument_version.instrument.dimensions}
    return submitted(
        namur,
        instrument_version,
        0.0,
        targets=targets,
        horizon_year=timezone.localdate().year + 2,
    )


def _url(diagnostic: Diagnostic, name: str = "results", **kwargs: Any) -> str:
    """The English URL: exact content checks read English texts."""
    with translation.override("en"):
        return reverse(f"diagnostic:{name}", kwargs={"pk": diagnostic.pk, **kwargs})


# --- permissions ------------------------------------------------------------------------------


def test_results_anonymous_is_sent_to_login(client, low):
    response = client.get(_url(low))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("account_login"))


def test_results_member_of_another_commune_is_denied(client, low, other_member):
    client.force_login(other_member)

    assert client.get(_url(low)).status_code == 403


@pytest.mark.parametrize("who", ["member", "manager", "staff_user"])
def test_results_members_managers_and_staff_see_them(client, low, who, request):
    client.force_login(request.getfixturevalue(who))

    response = client.get(_url(low))

    assert response.status_code == 200
    assert response.context["view"].diagnostic.pk == low.pk


def test_results_unknown_diagnostic_is_404(client, member):
    client.force_login(member)

    assert client.get(reverse("diagnostic:results", kwargs={"pk": 999999})).status_code == 404


def test_results_only_managers_see_publish_button(client, low, member, manager, staff_user):
    pages = {}
    for user in (member, manager, staff_user):
        client.force_login(user)
        pages[user.email] = client.get(_url(low)).content.decode()

    assert "Publish on the commune" not in pages[member.email]
    assert "Publish on the commune" not in pages[staff_user.email]
    assert "Publish on the commune" in pages[manager.email]


# --- content ----------------------------------------------------------------------------------


def test_results_draft_says_not_submitted_and_links_to_fill(client, draft, member):
    client.force_login(member)

    response = client.get(_url(draft))
    html = response.content.decode()

    assert response.status_code == 200
    assert "This diagnostic is not submitted yet" in html
    assert f'href="{_url(draft, "fill")}"' in html


def test_results_low_answers_show_levels_descriptors_gaps_and_recommendations(
    client, low, member, instrument
):
    client.force_login(member)

    html = client.get(_url(low)).content.decode()
    text = text_of(html)

    assert low.overall_level == 1
    gov = instrument.dimension("gov")
    assert gov.levels[0]["en"] in html
    assert "Level 1 of 5" in text
    year = timezone.localdate().year + 2
    assert f"Target level 3 by {year}: 2 levels to go" in text
    assert "Write down a smart territory strategy" in text
    assert "Appoint a clear political sponsor" in text
    # a link to a page that does not exist yet is plain text, an external one a link
    assert 'href="https://www.iap2.org/"' in html
    assert f'href="{reverse("knowledge:guide-strategy")}"' in html
    assert "<svg" in html and 'role="img"' in html
    assert "Scores, levels and targets by domain" in html


def test_results_recommendations_are_ordered_by_priority(low, instrument):
    view = build_results(low, "en")

    priorities = [r.priority for r in view.recommendations]
    assert len(priorities) >= 5
    assert priorities == sorted(priorities)


def test_results_view_model_exact_values(low, instrument):
    view = build_results(low, "fr")

    gov = next(d for d in view.domains if d.code == "gov")
    assert (gov.score, gov.level, gov.target, gov.gap) == (0.0, 1, 3, 2)
    assert gov.descriptor == instrument.dimension("gov").levels[0]["fr"]
    assert gov.name == "Gouvernance et politique"
    assert [d.code for d in view.domains] == [d.code for d in instrument.dimensions]
    assert view.strengths_by_target is True
    assert view.strengths == []
    assert {d.code for d in view.gaps} == {d.code for d in instrument.dimensions}


def test_results_best_answers_without_targets_show_top_and_bottom_domains(
    instrument_version, namur, instrument
):
    diagnostic = submitted(namur, instrument_version, 1.0)

    view = build_results(diagnostic, "en")

    assert diagnostic.overall_level == 5
    assert view.strengths_by_target is False
    assert len(view.strengths) == 2 and len(view.gaps) == 2
    assert not {d.code for d in view.strengths} & {d.code for d in view.gaps}
    assert all(d.gap_text == "No target set" for d in view.domains)


def test_gap_text_variants():
    with translation.override("en"):
        assert gap_text(None, None, 2028) == "No target set"
        assert gap_text(4, 1, 2028) == "Target level 4 by 2028: 1 level to go"
        assert gap_text(4, 3, None) == "Target level 4: 3 levels to go"
        assert gap_text(2, -1, 2028) == "Target level 2 by 2028: reached"


def test_results_dont_know_and_not_applicable_are_counted(instrument_version, namur, instrument):
    answers = scaled_answers(instrument, 0.5)
    hidden = hidden_questions(instrument, answers)
    baseline = sum(1 for q in instrument.questions if q.dimension == "gov" and q.code in hidden)
    # two "don't know" answers that hide no follow-up question
    chosen = [
        q.code
        for q in instrument.questions
        if q.dimension == "gov"
        and q.allow_dont_know
        and q.code not in hidden
        and hidden_questions(instrument, {**answers, q.code: "dont_know"}) == hidden
    ][:2]
    for code in chosen:
        answers[code] = "dont_know"
    diagnostic = submitted(namur, instrument_version, 0.5, answers=answers)

    gov = next(d for d in build_results(diagnostic, "en").domains if d.code == "gov")

    assert len(chosen) == 2
    assert (gov.dont_know, gov.not_applicable) == (2, baseline)
    assert gov.coverage == pytest.approx(gov.answered / gov.applicable)
    assert gov.answered == gov.applicable - 2


def test_results_demo_is_labelled(client, instrument_version, namur, member):
    diagnostic = submitted(namur, instrument_version, 0.5, is_demo=True)
    client.force_login(member)

    html = client.get(_url(diagnostic)).content.decode()

    assert "demo-notice" in html


# --- peers ------------------------------------------------------------------------------------


def test_results_peer_block_with_five_peers_shows_quartiles(
    client, instrument_version, namur, member
):
    fractions = [0.0, 0.25, 0.5, 0.75, 1.0]
    for municipality, fraction in zip(province_peers(namur, 5), fractions, strict=True):
        submitted(municipality, instrument_version, fraction)
    own = submitted(namur, instrument_version, 0.5)
    client.force_login(member)

    view = client.get(_url(own)).context["view"]
    province = next(g for g in view.peers if g.kind == "province")

    assert (province.enough, province.count) == (True, 5)
    overall = province.rows[-1]
    assert overall.name == "Overall"
    assert overall.spread.count == 5
    assert overall.spread.median == pytest.approx(own.overall_score, abs=0.05)
    assert view.chart.has_peers or view.peer_reference.kind == "population_class"


def test_results_peer_block_with_four_peers_says_not_enough(
    client, instrument_version, namur, member
):
    for municipality in province_peers(namur, 4):
        submitted(municipality, instrument_version, 0.5)
    own = submitted(namur, instrument_version, 0.5)
    client.force_login(member)

    html = client.get(_url(own)).content.decode()

    assert (
        "Not enough peers yet: 4 other communes in this group have submitted a diagnostic; "
        "the comparison is shown from 5 on."
    ) in text_of(html)


# --- progress ---------------------------------------------------------------------------------


def test_results_progress_lists_earlier_diagnostics_only(instrument_version, namur):
    first = submitted(namur, instrument_version, 0.2, year=2024)
    second = submitted(namur, instrument_version, 0.5, year=2025)
    submitted(namur, instrument_version, 0.8, year=2026)

    view = build_results(second, "en")

    assert [(e.year, e.is_current) for e in view.history] == [(2024, False), (2025, True)]
    assert view.history[0].overall == pytest.approx(first.overall_score)
    assert len(view.history[0].scores) == 7


# --- publication ------------------------------------------------------------------------------


def test_publish_by_manager_shows_on_profile_and_bumps_data_version(client, low, manager, namur):
    before = DataVersion.objects.filter(key="public").values_list("value", flat=True).first() or 0
    client.force_login(manager)

    response = client.post(_url(low, "publish"), {"publish": "1"})

    low.refresh_from_db()
    assert response.status_code == 302
    assert low.is_published is True
    assert DataVersion.objects.get(key="public").value == before + 1
    client.logout()
    profile = text_of(client.get(f"/en/communes/{namur.refnis}/").content.decode())
    assert "Maturity self-assessment (2026)" in profile
    assert "Overall level: 1 of 5" in profile
    assert "Governance and policy: level 1" in profile
    assert "gov_strategy" not in profile  # levels only, never answers


def test_withdraw_by_manager_hides_from_profile(client, low, manager, namur):
    client.force_login(manager)
    client.post(_url(low, "publish"), {"publish": "1"})

    client.post(_url(low, "publish"), {"publish": "0"})

    low.refresh_from_db()
    assert low.is_published is False
    client.logout()
    assert (
        "Maturity self-assessment"
        not in client.get(f"/en/communes/{namur.refnis}/").content.decode()
    )


@pytest.mark.parametrize("who", ["member", "staff_user", "other_member"])
def test_publish_is_refused_to_non_managers(client, low, who, request):
    client.force_login(request.getfixturevalue(who))

    response = client.post(_url(low, "publish"), {"publish": "1"})

    low.refresh_from_db()
    assert response.status_code == 403
    assert low.is_published is False


def test_publish_anonymous_is_sent_to_login(client, low):
    assert client.post(_url(low, "publish"), {"publish": "1"}).status_code == 302


def test_publish_refuses_get(client, low, manager):
    client.force_login(manager)

    assert client.get(_url(low, "publish")).status_code == 405


def test_publish_a_draft_shows_an_error(client, draft, manager):
    client.force_login(manager)

    response = client.post(_url(draft, "publish"), {"publish": "1"}, follow=True)

    draft.refresh_from_db()
    assert draft.is_published is False
    assert [str(m) for m in response.context["messages"]] == [
        "Only a submitted diagnostic can be published."
    ]


def test_profile_without_publication_has_no_section(client, low, namur):
    html = client.get(f"/en/communes/{namur.refnis}/").content.decode()

    assert "Maturity self-assessment" not in html


def test_profile_labels_a_published_demo(client, instrument_version, namur):
    diagnostic = submitted(namur, instrument_version, 0.5, is_demo=True)
    Diagnostic.objects.filter(pk=diagnostic.pk).update(is_published=True)

    html = client.get(f"/en/communes/{namur.refnis}/").content.decode()

    assert "Maturity self-assessment (2026)" in text_of(html)
    assert "Demonstration data" in html


def test_profile_query_count_does_not_depend_on_publication(client, instrument_version, namur):
    def count() -> int:
        from django.core.cache import cache

        cache.clear()
        with CaptureQueriesContext(connection) as queries:
            client.get(f"/en/communes/{namur.refnis}/")
        return len(queries.captured_queries)

    without = count()
    diagnostic = submitted(namur, instrument_version, 0.5)
    Diagnostic.objects.filter(pk=diagnostic.pk).update(is_published=True)

    assert count() == without


# --- cost -------------------------------------------------------------------------------------


def _results_queries(client, diagnostic) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(_url(diagnostic))
    assert response.status_code == 200
    return len(queries.captured_queries)


def test_results_query_count_is_constant(client, instrument_version, namur, member):
    peers = list(
        Municipality.objects.filter(province_id=namur.province_id)
        .exclude(pk=namur.pk)
        .order_by("refnis")[:20]
    )
    for municipality in peers[:5]:
        submitted(municipality, instrument_version, 0.4)
    own = submitted(namur, instrument_version, 0.3, year=2025)
    client.force_login(member)
    client.get(_url(own))  # warm the parsed-instrument cache
    small = _results_queries(client, own)

    for municipality in peers[5:]:
        submitted(municipality, instrument_version, 0.6)
    submitted(namur, instrument_version, 0.1, year=2023)
    submitted(namur, instrument_version, 0.2, year=2024)
    large = _results_queries(client, own)

    # 13 + one for peers' projects (a recommendation panel), + the knowledge app's panels: one for
    # the resources under the recommendations, two for the learning path (resources, the
    # commune's progress), three for where it stands in the method (membership, steps, progress)
    assert small == large == 20
