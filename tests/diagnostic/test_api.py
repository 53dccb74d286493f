"""The diagnostic API: stateless scoring, instrument list, a commune's diagnostics."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from smartregion.diagnostic.models import Diagnostic
from smartregion.diagnostic.services import diagnostic_start, diagnostic_submit, targets_set
from smartregion.instruments.scoring import score
from smartregion.territory.models import Municipality
from tests.factories import answers_store, complete_answers

pytestmark = pytest.mark.django_db

SCORE_URL = "/api/v1/instruments/smartregion-maturity/2026/score"
PARTIAL = {"gov_strategy": "adopted", "gov_strategy_pst": "partly", "gov_sponsor": "dont_know"}


@pytest.fixture
def client() -> Client:
    """Messages are asserted in English; the API answers in the request's language."""
    return Client(headers={"Accept-Language": "en"})


def _score(client, answers, **params):
    query = "&".join(f"{k}={v}" for k, v in params.items())
    url = f"{SCORE_URL}?{query}" if query else SCORE_URL
    return client.post(url, {"answers": answers}, content_type="application/json")


@pytest.fixture
def submitted(draft, instrument, manager) -> Diagnostic:
    """Namur's 2026 diagnostic with the best answers, submitted, with targets."""
    answers_store(draft, complete_answers(instrument), manager)
    diagnostic = diagnostic_submit(
        diagnostic=draft, user=manager, when=dt.datetime(2026, 3, 2, 10, tzinfo=dt.UTC)
    )
    targets_set(diagnostic=diagnostic, targets={"gov": 5, "data": 4}, horizon_year=2030)
    return diagnostic


# --- instruments ------------------------------------------------------------------------------


def test_instruments_list_names_every_loaded_version(client, instrument_version):
    body = client.get("/api/v1/instruments/?lang=en").json()

    assert [{k: v for k, v in item.items() if k != "loaded_at"} for item in body] == [
        {
            "slug": "smartregion-maturity",
            "version": "2026",
            "title": "Smart Region maturity diagnostic",
            "languages": ["fr", "en"],
            "questions": 65,
            "dimensions": [
                {"code": "gov", "title": "Governance and policy"},
                {"code": "org", "title": "Organisation and human resources"},
                {"code": "plan", "title": "Planning and implementation"},
                {"code": "eval", "title": "Monitoring and evaluation"},
                {"code": "data", "title": "Data and technologies"},
                {"code": "innov", "title": "Innovation"},
                {"code": "sust", "title": "Sustainability and resilience"},
            ],
            "score_url": SCORE_URL,
        }
    ]


def test_instruments_list_empty_when_nothing_loaded(client, db):
    response = client.get("/api/v1/instruments/")

    assert (response.status_code, response.json()) == (200, [])


# --- scoring ----------------------------------------------------------------------------------


def test_score_partial_answers_gives_domain_score_coverage_and_recommendations(
    client, instrument_version
):
    response = _score(client, PARTIAL, lang="en")

    body = response.json()
    assert response.status_code == 200
    assert body["instrument"] == "smartregion-maturity"
    assert (body["version"], body["language"]) == ("2026", "en")
    # gov: (2 × 0.75 + 1 × 0.5) / (2 + 1); don't know leaves the denominator.
    assert body["overall"] == pytest.approx(200 / 3)
    assert body["overall_level"] == 4
    gov = body["dimensions"][0]
    assert gov == {
        "code": "gov",
        "title": "Governance and policy",
        "score": pytest.approx(200 / 3),
        "level": 4,
        "level_text": (
            "The strategy is adopted and built into the cross-cutting strategic plan (PST); "
            "participation and partnerships are organised."
        ),
        "coverage": pytest.approx(2 / 7),
        "dont_know": ["gov_sponsor"],
        "not_applicable": ["gov_participation_tools"],
    }
    assert [d["code"] for d in body["dimensions"]] == [
        "gov",
        "org",
        "plan",
        "eval",
        "data",
        "innov",
        "sust",
    ]
    assert body["dimensions"][1]["score"] is None
    assert body["dimensions"][1]["level"] is None
    assert body["recommendations"] == [
        {
            "code": "gov_link_pst",
            "dimension": "gov",
            "priority": 2,
            "title": "Build the approach into the PST",
        }
    ]


def test_score_complete_answers_equal_the_engine_and_trigger_nothing(
    client, instrument_version, instrument
):
    answers = complete_answers(instrument)
    expected = score(instrument, answers)

    body = _score(client, answers).json()

    assert (body["overall"], body["overall_level"], body["coverage"]) == (
        expected.overall,
        5,
        1.0,
    )
    assert [(d["code"], d["score"], d["level"], d["coverage"]) for d in body["dimensions"]] == [
        (code, d.score, d.level, 1.0) for code, d in expected.dimensions.items()
    ]
    assert {d["level"] for d in body["dimensions"]} == {5}
    assert body["recommendations"] == []


