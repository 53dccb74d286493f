"""The site search page: reading its GET parameters and shaping what it shows.

Parameters: `q` (the words), `theme`, `domain`, `kind` (facet values, repeatable), `show` (one
group's kind: all its results, paged) and `page`. Unknown values are ignored, so a shared or
stale link never fails.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from urllib.parse import urlencode

from django.http import QueryDict

from smartregion.core.search import (
    MAX_QUERY_CHARS,
    Result,
    SearchResults,
    results_show,
    search_providers,
    site_search,
)
from smartregion.knowledge.search import facet_labels

GROUP_SIZE = 5  # results per group on the overview
PAGE_SIZE = 20  # results per page of one group


@dataclass(frozen=True)
class SearchRequest:
    q: str = ""
    facets: tuple[str, ...] = ()  # "theme:mobility"
    show: str = ""
    page: int = 1

    @classmethod
    def parse(cls, params: QueryDict) -> SearchRequest:
        labels = facet_labels()
        facets = tuple(
            dict.fromkeys(
                f"{name}:{value}"
                for name, (_heading, values) in labels.items()
                for value in params.getlist(name)
                if value in values
            )
        )
        show = params.get("show", "")
        try:
            page = max(1, min(int(params.get("page", "1")), 10_000))
        except ValueError:
            page = 1
        return cls(
            q=" ".join(params.get("q", "").split())[:MAX_QUERY_CHARS],
            facets=facets,
            show=show if show in search_providers() else "",
            page=page if show else 1,
        )

    @property
    def facet_pairs(self) -> list[tuple[str, str]]:
        return [tuple(facet.split(":", 1)) for facet in self.facets]  # type: ignore[misc]

    def query_string(self, **changes: object) -> str:
        """`?…` of this request with `changes` (facets, show, page), empty values left out."""
        values = {"q": self.q, "facets": self.facets, "show": self.show, "page": 1, **changes}
        pairs = [("q", values["q"])] if values["q"] else []
        pairs += [tuple(facet.split(":", 1)) for facet in values["facets"]]  # type: ignore[union-attr]
        if values["show"]:
            pairs.append(("show", values["show"]))
            if values["page"] != 1:
                pairs.append(("page", values["page"]))
        return "?" + urlencode(pairs) if pairs else "?"


@dataclass
class Group:
    kind: str
    label: str
    count: int
    results: list[Result] = field(default_factory=list)
    all_url: str = ""  # "show all of this kind" (empty when all are shown)


@dataclass
class FacetOption:
    value: str
    label: str
    count: int
    url: str


@dataclass
class Facet:
    name: str
    heading: str
    options: list[FacetOption]


@dataclass
class Chosen:
    heading: str
    label: str
    remove_url: str


@dataclass
class SearchPage:
    request: SearchRequest
    results: SearchResults
    groups: list[Group]
    facets: list[Facet]
    chosen: list[Chosen]
    page: int = 1
    pages: int = 1
    previous_url: str = ""
    next_url: str = ""
    overview_url: str = ""
    language: str = "fr"


def search_page(request: SearchRequest, *, language: str) -> SearchPage:
    """Everything the page shows, in two SQL queries (the matches, then the shown rows)."""
    results = site_search(
        request.q, facets=request.facets, kinds=[request.show] if request.show else []
    )
    providers = search_providers()
    size = PAGE_SIZE if request.show else GROUP_SIZE
    if request.show:  # a page past the last shows the last
        last = max(1, -(-len(results.groups.get(request.show, [])) // size))
        request = replace(request, page=min(request.page, last))
    start = (request.page - 1) * size
    shown = [hit for hits in results.groups.values() for hit in hits[start : start + size]]
    by_kind: dict[str, list[Result]] = {}
    for result in results_show(shown, results.parsed, language=language):
        by_kind.setdefault(result.kind, []).append(result)
    groups = [
        Group(
            kind=kind,
            label=str(providers[kind].label),
            count=len(hits),
            results=by_kind.get(kind, []),
            all_url="" if request.show or len(hits) <= size else request.query_string(show=kind),
        )
        for kind, hits in results.groups.items()
    ]
    page = SearchPage(request, results, groups, _facets(request, results), _chosen(request))
    page.language = language
    if request.show and groups:
        _paginate(page, groups[0].count, size)
    return page


def _paginate(page: SearchPage, count: int, size: int) -> None:
    request = page.request
    page.pages = max(1, -(-count // size))
    page.page = min(request.page, page.pages)
    if page.page > 1:
        page.previous_url = request.query_string(show=request.show, page=page.page - 1)
    if page.page < page.pages:
        page.next_url = request.query_string(show=request.show, page=page.page + 1)
    page.overview_url = request.query_string(show="")


def _facets(request: SearchRequest, results: SearchResults) -> list[Facet]:
    found = []
    for name, (heading, labels) in facet_labels().items():
        counts = results.facet_counts.get(name, {})
        options = [
            FacetOption(
                value=value,
                label=str(label),
                count=counts[value],
                url=request.query_string(
                    facets=(*request.facets, f"{name}:{value}"), show=request.show
                ),
            )
            for value, label in labels.items()
            if counts.get(value) and f"{name}:{value}" not in request.facets
        ]
        if options:
            found.append(Facet(name, str(heading), options))
    return found


def _chosen(request: SearchRequest) -> list[Chosen]:
    labels = facet_labels()
    chosen = []
    for facet in request.facets:
        name, _sep, value = facet.partition(":")
        heading, values = labels[name]
        others = tuple(other for other in request.facets if other != facet)
        chosen.append(
            Chosen(
                str(heading),
                str(values[value]),
                request.query_string(facets=others, show=request.show),
            )
        )
    return chosen


def search_suggestions() -> list[tuple[str, str]]:
    """(label, query string) of searches worth a try: the themes, in the active language."""
    _heading, themes = facet_labels()["theme"]
    return [(str(label), "?" + urlencode({"q": str(label)})) for label in themes.values()]
