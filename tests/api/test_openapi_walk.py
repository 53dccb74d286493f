"""Walk the API's own OpenAPI document and fire edge values at every route.

Whatever a client sends (the document's limits and one past them, nulls, huge numbers, empty and
long strings, unknown codes), the answer is never a server error, always JSON, and its status is
one the document lists for that operation.
"""

from __future__ import annotations

import copy
import json
from collections.abc import Iterator
from typing import Any
from urllib.parse import quote

import pytest

from smartregion.accounts.tokens import api_token_create
from smartregion.diagnostic.services import diagnostic_start
from smartregion.knowledge.models import GlossaryTerm, Resource
from smartregion.projects.models import Project
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

HUGE = 10**30
EDGE_SCALARS: list[Any] = [None, "", "x" * 5000, "é", 0, -1, HUGE, -HUGE, 1e308, True, [], {}]
PATH_VALUES = ["0", "9" * 40, "x" * 300, "%C3%A9", "-1"]
# Valid values where a route needs them to reach its deeper code.
KNOWN = {
    "refnis": "92094",
    "slug": "wifi-public",
    "owner": "municipality:92094",
    "status": "planned",
    "themes": ["participation"],
    "municipalities": ["92094"],
    "title_fr": "Plan",
    "summary_fr": "Résumé",
}


PATH_KNOWN = {"refnis": "92094", "slug": "wifi-public"}
QUERY_KNOWN = {"municipality": "92094"}
CURRENT = object()  # the project's version at the time of the request


@pytest.fixture
def document(client) -> dict[str, Any]:
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


@pytest.fixture
def world(namur, member, instrument_version) -> dict[str, Any]:
    ProjectFactory(owner_municipality=namur)
    # A listed resource and a published term under the known slug, so their reads succeed.
    Resource.objects.create(
        kind="guide", slug=KNOWN["slug"], title_fr="Wi-Fi", state=Resource.State.PUBLISHED
    )
    GlossaryTerm.objects.create(slug=KNOWN["slug"], label_fr="Wi-Fi", definition_fr="Réseau.")
    diagnostic = diagnostic_start(municipality=namur, user=member)
    _token, secret = api_token_create(user=member, name="walk")
    instrument = {"slug": instrument_version.slug, "version": instrument_version.version}
    return {"diagnostic_id": str(diagnostic.pk), "secret": secret, "instrument": instrument}


def _resolve(document: dict, schema: dict) -> dict:
    while "$ref" in schema:
        schema = document["components"]["schemas"][schema["$ref"].rsplit("/", 1)[-1]]
    return schema


def _types(document: dict, schema: dict) -> set[str]:
    schema = _resolve(document, schema)
    if "anyOf" in schema:
        return set().union(*(_types(document, s) for s in schema["anyOf"]))
    return {schema.get("type", "object")}


def _minimal(document: dict, schema: dict, name: str = "") -> Any:
    """A value the schema accepts, from KNOWN where the route needs a real one."""
    if name == "version":
        return CURRENT
    if name in KNOWN:
        return copy.deepcopy(KNOWN[name])
    schema = _resolve(document, schema)
    if "anyOf" in schema:
        schema = _resolve(document, next(s for s in schema["anyOf"] if s.get("type") != "null"))
    kind = schema.get("type", "object")
    if kind == "object":
        required = schema.get("required", [])
        properties = schema.get("properties", {})
        return {key: _minimal(document, properties[key], key) for key in required}
    return {"string": "x", "integer": 1, "number": 1, "boolean": False, "array": []}[kind]


def _edges(document: dict, schema: dict) -> list[Any]:
    """Edge values for one field: the generic ones, plus the bounds and one past them."""
    schema = _resolve(document, schema)
    values = list(EDGE_SCALARS)
    for key, step in (("minimum", -1), ("maximum", 1)):
        if key in schema:
            values += [schema[key], schema[key] + step]
    if "maxLength" in schema:
        values += ["y" * schema["maxLength"], "y" * (schema["maxLength"] + 1)]
    items = schema.get("items")
    if items:
        values += [[v] for v in EDGE_SCALARS[:8]]
        if _resolve(document, items).get("type", "object") == "object":
            values.append([_minimal(document, items)])
            values += [[{**_minimal(document, items), **{k: v}}]
                       for k in _resolve(document, items).get("properties", {})
                       for v in (None, "", HUGE, -HUGE, "x" * 5000)]  # fmt: skip
    return values


