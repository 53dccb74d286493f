"""Full-text search of published projects, one interface over two engines.

SQLite (the embedded default) keeps an FTS5 table, PostgreSQL a `tsvector` column with a GIN
index; both are created by migration 0002 and named `projects_search`, one row per published
project (rowid / `project_id` = the project's id), with three fields: the title; the summary,
themes and communes (what the project is about and where); everything else (description,
lessons, actors, indicators, fundings).

Neither engine's own language processing is used: text is normalised here, in Python, the same
way for the index and for queries (see `terms`), so both databases find the same projects and a
query is built only from our own tokens — user text never reaches MATCH or `to_tsquery`.
Each word is indexed with its variants, all computed from the word folded (no accents, no case)
so that `mobilité`, `mobilite` and `Mobilités` share them: the folded word, its French and
English Snowball stems, and a light plural form. A query word matches if any of its variants is
in a document; all query words must match; the last word also matches as a prefix (the folded
word only, not its stems), so that the catalogue finds results while the visitor is typing.

Ranking is ours too, not bm25 nor ts_rank: each query word scores the weights of the fields it
matches (`FIELD_WEIGHTS`), plus `THEME_WEIGHT` when it names one of the project's themes,
summed over words, in integers; ties go to the newest publication, then the highest id. Both
engines compute the same integers, so they give the same order.
"""

from __future__ import annotations

import html
import json
import re
from dataclasses import dataclass
from functools import lru_cache

import snowballstemmer
from django.conf import settings
from django.db import connection
from django.utils import translation
from django.utils.html import strip_tags

from smartregion.territory.names import fold

TABLE = "projects_search"
MAX_QUERY_CHARS = 500
MAX_QUERY_WORDS = 12
MAX_WORD_CHARS = 40
# Fields of the index (FTS5 columns; PostgreSQL weight labels) and the score of a query word
# found in each: a word in the title outweighs one in the summary, themes or communes, which
# outweighs one only in the description (4 > 2 + 1).
FIELDS = (("title", "A"), ("summary", "B"), ("body", "C"))
FIELD_WEIGHTS = (4, 2, 1)
# Added for a query word that names one of the project's themes (in any site language): the
# themes are the catalogue's own classification, a surer sign than a word in the summary, so a
# project of the theme (2 + 3) comes before one that only has the word in its title (4).
THEME_WEIGHT = 3

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
            for (field, label), weight in zip(FIELDS, FIELD_WEIGHTS, strict=True):
                if vendor == "sqlite":
                    parts.append((self.fts5_word(position, field), weight))
                else:
                    parts.append((self.tsquery_word(position, label), weight))
        return parts


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


@lru_cache(maxsize=64)
def _theme_names(code: str) -> tuple[str, ...]:
    """A theme's names in every site language, and its code, so any of them finds it."""
    from .models import Theme

    if code not in Theme.values:
        return ()
    names = [code.replace("_", " ")]
    for language, _name in settings.LANGUAGES:
        with translation.override(language):
            names.append(str(Theme(code).label))
    return tuple(dict.fromkeys(names))


@lru_cache(maxsize=256)
def _name_words(name: str) -> tuple[tuple[str, ...], ...]:
    """The variants of each meaningful word of a theme name."""
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


def theme_matches(parsed: ParsedQuery) -> list[frozenset[str]]:
    """For each query word, the themes it helps name in full (in some site language).

    `mobilité` names the mobility theme; `inclusion numérique` names digital inclusion, but
    `numérique` alone does not (it is only part of that name).
    """
    from .models import Theme

    found: list[set[str]] = [set() for _group in parsed.groups]
    for code in Theme.values:
        for name in _theme_names(code):
            for position in _covers(parsed, name) or ():
                found[position].add(code)
    return [frozenset(codes) for codes in found]


def theme_bonus(themes: list[str], matches: list[frozenset[str]]) -> int:
    """The theme part of a project's score (see `theme_matches`)."""
    return THEME_WEIGHT * sum(1 for codes in matches if codes.intersection(themes))


