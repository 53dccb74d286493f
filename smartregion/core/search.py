"""Full-text search, one engine over two databases, for the site search and the catalogue.

Text is normalised here, in Python, the same way for the index and for queries (`terms`), so
SQLite (FTS5) and PostgreSQL (`tsvector` with a GIN index) find the same rows and a query is
built only from our own tokens — user text never reaches MATCH or `to_tsquery`. Each word is
indexed with its variants, all computed from the word folded (no accents, no case) so that
`mobilité`, `mobilite` and `Mobilités` share them: the folded word, its French and English
Snowball stems, and a light plural form. A query word matches if any of its variants is in a
document; all query words must match; the last word also matches as a prefix (the folded word
only, not its stems), so that results come while the visitor is typing.

Ranking is ours too, not bm25 nor ts_rank: each query word scores the weights of the fields it
matches (`FIELD_WEIGHTS`: title, summary, body), plus `NAME_WEIGHT` when the query words name in
full one of the document's facet values (a theme, in any site language), summed over words, in
integers; ties go to the newest publication, then the highest id. Both engines compute the same
integers, so they give the same order.

An index (`FullTextIndex`) is a table of three weighted fields keyed by an integer: the projects
catalogue keeps its own (`projects_search`), and the site search keeps `core_search`, one row
per `SearchDocument`. Documents come from providers listed in `SMARTREGION_SEARCH_PROVIDERS`
(dotted paths to `SearchProvider` objects): each yields the documents of one kind (a resource, a
project, a commune…) and keeps them in sync by calling `documents_index(kind, ids)` when its
objects change (from its services or signals). Core knows no kind: a document carries its
facet values, the route of its page and what the results list shows, per language.
"""

from __future__ import annotations

import datetime as dt
import html
import re
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Protocol

import snowballstemmer
from django.conf import settings
from django.db import connection, transaction
from django.urls import NoReverseMatch, reverse
from django.utils.html import escape, strip_tags
from django.utils.module_loading import import_string
from django.utils.safestring import SafeString, mark_safe

from .text import fold

MAX_QUERY_CHARS = 500
MAX_QUERY_WORDS = 12
MAX_WORD_CHARS = 40
# Fields of an index (FTS5 columns; PostgreSQL weight labels) and the score of a query word
# found in each: a word in the title outweighs one in the summary, which outweighs one only in
# the body (4 > 2 + 1).
FIELDS = (("title", "A"), ("summary", "B"), ("body", "C"))
FIELD_WEIGHTS = (4, 2, 1)
# Added for each query word that helps name one of the document's facet values (a theme): the
# classification is a surer sign than a word in the summary, so a document of the theme (2 + 3)
# comes before one that only has the word in its title (4).
NAME_WEIGHT = 3

# Words too common to narrow a search; a query made only of them still searches them.
_STOPWORDS_TEXT = """
    a au aux avec ce ces dans de des du elle en et est il ils la le les leur leurs lui mais me
    meme mes mon ne nos notre nous on ou par pas pour qu que qui sa se ses son sur ta te tes toi
    ton tu un une vos votre vous y
    an and are as at be by for from has have in is it its of on or our that the their this to
    was we were will with
"""
STOPWORDS = frozenset(_STOPWORDS_TEXT.split())

_fr = snowballstemmer.stemmer("french")
_en = snowballstemmer.stemmer("english")
_WORD = re.compile(r"\w+", re.UNICODE)


# --- Text -------------------------------------------------------------------------------------


@lru_cache(maxsize=50_000)
def variants(word: str) -> tuple[str, ...]:
    """The index terms of one word (already case-folded), without duplicates, folded first.

    Stems are taken of the folded word only: the French stemmer cuts `mobilité` to `mobil` but
    `mobilite` to `mobilit`, so stemming the accented form would make accents matter.
    """
    folded = fold(word).replace(" ", "")
    if not folded:
        return ()
    found = [folded, fold(_fr.stemWord(folded)), fold(_en.stemWord(folded))]
    # French plurals the Snowball stemmer keeps (vélos, travaux): their singular form too.
    if len(folded) > 3 and folded[-1] in "sx":
        found.append(folded[:-1])
    return tuple(dict.fromkeys(term.replace(" ", "") for term in found if term))


def words(text: str) -> list[str]:
    """Case-folded words of `text`; apostrophes and hyphens separate words."""
    return _WORD.findall(text.casefold().replace("_", " "))


def terms(text: str) -> str:
    """The text to index: every word's variants, separated by spaces."""
    return " ".join(term for word in words(text) for term in variants(word))


