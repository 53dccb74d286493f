"""Knowledge routes of the public API: listed resources and published glossary terms."""

from __future__ import annotations

import pytest

from smartregion.knowledge.models import GlossaryTerm, Kind, Resource

pytestmark = pytest.mark.django_db


def _resource(slug: str, **fields) -> Resource:
    fields.setdefault("title_fr", slug.capitalize())
    fields.setdefault("state", Resource.State.PUBLISHED)
    return Resource.objects.create(kind=fields.pop("kind", Kind.GUIDE), slug=slug, **fields)


@pytest.fixture
def resources() -> None:
    _resource(
        "ouvrir-ses-donnees",
        title_en="Opening your data",
        summary_fr="Résumé.",
        body_fr="# Titre\n\nTexte.",
        themes=["data", "governance"],
        domains=["data"],
        levels=[1, 2],
        audiences=["it"],
    )
    _resource("strategie", kind=Kind.METHOD_STEP, themes=["governance"], domains=["plan"])
    _resource("faq-rgpd", kind=Kind.FAQ, state=Resource.State.NEEDS_REVIEW, domains=["data"])
    _resource("brouillon", state=Resource.State.DRAFT, themes=["data"])
    _resource("ancien", state=Resource.State.ARCHIVED, themes=["data"])


def _slugs(response) -> list[str]:
    return [item["slug"] for item in response.json()["items"]]


def test_list_resources_gives_listed_ones_by_slug(client, resources):
    response = client.get("/api/v1/resources/")

    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("count", "page", "pages", "page_size")} == {
        "count": 3,
        "page": 1,
        "pages": 1,
        "page_size": 20,
    }
    assert _slugs(response) == ["faq-rgpd", "ouvrir-ses-donnees", "strategie"]


@pytest.mark.parametrize(
    ("query", "slugs"),
    [
        ("kind=guide", ["ouvrir-ses-donnees"]),
        ("kind=guide&kind=faq", ["faq-rgpd", "ouvrir-ses-donnees"]),
        ("theme=governance", ["ouvrir-ses-donnees", "strategie"]),
        ("theme=data", ["ouvrir-ses-donnees"]),
        ("domain=data", ["faq-rgpd", "ouvrir-ses-donnees"]),
        ("domain=plan&theme=governance", ["strategie"]),
        ("domain=unknown", []),
    ],
)
def test_list_resources_filters(client, resources, query, slugs):
    assert _slugs(client.get(f"/api/v1/resources/?{query}")) == slugs


@pytest.mark.parametrize(
    ("query", "loc"),
    [
        ("kind=poem", ["query", "filters", "kind", 0]),
        ("theme=weather", ["query", "filters", "theme", 0]),
        ("page=0", ["query", "page"]),
        ("language=es", ["query", "language"]),
    ],
)
def test_list_resources_refuses_unknown_values_naming_the_parameter(client, resources, query, loc):
    response = client.get(f"/api/v1/resources/?{query}")

    assert response.status_code == 422
    assert [item["loc"] for item in response.json()["detail"]] == [loc]


def test_list_resources_in_english_with_french_fallback(client, resources):
    items = client.get("/api/v1/resources/?language=en&kind=guide&kind=method_step").json()["items"]

    assert [(i["title"], i["title_lang"], i["url"]) for i in items] == [
        ("Opening your data", "en", "http://testserver/en/knowledge/ouvrir-ses-donnees/"),
        ("Strategie", "fr", "http://testserver/en/knowledge/strategie/"),
    ]


def test_list_resources_pages_by_twenty(client, django_assert_num_queries):
    for index in range(45):
        _resource(f"guide-{index:02d}")

    with django_assert_num_queries(2):  # count and page
        third = client.get("/api/v1/resources/?page=3").json()
    past = client.get("/api/v1/resources/?page=4").json()

    assert (third["count"], third["pages"], len(third["items"])) == (45, 3, 5)
    assert third["items"][0]["slug"] == "guide-40"
    assert (past["page"], past["items"]) == (4, [])


def test_read_resource(client, resources):
    response = client.get("/api/v1/resources/ouvrir-ses-donnees?language=de")

    assert response.status_code == 200
    body = response.json()
    assert {k: body[k] for k in ("title", "title_lang", "body", "body_lang", "levels")} == {
        "title": "Ouvrir-ses-donnees",
        "title_lang": "fr",
        "body": "# Titre\n\nTexte.",
        "body_lang": "fr",
        "levels": [1, 2],
    }
    assert body["translations"] == {
        "fr": "source",
        "en": "missing",
        "de": "missing",
        "nl": "missing",
    }


@pytest.mark.parametrize("slug", ["brouillon", "ancien", "inconnu"])
def test_read_resource_not_listed_is_not_found(client, resources, slug):
    response = client.get(f"/api/v1/resources/{slug}")

    assert (response.status_code, response.json()) == (404, {"detail": "No such resource."})


@pytest.fixture
def terms() -> None:
    data = GlossaryTerm.objects.create(
        slug="donnee",
        label_fr="Donnée",
        label_en="Data",
        definition_fr="Une valeur.",
        synonyms_en="datum",
        sources="https://example.org/\nUn livre",
        eurovoc="http://eurovoc.europa.eu/6030",
    )
    other = GlossaryTerm.objects.create(slug="api", label_fr="API", definition_fr="Interface.")
    hidden = GlossaryTerm.objects.create(
        slug="cache", label_fr="Caché", definition_fr="Non.", is_published=False
    )
    data.related.add(other, hidden)


def test_list_terms(client, terms):
    body = client.get("/api/v1/glossary/?language=en").json()

    assert body["count"] == 2
    assert body["items"] == [
        {
            "slug": "api",
            "url": "http://testserver/en/knowledge/glossary/api/",
            "label": "API",
            "label_lang": "fr",
            "definition": "Interface.",
            "definition_lang": "fr",
            "eurovoc": None,
        },
        {
            "slug": "donnee",
            "url": "http://testserver/en/knowledge/glossary/donnee/",
            "label": "Data",
            "label_lang": "en",
            "definition": "Une valeur.",
            "definition_lang": "fr",
            "eurovoc": "http://eurovoc.europa.eu/6030",
        },
    ]


def test_read_term(client, terms):
    body = client.get("/api/v1/glossary/donnee").json()

    assert {k: v for k, v in body.items() if k != "updated"} == {
        "slug": "donnee",
        "url": "http://testserver/fr/knowledge/glossary/donnee/",
        "label": "Donnée",
        "label_lang": "fr",
        "definition": "Une valeur.",
        "definition_lang": "fr",
        "eurovoc": "http://eurovoc.europa.eu/6030",
        "labels": {"fr": "Donnée", "en": "Data"},
        "definitions": {"fr": "Une valeur."},
        "synonyms": {"en": ["datum"]},
        "related": ["api"],
        "sources": ["https://example.org/", "Un livre"],
    }


@pytest.mark.parametrize("slug", ["cache", "inconnu"])
def test_read_unpublished_term_is_not_found(client, terms, slug):
    response = client.get(f"/api/v1/glossary/{slug}")

    assert (response.status_code, response.json()) == (404, {"detail": "No such glossary term."})


def test_routes_are_documented(client):
    paths = client.get("/api/v1/openapi.json").json()["paths"]

    assert {"/api/v1/resources/", "/api/v1/resources/{slug}"} <= set(paths)
    assert {"/api/v1/glossary/", "/api/v1/glossary/{slug}"} <= set(paths)
    parameters = {p["name"] for p in paths["/api/v1/resources/"]["get"]["parameters"]}
    assert parameters == {"kind", "theme", "domain", "language", "page"}
