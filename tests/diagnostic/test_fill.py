"""Filling in a diagnostic: section pages, autosave endpoint, submit, targets, permissions."""

from __future__ import annotations

import json
from urllib.parse import quote

import pytest
from django.utils import timezone

from smartregion.diagnostic.models import Diagnostic, DiagnosticAnswer, DomainTarget
from smartregion.diagnostic.services import answer_save, diagnostic_submit
from tests.factories import answers_store, complete_answers

pytestmark = pytest.mark.django_db


def _url(diagnostic, name="", lang="en"):
    return f"/{lang}/diagnostics/{diagnostic.pk}/{name}"


def _login(path, lang="en"):
    return f"/{lang}/accounts/login/?next={quote(path)}"


def _post_answer(client, diagnostic, **body):
    return client.post(
        _url(diagnostic, "answer/"), data=json.dumps(body), content_type="application/json"
    )


def _save(diagnostic, code, value, revision, user):
    return answer_save(
        diagnostic=diagnostic,
        question_code=code,
        value=value,
        base_revision=revision,
        user=user,
    )


def _stored(diagnostic):
    return dict(
        DiagnosticAnswer.objects.filter(diagnostic=diagnostic).values_list("question_code", "value")
    )


@pytest.fixture
def submitted(draft, instrument, manager):
    answers_store(draft, complete_answers(instrument), manager)
    return diagnostic_submit(diagnostic=draft, user=manager)


# ---------------------------------------------------------------------------------------------
# Permission matrix
# ---------------------------------------------------------------------------------------------

USERS = ["anonymous", "other_member", "member", "manager", "staff_user"]


def _matrix(*statuses: int) -> list[tuple[str, int]]:
    """(who, expected status) for each role of the permission matrix, in USERS order."""
    return list(zip(USERS, statuses, strict=True))


def _as(client, request, who):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("other_member", 403),
        ("member", 302),
        ("manager", 302),
        ("staff_user", 302),
    ],
)
def test_fill_redirects_to_the_first_section_for_viewers(client, request, draft, who, status):
    _as(client, request, who)

    response = client.get(_url(draft))

    assert response.status_code == status
    expected = _login(_url(draft)) if who == "anonymous" else _url(draft, "section/profile/")
    if status == 302:
        assert response["Location"] == expected


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("other_member", 403),
        ("member", 200),
        ("manager", 200),
        ("staff_user", 200),
    ],
)
def test_section_page_permissions(client, request, draft, who, status):
    _as(client, request, who)

    response = client.get(_url(draft, "section/governance/"))

    assert response.status_code == status
    if who == "anonymous":
        assert response["Location"] == _login(_url(draft, "section/governance/"))


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("other_member", 403),
        ("member", 302),
        ("manager", 302),
        ("staff_user", 403),
    ],
)
def test_section_post_permissions(client, request, draft, who, status):
    _as(client, request, who)

    response = client.post(_url(draft, "section/profile/"), {"q-profile_self_assessment": "7"})

    assert response.status_code == status
    saved = _stored(draft).get("profile_self_assessment")
    assert saved == (7 if who in ("member", "manager") else None)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 401),
        ("other_member", 403),
        ("member", 200),
        ("manager", 200),
        ("staff_user", 403),
    ],
)
def test_answer_endpoint_permissions(client, request, draft, who, status):
    _as(client, request, who)

    response = _post_answer(client, draft, question="gov_strategy", value="adopted")

    assert response.status_code == status
    assert _stored(draft).get("gov_strategy") == ("adopted" if status == 200 else None)
    if status != 200:
        assert list(response.json()) == ["errors"]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("other_member", 403),
        ("member", 403),
        ("manager", 200),
        ("staff_user", 403),
    ],
)
def test_submit_permissions(client, request, draft, who, status):
    _as(client, request, who)

    response = client.post(_url(draft, "submit/"))

    assert response.status_code == status
    assert Diagnostic.objects.get(pk=draft.pk).status == Diagnostic.Status.DRAFT