def test_score_titles_follow_the_requested_language(client, instrument_version):
    body = _score(client, PARTIAL, lang="fr").json()

    assert body["language"] == "fr"
    assert body["dimensions"][0]["title"] == "Gouvernance et politique"
    assert body["recommendations"][0]["title"] == "Inscrire la démarche dans le PST"


def test_score_unknown_instrument_is_404(client, instrument_version):
    response = client.post(
        "/api/v1/instruments/smartregion-maturity/1999/score",
        {"answers": {}},
        content_type="application/json",
    )

    assert response.status_code == 404
    assert response.json() == {"detail": "No instrument smartregion-maturity 1999."}


def test_score_invalid_answers_list_every_error_with_its_path(client, instrument_version):
    answers = {
        "gov_strategy": "someday",
        "gov_director": 9,
        "gov_partners": ["research", "nowhere", "research"],
        "data_cyber_practices": {"backups": 4, "firewall": 2, "mfa": 7},
        "gov_participation": "none",
        "gov_participation_tools": ["online"],
        "plan_projects_count": "many",
        "no.such[0]": 1,
    }

    response = _score(client, answers)

    assert response.status_code == 422
    assert response.json() == {
        "detail": [
            {
                "loc": ["body", "answers", "gov_strategy"],
                "msg": (
                    "'someday' is not an option of this question (expected one of: none, "
                    "considered, drafting, adopted, reviewed)"
                ),
                "type": "unknown_option",
            },
            {
                "loc": ["body", "answers", "gov_director"],
                "msg": "9 is outside 1..5",
                "type": "out_of_range",
            },
            {
                "loc": ["body", "answers", "gov_participation_tools"],
                "msg": "this question is not shown with the other answers, so it takes no answer",
                "type": "hidden_question",
            },
            {
                "loc": ["body", "answers", "gov_partners", 1],
                "msg": (
                    "'nowhere' is not an option of this question (expected one of: "
                    "intermunicipal, communes, research, companies, associations, none)"
                ),
                "type": "unknown_option",
            },
            {
                "loc": ["body", "answers", "gov_partners", 2],
                "msg": "option 'research' is selected twice",
                "type": "duplicate_option",
            },
            {
                "loc": ["body", "answers", "plan_projects_count"],
                "msg": "a number answer must be a number",
                "type": "answer_type",
            },
            {
                "loc": ["body", "answers", "data_cyber_practices", "firewall"],
                "msg": "unknown row 'firewall'",
                "type": "unknown_row",
            },
            {
                "loc": ["body", "answers", "data_cyber_practices", "mfa"],
                "msg": "7 is outside 0..4",
                "type": "out_of_range",
            },
            {
                "loc": ["body", "answers", "no.such[0]"],
                "msg": "unknown question",
                "type": "unknown_question",
            },
        ]
    }


def test_score_answers_not_a_mapping_is_422(client, instrument_version):
    response = client.post(SCORE_URL, {"answers": ["gov"]}, content_type="application/json")

    assert response.status_code == 422
    assert [error["loc"][-1] for error in response.json()["detail"]] == ["answers"]


def test_score_unknown_language_is_422(client, instrument_version):
    response = _score(client, PARTIAL, lang="xx")

    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"] == ["query", "lang"]


def test_score_rate_limited_per_client_ip(client, instrument_version, settings):
    settings.API_SCORE_RATE_LIMIT = 2

    statuses = [_score(client, PARTIAL).status_code for _ in range(3)]
    limited = _score(client, PARTIAL)
    other_ip = client.post(
        SCORE_URL, {"answers": PARTIAL}, content_type="application/json", REMOTE_ADDR="10.0.0.9"
    )

    assert statuses == [200, 200, 429]
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["Retry-After"]) <= 60
    assert limited.json() == {
        "detail": f"Too many requests: try again in {limited.headers['Retry-After']} s."
    }
    assert other_ip.status_code == 200


def test_score_is_stateless(client, instrument_version):
    _score(client, PARTIAL)

    assert Diagnostic.objects.count() == 0


# --- a commune's diagnostics ------------------------------------------------------------------


def test_diagnostics_list_for_member_with_scores_targets_and_draft_progress(
    client, submitted, member, manager, namur, django_assert_num_queries
):
    draft = diagnostic_start(municipality=namur, user=manager, year=2027)
    answers_store(draft, PARTIAL, manager)
    client.force_login(member)

    with django_assert_num_queries(8):
        response = client.get("/api/v1/diagnostics/?municipality=92094&lang=en")

    body = response.json()
    assert response.status_code == 200
    assert body["count"] == 2
    assert [(d["id"], d["year"], d["status"]) for d in body["items"]] == [
        (draft.pk, 2027, "draft"),
        (submitted.pk, 2026, "submitted"),
    ]
    draft_out, submitted_out = body["items"]
    assert draft_out["scores"] == []
    assert draft_out["overall"] is None
    assert draft_out["progress"]["answered"] == 3
    assert draft_out["progress"]["missing_required"][:2] == [
        "profile_self_assessment",
        "profile_priority_axes",
    ]
    assert draft_out["answers"] is None
    assert submitted_out == {
        "id": submitted.pk,
        "municipality": "92094",
        "instrument": "smartregion-maturity",
        "version": "2026",
        "year": 2026,
        "status": "submitted",
        "is_demo": False,
        "is_published": False,
        "submitted_at": "2026-03-02T10:00:00Z",
        "horizon_year": 2030,
        "overall": submitted.overall_score,
        "overall_level": 5,
        "coverage": 1.0,
        "scores": [
            {
                "code": code,
                "title": title,
                "score": submitted.result["dimensions"][code]["score"],
                "level": 5,
                "coverage": 1.0,
                "target": {"gov": 5, "data": 4}.get(code),
            }
            for code, title in [
                ("gov", "Governance and policy"),
                ("org", "Organisation and human resources"),
                ("plan", "Planning and implementation"),
                ("eval", "Monitoring and evaluation"),
                ("data", "Data and technologies"),
                ("innov", "Innovation"),
                ("sust", "Sustainability and resilience"),
            ]
        ],
        "progress": None,
        "answers": None,
    }


