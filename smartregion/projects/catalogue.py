"""Reading the catalogue of published projects: filters, facets, sorting, pages, similar projects.

Counting facets with SQL for every request would cost one grouped query per facet over every
published project. Instead each process keeps a small in-memory index of the published projects
(their facet codes and sort keys) with one Python int per facet value used as a bitset: bit *i*
is set when the project at position *i* has that value. Filtering is `&` and `|` on ints,
counting is `int.bit_count()`. Positions follow the "newest first" order, so that order needs no
sorting. The index is rebuilt when the public data version changes (every service that changes
published data bumps it, see core/pagecache.py), so a page costs one search query (when there
is a text query), one query for the page's projects and their prefetches. Pages fetch their
projects only when asked (`CataloguePage.projects`), so a caller that has every card of the page
already rendered (views/public.py caches them) needs no project query at all.
"""

from __future__ import annotations

import hashlib
import heapq
import math
import threading
from collections import OrderedDict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any
from urllib.parse import urlencode

from django.core.cache import cache
from django.db.models import Count, Max, Prefetch, QuerySet
from django.utils.translation import gettext as _
from django.utils.translation import npgettext

from smartregion.core.pagecache import data_version
from smartregion.territory.models import Municipality, PopulationClass, Province
from smartregion.territory.names import fold, pick_name

from .models import FundingSource, Goal, Project, ProjectFunding, Theme
from .search import parse_query, project_search_indexed, theme_bonus, theme_matches

PAGE_SIZE = 20
MAX_PAGE = 10_000
SORTS = ("relevance", "newest", "title", "start")
FACETS = ("theme", "goal", "status", "province", "size", "funding")


# --- The query -------------------------------------------------------------------------------


@dataclass
class CatalogueQuery:
    """What the visitor asked for; values that made no sense are dropped and told in `errors`."""

    q: str = ""
    theme: list[str] = field(default_factory=list)
    goal: list[str] = field(default_factory=list)
    status: list[str] = field(default_factory=list)
    province: list[str] = field(default_factory=list)
    size: list[str] = field(default_factory=list)
    funding: list[str] = field(default_factory=list)
    commune: list[str] = field(default_factory=list)
    """REFNIS codes: projects involving any of these communes (a filter, not a facet)."""
    sort: str = ""
    page: int = 1
    errors: list[str] = field(default_factory=list)
    invalid: list[tuple[str, str]] = field(default_factory=list)
    """(parameter, value) of every value dropped, for callers that refuse rather than ignore."""

    @classmethod
    def from_params(cls, params: Mapping[str, Any]) -> CatalogueQuery:
        """Parse a QueryDict (or a dict of lists or strings)."""
        query = cls(q=" ".join(_values(params, "q")[:1]).strip()[:200])
        allowed = _allowed_codes()
        for name in FACETS:
            chosen = getattr(query, name)
            for value in _values(params, name):
                value = value.strip()
                if value in allowed[name]:
                    if value not in chosen:
                        chosen.append(value)
                elif value:
                    query.errors.append(_unknown_message(name, value))
                    query.invalid.append((name, value[:40]))
        known = _index().municipality_ids
        for value in _values(params, "commune"):
            value = value.strip()
            if value in known:
                if value not in query.commune:
                    query.commune.append(value)
            elif value:
                query.errors.append(_unknown_message("commune", value))
                query.invalid.append(("commune", value[:40]))
        sort = " ".join(_values(params, "sort")[:1]).strip()
        if sort in SORTS:
            query.sort = sort
        elif sort:
            query.errors.append(_("Unknown sort order “%(value)s”: ignored.") % {"value": sort})
            query.invalid.append(("sort", sort[:40]))
        page = " ".join(_values(params, "page")[:1]).strip()
        if page:
            if page.isdigit() and 0 < int(page) <= MAX_PAGE:
                query.page = int(page)
            else:
                query.errors.append(
                    _("Page “%(value)s” does not exist: page 1 shown.") % {"value": page[:20]}
                )
                query.invalid.append(("page", page[:20]))
        return query

    @property
    def effective_sort(self) -> str:
        """Relevance needs a text query; without one, or when none is asked, newest first."""
        if self.sort == "relevance" and not self.q:
            return "newest"
        return self.sort or ("relevance" if self.q else "newest")

    @property
    def is_filtered(self) -> bool:
        return bool(self.q or self.commune or any(getattr(self, name) for name in FACETS))

    def params(self, **changes: Any) -> list[tuple[str, str]]:
        """The query as (name, value) pairs, with `changes` applied; page 1 unless given."""
        values: dict[str, Any] = {
            "q": self.q,
            **{name: list(getattr(self, name)) for name in FACETS},
            "commune": list(self.commune),
            "sort": self.sort,
            "page": 1,
        }
        values.update(changes)
        pairs: list[tuple[str, str]] = []
        for name in ("q", *FACETS, "commune", "sort", "page"):
            value = values[name]
            if isinstance(value, list):
                pairs.extend((name, str(item)) for item in value)
            elif value and not (name == "page" and value == 1):
                pairs.append((name, str(value)))
        return pairs

    def querystring(self, **changes: Any) -> str:
        """`?…` for a link to this query with `changes` (e.g. `page=2`), or '' when empty."""
        encoded = urlencode(self.params(**changes))
        return f"?{encoded}" if encoded else "?"

    def toggled(self, name: str, code: str) -> str:
        """The querystring with one facet value added or removed (back to page 1)."""
        chosen = list(getattr(self, name))
        chosen = [value for value in chosen if value != code] if code in chosen else [*chosen, code]
        return self.querystring(**{name: chosen})


