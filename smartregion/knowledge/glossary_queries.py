"""Reads of the glossary: the A–Z index, one term's page, the published terms for files and API.

The glossary is small (hundreds of terms): the index loads every published term in one query
and sorts and filters in Python, so the page runs the same queries whatever the filter. Sorting
ignores case and accents ("Écologie" files under E).
"""

from __future__ import annotations

import unicodedata
from dataclasses import dataclass, field

from django.db.models import Prefetch, Q, QuerySet

from .glossary import term_phrases
from .models import SOURCE_LANGUAGE, GlossaryTerm, Resource

OTHER_LETTERS = "#"
RESOURCES_ON_TERM_PAGE = 20


def fold(text: str) -> str:
    """Lower case without accents, for sorting and filtering."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def label_in(term: GlossaryTerm, language: str) -> tuple[str, str]:
    """The term's label in `language`, else the French one, with the language it is in."""
    label = getattr(term, f"label_{language}", "")
    return (label, language) if label else (term.label_fr, SOURCE_LANGUAGE)


def definition_in(term: GlossaryTerm, language: str) -> tuple[str, str]:
    text = getattr(term, f"definition_{language}", "")
    return (text, language) if text else (term.definition_fr, SOURCE_LANGUAGE)


def letter_of(label: str) -> str:
    first = fold(label.strip())[:1].upper()
    return first if "A" <= first <= "Z" else OTHER_LETTERS


@dataclass(frozen=True)
class IndexEntry:
    term: GlossaryTerm
    label: str
    label_lang: str
    definition: str
    definition_lang: str


@dataclass
class LetterGroup:
    letter: str
    entries: list[IndexEntry] = field(default_factory=list)


def published_terms() -> QuerySet[GlossaryTerm]:
    return GlossaryTerm.objects.filter(is_published=True).order_by("slug")


def _matches(term: GlossaryTerm, needle: str, language: str) -> bool:
    texts = [term.label_fr, getattr(term, f"label_{language}", ""), term.synonyms_fr]
    texts.append(getattr(term, f"synonyms_{language}", ""))
    return any(needle in fold(text or "") for text in texts)


def glossary_index(language: str, query: str = "") -> list[LetterGroup]:
    """Published terms grouped by first letter of their label in `language` (one query);
    `query` keeps those whose label or a synonym contains it (case and accents ignored)."""
    needle = fold(query.strip())
    entries = []
    for term in published_terms():
        if needle and not _matches(term, needle, language):
            continue
        label, label_lang = label_in(term, language)
        definition, definition_lang = definition_in(term, language)
        entries.append(IndexEntry(term, label, label_lang, definition, definition_lang))
    entries.sort(key=lambda entry: (fold(entry.label), entry.term.slug))
    groups: dict[str, LetterGroup] = {}
    for entry in entries:
        letter = letter_of(entry.label)
        groups.setdefault(letter, LetterGroup(letter)).entries.append(entry)
    return sorted(groups.values(), key=lambda group: (group.letter == OTHER_LETTERS, group.letter))


def term_for_page(slug: str) -> GlossaryTerm | None:
    """A published term with its published related terms (two queries)."""
    related = Prefetch("related", queryset=published_terms(), to_attr="published_related")
    return published_terms().filter(slug=slug).prefetch_related(related).first()


def resources_using(term: GlossaryTerm, language: str) -> list[Resource]:
    """Listed resources whose text names the term by its label or a synonym: the text in
    `language` searched for that language's words, a resource without that text searched in
    French for the French words, as `link_terms` would link them (one query)."""
    found = Q()
    for phrase in filter(None, term_phrases(term, language)):
        found |= Q(**{f"body_{language}__icontains": phrase})
    if language != SOURCE_LANGUAGE:
        untranslated = Q(**{f"body_{language}": ""}) | Q(**{f"body_{language}__isnull": True})
        for phrase in filter(None, term_phrases(term, SOURCE_LANGUAGE)):
            found |= untranslated & Q(body_fr__icontains=phrase)
    listed = Resource.objects.filter(state__in=Resource.LISTED_STATES)
    return list(listed.filter(found).order_by("title_fr")[:RESOURCES_ON_TERM_PAGE])
