"""Knowledge routes of the public API: listed resources and published glossary terms, read-only.

Public reads, no credentials. Texts come in the `language` asked for, the French text where that
language has none; each text says which language it is in (`title_lang`…), so a client can mark
it. Resources are the listed ones (published or needing review): drafts and archived resources
are not in the API. Pages of 20, like the projects' list; a page past the last is empty.
"""

from __future__ import annotations

import math
from typing import Any, Literal

from django.db.models import Q, QuerySet
from django.http import HttpRequest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja.errors import HttpError

from smartregion.core.addresses import site_base_url
from smartregion.core.api_errors import Errors, Message

from .glossary_queries import definition_in, label_in, published_terms, term_for_page
from .models import SOURCE_LANGUAGE, GlossaryTerm, Kind, Resource, Theme
from .opendata import resource_url

resources_router = Router(tags=["knowledge"])
glossary_router = Router(tags=["glossary"])

API_PAGE_SIZE = 20
Language = Literal["fr", "en", "de", "nl"]
PUBLIC_READ: dict[str, Any] = {"security": [{}]}


# ---------------------------------------------------------------------------------------------
# Schemas
# ---------------------------------------------------------------------------------------------


class ResourceSummaryOut(Schema):
    slug: str
    url: str = Field(..., description="The resource's page in the language asked for")
    kind: str = Field(..., examples=["guide"])
    title: str
    title_lang: str = Field(..., description="Language of `title` (French when not translated)")
    summary: str
    summary_lang: str
    themes: list[str]
    domains: list[str] = Field(..., description="Maturity domain codes (gov, data…)")
    levels: list[int] = Field(..., description="Maturity levels 1–5 the resource helps with")
    audience: list[str]
    licence: str = Field(..., examples=["CC-BY-4.0"])
    updated: str = Field(..., description="ISO 8601 date and time of the last change")
    is_demo: bool


class ResourceOut(ResourceSummaryOut):
    body: str = Field(..., description="The text, in Markdown")
    body_lang: str
    checklist: list[str] = Field(..., description="Method steps: the checklist's items")
    reading_minutes: int
    authors: str
    sources: str = Field(..., description="Markdown")
    method_phase: int | None = Field(None, description="Method steps: phase 0–4")
    method_order: int | None
    translations: dict[str, str] = Field(
        ..., description="Per language: source, current, outdated or missing"
    )


class ResourcePage(Schema):
    count: int
    page: int
    pages: int
    page_size: int
    items: list[ResourceSummaryOut]


class ResourceFilters(Schema):
    kind: list[Kind] = Field([], description="Kinds, any of them")
    theme: list[Theme] = Field([], description="Theme codes, any of them")
    domain: list[str] = Field([], max_length=20, description="Maturity domain codes, any of them")
    language: Language = Field("fr", description="Language of the texts (French fallback)")
    page: int = Field(1, ge=1, le=100_000)


class TermSummaryOut(Schema):
    slug: str
    url: str
    label: str
    label_lang: str
    definition: str
    definition_lang: str
    eurovoc: str | None = Field(None, description="URI of the matching EuroVoc concept")


class TermOut(TermSummaryOut):
    labels: dict[str, str] = Field(..., description="Label per language where written")
    synonyms: dict[str, list[str]] = Field(..., description="Synonyms per language")
    definitions: dict[str, str]
    related: list[str] = Field(..., description="Slugs of published related terms")
    sources: list[str]
    updated: str


class TermPage(Schema):
    count: int
    page: int
    pages: int
    page_size: int
    items: list[TermSummaryOut]


class TermFilters(Schema):
    language: Language = Field("fr", description="Language of the texts (French fallback)")
    page: int = Field(1, ge=1, le=100_000)


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------

LANGUAGES = ("fr", "en", "de", "nl")


def _text(obj: Any, name: str, language: str) -> tuple[str, str]:
    value = getattr(obj, f"{name}_{language}", "") or ""
    return (value, language) if value else (getattr(obj, f"{name}_fr") or "", SOURCE_LANGUAGE)


def _any_of(field: str, values: list[str]) -> Q:
    # JSON lists: `contains` has no SQLite version; the quoted value in the stored text does.
    found = Q()
    for value in values:
        found |= Q(**{f"{field}__icontains": f'"{value}"'})
    return found


def _page(queryset: QuerySet, page: int) -> tuple[dict[str, Any], list[Any]]:
    count = queryset.count()
    start = (page - 1) * API_PAGE_SIZE
    items = list(queryset[start : start + API_PAGE_SIZE]) if start < count else []
    pages = max(1, math.ceil(count / API_PAGE_SIZE))
    return {"count": count, "page": page, "pages": pages, "page_size": API_PAGE_SIZE}, items


