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

The engine (normalisation, query parsing, scores, the index table) is core/search.py's, shared
with the site search; this module says what a project's document is. The site search gets
projects from `site_projects` (registered in `SMARTREGION_SEARCH_PROVIDERS`), kept in sync by
the same calls that keep `projects_search` in sync.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from functools import lru_cache

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from smartregion.core.search import (  # noqa: F401 - the catalogue and tests import them here
    MAX_QUERY_CHARS,
    MAX_QUERY_WORDS,
    MAX_WORD_CHARS,
    NAME_WEIGHT,
    STOPWORDS,
    Document,
    FullTextIndex,
    ParsedQuery,
    display_text,
    documents_index,
    documents_reindex,
    name_bonus,
    name_matches,
    nulls_last,
    parse_query,
    plain_text,
    terms,
    variants,
    words,
)

TABLE = "projects_search"
INDEX = FullTextIndex(table=TABLE, key="project_id")
THEME_WEIGHT = NAME_WEIGHT


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


def theme_matches(parsed: ParsedQuery) -> list[frozenset[str]]:
    """For each query word, the themes it helps name in full (in some site language).

    `mobilité` names the mobility theme; `inclusion numérique` names digital inclusion, but
    `numérique` alone does not (it is only part of that name).
    """
    return name_matches(parsed, theme_names())


def theme_bonus(themes: list[str], matches: list[frozenset[str]]) -> int:
    """The theme part of a project's score (see `theme_matches`)."""
    return name_bonus(themes, matches)


@lru_cache(maxsize=1)
def theme_names() -> dict[str, tuple[str, ...]]:
    """Every theme's names in every site language, by code."""
    from .models import Theme

    return {code: _theme_names(code) for code in Theme.values}


def _document(project) -> tuple[str, str, str]:  # noqa: ANN001 - a Project with prefetches
    """Title; summary, themes and communes; other text of a project, as index terms."""
    return tuple(terms(text) for text in _texts(project))  # type: ignore[return-value]


def _texts(project) -> tuple[str, str, str]:  # noqa: ANN001 - a Project with prefetches
    """Title; summary, themes and communes; other text of a project."""
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
    return title, " ".join(about), " ".join(other)


def project_unindex(project_id: int) -> None:
    """Remove one project from the index (and from the site search)."""
    INDEX.delete([project_id])
    documents_index(SITE_KIND, [project_id])


def project_index(project_id: int) -> None:
    """(Re)index one project: published projects are searchable, others are removed."""
    INDEX.delete([project_id])
    INDEX.insert([(project.pk, *_document(project)) for project in _published([project_id])])
    documents_index(SITE_KIND, [project_id])


def project_reindex_all(*, batch_size: int = 500) -> int:
    """Rebuild the whole index (and the site search's projects); returns how many are searchable."""
    INDEX.delete()
    ids = _published_ids()
    for start in range(0, len(ids), batch_size):
        batch = _published(ids[start : start + batch_size])
        INDEX.insert([(project.pk, *_document(project)) for project in batch])
    documents_reindex(SITE_KIND)
    return len(ids)


def _published_ids() -> list[int]:
    from .models import Project

    return list(
        Project.objects.filter(state=Project.State.PUBLISHED)
        .order_by("pk")
        .values_list("pk", flat=True)
    )


# Constants only below; the query text is always a parameter.
_SEARCH = """
    SELECT {key}, {score} AS score, p.themes
    FROM projects_search AS s JOIN projects_project AS p ON p.id = {key}
    WHERE {match} AND p.state = 'published'
    ORDER BY score DESC, p.first_published_at DESC{nulls}, p.id DESC
"""
_MATCHES = """
    SELECT {key}, {score} AS score FROM projects_search AS s WHERE {match}
    ORDER BY score DESC, {key} DESC
"""


def project_search(query: str) -> list[int]:
    """Ids of published projects matching `query`, best match first."""
    parsed = parse_query(query)
    if parsed is None:
        return []
    # The join drops index rows of projects withdrawn or deleted since they were indexed.
    rows = INDEX.run(parsed, _SEARCH.replace("{nulls}", nulls_last()))
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
    rows = INDEX.run(parsed, _MATCHES)
    return [(row[0], row[1]) for row in rows]


# --- The site search's projects (see core/search.py) ------------------------------------------

SITE_KIND = "project"


class SiteProjects:
    """Published projects in the site search; `project_index` and friends keep them in sync."""

    kind = SITE_KIND
    label = _("Projects")

    def documents(self, ids: Sequence[int] | None) -> Iterable[Document]:
        ids = _published_ids() if ids is None else list(ids)
        for start in range(0, len(ids), 500):
            for project in _published(ids[start : start + 500]):
                yield _site_document(project)

    def names(self) -> dict[str, Sequence[str]]:
        return {f"theme:{code}": names for code, names in theme_names().items()}


def _site_document(project) -> Document:  # noqa: ANN001 - a Project with prefetches
    title, about, other = _texts(project)
    display = {"fr": {"title": project.title_fr, "text": _site_text(project, "fr")}}
    if project.title_en:
        display["en"] = {"title": project.title_en, "text": _site_text(project, "en")}
    return Document(
        kind=SITE_KIND,
        object_id=project.pk,
        title=title,
        summary=about,
        body=other,
        display=display,
        url_name="projects:detail",
        url_kwargs={"slug": project.slug},
        facets=tuple(f"theme:{code}" for code in project.themes),
        published_at=project.first_published_at,
    )


def _site_text(project, language: str) -> str:  # noqa: ANN001
    summary = getattr(project, f"summary_{language}") or project.summary_fr
    description = getattr(project, f"description_{language}") or project.description_fr
    return display_text(summary, description)


site_projects = SiteProjects()