def _values(params: Mapping[str, Any], name: str) -> list[str]:
    if hasattr(params, "getlist"):
        return [str(value) for value in params.getlist(name)]
    value = params.get(name)
    if value is None:
        return []
    return [str(item) for item in value] if isinstance(value, list | tuple) else [str(value)]


def _unknown_message(name: str, value: str) -> str:
    # Whole sentences, so that translators can order and inflect them.
    messages = {
        "theme": _("Unknown theme “%(value)s”: ignored."),
        "goal": _("Unknown Sustainable Development Goal “%(value)s”: ignored."),
        "status": _("Unknown status “%(value)s”: ignored."),
        "province": _("Unknown province “%(value)s”: ignored."),
        "size": _("Unknown population class “%(value)s”: ignored."),
        "funding": _("Unknown funding source “%(value)s”: ignored."),
        "commune": _("Unknown commune code “%(value)s”: ignored."),
    }
    return messages[name] % {"value": value[:40]}


def _allowed_codes() -> dict[str, set[str]]:
    index = _index()
    return {
        "theme": set(Theme.values),
        "goal": {str(goal) for goal in Goal.values},
        "status": set(Project.Status.values),
        "province": set(index.province_names),
        "size": set(index.size_names),
        "funding": set(FundingSource.values),
    }


# --- The in-memory index ---------------------------------------------------------------------


@dataclass
class _Entry:
    id: int
    themes: frozenset[str]
    goals: frozenset[str]
    status: str
    provinces: frozenset[str]
    sizes: frozenset[str]
    fundings: frozenset[str]
    municipalities: frozenset[int]

    def codes(self, name: str) -> Iterable[str]:
        return {
            "theme": self.themes,
            "goal": self.goals,
            "status": (self.status,),
            "province": self.provinces,
            "size": self.sizes,
            "funding": self.fundings,
        }[name]


@dataclass
class _Index:
    version: int
    entries: list[_Entry]  # newest first: an entry's position is its bit
    position: dict[int, int]
    bits: dict[str, dict[str, int]]  # facet -> code -> bitset
    by_municipality: dict[int, int]
    orders: dict[str, list[int]]  # sort key -> positions in order ("newest" is implicit)
    ranks: dict[str, list[int]]  # sort key -> rank of each position in that order
    province_names: dict[str, dict[str, str]]  # refnis -> names by language
    municipality_ids: dict[str, int]  # refnis -> id, every commune (current and former)
    size_names: dict[str, dict[str, str]]  # code -> labels by language
    all_bits: int = 0
    fingerprint: tuple[Any, ...] = ()
    data_key: str = ""
    """Names this state of the published data (version and fingerprint) in cache keys."""
    searches: OrderedDict[tuple, tuple[int, list[int]]] = field(default_factory=OrderedDict)

    def mask_of(self, positions: Iterable[int]) -> int:
        flags = bytearray(b"0" * len(self.entries))
        for position in positions:
            flags[position] = ord("1")
        return int(flags[::-1].decode() or "0", 2)