@pytest.mark.parametrize(
    ("who", "status", "state"),
    [
        ("anonymous", 302, "draft"),
        ("other_member", 403, "draft"),
        ("member", 403, "draft"),
        ("manager", 302, "submitted"),
        ("staff_user", 403, "draft"),
    ],
)
def test_confirmed_submit_permissions(
    client, request, draft, instrument, manager, who, status, state
):
    answers_store(draft, complete_answers(instrument), manager)
    _as(client, request, who)

    response = client.post(_url(draft, "submit/"), {"confirm": "yes"})

    assert (response.status_code, Diagnostic.objects.get(pk=draft.pk).status) == (status, state)


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("other_member", 403),
        ("member", 403),
        ("manager", 200),
        ("staff_user", 403),
    ],
)
def test_targets_get_permissions(client, request, draft, who, status):
    _as(client, request, who)

    response = client.get(_url(draft, "targets/"))

    assert response.status_code == status


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("anonymous", 302),
        ("other_member", 403),
        ("member", 403),
        ("manager", 302),
        ("staff_user", 403),
    ],
)
def test_targets_post_permissions(client, request, draft, who, status):
    _as(client, request, who)

    response = client.post(_url(draft, "targets/"), {"target_gov": "4"})

    assert response.status_code == status
    expected = [("gov", 4)] if who == "manager" else []
    assert list(DomainTarget.objects.values_list("dimension", "level")) == expected


def test_unknown_diagnostic_and_section_are_404(client, member, draft):
    client.force_login(member)

    assert client.get("/en/diagnostics/999999/").status_code == 404
    assert client.get(_url(draft, "section/nope/")).status_code == 404
    assert _post_answer(client, Diagnostic(pk=999999), question="x").status_code == 404


def test_answer_endpoint_refuses_get(client, member, draft):
    client.force_login(member)

    assert client.get(_url(draft, "answer/")).status_code == 405


# ---------------------------------------------------------------------------------------------
# Section pages
# ---------------------------------------------------------------------------------------------


def test_section_page_renders_every_question_type_accessibly(client, member, draft):
    client.force_login(member)

    organisation = client.get(_url(draft, "section/organisation/")).content.decode()
    data = client.get(_url(draft, "section/data_technologies/")).content.decode()

    # a choice question: fieldset + legend, radios with labels, "don't know" as an extra option
    assert '<legend class="q-text"><span class="q-number">3.1</span>' in organisation
    assert 'type="radio" name="q-org_team" id="f-org_team-0"' in organisation
    assert '<label for="f-org_team-0">' in organisation
    assert 'value="dont_know"' in organisation and "Don&#x27;t know" in organisation
    # a number: unit, range, help via aria-describedby; hidden until its condition holds
    assert 'id="q-org_fte" data-code="org_fte" data-type="number" data-revision="0" hidden' in (
        organisation
    )
    assert '<label for="f-org_fte">Number (FTE)</label>' in organisation
    assert 'aria-describedby="q-org_fte-help q-org_fte-range"' in organisation
    assert "Between 0 and 100" in organisation
    # a matrix: a table of radio groups, each radio labelled by its row and column
    assert 'name="q-data_cyber_practices-mfa"' in data
    assert '<th scope="row" id="q-data_cyber_practices-mfa-label">' in data
    assert "Two-factor authentication for sensitive access — 4 — " in data
    # navigation with counts and the current section marked
    assert 'aria-current="page"' in data and "0/8 answered" in data  # one follow-up hidden
    assert '<progress id="progress-bar" max="' in data
    assert 'src="/static/instruments/fill.js"' in data


def test_section_page_shows_saved_answers_and_revisions(client, member, draft):
    answer_save(
        diagnostic=draft,
        question_code="gov_strategy",
        value="adopted",
        base_revision=0,
        user=member,
    )
    answer_save(
        diagnostic=draft,
        question_code="gov_partners",
        value=["communes", "research"],
        base_revision=0,
        user=member,
    )
    client.force_login(member)

    html = client.get(_url(draft, "section/governance/")).content.decode()

    assert 'name="rev-gov_strategy" value="1"' in html
    assert 'value="adopted" checked' in html
    assert 'value="communes" checked' in html and 'value="research" checked' in html
    # the follow-up of an adopted strategy is now shown (no hidden attribute)
    assert 'data-code="gov_strategy_pst" data-type="single_choice" data-revision="0">' in html
    assert "Answered by member@namur.example" in html


def test_staff_see_a_read_only_section(client, staff_user, draft):
    client.force_login(staff_user)

    html = client.get(_url(draft, "section/governance/")).content.decode()

    assert '<fieldset class="fill-fieldset" disabled>' in html
    assert "Save and continue" not in html
    assert "fill.js" not in html


