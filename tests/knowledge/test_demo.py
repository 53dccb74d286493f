"""Demo knowledge base: the issue's counts, valid tags, Markdown, dashboards' cases, idempotence."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from markdown_it import MarkdownIt

from smartregion.knowledge.demo import (
    AUTHORS,
    demo_entries,
    demo_resource_entries,
    knowledge_demo_create,
)
from smartregion.knowledge.models import (
    Audience,
    CommuneSize,
    GlossaryTerm,
    Kind,
    MethodPhase,
    Resource,
    ResourceRevision,
    Theme,
)
from smartregion.projects.models import Project
from tests.factories import ProjectFactory

TODAY = dt.date(2026, 12, 4)
CASE_STUDY_TEMPLATES = sorted(entry["template"] for entry in demo_entries("case_studies.yaml"))
KEYS = [
    "guide-cybersecurity",
    "guide-data",
    "guide-diagnosis",
    "guide-evaluation",
    "guide-funding",
    "guide-implementation",
    "guide-inclusion",
    "guide-innovation",
    "guide-interoperability",
    "guide-open-data",
    "guide-participation",
    "guide-prerequisites",
    "guide-procurement",
    "guide-skills",
    "guide-strategy",
    "guide-sustainability",
    "guide-team",
]
DOMAINS = {"gov", "org", "plan", "eval", "data", "innov", "sust"}
EUROVOC = re.compile(r"^http://eurovoc\.europa\.eu/(\d+|c_[0-9a-f]{8})$")
State = Resource.State


def _words(text: str) -> int:
    return len(re.findall(r"\w+", text))


@pytest.fixture
def demo_projects(namur) -> list[Project]:
    """One completed demo project per kind the case studies are written for."""
    return [
        ProjectFactory(
            slug=f"demo-{template}",
            owner_municipality=namur,
            website=f"https://www.namur.example/projets/{template}",
            status=Project.Status.COMPLETED,
            is_demo=True,
        )
        for template in CASE_STUDY_TEMPLATES
    ]


@pytest.fixture
def loaded(demo_projects) -> None:
    knowledge_demo_create(today=TODAY)


def _state() -> tuple:
    resources = sorted(
        Resource.objects.values_list(
            "slug", "version", "state", "source_version", "translation_versions", "review_by"
        )
    )
    terms = sorted(GlossaryTerm.objects.values_list("slug", "label_fr", "definition_fr"))
    related = sorted(
        GlossaryTerm.related.through.objects.values_list("from_glossaryterm", "to_glossaryterm")
    )
    return resources, terms, related, ResourceRevision.objects.count()


def test_demo_second_run_creates_and_changes_nothing(loaded):
    before = _state()

    result = knowledge_demo_create(today=TODAY + dt.timedelta(days=3))

    assert (result.resources, result.terms, result.skipped_case_studies) == (0, 0, 0)
    assert _state() == before


def test_demo_everything_is_labelled_demo(loaded):
    assert not Resource.objects.filter(is_demo=False).exists()
    assert not GlossaryTerm.objects.filter(is_demo=False).exists()
    assert set(Resource.objects.values_list("authors", flat=True)) == {AUTHORS}
    assert set(Resource.objects.values_list("licence", flat=True)) == {"CC-BY-4.0"}


def test_demo_guides_and_faqs_in_french_and_english(loaded):
    guides = Resource.objects.filter(kind__in=[Kind.GUIDE, Kind.FAQ])

    complete = [r for r in guides if r.title_fr and r.body_fr and r.title_en and r.body_en]

    assert len(complete) >= 25
    assert len(complete) == guides.count()
    for resource in guides:
        assert 200 <= _words(resource.body_fr) <= 700, resource.slug
        assert _words(resource.body_en) >= 180, resource.slug


def test_demo_the_seventeen_keys_are_guides(loaded):
    keyed = dict(Resource.objects.exclude(key=None).values_list("key", "kind"))

    assert sorted(keyed) == KEYS
    assert set(keyed.values()) == {Kind.GUIDE}
    assert Resource.objects.filter(key__in=KEYS, state__in=Resource.LISTED_STATES).count() == 17


def test_demo_method_covers_every_phase_with_checklists(loaded):
    steps = Resource.objects.filter(kind=Kind.METHOD_STEP)

    assert {step.method_phase for step in steps} == set(MethodPhase.values)
    for phase in MethodPhase.values:
        orders = [s.method_order for s in steps if s.method_phase == phase]
        assert orders == list(range(1, len(orders) + 1)), phase
    for step in steps:
        assert 150 <= _words(step.body_fr) <= 400, step.slug
        assert _words(step.body_en) >= 130, step.slug
        french, english = step.checklist_fr.splitlines(), step.checklist_en.splitlines()
        assert 4 <= len(french) <= 7, step.slug
        assert len(english) == len(french), step.slug
        assert step.domains and step.levels and step.themes, step.slug


def test_demo_participation_follows_the_iap2_spectrum(loaded):
    slugs = list(
        Resource.objects.filter(method_phase=MethodPhase.PARTICIPATION)
        .order_by("method_order")
        .values_list("slug", flat=True)
    )

    assert [slug.rsplit("-", 1)[-1] for slug in slugs] == [
        "informer",
        "consulter",
        "impliquer",
        "collaborer",
        "habiliter",
    ]


def test_demo_tags_are_valid_values(loaded):
    for resource in Resource.objects.all():
        assert set(resource.themes) <= set(Theme.values), resource.slug
        assert set(resource.domains) <= DOMAINS, resource.slug
        assert set(resource.levels) <= {1, 2, 3, 4, 5}, resource.slug
        assert set(resource.audiences) <= set(Audience.values), resource.slug
        assert set(resource.commune_sizes) <= set(CommuneSize.values), resource.slug
        assert resource.themes and resource.audiences, resource.slug
    for term in GlossaryTerm.objects.all():
        assert set(term.themes) <= set(Theme.values), term.slug


def test_demo_case_studies_point_at_the_demo_projects(loaded, demo_projects):
    studies = Resource.objects.filter(kind=Kind.CASE_STUDY).select_related("project")

    assert sorted(study.project.slug for study in studies) == sorted(p.slug for p in demo_projects)
    assert len(CASE_STUDY_TEMPLATES) == 6
    for study in studies:
        assert "{commune}" not in study.title_fr + study.title_en
        assert "Namur" in study.title_fr
        for heading in ("Ce qui a fait la différence", "Points d’attention", "Reproduire"):
            assert f"## {heading}" in study.body_fr, study.slug
        for heading in ("What made it work", "What to watch", "Replicating it"):
            assert f"## {heading}" in study.body_en, study.slug


def test_demo_case_study_prefers_a_completed_project(namur):
    ongoing = ProjectFactory(
        slug="a-ongoing",
        owner_municipality=namur,
        website="https://www.namur.example/projets/led-lighting",
        status=Project.Status.IN_PROGRESS,
        is_demo=True,
    )
    completed = ProjectFactory(
        slug="b-completed",
        owner_municipality=namur,
        website="https://www.namur.example/projets/led-lighting",
        status=Project.Status.COMPLETED,
        is_demo=True,
    )

    result = knowledge_demo_create(today=TODAY)

    study = Resource.objects.get(kind=Kind.CASE_STUDY)
    assert (study.project, result.skipped_case_studies) == (completed, 5)
    assert ongoing.case_studies.count() == 0


def test_demo_glossary_counts_and_eurovoc(loaded):
    terms = list(GlossaryTerm.objects.all())

    both = [t for t in terms if t.label_fr and t.definition_fr and t.label_en and t.definition_en]
    four = [t for t in both if t.label_de and t.definition_de and t.label_nl and t.definition_nl]
    linked = [t for t in terms if t.eurovoc]

    assert len(both) == len(terms) >= 60
    assert len(four) >= 20
    assert len(linked) >= 8
    assert all(EUROVOC.match(t.eurovoc) for t in linked)
    assert all(t.sources for t in terms)
    assert sum(1 for t in terms if t.related.exists()) >= 40


def test_demo_glossary_related_slugs_exist():
    slugs = {entry["slug"] for entry in demo_entries("glossary.yaml")}
    for entry in demo_entries("glossary.yaml"):
        assert set(entry.get("related", [])) <= slugs - {entry["slug"]}, entry["slug"]
        assert 1 <= len(re.findall(r"[.!?](\s|$)", entry["definition"]["fr"])) <= 3, entry["slug"]
    resources = {entry["slug"] for entry in demo_resource_entries()}
    for entry in demo_resource_entries():
        assert set(entry.get("related", [])) <= resources, entry["slug"]


def test_demo_gives_the_editors_dashboards_something_to_show(loaded):
    resources = list(Resource.objects.all())
    states = [r.state for r in resources]

    outdated = [
        r
        for r in resources
        if "outdated" in {r.translation_status(lang) for lang in ("en", "de", "nl")}
    ]
    missing = [
        r
        for r in resources
        if {r.translation_status("de"), r.translation_status("nl")} == {"missing"}
    ]
    overdue = [r for r in resources if r.state == State.PUBLISHED and r.review_overdue(TODAY)]

    assert 3 <= len(outdated) <= 4
    assert all(r.revisions.filter(significance="major").count() == 2 for r in outdated)
    assert len(missing) >= 10
    assert (
        states.count(State.REVIEW),
        states.count(State.DRAFT),
        states.count(State.ARCHIVED),
    ) == (1, 1, 1)
    assert len(overdue) == 1
    german_only = Resource.objects.get(slug="methode-0-volonte-politique")
    assert (german_only.translation_status("de"), german_only.translation_status("nl")) == (
        "current",
        "missing",
    )
    assert overdue[0].review_by == TODAY - dt.timedelta(days=45)


def test_demo_every_text_renders_as_markdown(loaded):
    markdown = MarkdownIt("commonmark").enable("table")
    for resource in Resource.objects.all():
        for language in ("fr", "en", "de", "nl"):
            body = getattr(resource, f"body_{language}")
            if body:
                html = markdown.render(body)
                assert "<p>" in html, (resource.slug, language)
                assert "{" not in html, (resource.slug, language)
        if resource.kind in (Kind.GUIDE, Kind.CASE_STUDY):
            assert "<h2>" in markdown.render(resource.body_fr), resource.slug