_lock = threading.Lock()
_current: _Index | None = None
_BUILT_KEY = "projects:catalogue-index-built"


def _index() -> _Index:
    """The index for the current data version, built at most once per version and process.

    A marker in the cache says the index was built for this version. When the marker is gone
    (the cache was cleared, as tests do after rolling the database back, or a full cache evicted
    it), one query compares a fingerprint of the published projects before trusting the index.
    """
    global _current
    version = data_version()
    index = _current
    if index is not None and index.version == version:
        if cache.get(_BUILT_KEY) == version:
            return index
        if _fingerprint() == index.fingerprint:
            cache.set(_BUILT_KEY, version, timeout=None)
            return index
    with _lock:
        index = _build(version)
        _current = index
        cache.set(_BUILT_KEY, version, timeout=None)
    return index


def _fingerprint() -> tuple[Any, ...]:
    found = Project.objects.filter(state=Project.State.PUBLISHED).aggregate(
        count=Count("id"), last=Max("id"), changed=Max("updated_at")
    )
    return (found["count"], found["last"], found["changed"])


def catalogue_index_reset() -> None:
    """Forget the index (tests; after changes made without bumping the data version)."""
    global _current
    _current = None


def _build(version: int) -> _Index:
    fingerprint = _fingerprint()
    published = Project.objects.filter(state=Project.State.PUBLISHED)
    rows = list(
        published.order_by("-first_published_at", "-id").values_list(
            "id", "themes", "goals", "status", "title_fr", "title_en", "start_date"
        )
    )
    places: dict[int, list[tuple[int, str | None, str | None]]] = {}
    through = Project.municipalities.through.objects.filter(project__state=Project.State.PUBLISHED)
    for project_id, municipality_id, province, size in through.values_list(
        "project_id",
        "municipality_id",
        "municipality__province__refnis",
        "municipality__population_class__code",
    ):
        places.setdefault(project_id, []).append((municipality_id, province, size))
    fundings: dict[int, set[str]] = {}
    for project_id, source in ProjectFunding.objects.filter(
        project__state=Project.State.PUBLISHED
    ).values_list("project_id", "source"):
        fundings.setdefault(project_id, set()).add(source)

    entries = [
        _Entry(
            id=project_id,
            themes=frozenset(themes or ()),
            goals=frozenset(str(goal) for goal in goals or ()),
            status=status,
            provinces=frozenset(p for _m, p, _s in places.get(project_id, ()) if p),
            sizes=frozenset(s for _m, _p, s in places.get(project_id, ()) if s),
            fundings=frozenset(fundings.get(project_id, ())),
            municipalities=frozenset(m for m, _p, _s in places.get(project_id, ())),
        )
        for project_id, themes, goals, status, _tf, _te, _sd in rows
    ]
    bits: dict[str, dict[str, int]] = {name: {} for name in FACETS}
    by_municipality: dict[int, int] = {}
    for position, entry in enumerate(entries):
        bit = 1 << position
        for name in FACETS:
            facet = bits[name]
            for code in entry.codes(name):
                facet[code] = facet.get(code, 0) | bit
        for municipality_id in entry.municipalities:
            by_municipality[municipality_id] = by_municipality.get(municipality_id, 0) | bit

    def title_order(language: str) -> list[int]:
        keys = [
            fold((title_en if language == "en" else "") or title_fr)
            for _id, _t, _g, _s, title_fr, title_en, _sd in rows
        ]
        return sorted(range(len(rows)), key=lambda position: (keys[position], position))

    # Latest start first; projects without a start date last (ties stay newest first).
    dated = [(row[6].toordinal() if row[6] else None) for row in rows]
    start = sorted(range(len(rows)), key=lambda p: (dated[p] is None, -(dated[p] or 0), p))
    orders = {"title:fr": title_order("fr"), "title:en": title_order("en"), "start": start}
    return _Index(
        version=version,
        entries=entries,
        position={entry.id: position for position, entry in enumerate(entries)},
        bits=bits,
        by_municipality=by_municipality,
        orders=orders,
        ranks={key: _ranks(order) for key, order in orders.items()},
        province_names={province.refnis: province.names for province in Province.objects.all()},
        municipality_ids=dict(Municipality.objects.order_by().values_list("refnis", "id")),
        size_names=_size_names(),
        all_bits=(1 << len(entries)) - 1,
        fingerprint=fingerprint,
        data_key=_data_key(version, fingerprint),
    )


