"""Full-text search of published projects, one interface over two engines.

SQLite (the embedded default) keeps an FTS5 table, PostgreSQL a `tsvector` column with a GIN
index; both are created by migration 0002 and named `projects_search`, one row per published
project (rowid / `project_id` = the project's id).

Neither engine's own language processing is used: text is normalised here, in Python, the same
way for the index and for queries (see `terms`), so both databases find the same projects and a
query is built only from our own tokens — user text never reaches MATCH or `to_tsquery`.
Each word is indexed with its variants: the word folded (no accents, no case), its French and
English Snowball stems, and a light plural form. A query word matches if any of its variants is
in a document; all query words must match; the last one also matches as a prefix, so that the
catalogue finds results while the visitor is still typing.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer
from django.db import connection
from django.utils import translation
from django.utils.html import strip_tags

from smartregion.territory.names import fold

TABLE = "projects_search"
MAX_QUERY_CHARS = 500
MAX_QUERY_WORDS = 12
MAX_WORD_CHARS = 40
# Weights of the title, summary and other text in SQLite's bm25 (PostgreSQL: setweight A, B, C).
BM25_WEIGHTS = (10.0, 4.0, 1.0)

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


@lru_cache(maxsize=50_000)
def variants(word: str) -> tuple[str, ...]:
    """The index terms of one word (already case-folded), without duplicates, folded first."""
    folded = fold(word).replace(" ", "")
    if not folded:
        return ()
    found = [
        folded,
        fold(_fr.stemWord(word)),
        fold(_fr.stemWord(folded)),
        fold(_en.stemWord(folded)),
    ]
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


@dataclass(frozen=True)
class ParsedQuery:
    """One group of alternative terms per query word; the last group matches as prefixes."""

    groups: tuple[tuple[str, ...], ...]

    def fts5(self) -> str:
        parts = []
        for position, group in enumerate(self.groups):
            star = "*" if position == len(self.groups) - 1 else ""
            parts.append("(" + " OR ".join(f'"{term}"{star}' for term in group) + ")")
        return " AND ".join(parts)

    def tsquery(self) -> str:
        parts = []
        for position, group in enumerate(self.groups):
            star = ":*" if position == len(self.groups) - 1 else ""
            parts.append("(" + " | ".join(f"{term}{star}" for term in group) + ")")
        return " & ".join(parts)


def parse_query(query: str) -> ParsedQuery | None:
    """The query's word groups, or None when nothing searchable is left."""
    found = [
        word[:MAX_WORD_CHARS] for word in words((query or "")[:MAX_QUERY_CHARS]) if len(word) > 1
    ]
    meaningful = [word for word in found if fold(word) not in STOPWORDS]
    groups = [variants(word) for word in (meaningful or found)[:MAX_QUERY_WORDS]]
    groups = [group for group in groups if group]
    return ParsedQuery(tuple(groups)) if groups else None


def _published(ids: list[int]):  # -> QuerySet[Project]
    from .models import Project

    return (
        Project.objects.filter(pk__in=ids, state=Project.State.PUBLISHED)
        .select_related("lead")
        .prefetch_related("municipalities", "partners", "indicators", "fundings")
    )


def _document(project) -> tuple[str, str, str]:  # noqa: ANN001 - a Project with prefetches
    """Title, summary and other text of a project, as index terms."""
    title = f"{project.title_fr} {project.title_en}"
    summary = f"{project.summary_fr} {project.summary_en}"
    other = [
        plain_text(project.description_fr),
        plain_text(project.description_en),
        plain_text(project.lessons_fr),
        plain_text(project.lessons_en),
    ]
    for municipality in project.municipalities.all():
        other.extend(name for name in municipality.names.values() if name)
    if project.lead:
        other.append(project.lead.name)
    other.extend(partner.name for partner in project.partners.all())
    for indicator in project.indicators.all():
        other.extend([indicator.name_fr, indicator.name_en])
    for funding in project.fundings.all():
        other.append(funding.label)
        for language in ("fr", "en"):
            with translation.override(language):
                other.append(str(funding.get_source_display()))
    return terms(title), terms(summary), terms(" ".join(other))


