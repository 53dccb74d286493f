"""The glossary: each published term linked on its first occurrence in a resource's text.

`link_terms(html, language)` walks already-sanitised HTML with the standard library's HTML parser
(no regular expression ever sees a tag): only text nodes are searched, and text inside a link,
a heading, code, preformatted text, a button or a script is left alone. Tags, attributes and
comments are written back as they came; text is escaped again.

Which words match, and why:
- a term's label and its synonyms in the page's language, the French ones where that language
  has none (French is the source and always complete);
- whole words only (`\\w` is Unicode-aware, so "donnée" is not found inside "données"),
  case-insensitively, any run of white space between the words of a phrase;
- one alternation sorted longest first, so at one position "open data portal" wins over
  "open data"; a phrase already linked is skipped, with the words it spans (a second "open data"
  does not link the "data" inside it).

The phrase list of each language is kept in the shared cache under the platform's data version
(`core.pagecache`), which a signal bumps whenever a term is saved, deleted or its related terms
change (`connect_signals`, called from the app's `ready`). Reading the version costs no query
while the cache holds it, so a page that renders Markdown runs the same queries whatever the
glossary's size; the database is read once per language after each change.
"""

from __future__ import annotations

import html as html_lib
import re
from dataclasses import dataclass
from functools import lru_cache
from html.parser import HTMLParser
from typing import Any

from django.core.cache import cache
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.urls import reverse
from django.utils import translation

from smartregion.core.pagecache import data_version, data_version_bump

from .models import SOURCE_LANGUAGE, GlossaryTerm

# Text inside these elements is never linked: links (no link in a link), headings (a heading
# is a landmark, not prose), code and its kin (literal text), interactive and raw elements.
SKIPPED_ELEMENTS = frozenset(
    {"a", "h1", "h2", "h3", "h4", "h5", "h6", "code", "pre", "kbd", "samp", "var", "button",
     "label", "script", "style", "textarea", "select", "option", "svg", "math", "title"}
)  # fmt: skip
LINK_CLASS = "glossary-term"
CACHE_TTL = 24 * 3600


@dataclass(frozen=True)
class Phrases:
    """What one language's text is searched for: a pattern and, per casefolded phrase, the
    term's (slug, address)."""

    pattern: str
    targets: dict[str, tuple[str, str]]


def _key(phrase: str) -> str:
    # `lower`, not `casefold`: the key of a match must equal the key of the phrase it matched,
    # and re.IGNORECASE folds case one character at a time ("ß" stays "ß").
    return " ".join(phrase.lower().split())


def _trie_pattern(keys: list[str]) -> str:
    """One regular expression for all `keys`, factored by common prefixes so that the engine
    branches on each character instead of trying every phrase at every position (ten times
    faster with hundreds of phrases). At each node the longer continuations come first and the
    end of a shorter phrase last, so the longest phrase that fits wins."""
    trie: dict = {}
    for key in keys:
        node = trie
        for char in key:
            node = node.setdefault(char, {})
        node[""] = {}
    return _node_pattern(trie)


def _node_pattern(node: dict) -> str:
    ends = "" in node
    branches = [
        (r"\s+" if char == " " else re.escape(char)) + _node_pattern(child)
        for char, child in sorted(node.items())
        if char
    ]
    if not branches:
        return ""
    body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
    if ends:
        return f"(?:{body})?"
    return body


def phrases_build(entries: list[tuple[str, str, list[str]]]) -> Phrases:
    """From (slug, address, phrases) triples, the pattern and its targets. A phrase two terms
    share goes to the first (terms come ordered by slug, so the choice is stable)."""
    targets: dict[str, tuple[str, str]] = {}
    for slug, url, words in entries:
        for phrase in words:
            key = _key(phrase)
            if key and key not in targets:
                targets[key] = (slug, url)
    if not targets:
        return Phrases("", {})
    return Phrases(rf"(?<!\w){_trie_pattern(sorted(targets))}(?!\w)", targets)


def term_phrases(term: GlossaryTerm, language: str) -> list[str]:
    """The label and synonyms a term is found by in `language`, French ones where it has none."""
    label = getattr(term, f"label_{language}", "") or term.label_fr
    synonyms = term.synonym_list(language) or term.synonym_list(SOURCE_LANGUAGE)
    return [label, *synonyms]