def _ranks(order: list[int]) -> list[int]:
    ranks = [0] * len(order)
    for rank, position in enumerate(order):
        ranks[position] = rank
    return ranks


def _data_key(version: int, fingerprint: tuple[Any, ...]) -> str:
    """The data version alone would do in production; the fingerprint also tells apart databases
    that reuse version numbers and project ids, such as tests rolled back one after another."""
    digest = hashlib.sha256(repr(fingerprint).encode()).hexdigest()[:12]
    return f"{version}.{digest}"


def _size_names() -> dict[str, dict[str, str]]:
    names: dict[str, dict[str, str]] = {}
    # Regions share codes for the same bands; the first region's labels stand for all.
    for size in PopulationClass.objects.order_by("min_population", "region_id"):
        names.setdefault(
            size.code,
            {"fr": size.label_fr, "en": size.label_en, "de": size.label_de, "nl": size.label_nl},
        )
    return names


# --- The page --------------------------------------------------------------------------------


@dataclass
class FacetValue:
    code: str
    label: str
    count: int
    selected: bool
    count_text: str = ""
    """"project" or "projects" for `count`, translated here once rather than in the template."""


@dataclass
class Facet:
    name: str
    label: str
    values: list[FacetValue]

    @property
    def selected(self) -> list[FacetValue]:
        return [value for value in self.values if value.selected]


@dataclass
class CataloguePage:
    project_ids: list[int]
    """The page's projects, in order."""
    total: int
    page: int
    pages: int
    page_size: int
    facets: list[Facet]
    query: CatalogueQuery
    data_key: str = ""
    """The published data these results come from, for caching what is drawn from them."""

    @cached_property
    def projects(self) -> list[Project]:
        """The page's projects with what a card shows, fetched on first use (two queries)."""
        return card_projects(self.project_ids)

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def first_number(self) -> int:
        """1-based rank of the page's first project (0 when there is none)."""
        return (self.page - 1) * self.page_size + 1 if self.total else 0

    @property
    def last_number(self) -> int:
        return min(self.page * self.page_size, self.total)


def card_queryset() -> QuerySet[Project]:
    """Projects with what a result card shows: communes with their province, lead organisation.

    Long texts (descriptions, lessons) are not loaded: cards show the summary.
    """
    return (
        Project.objects.select_related("lead", "owner_municipality")
        .defer("description_fr", "description_en", "lessons_fr", "lessons_en")
        .prefetch_related(
            Prefetch(
                "municipalities",
                queryset=Municipality.objects.select_related("province", "population_class"),
            )
        )
    )


def card_projects(ids: list[int], *, queryset: QuerySet[Project] | None = None) -> list[Project]:
    """The projects of `ids`, in that order, with a constant number of queries."""
    if not ids:
        return []
    queryset = card_queryset() if queryset is None else queryset
    found = {project.pk: project for project in queryset.filter(pk__in=ids)}
    return [found[pk] for pk in ids if pk in found]


def drawn_card_projects(ids: list[int]) -> list[Project]:
    """The projects of `ids` with exactly what the catalogue's result card shows, in two queries.

    Half the cost of `card_queryset` for a page of cards: no province, population class or
    owner, and no columns the card does not print. A field the card starts to show must be
    added here (the catalogue's query-count test would see one query per card otherwise).
    """
    names = ("id", "name_fr", "name_nl", "name_de", "name_en")
    queryset = (
        Project.objects.select_related("lead")
        .only(*CARD_FIELDS, "lead__name")
        .prefetch_related(Prefetch("municipalities", queryset=Municipality.objects.only(*names)))
    )
    return card_projects(ids, queryset=queryset)