def plain_text(value: str) -> str:
    """Rich text (sanitised HTML) as plain words."""
    return html.unescape(strip_tags(value or ""))


# --- Queries ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ParsedQuery:
    """One group of alternative terms per query word (the folded word first).

    The folded word of the last group also matches as a prefix.
    """

    groups: tuple[tuple[str, ...], ...]

    def _is_last(self, position: int) -> bool:
        return position == len(self.groups) - 1

    def fts5_word(self, position: int, field: str | None = None) -> str:
        """FTS5 expression of one word, in every field or in `field` only."""
        group = self.groups[position]
        star = "*" if self._is_last(position) else ""
        alternatives = [f'"{group[0]}"{star}', *(f'"{term}"' for term in group[1:])]
        expression = "(" + " OR ".join(alternatives) + ")"
        return f"{{{field}}} : {expression}" if field else expression

    def tsquery_word(self, position: int, label: str = "") -> str:
        """tsquery of one word, in every field or in the field of weight `label` only."""
        group = self.groups[position]
        star = "*" if self._is_last(position) else ""
        first = f"{group[0]}:{star}{label}" if star or label else group[0]
        rest = [f"{term}:{label}" if label else term for term in group[1:]]
        return "(" + " | ".join([first, *rest]) + ")"

    def fts5(self) -> str:
        return " AND ".join(self.fts5_word(position) for position in range(len(self.groups)))

    def tsquery(self) -> str:
        return " & ".join(self.tsquery_word(position) for position in range(len(self.groups)))

    def score_parts(self, vendor: str) -> list[tuple[str, int]]:
        """(expression, weight) for every query word in every field."""
        parts = []
        for position in range(len(self.groups)):
            for (field_name, label), weight in zip(FIELDS, FIELD_WEIGHTS, strict=True):
                if vendor == "sqlite":
                    parts.append((self.fts5_word(position, field_name), weight))
                else:
                    parts.append((self.tsquery_word(position, label), weight))
        return parts

    def matches_word(self, word: str) -> bool:
        """Whether one word of a text is matched by the query (for highlighting)."""
        found = variants(word)
        if not found:
            return False
        last = len(self.groups) - 1
        return any(
            set(found) & set(group) or (position == last and found[0].startswith(group[0]))
            for position, group in enumerate(self.groups)
        )


def parse_query(query: str) -> ParsedQuery | None:
    """The query's word groups, or None when nothing searchable is left."""
    found = [
        word[:MAX_WORD_CHARS] for word in words((query or "")[:MAX_QUERY_CHARS]) if len(word) > 1
    ]
    meaningful = [word for word in found if fold(word) not in STOPWORDS]
    groups = [variants(word) for word in (meaningful or found)[:MAX_QUERY_WORDS]]
    groups = [group for group in groups if group]
    return ParsedQuery(tuple(groups)) if groups else None


@lru_cache(maxsize=256)
def _name_words(name: str) -> tuple[tuple[str, ...], ...]:
    """The variants of each meaningful word of a name."""
    found = [variants(word) for word in words(name) if fold(word) not in STOPWORDS]
    return tuple(group for group in found if group)


def _covers(parsed: ParsedQuery, name: str) -> set[int] | None:
    """Positions of the query words that spell out every word of `name`, or None."""
    used = set()
    last = len(parsed.groups) - 1
    for name_group in _name_words(name):
        position = next(
            (
                position
                for position, group in enumerate(parsed.groups)
                if set(group) & set(name_group)
                or (position == last and name_group[0].startswith(group[0]))
            ),
            None,
        )
        if position is None:
            return None
        used.add(position)
    return used or None


def name_matches(parsed: ParsedQuery, names: dict[str, Sequence[str]]) -> list[frozenset[str]]:
    """For each query word, the codes whose name (any of `names[code]`) it helps spell in full.

    `mobilité` names the mobility theme; `inclusion numérique` names digital inclusion, but
    `numérique` alone does not (it is only part of that name).
    """
    found: list[set[str]] = [set() for _group in parsed.groups]
    for code, code_names in names.items():
        for name in code_names:
            for position in _covers(parsed, name) or ():
                found[position].add(code)
    return [frozenset(codes) for codes in found]


def name_bonus(codes: Iterable[str], matches: list[frozenset[str]]) -> int:
    """The naming part of a score: `NAME_WEIGHT` per query word naming one of `codes`."""
    codes = set(codes)
    return NAME_WEIGHT * sum(1 for found in matches if found & codes)


# --- An index table ---------------------------------------------------------------------------