def _resource_summary(resource: Resource, language: str, base_url: str) -> dict[str, Any]:
    title, title_lang = _text(resource, "title", language)
    summary, summary_lang = _text(resource, "summary", language)
    return {
        "slug": resource.slug,
        "url": resource_url(resource.slug, base_url, language),
        "kind": resource.kind,
        "title": title,
        "title_lang": title_lang,
        "summary": summary,
        "summary_lang": summary_lang,
        "themes": list(resource.themes),
        "domains": list(resource.domains),
        "levels": [int(level) for level in resource.levels],
        "audience": list(resource.audiences),
        "licence": resource.licence,
        "updated": resource.updated_at.isoformat(timespec="seconds"),
        "is_demo": resource.is_demo,
    }


def _resource_out(resource: Resource, language: str, base_url: str) -> dict[str, Any]:
    body, body_lang = _text(resource, "body", language)
    checklist, _checklist_lang = _text(resource, "checklist", language)
    return {
        **_resource_summary(resource, language, base_url),
        "body": body,
        "body_lang": body_lang,
        "checklist": [line.strip() for line in checklist.splitlines() if line.strip()],
        "reading_minutes": resource.reading_minutes,
        "authors": resource.authors,
        "sources": resource.sources,
        "method_phase": resource.method_phase,
        "method_order": resource.method_order,
        "translations": {lang: resource.translation_status(lang) for lang in LANGUAGES},
    }


def _term_url(term: GlossaryTerm, language: str, base_url: str) -> str:
    with translation.override(language):
        return base_url + reverse("knowledge:term", kwargs={"slug": term.slug})


def _term_summary(term: GlossaryTerm, language: str, base_url: str) -> dict[str, Any]:
    label, label_lang = label_in(term, language)
    definition, definition_lang = definition_in(term, language)
    return {
        "slug": term.slug,
        "url": _term_url(term, language, base_url),
        "label": label,
        "label_lang": label_lang,
        "definition": definition,
        "definition_lang": definition_lang,
        "eurovoc": term.eurovoc or None,
    }


def _term_out(term: GlossaryTerm, language: str, base_url: str) -> dict[str, Any]:
    def written(name: str) -> dict[str, str]:
        return {lang: value for lang in LANGUAGES if (value := getattr(term, f"{name}_{lang}"))}

    return {
        **_term_summary(term, language, base_url),
        "labels": written("label"),
        "definitions": written("definition"),
        "synonyms": {lang: words for lang in LANGUAGES if (words := term.synonym_list(lang))},
        "related": [other.slug for other in term.published_related],
        "sources": [line.strip() for line in term.sources.splitlines() if line.strip()],
        "updated": term.updated_at.isoformat(timespec="seconds"),
    }


# ---------------------------------------------------------------------------------------------
# Routes
# ---------------------------------------------------------------------------------------------


@resources_router.get(
    "/",
    response={200: ResourcePage, 422: Errors},
    openapi_extra=PUBLIC_READ,
    summary="List knowledge resources",
    description=(
        "Published guides, method steps, case studies, tools and FAQs, by slug, 20 a page. "
        "Repeat a filter to accept any of its values (`theme=data&theme=mobility`)."
    ),
)
def list_resources(request: HttpRequest, filters: Query[ResourceFilters]) -> Any:
    resources = Resource.objects.filter(state__in=Resource.LISTED_STATES).order_by("slug")
    if filters.kind:
        resources = resources.filter(kind__in=filters.kind)
    if filters.theme:
        resources = resources.filter(_any_of("themes", [theme.value for theme in filters.theme]))
    if filters.domain:
        resources = resources.filter(_any_of("domains", filters.domain))
    meta, items = _page(resources, filters.page)
    base_url = site_base_url(request)
    return {**meta, "items": [_resource_summary(r, filters.language, base_url) for r in items]}


@resources_router.get(
    "/{slug}",
    response={200: ResourceOut, 404: Message, 422: Errors},
    openapi_extra=PUBLIC_READ,
    summary="Read a knowledge resource",
)
def read_resource(request: HttpRequest, slug: str, language: Language = "fr") -> Any:
    resource = Resource.objects.filter(state__in=Resource.LISTED_STATES, slug=slug).first()
    if resource is None:
        raise HttpError(404, _("No such resource."))
    return _resource_out(resource, language, site_base_url(request))


@glossary_router.get(
    "/",
    response={200: TermPage, 422: Errors},
    openapi_extra=PUBLIC_READ,
    summary="List glossary terms",
    description="Published terms by slug, 20 a page.",
)
def list_terms(request: HttpRequest, filters: Query[TermFilters]) -> Any:
    meta, items = _page(published_terms(), filters.page)
    base_url = site_base_url(request)
    return {**meta, "items": [_term_summary(term, filters.language, base_url) for term in items]}


@glossary_router.get(
    "/{slug}",
    response={200: TermOut, 404: Message, 422: Errors},
    openapi_extra=PUBLIC_READ,
    summary="Read a glossary term",
)
def read_term(request: HttpRequest, slug: str, language: Language = "fr") -> Any:
    term = term_for_page(slug)
    if term is None:
        raise HttpError(404, _("No such glossary term."))
    return _term_out(term, language, site_base_url(request))
