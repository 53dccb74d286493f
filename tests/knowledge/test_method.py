"""The method overview and the recommendation links."""

from __future__ import annotations

import pytest
from django.urls import reverse

from smartregion.knowledge.journey import KEY_DOMAINS
from smartregion.knowledge.models import Kind, MethodPhase, Resource
from tests.knowledge.method_support import resource, step

pytestmark = pytest.mark.django_db

METHOD = "/en/knowledge/method/"


def _titles(html: str) -> list[str]:
    import re

    return re.findall(r'<h3><a href="[^"]+">([^<]+)</a></h3>', html)


def test_method_groups_listed_steps_by_phase_in_order_with_checklists(client):
    step(
        "vision", MethodPhase.PREREQUISITES, 2, title_en="Vision", checklist_en="Write it\nShare it"
    )
    step("will", MethodPhase.PREREQUISITES, 1, title_en="Political will")
    step("diagnosis", MethodPhase.PLANNING, 1, title_en="Diagnosis")
    step("plan", MethodPhase.IMPLEMENTATION, 1, title_en="Action plan", state="needs_review")
    step("hidden", MethodPhase.PLANNING, 2, title_en="Hidden", state=Resource.State.DRAFT)
    step("old", MethodPhase.PLANNING, 3, title_en="Old", state=Resource.State.ARCHIVED)
    resource("a-guide", Kind.GUIDE, title_en="A guide")

    html = client.get(METHOD).content.decode()

    assert _titles(html) == ["Political will", "Vision", "Diagnosis", "Action plan"]
    assert html.index("Phase 0: prerequisites") < html.index("Phase 1: strategic planning")
    assert html.index("Phase 1: strategic planning") < html.index("Phase 2: implementation")
    assert "Phase 3: monitoring and evaluation" not in html
    assert '<ul class="checklist"><li>Write it</li><li>Share it</li></ul>' in html
    assert f'href="{reverse("knowledge:resource", kwargs={"slug": "vision"})}"' in html


def test_method_falls_back_to_french_titles(client):
    step("equipe", MethodPhase.PREREQUISITES, 1, title_fr="Une équipe transversale")

    html = client.get(METHOD).content.decode()

    assert _titles(html) == ["Une équipe transversale"]


def test_method_links_a_members_commune_journey(client, member, namur):
    client.force_login(member)

    html = client.get(METHOD).content.decode()

    assert f'href="/en/knowledge/journey/{namur.refnis}/"' in html


def test_method_runs_a_constant_number_of_queries(client, django_assert_num_queries):
    for n in range(3):
        step(f"s{n}", MethodPhase.PLANNING, n)
    with django_assert_num_queries(1):
        client.get(METHOD)
    for n in range(3, 12):
        step(f"s{n}", MethodPhase.MONITORING, n, checklist_fr="a\nb")
    with django_assert_num_queries(1):
        response = client.get(METHOD)
    assert len(_titles(response.content.decode())) == 12


# --- recommendation links ------------------------------------------------------------------------


def test_there_is_a_route_for_each_of_the_17_keys():
    assert len(KEY_DOMAINS) == 17
    assert reverse("knowledge:guide-strategy") == "/fr/knowledge/go/guide-strategy/"


@pytest.mark.parametrize("key", sorted(KEY_DOMAINS))
def test_key_redirects_to_the_listed_resource_with_that_key(client, key):
    resource(f"page-{key}", Kind.GUIDE, key=key)

    response = client.get(reverse(f"knowledge:{key}"))

    assert response.status_code == 302
    assert response["Location"] == reverse("knowledge:resource", kwargs={"slug": f"page-{key}"})


@pytest.mark.parametrize(
    ("key", "domain"),
    [("guide-strategy", "gov"), ("guide-open-data", "data"), ("guide-evaluation", "eval")],
)
def test_key_without_a_listed_resource_redirects_to_its_domain(client, key, domain):
    resource("draft-one", Kind.GUIDE, key=key, state=Resource.State.DRAFT)

    response = client.get(reverse(f"knowledge:{key}"))

    assert response.status_code == 302
    assert response["Location"] == reverse("knowledge:resources") + f"?domain={domain}"