@dataclass(frozen=True)
class FullTextIndex:
    """A table of three weighted fields keyed by an integer (the FTS5 rowid on SQLite)."""

    table: str
    key: str  # the key column on PostgreSQL

    def key_column(self) -> str:
        return "rowid" if connection.vendor == "sqlite" else self.key

    def insert(self, rows: Sequence[tuple[int, str, str, str]]) -> None:
        """Add (key, title terms, summary terms, body terms) rows."""
        if not rows:
            return
        with connection.cursor() as cursor:
            if connection.vendor == "sqlite":
                cursor.executemany(
                    f"INSERT INTO {self.table} (rowid, title, summary, body) "  # noqa: S608
                    "VALUES (%s, %s, %s, %s)",
                    rows,
                )
            else:
                cursor.executemany(
                    f"INSERT INTO {self.table} ({self.key}, document) VALUES (%s, "  # noqa: S608
                    "setweight(to_tsvector('simple', %s), 'A') || "
                    "setweight(to_tsvector('simple', %s), 'B') || "
                    "setweight(to_tsvector('simple', %s), 'C'))",
                    rows,
                )

    def delete(self, keys: Sequence[int] | None = None) -> None:
        """Remove the rows of `keys`, or every row."""
        with connection.cursor() as cursor:
            if keys is None:
                cursor.execute(f"DELETE FROM {self.table}")  # noqa: S608
                return
            for start in range(0, len(keys), 500):
                chunk = list(keys[start : start + 500])
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    f"DELETE FROM {self.table} WHERE {self.key_column()} IN ({marks})",  # noqa: S608
                    chunk,
                )

    def score(self, parsed: ParsedQuery, alias: str = "s") -> tuple[str, list[str]]:
        """SQL of the score (an integer) of the row `alias`, and its parameters."""
        if connection.vendor == "sqlite":
            case = (
                f"CASE WHEN {alias}.rowid IN (SELECT rowid FROM {self.table} "  # noqa: S608
                f"WHERE {self.table} MATCH %s) THEN {{weight}} ELSE 0 END"
            )
            parts = parsed.score_parts("sqlite")
        else:
            case = (
                f"CASE WHEN {alias}.document @@ to_tsquery('simple', %s) THEN {{weight}} ELSE 0 END"
            )
            parts = parsed.score_parts("postgresql")
        sql = " + ".join(case.format(weight=weight) for _expression, weight in parts)
        return f"({sql})", [expression for expression, _weight in parts]

    def match(self, parsed: ParsedQuery, alias: str = "s") -> tuple[str, str]:
        """SQL condition that the row `alias` matches every query word, and its parameter."""
        if connection.vendor == "sqlite":
            return f"{alias}.{self.table} MATCH %s", parsed.fts5()
        return f"{alias}.document @@ to_tsquery('simple', %s)", parsed.tsquery()

    def run(self, parsed: ParsedQuery, sql: str, extra: Sequence[object] = ()) -> list[tuple]:
        """Run `sql`, whose `{score}`, `{match}` and `{key}` stand for this index's parts.

        The parameters are the score's, then the match's, then `extra`.
        """
        score, params = self.score(parsed)
        match, expression = self.match(parsed)
        statement = (
            sql.replace("{score}", score)
            .replace("{match}", match)
            .replace("{key}", f"s.{self.key_column()}")
        )
        with connection.cursor() as cursor:
            cursor.execute(statement, [*params, expression, *extra])
            return cursor.fetchall()


def nulls_last() -> str:
    """What PostgreSQL needs to sort NULL dates last in a descending order (SQLite does it)."""
    return "" if connection.vendor == "sqlite" else " NULLS LAST"


# --- The site search: documents and providers -------------------------------------------------

SITE_INDEX = FullTextIndex(table="core_search", key="document_id")


@dataclass
class Document:
    """One searchable thing, as a provider describes it.

    `title`, `summary` and `body` are the text to index, in every language the object has (a
    visitor may search in any); `display` holds what a result shows, per language
    (`{"fr": {"title": …, "text": …}, "en": {…}}`, French required); `facets` are `name:value`
    strings (`theme:mobility`); the page is `reverse(url_name, kwargs=url_kwargs)`.
    """

    kind: str
    object_id: int
    title: str
    summary: str
    body: str
    display: dict[str, dict[str, str]]
    url_name: str
    url_kwargs: dict[str, str] = field(default_factory=dict)
    facets: tuple[str, ...] = ()
    published_at: dt.datetime | None = None


