"""The glossary pages (A–Z index, one term) and its open-data files."""

from __future__ import annotations

import string

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import escape
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _

from smartregion.core.addresses import site_base_url
from smartregion.core.i18n import active_language

from .. import opendata, skos
from ..glossary import link_terms
from ..glossary_queries import (
    OTHER_LETTERS,
    definition_in,
    glossary_index,
    label_in,
    resources_using,
    term_for_page,
)
from ..models import SOURCE_LANGUAGE

LANGUAGE_NAMES = {"fr": "Français", "en": "English", "de": "Deutsch", "nl": "Nederlands"}
MAX_QUERY = 100


def glossary(request: HttpRequest) -> HttpResponse:
    """Every published term A–Z in the page's language; `q` filters (works without JS)."""
    language = active_language()
    query = request.GET.get("q", "")[:MAX_QUERY].strip()
    groups = glossary_index(language, query)
    present = {group.letter for group in groups}
    letters = [(letter, letter in present) for letter in [*string.ascii_uppercase, OTHER_LETTERS]]
    context = {
        "groups": groups,
        "letters": letters,
        "query": query,
        "count": sum(len(group.entries) for group in groups),
        "language": language,
    }
    return render(request, "knowledge/glossary.html", context)


def _definition_html(text: str) -> str:
    paragraphs = [line.strip() for line in text.split("\n\n") if line.strip()]
    return "".join(f"<p>{escape(paragraph)}</p>" for paragraph in paragraphs)


def term(request: HttpRequest, slug: str) -> HttpResponse:
    language = active_language()
    found = term_for_page(slug)
    if found is None:
        raise Http404(_("No published glossary term has this address."))
    label, label_lang = label_in(found, language)
    definition, definition_lang = definition_in(found, language)
    linked = link_terms(_definition_html(definition), definition_lang, skip_slug=found.slug)
    synonyms = found.synonym_list(language) or found.synonym_list(SOURCE_LANGUAGE)
    synonyms_lang = language if found.synonym_list(language) else SOURCE_LANGUAGE
    others = [
        {"code": code, "name": name, "label": label_other}
        for code, name in LANGUAGE_NAMES.items()
        if code != language and (label_other := getattr(found, f"label_{code}", None))
    ]
    related = [
        {
            "slug": other.slug,
            "label": label_in(other, language)[0],
            "lang": label_in(other, language)[1],
        }
        for other in found.published_related
    ]
    resources = [
        {
            "title": getattr(r, f"title_{language}", "") or r.title_fr,
            "lang": language if getattr(r, f"title_{language}", "") else SOURCE_LANGUAGE,
            "url": opendata.resource_url(r.slug, "", language),
        }
        for r in resources_using(found, language)
    ]
    context = {
        "term": found,
        "label": label,
        "label_lang": label_lang,
        "definition": mark_safe(linked),  # noqa: S308 — escaped above, links built by link_terms
        "definition_lang": definition_lang,
        "synonyms": synonyms,
        "synonyms_lang": synonyms_lang,
        "others": others,
        "related": related,
        "sources": [line.strip() for line in found.sources.splitlines() if line.strip()],
        "resources": resources,
        "language": language,
    }
    return render(request, "knowledge/term.html", context)


def _file_response(content: bytes, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    response["Cache-Control"] = "public, max-age=300"
    response["Access-Control-Allow-Origin"] = "*"  # open data: any site may load it
    return response


def glossary_file(request: HttpRequest, fmt: str) -> HttpResponse:
    """The SKOS concept scheme of the published terms, as Turtle or JSON-LD."""
    built = skos.glossary_file(fmt, base_url=site_base_url(request))
    return _file_response(built.content, skos.FORMATS[fmt][1], f"glossary.{fmt}")


def resources_file(request: HttpRequest, fmt: str) -> HttpResponse:
    """The listed resources as CSV or JSON."""
    built = opendata.resources_file(fmt, base_url=site_base_url(request))
    return _file_response(built.content, opendata.RESOURCE_TYPES[fmt], f"resources.{fmt}")
