"""Knowledge in the site search (see core/search.py): listed resources and published glossary
terms, in every language they are written in.

Kept in sync by knowledge/signals.py (connected in apps.py `ready`): every save or deletion of a
resource or term reindexes it, so a resource archived, sent back to draft or deleted leaves the
index, and one published enters it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from smartregion.core.search import Document, display_text
from smartregion.projects.search import theme_names

from .models import GlossaryTerm, Kind, Resource, Theme

RESOURCE = "resource"
TERM = "term"
# The maturity instrument's domains (instruments/smartregion-maturity/2026.yaml), as facets.
DOMAINS = {
    "gov": _("Governance and policy"),
    "org": _("Organisation and human resources"),
    "plan": _("Planning and implementation"),
    "eval": _("Monitoring and evaluation"),
    "data": _("Data and technologies"),
    "innov": _("Innovation"),
    "sust": _("Sustainability and resilience"),
}
_MARKUP = re.compile(r"!?\[([^\]]*)\]\([^)]*\)|[#*_`>|~]+")


def facet_labels() -> dict[str, tuple[str, dict[str, str]]]:
    """The facets of the search page: name -> (heading, {value: label}), in display order."""
    return {
        "theme": (_("Theme"), dict(Theme.choices)),
        "domain": (_("Maturity domain"), dict(DOMAINS)),
        "kind": (_("Kind of resource"), dict(Kind.choices)),
    }


def _languages() -> list[str]:
    return [code for code, _name in settings.LANGUAGES]


def _markdown_text(text: str) -> str:
    """Markdown as plain words (links keep their text)."""
    return _MARKUP.sub(lambda found: found.group(1) or " ", text or "")


def _theme_facets() -> dict[str, Sequence[str]]:
    return {f"theme:{code}": names for code, names in theme_names().items()}


class Resources:
    """Resources in a listed state (published, needs review)."""

    kind = RESOURCE
    label = _("Resources")

    def documents(self, ids: Sequence[int] | None) -> Iterable[Document]:
        rows = Resource.objects.filter(state__in=Resource.LISTED_STATES).order_by("pk")
        if ids is not None:
            rows = rows.filter(pk__in=list(ids))
        for resource in rows:
            yield _resource_document(resource)

    def names(self) -> dict[str, Sequence[str]]:
        return _theme_facets()


def _resource_document(resource: Resource) -> Document:
    languages = _languages()
    field = lambda name: [getattr(resource, f"{name}_{code}") or "" for code in languages]  # noqa: E731
    display = {}
    for code in languages:
        title = getattr(resource, f"title_{code}") or ""
        if title:
            summary = getattr(resource, f"summary_{code}") or ""
            body = _markdown_text(getattr(resource, f"body_{code}") or "")
            display[code] = {"title": title, "text": display_text(summary, body)}
    facets = [f"theme:{code}" for code in resource.themes]
    facets += [f"domain:{code}" for code in resource.domains]
    facets.append(f"kind:{resource.kind}")
    return Document(
        kind=RESOURCE,
        object_id=resource.pk,
        title=" ".join(field("title")),
        summary=" ".join(field("summary")),
        body=" ".join(_markdown_text(text) for text in field("body") + field("checklist")),
        display=display,
        url_name="knowledge:resource",
        url_kwargs={"slug": resource.slug},
        facets=tuple(facets),
        published_at=resource.first_published_at,
    )


class Glossary:
    """Published glossary terms: label, synonyms, definition."""

    kind = TERM
    label = _("Glossary")

    def documents(self, ids: Sequence[int] | None) -> Iterable[Document]:
        rows = GlossaryTerm.objects.filter(is_published=True).order_by("pk")
        if ids is not None:
            rows = rows.filter(pk__in=list(ids))
        for term in rows:
            yield _term_document(term)

    def names(self) -> dict[str, Sequence[str]]:
        return _theme_facets()


def _term_document(term: GlossaryTerm) -> Document:
    languages = _languages()
    display = {}
    for code in languages:
        label = getattr(term, f"label_{code}") or ""
        if label:
            definition = getattr(term, f"definition_{code}") or ""
            synonyms = ", ".join(term.synonym_list(code))
            text = f"{synonyms} — {definition}" if synonyms else definition
            display[code] = {"title": label, "text": display_text(_markdown_text(text))}
    return Document(
        kind=TERM,
        object_id=term.pk,
        title=" ".join(getattr(term, f"label_{code}") or "" for code in languages),
        summary=" ".join(getattr(term, f"synonyms_{code}") or "" for code in languages),
        body=" ".join(
            _markdown_text(getattr(term, f"definition_{code}") or "") for code in languages
        ),
        display=display,
        url_name="knowledge:term",
        url_kwargs={"slug": term.slug},
        facets=tuple(f"theme:{code}" for code in term.themes),
        published_at=None,
    )


resources = Resources()
glossary = Glossary()