def _document(project) -> tuple[str, str, str]:  # noqa: ANN001 - a Project with prefetches
    """Title; summary, themes and communes; other text of a project, as index terms."""
    title = f"{project.title_fr} {project.title_en}"
    about = [project.summary_fr, project.summary_en]
    about.extend(name for code in project.themes for name in _theme_names(code))
    for municipality in project.municipalities.all():
        about.extend(municipality.search_names)
    other = [
        plain_text(project.description_fr),
        plain_text(project.description_en),
        plain_text(project.lessons_fr),
        plain_text(project.lessons_en),
    ]
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
    return terms(title), terms(" ".join(about)), terms(" ".join(other))


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


def _score(parsed: ParsedQuery, vendor: str) -> tuple[str, list[str]]:
    """SQL of the score (an integer) and its parameters."""
    if vendor == "sqlite":
        case = (
            f"CASE WHEN s.rowid IN (SELECT rowid FROM {TABLE} WHERE {TABLE} MATCH %s) "  # noqa: S608
            "THEN {weight} ELSE 0 END"
        )
    else:
        case = "CASE WHEN s.document @@ to_tsquery('simple', %s) THEN {weight} ELSE 0 END"
    parts = parsed.score_parts(vendor)
    sql = " + ".join(case.format(weight=weight) for _expression, weight in parts)
    return f"({sql})", [expression for expression, _weight in parts]


# Constants only below; the query text is always a parameter.
_SQLITE_SEARCH = f"""
    SELECT s.rowid, {{score}} AS score, p.themes
    FROM {TABLE} AS s JOIN projects_project AS p ON p.id = s.rowid
    WHERE s.{TABLE} MATCH %s AND p.state = 'published'
    ORDER BY score DESC, p.first_published_at DESC, p.id DESC
"""  # noqa: S608
_POSTGRES_SEARCH = f"""
    SELECT s.project_id, {{score}} AS score, p.themes
    FROM {TABLE} AS s JOIN projects_project AS p ON p.id = s.project_id
    WHERE s.document @@ to_tsquery('simple', %s) AND p.state = 'published'
    ORDER BY score DESC, p.first_published_at DESC NULLS LAST, p.id DESC
"""  # noqa: S608
_SQLITE_MATCHES = f"""
    SELECT s.rowid, {{score}} AS score FROM {TABLE} AS s WHERE s.{TABLE} MATCH %s
    ORDER BY score DESC, s.rowid DESC
"""  # noqa: S608
_POSTGRES_MATCHES = f"""
    SELECT s.project_id, {{score}} AS score FROM {TABLE} AS s
    WHERE s.document @@ to_tsquery('simple', %s) ORDER BY score DESC, s.project_id DESC
"""  # noqa: S608


def _run(parsed: ParsedQuery, *, sqlite: str, postgres: str) -> list[tuple]:
    vendor = connection.vendor
    if vendor == "sqlite":
        sql, expression = sqlite, parsed.fts5()
    else:
        sql, expression = postgres, parsed.tsquery()
    score, params = _score(parsed, "sqlite" if vendor == "sqlite" else "postgresql")
    with connection.cursor() as cursor:
        cursor.execute(sql.replace("{score}", score), [*params, expression])
        return cursor.fetchall()


def project_search(query: str) -> list[int]:
    """Ids of published projects matching `query`, best match first."""
    parsed = parse_query(query)
    if parsed is None:
        return []
    # The join drops index rows of projects withdrawn or deleted since they were indexed.
    rows = _run(parsed, sqlite=_SQLITE_SEARCH, postgres=_POSTGRES_SEARCH)
    matches = theme_matches(parsed)
    scored = []
    for pk, score, themes in rows:  # in the database's order: the tie-break
        if isinstance(themes, str):  # SQLite gives JSON as text, PostgreSQL decoded
            themes = json.loads(themes)
        scored.append((-(score + theme_bonus(themes, matches)), pk))
    scored.sort(key=lambda row: row[0])  # stable: ties keep the newest first
    return [pk for _score, pk in scored]


def project_search_indexed(parsed: ParsedQuery) -> list[tuple[int, int]]:
    """(id, score) of the projects in the index matching `parsed`, best first (ties: highest id).

    The score leaves out the theme part: the caller adds `theme_bonus` from themes it knows.

    Cheaper than `project_search` on broad queries (no join with the projects table), but it
    may return projects withdrawn or deleted since they were indexed: for callers that keep
    only the ids of projects they know to be published (the catalogue).
    """
    rows = _run(parsed, sqlite=_SQLITE_MATCHES, postgres=_POSTGRES_MATCHES)
    return [(row[0], row[1]) for row in rows]