def _term_url(slug: str, language: str) -> str:
    with translation.override(language):
        return reverse("knowledge:term", kwargs={"slug": slug})


def _phrases_load(language: str) -> Phrases:
    terms = GlossaryTerm.objects.filter(is_published=True).order_by("slug")
    return phrases_build(
        [
            (term.slug, _term_url(term.slug, language), term_phrases(term, language))
            for term in terms
        ]
    )


def phrases_for(language: str) -> Phrases:
    """The language's phrases, from the shared cache (one query when the glossary changed)."""
    key = f"knowledge:glossary-phrases:{language}:{data_version()}"
    phrases = cache.get(key)
    if phrases is None:
        phrases = _phrases_load(language)
        cache.set(key, phrases, CACHE_TTL)
    return phrases


@lru_cache(maxsize=32)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern, re.IGNORECASE)


class _Linker(HTMLParser):
    """Copies HTML through, linking the first occurrence of each phrase in ordinary text."""

    def __init__(self, phrases: Phrases, skip_slug: str | None) -> None:
        super().__init__(convert_charrefs=True)
        self.regex = _compiled(phrases.pattern)
        self.targets = phrases.targets
        self.linked: set[str] = {skip_slug} if skip_slug else set()
        self.slugs = {slug for slug, _url in self.targets.values()}
        self.out: list[str] = []
        self.skipping: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self.get_starttag_text() or "")
        if tag in SKIPPED_ELEMENTS:
            self.skipping.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.out.append(self.get_starttag_text() or "")

    def handle_endtag(self, tag: str) -> None:
        self.out.append(f"</{tag}>")
        if tag in self.skipping:
            while self.skipping and self.skipping.pop() != tag:
                pass

    def handle_data(self, data: str) -> None:
        if self.cdata_elem is not None:  # script or style: raw
            self.out.append(data)
        elif self.skipping or self.linked >= self.slugs:
            self.out.append(html_lib.escape(data, quote=False))
        else:
            self.out.append(self._link(data))

    def _link(self, text: str) -> str:
        parts: list[str] = []
        position = 0
        for match in self.regex.finditer(text):
            slug, url = self.targets[_key(match.group())]
            if slug in self.linked:
                continue
            self.linked.add(slug)
            parts.append(html_lib.escape(text[position : match.start()], quote=False))
            word = html_lib.escape(match.group(), quote=False)
            parts.append(f'<a class="{LINK_CLASS}" href="{html_lib.escape(url)}">{word}</a>')
            position = match.end()
        parts.append(html_lib.escape(text[position:], quote=False))
        return "".join(parts)

    def handle_comment(self, data: str) -> None:
        self.out.append(f"<!--{data}-->")

    def handle_decl(self, decl: str) -> None:
        self.out.append(f"<!{decl}>")

    def handle_pi(self, data: str) -> None:
        self.out.append(f"<?{data}>")

    def unknown_decl(self, data: str) -> None:
        self.out.append(f"<![{data}]>")


def link_phrases(html: str, phrases: Phrases, *, skip_slug: str | None = None) -> str:
    """Link the first occurrence of each of `phrases` in `html` (pure: no database)."""
    if not phrases.targets or not html:
        return html
    linker = _Linker(phrases, skip_slug)
    linker.feed(html)
    linker.close()
    return "".join(linker.out)


def link_terms(html: str, language: str, *, skip_slug: str | None = None) -> str:
    """Link each published glossary term's first occurrence in `html` (already sanitised) to
    its entry in `language`; `skip_slug` leaves one term out (its own page)."""
    return link_phrases(html, phrases_for(language), skip_slug=skip_slug)


def _glossary_changed(sender: Any, **kwargs: Any) -> None:
    # Cached phrases, the glossary pages and the SKOS files all follow the data version.
    data_version_bump()


def connect_signals() -> None:
    """Bump the data version whenever a term changes (called from KnowledgeConfig.ready)."""
    uid = "knowledge.glossary"
    post_save.connect(_glossary_changed, sender=GlossaryTerm, dispatch_uid=f"{uid}.save")
    post_delete.connect(_glossary_changed, sender=GlossaryTerm, dispatch_uid=f"{uid}.delete")
    m2m_changed.connect(
        _glossary_changed, sender=GlossaryTerm.related.through, dispatch_uid=f"{uid}.related"
    )