def test_section_post_saves_every_field_and_goes_to_the_next_section(client, member, draft):
    client.force_login(member)

    response = client.post(
        _url(draft, "section/profile/"),
        {
            "q-profile_team": ["alderman", "it"],
            "q-profile_self_assessment": "6",
            "q-profile_priority_axes": ["mobility"],
        },
    )

    assert (response.status_code, response["Location"]) == (302, _url(draft, "section/governance/"))
    assert _stored(draft) == {
        "profile_team": ["alderman", "it"],
        "profile_self_assessment": 6,
        "profile_priority_axes": ["mobility"],
    }


def test_section_post_stay_returns_to_the_section(client, member, draft):
    client.force_login(member)

    response = client.post(
        _url(draft, "section/profile/"), {"q-profile_self_assessment": "3", "action": "stay"}
    )

    assert response["Location"] == _url(draft, "section/profile/")


def test_section_post_reports_errors_next_to_the_field_and_keeps_the_input(client, member, draft):
    client.force_login(member)
    # open the conditional number question first
    _save(draft, "org_team", "team", 0, member)

    response = client.post(
        _url(draft, "section/organisation/"),
        {"q-org_team": "team", "rev-org_team": "1", "q-org_fte": "beaucoup", "q-org_skills": "x"},
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Enter a number, for example 2 or 0,5." in html
    assert 'value="beaucoup"' in html and 'aria-invalid="true"' in html
    assert '<div class="q-errors" id="q-org_skills-errors">' in html
    assert "“x” is not one of the proposed answers" in html
    assert _stored(draft) == {"org_team": "team"}


def test_section_post_number_accepts_a_decimal_comma_and_range(client, member, draft):
    _save(draft, "org_team", "team", 0, member)
    client.force_login(member)

    ok = client.post(_url(draft, "section/organisation/"), {"q-org_fte": "0,5", "action": "stay"})
    too_big = client.post(_url(draft, "section/organisation/"), {"q-org_fte": "250"})

    assert ok.status_code == 302
    assert too_big.status_code == 200
    assert 'id="q-org_fte-errors"' in too_big.content.decode()
    assert _stored(draft)["org_fte"] == 0.5


def test_section_post_special_and_option_together_is_an_error(client, member, draft):
    client.force_login(member)

    response = client.post(
        _url(draft, "section/profile/"), {"q-profile_team": ["alderman", "dont_know"]}
    )

    assert response.status_code == 200
    assert "Tick either options or" in response.content.decode()
    assert _stored(draft) == {}


def test_section_post_dont_know_on_a_number(client, member, draft):
    _save(draft, "org_team", "team", 0, member)
    client.force_login(member)

    client.post(_url(draft, "section/organisation/"), {"s-org_fte": "dont_know"})

    assert _stored(draft)["org_fte"] == "dont_know"


def test_section_post_matrix_rows(client, member, draft):
    client.force_login(member)

    client.post(
        _url(draft, "section/data_technologies/"),
        {"q-data_cyber_practices-backups": "4", "q-data_cyber_practices-mfa": "dont_know"},
    )

    assert _stored(draft) == {"data_cyber_practices": {"backups": 4, "mfa": "dont_know"}}


def test_section_post_skips_hidden_questions(client, member, draft):
    client.force_login(member)

    client.post(
        _url(draft, "section/governance/"),
        {"q-gov_strategy": "none", "q-gov_strategy_pst": "no"},
    )

    assert _stored(draft) == {"gov_strategy": "none"}


def test_section_post_that_opens_follow_up_questions_stays_on_the_section(client, member, draft):
    client.force_login(member)

    response = client.post(_url(draft, "section/governance/"), {"q-gov_strategy": "adopted"})

    assert response["Location"] == _url(draft, "section/governance/") + "#q-gov_strategy_pst"
    html = client.get(response["Location"]).content.decode()
    assert "Your answers opened follow-up questions below." in html
    assert 'data-code="gov_strategy_pst" data-type="single_choice" data-revision="0">' in html


def test_section_post_unchanged_answers_do_not_overwrite_a_colleague(
    client, member, manager, draft
):
    answer_save(
        diagnostic=draft,
        question_code="gov_strategy",
        value="adopted",
        base_revision=0,
        user=member,
    )
    # the member loaded the page at revision 1; the manager changes the answer meanwhile
    answer_save(
        diagnostic=draft,
        question_code="gov_strategy",
        value="reviewed",
        base_revision=1,
        user=manager,
    )
    client.force_login(member)

    response = client.post(
        _url(draft, "section/governance/"),
        {"q-gov_strategy": "reviewed", "rev-gov_strategy": "1", "action": "stay"},
    )

    assert response.status_code == 302
    assert DiagnosticAnswer.objects.get(question_code="gov_strategy").revision == 2


def test_section_post_conflict_shows_the_other_answer_and_keeps_mine(
    client, member, manager, draft
):
    answer_save(
        diagnostic=draft,
        question_code="gov_strategy",
        value="adopted",
        base_revision=0,
        user=member,
    )
    answer_save(
        diagnostic=draft,
        question_code="gov_strategy",
        value="reviewed",
        base_revision=1,
        user=manager,
    )
    client.force_login(member)

    response = client.post(
        _url(draft, "section/governance/"), {"q-gov_strategy": "none", "rev-gov_strategy": "1"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert "Changed by manager@namur.example at" in html
    assert "save again to replace theirs" in html
    assert 'value="none" checked' in html  # my answer stays on the page
    assert 'name="rev-gov_strategy" value="2"' in html  # saving again overwrites theirs
    assert _stored(draft)["gov_strategy"] == "reviewed"
    again = client.post(
        _url(draft, "section/governance/"), {"q-gov_strategy": "none", "rev-gov_strategy": "2"}
    )
    assert again.status_code == 302
    assert _stored(draft)["gov_strategy"] == "none"


def test_last_section_of_a_complete_diagnostic_leads_to_submit(client, manager, draft, instrument):
    answers = complete_answers(instrument)
    closing = answers.pop("closing_comments")
    answers_store(draft, answers, manager)
    client.force_login(manager)

    response = client.post(_url(draft, "section/closing/"), {"q-closing_comments": closing})

    assert response["Location"] == _url(draft, "section/closing/") + "#submit"


def test_fill_resumes_at_the_first_unfinished_section(client, member, draft, instrument):
    answers = complete_answers(instrument)
    answers_store(draft, {k: v for k, v in answers.items() if not k.startswith("plan_")}, member)
    client.force_login(member)

    response = client.get(_url(draft))

    assert response["Location"] == _url(draft, "section/planning/")


def test_fill_of_a_submitted_diagnostic_goes_to_results(client, member, submitted):
    client.force_login(member)

    response = client.get(_url(submitted))

    assert response["Location"] == _url(submitted, "results/")


def test_submitted_section_is_read_only_for_members(client, member, submitted):
    client.force_login(member)

    html = client.get(_url(submitted, "section/governance/")).content.decode()
    refused = client.post(_url(submitted, "section/profile/"), {"q-profile_self_assessment": "1"})

    assert "This diagnostic is submitted" in html
    assert '<fieldset class="fill-fieldset" disabled>' in html
    assert refused.status_code == 403


# ---------------------------------------------------------------------------------------------
# Autosave endpoint
# ---------------------------------------------------------------------------------------------


def test_answer_saves_and_returns_revision_progress_and_hidden(client, member, draft, instrument):
    client.force_login(member)

    response = _post_answer(client, draft, question="gov_strategy", value="none", base_revision=0)

    data = response.json()
    assert response.status_code == 200
    assert data["revision"] == 1
    assert data["progress"]["answered"] == 1
    assert data["progress"]["total"] == len([q for q in instrument.questions if q.required]) - len(
        data["hidden"]
    ) + len([q for q in instrument.questions if not q.required and q.code in data["hidden"]])
    assert "gov_strategy_pst" in data["hidden"]
    answer = DiagnosticAnswer.objects.get(diagnostic=draft, question_code="gov_strategy")
    assert (answer.value, answer.revision, answer.updated_by) == ("none", 1, member)


def test_answer_reveals_follow_up_questions(client, member, draft):
    client.force_login(member)

    before = _post_answer(client, draft, question="gov_strategy", value="none").json()
    after = _post_answer(
        client, draft, question="gov_strategy", value="adopted", base_revision=1
    ).json()

    assert "gov_strategy_pst" in before["hidden"]
    assert "gov_strategy_pst" not in after["hidden"]
    assert after["revision"] == 2


def test_answer_conflict_returns_the_other_value(client, member, manager, draft):
    answer_save(
        diagnostic=draft,
        question_code="gov_strategy",
        value="adopted",
        base_revision=0,
        user=manager,
    )
    client.force_login(member)

    response = _post_answer(client, draft, question="gov_strategy", value="none", base_revision=0)

    data = response.json()
    assert response.status_code == 409
    assert data["conflict"]["value"] == "adopted"
    assert data["conflict"]["revision"] == 1
    assert data["conflict"]["updated_by"] == "manager@namur.example"
    assert data["message"].startswith("Changed by manager@namur.example at ")
    assert "their answer is “" in data["message"]
    assert _stored(draft)["gov_strategy"] == "adopted"
    assert "gov_strategy_pst" not in data["hidden"]  # shown by the colleague's "adopted"


def test_answer_force_overwrites_after_a_conflict(client, member, manager, draft):
    answer_save(
        diagnostic=draft,
        question_code="gov_strategy",
        value="adopted",
        base_revision=0,
        user=manager,
    )
    client.force_login(member)

    response = _post_answer(
        client, draft, question="gov_strategy", value="none", base_revision=0, force=True
    )

    assert response.status_code == 200
    assert response.json()["revision"] == 2
    assert _stored(draft)["gov_strategy"] == "none"


@pytest.mark.parametrize(
    "body",
    [
        {"question": "gov_director", "value": 9},
        {"question": "gov_strategy", "value": "maybe"},
        {"question": "gov_partners", "value": ["none", "communes"]},
        {"question": "no_such_question", "value": 1},
        {"value": 1},
        {"question": "gov_strategy", "value": "none", "base_revision": "x"},
    ],
)
def test_answer_invalid_is_422_with_errors(client, member, draft, body):
    client.force_login(member)

    response = _post_answer(client, draft, **body)

    assert response.status_code == 422
    assert response.json()["errors"] and all(isinstance(e, str) for e in response.json()["errors"])
    assert _stored(draft) == {}


def test_answer_invalid_json_is_422(client, member, draft):
    client.force_login(member)

    response = client.post(_url(draft, "answer/"), data="{", content_type="application/json")

    assert response.status_code == 422


def test_answer_clearing_an_answer(client, member, draft):
    client.force_login(member)
    _post_answer(client, draft, question="closing_comments", value="Merci")

    response = _post_answer(client, draft, question="closing_comments", value="", base_revision=1)

    assert response.status_code == 200
    assert _stored(draft)["closing_comments"] is None


def test_answer_on_a_submitted_diagnostic_is_refused(client, member, submitted):
    client.force_login(member)

    response = _post_answer(client, submitted, question="gov_strategy", value="none")

    assert response.status_code == 403


# ---------------------------------------------------------------------------------------------
# Submit
# ---------------------------------------------------------------------------------------------


def test_submit_with_missing_questions_names_them_with_links(client, manager, draft, instrument):
    answers = complete_answers(instrument)
    missing = ["gov_sponsor", "data_dpo"]
    answers_store(draft, {k: v for k, v in answers.items() if k not in missing}, manager)
    client.force_login(manager)

    response = client.post(_url(draft, "submit/"))

    html = response.content.decode()
    assert response.status_code == 200
    assert "2 required questions are still unanswered." in html
    assert f'href="{_url(draft, "section/governance/")}#q-gov_sponsor"' in html
    assert f'href="{_url(draft, "section/data_technologies/")}#q-data_dpo"' in html
    assert html.count("/#q-") == 2
    assert Diagnostic.objects.get(pk=draft.pk).status == Diagnostic.Status.DRAFT


def test_submit_complete_diagnostic_asks_for_confirmation_first(client, manager, draft, instrument):
    answers_store(draft, complete_answers(instrument), manager)
    client.force_login(manager)

    response = client.post(_url(draft, "submit/"))

    html = response.content.decode()
    assert response.status_code == 200
    assert f"<h1>Submit the diagnostic {draft.year} of Namur?</h1>" in html
    assert "What becomes read-only" in html
    assert "Who can see the results" in html
    assert "only in groups of at least 5 communes" in html
    assert '<input type="hidden" name="confirm" value="yes">' in html
    assert f'action="{_url(draft, "submit/")}"' in html
    assert Diagnostic.objects.get(pk=draft.pk).status == Diagnostic.Status.DRAFT


def test_submit_confirmed_freezes_and_redirects_to_results(client, manager, draft, instrument):
    answers_store(draft, complete_answers(instrument), manager)
    client.force_login(manager)

    response = client.post(_url(draft, "submit/"), {"confirm": "yes"}, follow=True)

    assert response.redirect_chain == [(_url(draft, "results/"), 302)]
    draft.refresh_from_db()
    assert (draft.status, draft.submitted_by, draft.overall_level) == ("submitted", manager, 5)
    assert [str(m) for m in response.context["messages"]] == [
        "The diagnostic is submitted. Here are your results."
    ]
    assert '<div class="messages" role="status">' in response.content.decode()


def test_submit_confirmed_with_missing_questions_still_lists_them(
    client, manager, draft, instrument
):
    answers = complete_answers(instrument)
    answers_store(draft, {k: v for k, v in answers.items() if k != "gov_sponsor"}, manager)
    client.force_login(manager)

    response = client.post(_url(draft, "submit/"), {"confirm": "yes"})

    assert response.status_code == 200
    assert "1 required question is still unanswered." in response.content.decode()
    assert Diagnostic.objects.get(pk=draft.pk).status == Diagnostic.Status.DRAFT


def test_submit_get_shows_the_confirmation_without_submitting(client, manager, draft, instrument):
    answers_store(draft, complete_answers(instrument), manager)
    client.force_login(manager)

    response = client.get(_url(draft, "submit/"))

    assert response.status_code == 200
    assert "Submit for good" in response.content.decode()
    assert Diagnostic.objects.get(pk=draft.pk).status == Diagnostic.Status.DRAFT


def test_submit_of_a_submitted_diagnostic_goes_to_results(client, manager, submitted):
    client.force_login(manager)

    response = client.post(_url(submitted, "submit/"), {"confirm": "yes"})

    assert response["Location"] == _url(submitted, "results/")


def test_members_see_that_a_manager_submits(client, member, manager, draft):
    client.force_login(member)
    member_html = client.get(_url(draft, "section/closing/")).content.decode()
    client.force_login(manager)
    manager_html = client.get(_url(draft, "section/closing/")).content.decode()

    assert "a manager of the commune submits the diagnostic" in member_html
    assert f'action="{_url(draft, "submit/")}"' not in member_html
    assert f'action="{_url(draft, "submit/")}"' in manager_html


# ---------------------------------------------------------------------------------------------
# Targets
# ---------------------------------------------------------------------------------------------


def test_targets_form_lists_domains_with_level_descriptors(client, manager, draft, instrument):
    client.force_login(manager)

    html = client.get(_url(draft, "targets/")).content.decode()

    for dimension in instrument.dimensions:
        assert f'name="target_{dimension.code}"' in html
        assert f"5 — {dimension.levels[4]['en']}" in html


def test_targets_save_levels_and_horizon(client, manager, draft):
    client.force_login(manager)
    year = timezone.localdate().year

    response = client.post(
        _url(draft, "targets/"), {"target_gov": "4", "target_data": "3", "horizon_year": year + 3}
    )

    assert response["Location"] == _url(draft, "targets/")
    assert dict(DomainTarget.objects.values_list("dimension", "level")) == {"gov": 4, "data": 3}
    assert Diagnostic.objects.get(pk=draft.pk).horizon_year == year + 3
    html = client.get(_url(draft, "targets/")).content.decode()
    assert '<option value="4" selected>' in html


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"target_gov": "6"}, "target_gov"),
        ({"target_gov": "zero"}, "target_gov"),
        ({"horizon_year": "1999"}, "horizon_year"),
        ({"horizon_year": "3000"}, "horizon_year"),
    ],
)
def test_targets_invalid_input_is_refused(client, manager, draft, data, field):
    client.force_login(manager)

    response = client.post(_url(draft, "targets/"), data)

    assert response.status_code == 200
    assert f'id="id_{field}-errors"' in response.content.decode()
    assert DomainTarget.objects.count() == 0


def test_targets_on_a_submitted_diagnostic(client, manager, submitted):
    client.force_login(manager)

    response = client.post(_url(submitted, "targets/"), {"target_innov": "5"})

    assert response.status_code == 302
    assert list(DomainTarget.objects.values_list("dimension", "level")) == [("innov", 5)]


# ---------------------------------------------------------------------------------------------
# Cost
# ---------------------------------------------------------------------------------------------


def test_section_page_query_count_does_not_grow_with_answers(
    client, member, draft, instrument, django_assert_num_queries
):
    client.force_login(member)
    client.get(_url(draft, "section/governance/"))  # warm the session
    with django_assert_num_queries(QUERIES_SECTION):
        client.get(_url(draft, "section/governance/"))
    answers_store(draft, complete_answers(instrument), member)
    with django_assert_num_queries(QUERIES_SECTION):
        response = client.get(_url(draft, "section/governance/"))
    assert response.status_code == 200


QUERIES_SECTION = 7
