"""Demonstration content of the knowledge base: the method, guides, FAQs, case studies, glossary.

The texts live in `data/demo/*.yaml` (French first, then English; German and Dutch for some).
Everything is labelled `is_demo` and written by "Centre de référence Smart Region (démo)"; the
site shows its demo banner over it.

Resources go through the editorial services (`create_resource`, `save_resource`, `transition`),
so their revisions, translation versions and states are those an editor would have produced.
To give the editors' dashboards something to show, the YAML can ask for:

- `state`: draft, review or archived instead of published;
- `revision`: a later *major* French revision (a section appended to the French text), which
  leaves the other languages "outdated";
- `review_overdue: true`: a review date in the past, computed from today at load time.

Case studies name a kind of demo project (`template`, as in projects' `demo_templates.yaml`);
the loader picks the first such demo project, completed ones first, and skips the case study
when the catalogue has none.

Idempotent: a resource is identified by its slug, a term by its slug; a second run creates
nothing and changes nothing.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.db.models import Case, IntegerField, Value, When
from django.utils import timezone
from django.utils.translation import gettext

from smartregion.accounts.models import User
from smartregion.accounts.services import DEMO_EDITOR_EMAIL
from smartregion.projects.models import Project

from .models import SOURCE_LANGUAGE, GlossaryTerm, Kind, Resource, ResourceRevision
from .services import LANGUAGES, create_resource, save_resource, transition

DATA_DIR = Path(__file__).parent / "data" / "demo"
RESOURCE_FILES = ("method.yaml", "guides.yaml", "faq.yaml", "case_studies.yaml")
GLOSSARY_FILE = "glossary.yaml"
AUTHORS = "Centre de référence Smart Region (démo)"
# Days from the load date: the normal review date, and how late the overdue one is.
REVIEW_AFTER_DAYS = 365
OVERDUE_BY_DAYS = 45
TRANSLATED = ("title", "summary", "body")


@dataclass
class DemoResult:
    resources: int = 0
    terms: int = 0
    skipped_case_studies: int = 0


@cache
def demo_entries(name: str) -> list[dict[str, Any]]:
    with (DATA_DIR / name).open(encoding="utf-8") as handle:
        return yaml.safe_load(handle) or []


def demo_resource_entries() -> list[dict[str, Any]]:
    return [entry for name in RESOURCE_FILES for entry in demo_entries(name)]


def _texts(resource: Resource, entry: dict[str, Any]) -> None:
    for field in TRANSLATED:
        for language, text in (entry.get(field) or {}).items():
            setattr(resource, f"{field}_{language}", text.strip())
    for language, items in (entry.get("checklist") or {}).items():
        setattr(resource, f"checklist_{language}", "\n".join(item.strip() for item in items))


def _case_study_project(template: str) -> Project | None:
    completed_first = Case(
        When(status=Project.Status.COMPLETED, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    return (
        Project.objects.filter(
            is_demo=True,
            state=Project.State.PUBLISHED,
            website__endswith=f"/projets/{template}",
        )
        .select_related("owner_municipality")
        .annotate(preference=completed_first)
        .order_by("preference", "slug")
        .first()
    )


def _new_resource(entry: dict[str, Any], *, today: dt.date, editor: User | None) -> Resource:
    overdue = entry.get("review_overdue", False)
    delta = -OVERDUE_BY_DAYS if overdue else REVIEW_AFTER_DAYS
    resource = Resource(
        kind=entry["kind"],
        slug=entry["slug"],
        key=entry.get("key"),
        themes=entry.get("themes", []),
        domains=entry.get("domains", []),
        levels=entry.get("levels", []),
        audiences=entry.get("audiences", []),
        commune_sizes=entry.get("commune_sizes", []),
        authors=AUTHORS,
        sources=(entry.get("sources") or "").strip(),
        licence=entry.get("licence", "CC-BY-4.0"),
        method_phase=entry.get("method_phase"),
        method_order=entry.get("method_order"),
        review_by=today + dt.timedelta(days=delta),
        owner=editor,
        is_demo=True,
    )
    _texts(resource, entry)
    return resource


def _with_project(resource: Resource, project: Project) -> None:
    commune = project.owner_municipality or project.municipalities.order_by("refnis").first()
    name = commune.name_fr if commune else ""
    for field in ("title", "summary"):
        for language in LANGUAGES:
            text = getattr(resource, f"{field}_{language}")
            if text:
                setattr(
                    resource,
                    f"{field}_{language}",
                    text.replace("{commune}", name),
                )
    resource.project = project


def _create(entry: dict[str, Any], *, today: dt.date, editor: User | None) -> bool:
    resource = _new_resource(entry, today=today, editor=editor)
    if entry["kind"] == Kind.CASE_STUDY:
        project = _case_study_project(entry["template"])
        if project is None:
            return False
        _with_project(resource, project)
    state = entry.get("state", Resource.State.PUBLISHED)
    starts_published = state in (Resource.State.PUBLISHED, Resource.State.ARCHIVED)
    resource.state = Resource.State.PUBLISHED if starts_published else Resource.State.DRAFT
    resource.full_clean(exclude=["related", "related_projects", "created_by"])
    create_resource(resource, user=editor, comment=gettext("Demo content"))
    if state == Resource.State.REVIEW:
        transition(resource, Resource.State.REVIEW, user=editor)
    if state == Resource.State.ARCHIVED:
        transition(resource, Resource.State.ARCHIVED, user=editor, comment=entry.get("why", ""))
    if entry.get("revision"):
        _revise(resource, entry["revision"], editor=editor)
    return True


def _revise(resource: Resource, revision: dict[str, Any], *, editor: User | None) -> None:
    """A later major revision of the French text: the other languages become outdated."""
    resource = Resource.objects.get(pk=resource.pk)
    field = f"body_{SOURCE_LANGUAGE}"
    body = getattr(resource, field)
    setattr(resource, field, f"{body}\n\n{revision['body_fr_append'].strip()}")
    save_resource(
        resource,
        user=editor,
        comment=revision["comment"],
        significance=ResourceRevision.Significance.MAJOR,
    )


def _link_related(entries: list[dict[str, Any]], created: set[str]) -> None:
    by_slug = {r.slug: r for r in Resource.objects.filter(is_demo=True)}
    for entry in entries:
        if entry["slug"] in created and entry["slug"] in by_slug and entry.get("related"):
            targets = [by_slug[slug] for slug in entry["related"] if slug in by_slug]
            by_slug[entry["slug"]].related.add(*targets)


def _create_terms() -> int:
    entries = demo_entries(GLOSSARY_FILE)
    existing = set(GlossaryTerm.objects.values_list("slug", flat=True))
    created: dict[str, GlossaryTerm] = {}
    for entry in entries:
        if entry["slug"] in existing:
            continue
        term = GlossaryTerm(
            slug=entry["slug"],
            sources=(entry.get("sources") or "").strip(),
            eurovoc=entry.get("eurovoc", ""),
            themes=entry.get("themes", []),
            is_demo=True,
        )
        for field in ("label", "definition"):
            for language, text in entry[field].items():
                setattr(term, f"{field}_{language}", text.strip())
        for language, words in (entry.get("synonyms") or {}).items():
            setattr(term, f"synonyms_{language}", "\n".join(words))
        term.full_clean(exclude=["related"])
        term.save()
        created[term.slug] = term
    terms = {t.slug: t for t in GlossaryTerm.objects.filter(slug__in=_all_related(entries))}
    for entry in entries:
        if entry["slug"] in created:
            targets = [terms[slug] for slug in entry.get("related", []) if slug in terms]
            created[entry["slug"]].related.add(*targets)
    return len(created)


def _all_related(entries: list[dict[str, Any]]) -> set[str]:
    return {slug for entry in entries for slug in entry.get("related", [])}


@transaction.atomic
def knowledge_demo_create(today: dt.date | None = None) -> DemoResult:
    """Create the demo resources and glossary terms that do not exist yet."""
    today = today or timezone.localdate()
    editor = User.objects.filter(email=DEMO_EDITOR_EMAIL).first()
    result = DemoResult()
    entries = demo_resource_entries()
    existing = set(Resource.objects.values_list("slug", flat=True))
    created: set[str] = set()
    for entry in entries:
        if entry["slug"] in existing:
            continue
        if _create(entry, today=today, editor=editor):
            created.add(entry["slug"])
        else:
            result.skipped_case_studies += 1
    _link_related(entries, created)
    result.resources = len(created)
    result.terms = _create_terms()
    return result


def load(*, out: Callable[[str], None], err: Callable[[str], None]) -> None:
    """The `demo` command's step, after the projects (case studies point at demo projects)."""
    result = knowledge_demo_create()
    out(
        gettext(
            "Demo knowledge base: %(resources)d resources and %(terms)d glossary terms created; "
            "%(total)d demo resources and %(all_terms)d demo terms in all."
        )
        % {
            "resources": result.resources,
            "terms": result.terms,
            "total": Resource.objects.filter(is_demo=True).count(),
            "all_terms": GlossaryTerm.objects.filter(is_demo=True).count(),
        }
    )
    if result.skipped_case_studies:
        err(
            gettext("Demo knowledge base: %(count)d case studies skipped (no matching project).")
            % {"count": result.skipped_case_studies}
        )
