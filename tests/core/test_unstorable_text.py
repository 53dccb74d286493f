"""Text no database can store (NUL, lone surrogates) is refused with 422 at every input."""

from __future__ import annotations

import json

import pytest

from smartregion.accounts.tokens import api_token_create
from smartregion.core.text import dotted, storable, unstorable_paths
from smartregion.diagnostic.models import DiagnosticAnswer
from smartregion.diagnostic.services import diagnostic_start
from smartregion.projects.models import Project
from tests.factories import ProjectFactory

pytestmark = pytest.mark.django_db

MESSAGE = (
    "This text holds a character that cannot be stored (a NUL character or an unpaired "
    "surrogate): remove it and try again."
)


@pytest.mark.parametrize(("text", "ok"), [("Namur", True), ("a\x00b", False), ("\ud800", False),
                                          ("é😀", True), ("", True)])  # fmt: skip
def test_storable_text_has_no_nul_and_encodes_in_utf8(text, ok):
    assert storable(text) is ok


def test_unstorable_paths_name_every_bad_value_and_key():
    data = {"a": "ok", "b": ["x", "\x00"], "c": {"\ud800": "y", "d": "\udfff"}}

    paths = list(unstorable_paths(data))

    assert paths == [("b", 1), ("c", "\\ud800"), ("c", "d")]
    assert [dotted(p) for p in paths] == ["b[1]", "c.\\ud800", "c.d"]


def test_query_string_with_nul_is_422_on_a_page(client, territory):
    response = client.get("/en/communes/", {"q": "Na\x00mur"})

    assert response.status_code == 422
    assert MESSAGE in response.content.decode()


def test_api_query_with_nul_is_422_json_with_its_path(client, territory):
    response = client.get("/api/v1/municipalities/", {"q": "\x00"})

    assert (response.status_code, response["Content-Type"]) == (422, "application/json")
    assert response.json() == {
        "detail": [{"loc": ["query", "q"], "msg": MESSAGE, "type": "unstorable_text"}]
    }


def test_api_path_with_nul_is_422(client, territory):
    response = client.get("/api/v1/municipalities/%00/")

    assert (response.status_code, response.json()["detail"][0]["loc"]) == (422, ["path"])


@pytest.mark.parametrize("bad", ["Plan\x00", "Plan\ud800"])
def test_api_body_with_unstorable_text_is_422_and_creates_nothing(client, member, namur, bad):
    _token, secret = api_token_create(user=member, name="tests")
    body = {
        "owner": "municipality:92094",
        "title_fr": bad,
        "summary_fr": "Résumé",
        "status": "planned",
        "themes": ["participation"],
        "municipalities": ["92094"],
        "indicators": [{"name_fr": "ok"}, {"name_fr": bad}],
    }

    response = client.post(
        "/api/v1/projects/",
        json.dumps(body),
        content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )

    assert response.status_code == 422
    assert [item["loc"] for item in response.json()["detail"]] == [
        ["body", "title_fr"],
        ["body", "indicators", 1, "name_fr"],
    ]
    assert Project.objects.count() == 0


@pytest.mark.parametrize("bad", ["\x00", "mot\ud800"])
def test_autosave_with_unstorable_text_is_422_and_saves_nothing(
    client, instrument_version, namur, manager, bad
):
    diagnostic = diagnostic_start(municipality=namur, user=manager)
    client.force_login(manager)

    response = client.post(
        f"/en/diagnostics/{diagnostic.pk}/answer/",
        json.dumps({"question": "closing_strengths", "value": bad}),
        content_type="application/json",
    )

    assert response.status_code == 422
    assert response.json() == {"errors": [MESSAGE], "paths": ["value"]}
    assert DiagnosticAnswer.objects.count() == 0


def test_form_post_with_nul_is_422_and_saves_nothing(client, namur, member):
    project = ProjectFactory(owner_municipality=namur, state=Project.State.DRAFT)
    client.force_login(member)

    response = client.post(
        f"/en/projects/{project.slug}/edit/",
        {"title_fr": "Titre\x00", "summary_fr": "R", "version": "1"},
    )

    project.refresh_from_db()
    assert response.status_code == 422
    assert "<code>title_fr</code>" in response.content.decode()
    assert project.title_fr == "Wi-Fi public dans les bibliothèques"


def test_sign_in_with_nul_is_422(client, territory):
    response = client.post("/en/accounts/login/", {"login": "a@b.example\x00", "password": "x"})

    assert response.status_code == 422


def test_payload_parser_refuses_unstorable_text_for_any_caller(instrument):
    from smartregion.instruments.inputs import PayloadInvalid, parse_answer_payload

    with pytest.raises(PayloadInvalid):
        parse_answer_payload(b'{"question": "closing_strengths", "value": "\\ud800"}', instrument)