CARD_FIELDS = (
    "id",
    "slug",
    "title_fr",
    "title_en",
    "summary_fr",
    "summary_en",
    "status",
    "is_demo",
    "themes",
)


def catalogue_page(
    query: CatalogueQuery, *, language: str, page_size: int = PAGE_SIZE
) -> CataloguePage:
    """One page of published projects matching `query`, with disjunctive facet counts."""
    index = _index()
    matched = index.all_bits
    ranking: list[int] | None = None
    if query.q:
        matched, ranking = _search(index, query.q)
    if query.commune:
        # Like the text search, the commune filter narrows what every facet counts.
        communes = 0
        for refnis in query.commune:
            communes |= index.by_municipality.get(index.municipality_ids[refnis], 0)
        matched &= communes
    selected = {name: _facet_mask(index, name, getattr(query, name)) for name in FACETS}
    result = matched
    for mask in selected.values():
        if mask is not None:
            result &= mask

    total = result.bit_count()
    pages = max(1, math.ceil(total / page_size))
    page = min(query.page, pages)
    positions = _ordered(index, result, query.effective_sort, language, ranking, page * page_size)
    chosen = positions[(page - 1) * page_size : page * page_size]
    return CataloguePage(
        project_ids=[index.entries[position].id for position in chosen],
        total=total,
        page=page,
        pages=pages,
        page_size=page_size,
        facets=_facets(index, query, matched, selected, language),
        query=query,
        data_key=index.data_key,
    )


SEARCH_CACHE_SIZE = 200


def _search(index: _Index, text: str) -> tuple[int, list[int]]:
    """Bitset and ranked positions of the projects matching `text`.

    Kept per index (so per data version) for the most recent queries: paging through results
    or clicking facets repeats the same text search, and ranking thousands of matches is the
    most expensive step of a page.
    """
    parsed = parse_query(text)
    if parsed is None:
        return 0, []
    key = parsed.groups
    found = index.searches.get(key)
    if found is not None:
        index.searches.move_to_end(key)
        return found
    position = index.position
    matches = theme_matches(parsed)
    entries = index.entries
    scored = [
        (-(score + theme_bonus(entries[position[pk]].themes, matches)), position[pk])
        for pk, score in project_search_indexed(parsed)
        if pk in position
    ]
    # Equal scores: the catalogue's own order (newest first), whatever the database.
    ranking = [place for _score, place in sorted(scored)]
    found = (index.mask_of(ranking), ranking)
    index.searches[key] = found
    if len(index.searches) > SEARCH_CACHE_SIZE:
        index.searches.popitem(last=False)
    return found


def _facet_mask(index: _Index, name: str, codes: list[str]) -> int | None:
    """Projects having any of `codes` in facet `name` (None: the facet does not filter)."""
    if not codes:
        return None
    mask = 0
    for code in codes:
        mask |= index.bits[name].get(code, 0)
    return mask


def _ordered(
    index: _Index, mask: int, sort: str, language: str, ranking: list[int] | None, limit: int
) -> list[int]:
    """Positions of the first `limit` projects in `mask`, in the requested order.

    A page needs only the projects up to its end. Few matches are sorted by their rank in the
    order; many are found by walking the order until the page is full, which stops early
    because most positions match.
    """
    flags = bin(mask)[:1:-1]  # flags[i] == "1" when bit i is set
    size = len(flags)
    if sort == "relevance" and ranking is not None:
        order: list[int] = ranking
    elif sort in ("title", "start"):
        key = "start" if sort == "start" else "title:en" if language == "en" else "title:fr"
        if mask.bit_count() <= SORT_FEW:
            rank = index.ranks[key]
            return sorted(_first_set(flags, size), key=rank.__getitem__)[:limit]
        order = index.orders[key]
    else:
        return _first_set(flags, limit)
    found: list[int] = []
    for position in order:
        if position < size and flags[position] == "1":
            found.append(position)
            if len(found) >= limit:
                break
    return found


SORT_FEW = 500


def _first_set(flags: str, limit: int) -> list[int]:
    """Positions of the first `limit` "1" in `flags` (newest first is position order)."""
    found: list[int] = []
    position = flags.find("1")
    while position != -1 and len(found) < limit:
        found.append(position)
        position = flags.find("1", position + 1)
    return found