def _query_cases(document: dict, operation: dict) -> Iterator[dict[str, Any]]:
    parameters = [p for p in operation.get("parameters", []) if p["in"] == "query"]
    base = {p["name"]: QUERY_KNOWN[p["name"]] for p in parameters if p.get("required")}
    yield base
    for parameter in parameters:
        for value in _edges(document, parameter.get("schema", {})):
            if value is None or isinstance(value, dict):
                continue  # a query string has no null and no object
            yield {**base, parameter["name"]: value}


def _query_string(params: dict[str, Any]) -> str:
    pairs = []
    for name, value in params.items():
        for item in value if isinstance(value, list) else [value]:
            text = json.dumps(item) if isinstance(item, bool) else str(item)
            pairs.append(f"{quote(name)}={quote(text)}")
    return "&".join(pairs)


def _body_cases(document: dict, operation: dict) -> Iterator[Any]:
    content = operation.get("requestBody", {}).get("content", {}).get("application/json")
    if content is None:
        return
    schema = _resolve(document, content["schema"])
    base = _minimal(document, schema)
    yield base
    yield {}
    yield None
    yield []
    for name, field in schema.get("properties", {}).items():
        for value in _edges(document, field):
            yield {**base, name: value}


def _paths(path: str, operation: dict, world: dict) -> Iterator[str]:
    names = [p["name"] for p in operation.get("parameters", []) if p["in"] == "path"]
    known = {
        **PATH_KNOWN,
        **(world["instrument"] if path.startswith("/api/v1/instruments/") else {}),
    }
    real = {name: world.get(name) or known.get(name, "1") for name in names}
    yield _fill(path, real)
    for name in names:
        for value in PATH_VALUES:
            yield _fill(path, {**real, name: value})


def _fill(path: str, values: dict[str, str]) -> str:
    for name, value in values.items():
        path = path.replace("{" + name + "}", value)
    return path


def _operations(document: dict) -> Iterator[tuple[str, str, dict]]:
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            yield path, method, operation


def _check(response, method: str, url: str, body: Any, operation: dict, problems: list) -> None:
    sent = "" if method == "get" else " " + json.dumps(body, default=str)[-200:]
    where = f"{method.upper()} {url[:140]}{sent} → {response.status_code}"
    if response.status_code >= 500:
        problems.append(f"{where}: server error")
        return
    if not response["Content-Type"].startswith("application/json"):
        problems.append(f"{where}: {response['Content-Type']} instead of JSON")
        return
    response.json()
    if str(response.status_code) not in operation["responses"]:
        problems.append(f"{where}: status not in the OpenAPI document")


def _send(client, method, url, body, secret):
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}"} if secret else {}
    sender = getattr(client, method)
    if method == "get":
        return sender(url, **headers)
    if isinstance(body, dict) and body.get("version") is CURRENT:
        project = Project.objects.filter(slug=url.split("?")[0].rsplit("/", 1)[-1]).first()
        body = {**body, "version": project.version if project else 1}
    return sender(url, json.dumps(body), content_type="application/json", **headers)


@pytest.mark.parametrize("signed_in", [False, True])
def test_every_route_answers_edge_values_with_documented_json(
    client, document, world, member, settings, signed_in
):
    settings.API_SCORE_RATE_LIMIT = 10**6
    client.raise_request_exception = False  # a server error is a finding, not a crash
    if signed_in:
        client.force_login(member)
    problems: list[str] = []
    seen: dict[str, set[int]] = {}
    for path, method, operation in _operations(document):
        secured = bool(operation.get("security"))
        secret = world["secret"] if secured and signed_in else None
        for url in _paths(path, operation, world):
            for params in _query_cases(document, operation):
                query = _query_string(params)
                full = f"{url}?{query}" if query else url
                bodies = list(_body_cases(document, operation)) or [None]
                if params:
                    bodies = bodies[:1]  # bodies are walked once, with the plain query
                if url != _fill(path, {}) and url != next(_paths(path, operation, world)):
                    bodies = bodies[:1]
                for body in bodies:
                    response = _send(client, method, full, body, secret)
                    seen.setdefault(f"{method.upper()} {path}", set()).add(response.status_code)
                    _check(response, method, full, body, operation, problems)
    assert problems == []
    # The walk went past validation: every route answered at least once with success.
    if signed_in:
        assert {op: any(s < 300 for s in statuses) for op, statuses in seen.items()} == {
            op: True for op in seen
        }


