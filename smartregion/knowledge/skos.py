"""The glossary as a SKOS concept scheme (Turtle and JSON-LD), built with rdflib.

One `skos:ConceptScheme` at `<base>/data/glossary`; each published term a `skos:Concept` at
`<base>/data/glossary#<slug>` (a hash URI: the scheme's own file describes it), top concept of
the scheme (the glossary has no hierarchy). Per language, only non-empty texts are written, each
a language-tagged literal: `skos:prefLabel`, one `skos:altLabel` per synonym, `skos:definition`.
`skos:related` links published related terms only (an unpublished one has no concept here);
`skos:exactMatch` names the EuroVoc concept where the editors set one; each line of the sources
is a `dct:source` (an IRI when it is a web address, else text); `dct:modified` is the term's last
change, and the scheme's the latest of them. `foaf:page` is the term's page in French.

`scheme_graph` takes plain records (no database), so the graph is tested triple by triple;
`glossary_file` serialises the published terms for a base URL and keeps the bytes in the shared
cache under the data version, so the file served and the size and checksum the DCAT catalogue
announces are the same bytes.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.core.cache import cache
from django.db.models import Prefetch
from django.urls import reverse
from django.utils import translation
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, RDF, SKOS, XSD

from smartregion.core.pagecache import data_version

from .models import GlossaryTerm

LANGUAGES = ("fr", "en", "de", "nl")
FORMATS = {
    "ttl": ("turtle", "text/turtle; charset=utf-8"),
    "jsonld": ("json-ld", "application/ld+json"),
}
JSONLD_CONTEXT = {
    "skos": str(SKOS),
    "dct": str(DCTERMS),
    "foaf": str(FOAF),
    "xsd": str(XSD),
}
SCHEME_TITLES = {
    "fr": "Glossaire du territoire intelligent",
    "en": "Smart territory glossary",
}
CACHE_TTL = 24 * 3600


@dataclass(frozen=True)
class ConceptRecord:
    slug: str
    labels: dict[str, str]
    definitions: dict[str, str]
    synonyms: dict[str, list[str]] = field(default_factory=dict)
    related: Sequence[str] = ()
    sources: Sequence[str] = ()
    eurovoc: str = ""
    modified: dt.datetime | None = None
    page: str = ""


def scheme_uri(base_url: str) -> URIRef:
    return URIRef(f"{base_url}/data/glossary")


def concept_uri(base_url: str, slug: str) -> URIRef:
    return URIRef(f"{base_url}/data/glossary#{slug}")


def _source(line: str) -> URIRef | Literal:
    return (
        URIRef(line)
        if line.startswith(("http://", "https://")) and " " not in line
        else Literal(line)
    )


def _concept(graph: Graph, scheme: URIRef, base_url: str, record: ConceptRecord) -> None:
    node = concept_uri(base_url, record.slug)
    graph.add((node, RDF.type, SKOS.Concept))
    graph.add((node, SKOS.inScheme, scheme))
    graph.add((node, SKOS.topConceptOf, scheme))
    graph.add((scheme, SKOS.hasTopConcept, node))
    for language in LANGUAGES:
        if label := record.labels.get(language, "").strip():
            graph.add((node, SKOS.prefLabel, Literal(label, lang=language)))
        if definition := record.definitions.get(language, "").strip():
            graph.add((node, SKOS.definition, Literal(definition, lang=language)))
        for synonym in record.synonyms.get(language, ()):
            graph.add((node, SKOS.altLabel, Literal(synonym, lang=language)))
    for slug in record.related:
        graph.add((node, SKOS.related, concept_uri(base_url, slug)))
    if record.eurovoc:
        graph.add((node, SKOS.exactMatch, URIRef(record.eurovoc)))
    for line in record.sources:
        graph.add((node, DCTERMS.source, _source(line)))
    if record.modified:
        graph.add((node, DCTERMS.modified, Literal(record.modified, datatype=XSD.dateTime)))
    if record.page:
        graph.add((node, FOAF.page, URIRef(record.page)))


def scheme_graph(records: Sequence[ConceptRecord], base_url: str) -> Graph:
    """The concept scheme of `records` (pure: no database)."""
    graph = Graph()
    for prefix, namespace in JSONLD_CONTEXT.items():
        graph.bind(prefix, namespace)
    scheme = scheme_uri(base_url)
    graph.add((scheme, RDF.type, SKOS.ConceptScheme))
    for language, title in SCHEME_TITLES.items():
        graph.add((scheme, DCTERMS.title, Literal(title, lang=language)))
    published = {record.slug for record in records}
    for record in records:
        related = [slug for slug in record.related if slug in published]
        _concept(graph, scheme, base_url, _with_related(record, related))
    modified = [record.modified for record in records if record.modified]
    if modified:
        graph.add((scheme, DCTERMS.modified, Literal(max(modified), datatype=XSD.dateTime)))
    return graph


def _with_related(record: ConceptRecord, related: list[str]) -> ConceptRecord:
    return ConceptRecord(**{**record.__dict__, "related": tuple(related)})


def _lines(text: str) -> list[str]:
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def _page(base_url: str, slug: str) -> str:
    with translation.override("fr"):
        return base_url + reverse("knowledge:term", kwargs={"slug": slug})


def term_record(term: GlossaryTerm, base_url: str) -> ConceptRecord:
    """A term as a record; `term.published_related` must be prefetched (see `published_records`)."""
    return ConceptRecord(
        slug=term.slug,
        labels={lang: getattr(term, f"label_{lang}", "") or "" for lang in LANGUAGES},
        definitions={lang: getattr(term, f"definition_{lang}", "") or "" for lang in LANGUAGES},
        synonyms={lang: term.synonym_list(lang) for lang in LANGUAGES},
        related=[other.slug for other in term.published_related],
        sources=_lines(term.sources),
        eurovoc=term.eurovoc,
        modified=term.updated_at,
        page=_page(base_url, term.slug),
    )


def published_records(base_url: str) -> list[ConceptRecord]:
    """Every published term as a record (two queries)."""
    published = GlossaryTerm.objects.filter(is_published=True).order_by("slug")
    terms = published.prefetch_related(
        Prefetch("related", queryset=published, to_attr="published_related")
    )
    return [term_record(term, base_url) for term in terms]


def _sorted_values(value: Any) -> Any:
    if isinstance(value, dict):
        return {key: _sorted_values(item) for key, item in value.items()}
    if isinstance(value, list):
        items = [_sorted_values(item) for item in value]
        return sorted(items, key=lambda item: json.dumps(item, sort_keys=True, ensure_ascii=False))
    return value


def serialise(graph: Graph, fmt: str) -> bytes:
    """Turtle or compacted JSON-LD, the same bytes for the same graph in every process (JSON-LD
    lists come out in set order, which varies with the hash seed, so they are sorted)."""
    if fmt == "jsonld":
        text = graph.serialize(format="json-ld", context=dict(JSONLD_CONTEXT), auto_compact=True)
        document = _sorted_values(json.loads(text))
        text = json.dumps(document, ensure_ascii=False, indent=2, sort_keys=True)
    else:
        text = graph.serialize(format="turtle")
    return text.encode("utf-8")


@dataclass(frozen=True)
class GlossaryFile:
    content: bytes
    size: int
    sha256: str
    modified: dt.datetime | None
    count: int


def glossary_file(fmt: str, *, base_url: str) -> GlossaryFile:
    """The published glossary in `fmt` ("ttl" or "jsonld") for links on `base_url`, cached until
    the data version changes (two queries when it is not cached)."""
    digest = hashlib.sha256(base_url.encode()).hexdigest()[:16]
    key = f"knowledge:glossary-file:{fmt}:{data_version()}:{digest}"
    found = cache.get(key)
    if found is None:
        records = published_records(base_url)
        content = serialise(scheme_graph(records, base_url), fmt)
        modified = max((r.modified for r in records if r.modified), default=None)
        found = GlossaryFile(
            content, len(content), hashlib.sha256(content).hexdigest(), modified, len(records)
        )
        cache.set(key, found, CACHE_TTL)
    return found