def _insert(rows: list[tuple[int, str, str, str]]) -> None:
    if not rows:
        return
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.executemany(
                f"INSERT INTO {TABLE} (rowid, title, summary, body) VALUES (%s, %s, %s, %s)",  # noqa: S608
                rows,
            )
        else:
            cursor.executemany(
                f"INSERT INTO {TABLE} (project_id, document) VALUES (%s, "  # noqa: S608
                "setweight(to_tsvector('simple', %s), 'A') || "
                "setweight(to_tsvector('simple', %s), 'B') || "
                "setweight(to_tsvector('simple', %s), 'C'))",
                rows,
            )


def project_unindex(project_id: int) -> None:
    """Remove one project from the index."""
    column = "rowid" if connection.vendor == "sqlite" else "project_id"
    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE {column} = %s", [project_id])  # noqa: S608


def project_index(project_id: int) -> None:
    """(Re)index one project: published projects are searchable, others are removed."""
    project_unindex(project_id)
    _insert([(project.pk, *_document(project)) for project in _published([project_id])])


def project_reindex_all(*, batch_size: int = 500) -> int:
    """Rebuild the whole index; returns how many projects are searchable."""
    from .models import Project

    with connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608
    ids = list(
        Project.objects.filter(state=Project.State.PUBLISHED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for start in range(0, len(ids), batch_size):
        batch = _published(ids[start : start + batch_size])
        _insert([(project.pk, *_document(project)) for project in batch])
    return len(ids)


_SQLITE_SEARCH = f"""
    SELECT s.rowid FROM {TABLE} AS s JOIN projects_project AS p ON p.id = s.rowid
    WHERE {TABLE} MATCH %s AND p.state = 'published'
    ORDER BY bm25({TABLE}, {", ".join(map(str, BM25_WEIGHTS))}),
        p.first_published_at DESC, p.id DESC
"""  # noqa: S608 - constants only; the query text is a parameter

_POSTGRES_SEARCH = f"""
    SELECT s.project_id FROM {TABLE} AS s JOIN projects_project AS p ON p.id = s.project_id,
        to_tsquery('simple', %s) AS query
    WHERE s.document @@ query AND p.state = 'published'
    ORDER BY ts_rank_cd(s.document, query) DESC, p.first_published_at DESC, p.id DESC
"""  # noqa: S608 - constants only; the query text is a parameter


_SQLITE_MATCHES = f"""
    SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s
    ORDER BY bm25({TABLE}, {", ".join(map(str, BM25_WEIGHTS))}), rowid DESC
"""  # noqa: S608 - constants only; the query text is a parameter

_POSTGRES_MATCHES = f"""
    SELECT project_id FROM {TABLE}, to_tsquery('simple', %s) AS query
    WHERE document @@ query ORDER BY ts_rank_cd(document, query) DESC, project_id DESC
"""  # noqa: S608 - constants only; the query text is a parameter


def _run(parsed: ParsedQuery, *, sqlite: str, postgres: str) -> list[int]:
    if connection.vendor == "sqlite":
        sql, expression = sqlite, parsed.fts5()
    else:
        sql, expression = postgres, parsed.tsquery()
    with connection.cursor() as cursor:
        cursor.execute(sql, [expression])
        return [row[0] for row in cursor.fetchall()]


def project_search(query: str) -> list[int]:
    """Ids of published projects matching `query`, best match first."""
    parsed = parse_query(query)
    if parsed is None:
        return []
    # The join drops index rows of projects withdrawn or deleted since they were indexed.
    return _run(parsed, sqlite=_SQLITE_SEARCH, postgres=_POSTGRES_SEARCH)


def project_search_indexed(parsed: ParsedQuery) -> list[int]:
    """Ids in the index matching `parsed`, best first (ties: latest id first).

    Cheaper than `project_search` on broad queries (no join with the projects table), but it
    may return projects withdrawn or deleted since they were indexed: for callers that keep
    only the ids of projects they know to be published (the catalogue).
    """
    return _run(parsed, sqlite=_SQLITE_MATCHES, postgres=_POSTGRES_MATCHES)