class SearchProvider(Protocol):
    """What `SMARTREGION_SEARCH_PROVIDERS` lists: the documents of one kind.

    `documents(None)` yields every document of the kind (a full rebuild); `documents(ids)` those
    of the given objects that should be searchable (an object not yielded leaves the index).
    `names()` gives, per facet value, the names a query may call it by (for `name_matches`).
    The provider keeps its kind in sync by calling `documents_index(kind, ids)` when objects
    change: from its services, or from signals its app connects in `ready`.
    """

    kind: str
    label: str  # the group's heading (lazy translation)

    def documents(self, ids: Sequence[int] | None) -> Iterable[Document]: ...

    def names(self) -> dict[str, Sequence[str]]: ...


@lru_cache(maxsize=8)
def _providers(paths: tuple[str, ...]) -> dict[str, SearchProvider]:
    found = (import_string(path) for path in paths)
    return {provider.kind: provider for provider in found}


def search_providers() -> dict[str, SearchProvider]:
    """The registered providers by kind, in the order of the setting (the page's groups)."""
    return _providers(tuple(settings.SMARTREGION_SEARCH_PROVIDERS))


def _insert(documents: Iterable[Document], batch_size: int = 500) -> int:
    """Store documents in batches: their rows (the database gives their ids), then their words."""
    count, batch = 0, []
    for document in documents:
        batch.append(document)
        if len(batch) == batch_size:
            count += _insert_batch(batch)
            batch = []
    return count + (_insert_batch(batch) if batch else 0)


def _insert_batch(documents: list[Document]) -> int:
    from .models import SearchDisplay, SearchDocument

    rows = SearchDocument.objects.bulk_create(
        SearchDocument(
            kind=document.kind,
            object_id=document.object_id,
            facets=" ".join(document.facets),
            url_name=document.url_name,
            url_kwargs=document.url_kwargs,
            published_at=document.published_at,
        )
        for document in documents
    )
    SearchDisplay.objects.bulk_create(
        SearchDisplay(document=row, display=document.display)
        for row, document in zip(rows, documents, strict=True)
    )
    keys = [row.pk for row in rows]
    SITE_INDEX.delete(keys)  # rows left by a flushed table may hold these ids
    SITE_INDEX.insert(
        [
            (key, terms(document.title), terms(document.summary), terms(document.body))
            for key, document in zip(keys, documents, strict=True)
        ]
    )
    return len(rows)


@transaction.atomic
def documents_index(kind: str, ids: Sequence[int]) -> None:
    """(Re)index objects of one kind: what the provider yields is searchable, the rest leaves."""
    from .models import SearchDocument

    provider = search_providers().get(kind)
    if provider is None:  # a kind not registered on this site
        return
    stale = SearchDocument.objects.filter(kind=kind, object_id__in=list(ids))
    SITE_INDEX.delete(list(stale.values_list("pk", flat=True)))
    stale.delete()
    if ids:
        _insert(provider.documents(list(ids)))


@transaction.atomic
def documents_reindex(kind: str | None = None) -> dict[str, int]:
    """Rebuild the index of one kind, or of every registered kind; returns counts by kind."""
    from .models import SearchDocument

    counts = {}
    for provider_kind, provider in search_providers().items():
        if kind is not None and provider_kind != kind:
            continue
        rows = SearchDocument.objects.filter(kind=provider_kind)
        SITE_INDEX.delete(list(rows.values_list("pk", flat=True)))
        rows.delete()
        counts[provider_kind] = _insert(provider.documents(None))
    return counts


# --- The site search: searching ---------------------------------------------------------------

_SITE_SEARCH = """
    SELECT d.id, d.kind, {score} AS score, d.facets
    FROM core_search AS s JOIN core_searchdocument AS d ON d.id = {key}
    WHERE {match}
    ORDER BY score DESC, d.published_at DESC{nulls}, d.id DESC
"""


@dataclass(frozen=True)
class Hit:
    document_id: int
    kind: str
    score: int
    facets: frozenset[str]


@dataclass
class SearchResults:
    """Every match, ranked, with facet counts; `groups` maps a kind to its hits in order."""

    parsed: ParsedQuery | None
    groups: dict[str, list[Hit]]
    facet_counts: dict[str, Counter]  # facet name -> value -> matches

    @property
    def total(self) -> int:
        return sum(len(hits) for hits in self.groups.values())