def _facets(
    index: _Index,
    query: CatalogueQuery,
    matched: int,
    selected: dict[str, int | None],
    language: str,
) -> list[Facet]:
    """Each facet counts the projects matching every other facet's filter but not its own."""
    facets = []
    for name, label, choices in _facet_choices(index, language):
        others = matched
        for other, mask in selected.items():
            if other != name and mask is not None:
                others &= mask
        chosen = set(getattr(query, name))
        values = []
        for code, value_label in choices:
            count = (others & index.bits[name].get(code, 0)).bit_count()
            if count or code in chosen:
                text = npgettext("facet count", "project", "projects", count)
                values.append(FacetValue(code, value_label, count, code in chosen, text))
        facets.append(Facet(name, label, values))
    return facets


def _facet_choices(index: _Index, language: str) -> list[tuple[str, str, list[tuple[str, str]]]]:
    return [
        ("theme", _("Theme"), [(code, str(label)) for code, label in Theme.choices]),
        (
            "goal",
            _("Sustainable Development Goal"),
            [(str(code), f"{code}. {label}") for code, label in Goal.choices],
        ),
        ("status", _("Status"), [(code, str(label)) for code, label in Project.Status.choices]),
        (
            "province",
            _("Province"),
            [
                (refnis, pick_name(names, language))
                for refnis, names in sorted(index.province_names.items())
                if refnis in index.bits["province"]
            ],
        ),
        (
            "size",
            _("Population"),
            [
                (code, pick_name(names, language))
                for code, names in index.size_names.items()
                if code in index.bits["size"]
            ],
        ),
        (
            "funding",
            _("Funding source"),
            [(code, str(label)) for code, label in FundingSource.choices],
        ),
    ]


# --- Related projects ------------------------------------------------------------------------

SIMILARITY_WEIGHTS = {"theme": 3, "goal": 1, "province": 2, "funding": 1}


def similar_projects(project: Project, *, limit: int = 4) -> list[Project]:
    """Published projects most like `project`: shared themes, goals, province, funding source."""
    index = _index()
    entry = _entry_for(index, project)
    scores: dict[int, int] = {}
    for name, weight in SIMILARITY_WEIGHTS.items():
        for code in entry.codes(name):
            for position in _positions(index.bits[name].get(code, 0)):
                scores[position] = scores.get(position, 0) + weight
    scores.pop(index.position.get(project.pk, -1), None)
    # Ties: the newest first, i.e. the lowest position.
    best = heapq.nsmallest(limit, scores.items(), key=lambda item: (-item[1], item[0]))
    return card_projects([index.entries[position].id for position, _score in best])


def projects_for_themes(
    themes: Iterable[str], *, exclude_municipality: Municipality | None = None, limit: int = 3
) -> list[Project]:
    """Published projects of other communes addressing `themes`, those covering most first."""
    index = _index()
    excluded = 0
    if exclude_municipality is not None:
        excluded = index.by_municipality.get(exclude_municipality.pk, 0)
    covered: dict[int, int] = {}
    for theme in set(themes):
        for position in _positions(index.bits["theme"].get(theme, 0) & ~excluded):
            covered[position] = covered.get(position, 0) + 1
    best = heapq.nsmallest(limit, covered.items(), key=lambda item: (-item[1], item[0]))
    return card_projects([index.entries[position].id for position, _count in best])


def _positions(mask: int) -> list[int]:
    flags = bin(mask)[:1:-1]
    return [position for position, flag in enumerate(flags) if flag == "1"]


def _entry_for(index: _Index, project: Project) -> _Entry:
    """The project's index entry; unpublished projects (previews) are read from the database."""
    position = index.position.get(project.pk)
    if position is not None:
        return index.entries[position]
    municipalities = list(project.municipalities.select_related("province"))
    return _Entry(
        id=project.pk,
        themes=frozenset(project.themes or ()),
        goals=frozenset(str(goal) for goal in project.goals or ()),
        status=project.status,
        provinces=frozenset(m.province.refnis for m in municipalities if m.province),
        sizes=frozenset(),
        fundings=frozenset(project.fundings.values_list("source", flat=True)),
        municipalities=frozenset(m.pk for m in municipalities),
    )