def test_diagnostics_list_for_staff_hides_draft_progress(client, draft, staff_user):
    client.force_login(staff_user)

    body = client.get("/api/v1/diagnostics/?municipality=92094").json()

    assert [(d["id"], d["status"], d["progress"]) for d in body["items"]] == [
        (draft.pk, "draft", None)
    ]


def test_diagnostics_list_anonymous_is_401(client, submitted):
    response = client.get("/api/v1/diagnostics/?municipality=92094")

    assert (response.status_code, response.json()) == (401, {"detail": "Unauthorized"})


def test_diagnostics_list_other_commune_is_403(client, submitted, other_member):
    client.force_login(other_member)

    response = client.get("/api/v1/diagnostics/?municipality=92094")

    assert response.status_code == 403
    assert response.json() == {
        "detail": "Only the commune's members and the centre's staff see this."
    }


def test_diagnostics_list_own_commune_for_other_member(client, other_member, instrument_version):
    liege = Municipality.objects.get(refnis="62063")
    diagnostic_start(municipality=liege, user=other_member)
    client.force_login(other_member)

    body = client.get("/api/v1/diagnostics/?municipality=62063").json()

    assert [d["municipality"] for d in body["items"]] == ["62063"]


def test_diagnostics_list_unknown_commune_is_404(client, staff_user):
    client.force_login(staff_user)

    response = client.get("/api/v1/diagnostics/?municipality=99999")

    assert response.status_code == 404
    assert response.json() == {"detail": "No commune with REFNIS code 99999."}


def test_diagnostic_detail_for_member_has_answers(client, submitted, member, instrument):
    client.force_login(member)

    body = client.get(f"/api/v1/diagnostics/{submitted.pk}").json()

    assert body["id"] == submitted.pk
    assert body["answers"] == complete_answers(instrument)
    assert body["progress"] is None


def test_diagnostic_detail_of_draft_for_member_has_progress(client, draft, manager, member):
    answers_store(draft, PARTIAL, manager)
    client.force_login(member)

    body = client.get(f"/api/v1/diagnostics/{draft.pk}").json()

    assert body["answers"] == PARTIAL
    assert body["progress"]["answered"] == 3
    assert body["progress"]["visible"] == 56  # 65 less the 9 conditional ones


def test_diagnostic_detail_for_staff_has_scores_not_answers(client, submitted, staff_user):
    client.force_login(staff_user)

    body = client.get(f"/api/v1/diagnostics/{submitted.pk}").json()

    assert body["overall"] == submitted.overall_score
    assert (body["answers"], body["progress"]) == (None, None)


@pytest.mark.parametrize(
    ("who", "status"), [(None, 401), ("other_member", 403), ("member", 200), ("manager", 200)]
)
def test_diagnostic_detail_permissions(client, submitted, request, who, status):
    if who:
        client.force_login(request.getfixturevalue(who))

    response = client.get(f"/api/v1/diagnostics/{submitted.pk}")

    assert response.status_code == status


def test_diagnostic_detail_unknown_is_404(client, member):
    client.force_login(member)

    response = client.get("/api/v1/diagnostics/999999")

    assert (response.status_code, response.json()) == (404, {"detail": "No diagnostic 999999."})


def test_openapi_documents_the_diagnostic_routes(client):
    schema = client.get("/api/v1/openapi.json").json()

    paths = schema["paths"]
    assert {
        "/api/v1/instruments/",
        "/api/v1/instruments/{slug}/{version}/score",
        "/api/v1/diagnostics/",
        "/api/v1/diagnostics/{diagnostic_id}",
    } <= set(paths)
    score_op = paths["/api/v1/instruments/{slug}/{version}/score"]["post"]
    assert score_op["summary"] == "Score an answer set"
    assert set(score_op["responses"]) == {"200", "404", "422", "429"}
    assert paths["/api/v1/diagnostics/"]["get"]["security"] == [{"SessionAuth": []}]
    assert schema["components"]["schemas"]["ScoreIn"]["examples"][0]["answers"]["gov_director"] == 4
