"""A commune's journey through the method: who sees and records it, what is saved or refused."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from smartregion.accounts.models import Membership
from smartregion.knowledge.models import MethodPhase, StepProgress
from tests.factories import MembershipFactory
from tests.knowledge.method_support import PDF, editor, step

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def _url(namur, tail=""):
    return f"/en/knowledge/journey/{namur.refnis}/{tail}"


@pytest.fixture
def steps(db):
    return [
        step(
            "will",
            MethodPhase.PREREQUISITES,
            1,
            title_en="Political will",
            checklist_en="Vote\nBudget",
        ),
        step("team", MethodPhase.PREREQUISITES, 2, title_en="Team"),
        step("diagnosis", MethodPhase.PLANNING, 1, title_en="Diagnosis"),
    ]


def _post(client, namur, target, **fields):
    prefix = f"step-{target.pk}-"
    data = {"step": str(target.pk), f"{prefix}token": fields.pop("token", "")}
    data |= {prefix + name: value for name, value in fields.items()}
    return client.post(_url(namur), data)


# --- permissions ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status", "form"),
    [
        ("member", 200, True),
        ("manager", 200, True),
        ("staff_user", 200, False),
        ("other_member", 403, None),
        ("editor_user", 403, None),
    ],
)
def test_journey_page_permission_matrix(client, request, steps, namur, who, status, form):
    client.force_login(editor() if who == "editor_user" else request.getfixturevalue(who))

    response = client.get(_url(namur))

    assert response.status_code == status
    if form is not None:
        html = response.content.decode()
        assert ('name="step-' in html) is form


def test_journey_page_sends_anonymous_visitors_to_sign_in(client, steps, namur):
    response = client.get(_url(namur))

    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/")


def test_journey_of_an_unknown_commune_is_404(client, member):
    client.force_login(member)

    assert client.get("/en/knowledge/journey/99999/").status_code == 404


@pytest.mark.parametrize("who", ["staff_user", "other_member"])
def test_journey_post_is_refused_to_readers_and_outsiders(client, request, steps, namur, who):
    client.force_login(request.getfixturevalue(who))

    response = _post(client, namur, steps[0], status="in_progress")

    assert response.status_code == 403
    assert StepProgress.objects.count() == 0


def test_journey_post_is_refused_to_an_editor_without_membership(client, steps, namur):
    client.force_login(editor())

    response = _post(client, namur, steps[0], status="in_progress")

    assert response.status_code == 403
    assert StepProgress.objects.count() == 0


# --- saving --------------------------------------------------------------------------------------


def test_member_records_a_done_step_with_date_note_and_ticks(client, steps, namur, member):
    client.force_login(member)
    when = TODAY - dt.timedelta(days=3)

    response = _post(
        client,
        namur,
        steps[0],
        status="done",
        date=when.isoformat(),
        note="Voted in council",
        checked=["0", "1"],
    )

    assert response.status_code == 302
    assert response["Location"] == _url(namur) + f"#step-{steps[0].pk}"
    row = StepProgress.objects.get()
    assert (
        row.municipality,
        row.step,
        row.status,
        row.date,
        row.note,
        row.checked,
        row.updated_by,
    ) == (
        namur,
        steps[0],
        "done",
        when,
        "Voted in council",
        [0, 1],
        member,
    )
    page = client.get(response["Location"]).content.decode()
    assert "Saved: “Political will”." in page
    assert "1 of 3 steps done (33 %)" in page


def test_the_form_shows_what_was_saved(client, steps, namur, member):
    StepProgress.objects.create(
        municipality=namur,
        step=steps[0],
        status="done",
        date=dt.date(2026, 10, 1),
        note="Voted",
        checked=[1],
    )
    client.force_login(member)

    html = client.get(_url(namur)).content.decode()

    prefix = f"step-{steps[0].pk}"
    assert f'type="date" name="{prefix}-date" value="2026-10-01"' in html
    assert '<option value="done" selected>Done</option>' in html
    assert f'name="{prefix}-checked" value="1" id="id_{prefix}-checked_1" checked' in html
    assert ">\nVoted</textarea>" in html


def test_saving_again_updates_the_same_row(client, steps, namur, manager):
    client.force_login(manager)
    _post(client, namur, steps[1], status="in_progress")
    token = StepProgress.objects.get().updated_at.isoformat()

    _post(client, namur, steps[1], status="not_relevant", token=token)

    assert list(StepProgress.objects.values_list("status", flat=True)) == ["not_relevant"]


@pytest.mark.parametrize(
    ("fields", "field_label", "error"),
    [
        ({"status": "done"}, "Date", "Give the date the step was done."),
        (
            {"status": "in_progress", "date": (TODAY + dt.timedelta(days=1)).isoformat()},
            "Date",
            "The date cannot be in the future.",
        ),
        (
            {"status": "in_progress", "note": "x" * 4001},
            "Note",
            "Ensure this value has at most 4000 characters (it has 4001).",
        ),
        (
            {"status": "finished"},
            "Status",
            "Select a valid choice. finished is not one of the available choices.",
        ),
        (
            {"status": "in_progress", "checked": ["7"]},
            "Checklist",
            "Select a valid choice. 7 is not one of the available choices.",
        ),
    ],
)
def test_bad_input_is_refused_naming_the_field(
    client, steps, namur, member, fields, field_label, error
):
    client.force_login(member)

    response = _post(client, namur, steps[0], **fields)

    html = response.content.decode()
    assert response.status_code == 400
    assert f"“Political will” was not saved. Check: {field_label}." in html
    assert error in html
    assert StepProgress.objects.count() == 0


def test_a_file_that_is_not_a_document_is_refused(client, steps, namur, member):
    client.force_login(member)
    upload = SimpleUploadedFile("minutes.pdf", b"MZ not a pdf", content_type="application/pdf")

    response = client.post(
        _url(namur),
        {
            "step": str(steps[0].pk),
            f"step-{steps[0].pk}-status": "in_progress",
            f"step-{steps[0].pk}-evidence": upload,
        },
    )

    html = response.content.decode()
    assert response.status_code == 400
    assert "Check: Evidence (PDF or office document)." in html
    assert (
        "“minutes.pdf” is not a PDF, OpenDocument (ODT, ODS) or Office (DOCX, XLSX) document."
        in html
    )
    assert StepProgress.objects.count() == 0


def test_a_stale_form_is_refused_and_keeps_the_input(client, steps, namur, member, manager):
    client.force_login(manager)
    _post(client, namur, steps[0], status="in_progress")
    client.force_login(member)

    response = _post(
        client, namur, steps[0], status="done", date=TODAY.isoformat(), note="Mine", token=""
    )

    html = response.content.decode()
    assert response.status_code == 409
    assert "A colleague saved this step while you were editing it." in html
    assert ">\nMine</textarea>" in html
    assert StepProgress.objects.get().status == "in_progress"


# --- evidence ------------------------------------------------------------------------------------


@pytest.fixture
def with_evidence(client, steps, namur, member):
    client.force_login(member)
    upload = SimpleUploadedFile("Décision du collège.pdf", PDF, content_type="application/pdf")
    client.post(
        _url(namur),
        {
            "step": str(steps[0].pk),
            f"step-{steps[0].pk}-status": "done",
            f"step-{steps[0].pk}-date": TODAY.isoformat(),
            f"step-{steps[0].pk}-evidence": upload,
        },
    )
    client.logout()
    return StepProgress.objects.get()


def test_evidence_is_stored_under_a_random_name_and_listed(client, with_evidence, namur, member):
    client.force_login(member)

    html = client.get(_url(namur)).content.decode()

    assert with_evidence.evidence_name == "Décision du collège.pdf"
    assert with_evidence.evidence.name.endswith(".pdf")
    assert "Décision" not in with_evidence.evidence.name
    assert f'href="{_url(namur, f"evidence/{with_evidence.step_id}/")}"' in html


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("member", 200),
        ("manager", 200),
        ("staff_user", 200),
        ("other_member", 403),
        ("editor_user", 403),
    ],
)
def test_evidence_download_permission_matrix(client, request, with_evidence, namur, who, status):
    client.force_login(editor() if who == "editor_user" else request.getfixturevalue(who))

    response = client.get(_url(namur, f"evidence/{with_evidence.step_id}/"))

    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content) == PDF
        assert response["Content-Type"] == "application/pdf"
        assert "attachment" in response["Content-Disposition"]


def test_evidence_download_sends_anonymous_visitors_to_sign_in(client, with_evidence, namur):
    response = client.get(_url(namur, f"evidence/{with_evidence.step_id}/"))

    assert response.status_code == 302


def test_evidence_of_a_step_without_file_is_404(client, steps, namur, member):
    client.force_login(member)

    assert client.get(_url(namur, f"evidence/{steps[1].pk}/")).status_code == 404


# --- summary and panels ------------------------------------------------------------------------


def test_summary_counts_done_per_phase_leaving_out_steps_not_relevant(client, steps, namur, member):
    StepProgress.objects.create(municipality=namur, step=steps[0], status="done", date=TODAY)
    StepProgress.objects.create(municipality=namur, step=steps[1], status="not_relevant")
    StepProgress.objects.create(municipality=namur, step=steps[2], status="in_progress")
    client.force_login(member)

    html = client.get(_url(namur)).content.decode()

    assert "1 of 2 steps done (50 %)" in html
    row = '<tr><th scope="row">{}</th><td>{}</td><td>{}</td><td>{}</td><td>{} %</td></tr>'
    assert row.format("Phase 0: prerequisites", 1, 0, 1, 100) in html
    assert row.format("Phase 1: strategic planning", 0, 1, 1, 0) in html


def test_journey_page_runs_a_constant_number_of_queries(
    client, steps, namur, member, django_assert_num_queries
):
    client.force_login(member)
    # session, user, commune, membership (see), membership (edit), steps, progress
    with django_assert_num_queries(7):
        client.get(_url(namur))
    for n in range(10):
        extra = step(f"more-{n}", MethodPhase.MONITORING, n)
        StepProgress.objects.create(municipality=namur, step=extra, status="done", date=TODAY)
    with django_assert_num_queries(7):
        response = client.get(_url(namur))
    assert "10 of 13 steps done (77 %)" in response.content.decode()


@pytest.mark.parametrize(
    ("who", "shown", "link"),
    [
        ("member", True, "Record the commune"),
        ("manager", True, "Record the commune"),
        ("staff_user", True, "See the commune"),
    ],
)
def test_space_shows_where_the_commune_stands(client, request, steps, namur, who, shown, link):
    StepProgress.objects.create(municipality=namur, step=steps[2], status="done", date=TODAY)
    client.force_login(request.getfixturevalue(who))

    html = client.get(f"/en/space/{namur.refnis}/").content.decode()

    assert ("Where the commune stands in the method" in html) is shown
    assert "1 of 3 steps done (33 %)" in html
    assert f'<a href="{_url(namur)}">{link}' in html


def test_space_panel_is_none_for_someone_outside_the_commune(steps, namur, other_member):
    from smartregion.knowledge.panels import commune_space_method

    assert commune_space_method(namur, user=other_member) is None


def test_a_second_commune_of_a_member_keeps_its_own_progress(
    client, steps, namur, member, territory
):
    from smartregion.territory.models import Municipality

    liege = Municipality.objects.get(refnis="62063")
    MembershipFactory(user=member, municipality=liege, role=Membership.Role.MEMBER)
    client.force_login(member)

    _post(client, liege, steps[0], status="in_progress")

    assert list(StepProgress.objects.values_list("municipality__refnis", flat=True)) == ["62063"]
    assert "0 of 3 steps done (0 %)" in client.get(_url(namur)).content.decode()