def site_search(
    query: str, *, facets: Iterable[str] = (), kinds: Iterable[str] = ()
) -> SearchResults:
    """Ranked matches of `query` grouped by kind (providers' order), in one SQL query.

    Only documents having every facet of `facets` count; counts are of the documents matching
    the query and the facets chosen, so a count is the number of results its link gives.
    """
    providers = search_providers()
    wanted = set(kinds) or set(providers)
    parsed = parse_query(query)
    groups: dict[str, list[Hit]] = {kind: [] for kind in providers if kind in wanted}
    counts: dict[str, Counter] = {}
    if parsed is None:
        return SearchResults(parsed, groups, counts)
    chosen = set(facets)
    rows = SITE_INDEX.run(parsed, _SITE_SEARCH.replace("{nulls}", nulls_last()))
    matches = name_matches(parsed, _names(providers))
    named = frozenset().union(*matches)  # facet values some query word names
    every_facet: list[str] = []  # of every kept match, counted once at the end
    for document_id, kind, score, facet_text in rows:
        hit_facets = frozenset(facet_text.split())
        if kind not in groups or not chosen <= hit_facets:
            continue
        bonus = name_bonus(hit_facets, matches) if named & hit_facets else 0
        groups[kind].append(Hit(document_id, kind, score + bonus, hit_facets))
        every_facet.extend(hit_facets)
    for facet, count in Counter(every_facet).items():
        name, _sep, value = facet.partition(":")
        counts.setdefault(name, Counter())[value] = count
    for hits in groups.values():
        hits.sort(key=lambda hit: -hit.score)  # stable: ties keep the database's order
    return SearchResults(parsed, groups, counts)


def _names(providers: dict[str, SearchProvider]) -> dict[str, Sequence[str]]:
    merged: dict[str, Sequence[str]] = {}
    for provider in providers.values():
        merged.update(provider.names())
    return merged


# --- The site search: showing -----------------------------------------------------------------

EXCERPT_CHARS = 200
# Ends of blocks and line breaks: a space in plain text, so paragraphs do not run together.
_BLOCK_END = re.compile(r"</(?:p|li|h[1-6]|div|td|th|blockquote)>|<br\s*/?>", re.IGNORECASE)


@dataclass(frozen=True)
class Result:
    kind: str
    title: str
    excerpt: SafeString
    url: str
    language: str  # of the text shown (the page's, or French when not translated)


def results_show(hits: Sequence[Hit], parsed: ParsedQuery | None, *, language: str) -> list[Result]:
    """What the page lists for `hits`, in their order, in one query."""
    from .models import SearchDocument

    if not hits:
        return []
    rows = SearchDocument.objects.select_related("shown").in_bulk([hit.document_id for hit in hits])
    shown = []
    for hit in hits:
        row = rows.get(hit.document_id)
        if row is None:
            continue
        texts = row.shown.display
        text_language = language if texts.get(language, {}).get("title") else "fr"
        display = texts.get(text_language, {})
        shown.append(
            Result(
                kind=row.kind,
                title=display.get("title", ""),
                excerpt=highlight(excerpt(display.get("text", ""), parsed), parsed),
                url=document_url(row.url_name, row.url_kwargs),
                language=text_language,
            )
        )
    return shown


def document_url(url_name: str, url_kwargs: dict) -> str:
    """The document's page; a route not (yet) installed on this site gives no link."""
    try:
        return reverse(url_name, kwargs=url_kwargs)
    except NoReverseMatch:
        return ""


def excerpt(text: str, parsed: ParsedQuery | None, size: int = EXCERPT_CHARS) -> str:
    """About `size` characters of `text` around its first matched word (the start otherwise)."""
    text = " ".join(text.split())
    if len(text) <= size:
        return text
    start = 0
    if parsed is not None:
        first = next((m for m in _WORD.finditer(text) if parsed.matches_word(m.group())), None)
        if first is not None and first.start() > size // 3:
            start = text.rfind(" ", 0, first.start() - size // 3) + 1
    end = text.rfind(" ", start, start + size)
    end = end if end > start else start + size
    return ("… " if start else "") + text[start:end] + (" …" if end < len(text) else "")


def highlight(text: str, parsed: ParsedQuery | None) -> SafeString:
    """`text` escaped, its words matched by the query in `<mark>`."""
    if parsed is None:
        return mark_safe(escape(text))  # noqa: S308 - escaped
    parts, position = [], 0
    for found in _WORD.finditer(text):
        if parsed.matches_word(found.group()):
            parts.append(escape(text[position : found.start()]))
            parts.append(f"<mark>{escape(found.group())}</mark>")
            position = found.end()
    parts.append(escape(text[position:]))
    return mark_safe("".join(parts))  # noqa: S308 - every piece escaped


def display_text(*values: str) -> str:
    """Plain text for a result's excerpt, from several (rich) texts."""
    texts = (plain_text(_BLOCK_END.sub(" ", value)) for value in values if value)
    return " ".join(" ".join(text.split()) for text in texts)[:4000]