def test_every_operation_documents_the_422_of_invalid_input(document):
    missing = [
        f"{method.upper()} {path}"
        for path, method, operation in _operations(document)
        if "422" not in operation["responses"]
    ]

    assert missing == []


def test_public_reads_are_declared_as_needing_no_credentials(document):
    public = {
        f"{method.upper()} {path}"
        for path, method, operation in _operations(document)
        if not operation.get("security") or {} in operation["security"]
    }

    assert public == {
        "GET /api/v1/municipalities/",
        "GET /api/v1/municipalities/{refnis}/",
        "GET /api/v1/instruments/",
        "POST /api/v1/instruments/{slug}/{version}/score",
        "GET /api/v1/projects/",
        "GET /api/v1/projects/{slug}",
        "GET /api/v1/resources/",
        "GET /api/v1/resources/{slug}",
        "GET /api/v1/glossary/",
        "GET /api/v1/glossary/{slug}",
    }


def test_public_reads_answer_without_credentials(client, world):
    for url in ("/api/v1/projects/", "/api/v1/projects/wifi-public", "/api/v1/municipalities/"):
        assert (url, client.get(url).status_code) == (url, 200)


@pytest.mark.parametrize(
    ("method", "url", "status"),
    [
        ("get", "/api/v1/no-such-route/", 404),
        ("get", "/api/v1/", 404),
        ("delete", "/api/v1/projects/wifi-public", 405),
        ("put", "/api/v1/municipalities/", 405),
    ],
)
def test_unknown_addresses_and_methods_answer_json(client, territory, method, url, status):
    response = getattr(client, method)(url)

    assert (response.status_code, response["Content-Type"]) == (status, "application/json")
    assert set(response.json()) == {"detail"}


def test_a_server_error_under_the_api_answers_json(client, territory, monkeypatch):
    def broken(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("smartregion.territory.queries.municipalities_search", broken)
    client.raise_request_exception = False

    response = client.get("/api/v1/municipalities/")

    assert (response.status_code, response["Content-Type"]) == (500, "application/json")
    assert response.json() == {"detail": "Server error: the centre's staff has been told."}


@pytest.mark.parametrize(
    ("body", "status", "loc"),
    [
        ({"title_fr": None}, 422, ["body", "payload", "title_fr"]),
        ({"municipalities": None}, 422, ["body", "payload", "municipalities"]),
        ({"partners": None}, 422, ["body", "payload", "partners"]),
        ({"budget_eur": None}, 200, None),
        ({"lead": None}, 200, None),
    ],
)
def test_patch_null_clears_nullable_fields_and_is_refused_for_the_others(
    client, world, body, status, loc
):
    response = client.patch(
        "/api/v1/projects/wifi-public",
        json.dumps({"version": 1, **body}),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {world['secret']}",
    )

    assert response.status_code == status
    if loc:
        assert [item["loc"] for item in response.json()["detail"]] == [loc]


def test_create_with_a_slug_longer_than_its_column_is_422(client, world):
    body = {**{k: KNOWN[k] for k in ("owner", "status", "themes", "municipalities")},
            "title_fr": "Plan", "summary_fr": "R", "slug": "a" * 121}  # fmt: skip

    response = client.post(
        "/api/v1/projects/",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {world['secret']}",
    )

    assert response.status_code == 422
    assert response.json()["detail"] == [
        {"loc": ["body", "slug"], "msg": "At most 120 characters.", "type": "invalid"}
    ]
