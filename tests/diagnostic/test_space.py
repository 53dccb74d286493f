"""My space, the commune space (diagnostics, team, invitations) and accepting an invitation."""

from __future__ import annotations

import datetime as dt
import re
from urllib.parse import quote

import pytest
from django.core import mail
from django.utils import timezone

from smartregion.accounts.models import Invitation, Membership, User
from smartregion.diagnostic.models import Diagnostic
from smartregion.diagnostic.services import diagnostic_submit
from smartregion.territory.models import Municipality
from tests.factories import UserFactory, answers_store, complete_answers

pytestmark = pytest.mark.django_db

USERS = ["anonymous", "other_member", "member", "manager", "staff_user"]
COMMUNE = "/en/space/92094/"


def _matrix(*statuses: int) -> list[tuple[str, int]]:
    return list(zip(USERS, statuses, strict=True))


def _as(client, request, who):
    if who != "anonymous":
        client.force_login(request.getfixturevalue(who))


def _login(path):
    return f"/en/accounts/login/?next={quote(path)}"


def _submitted(municipality, instrument_version, user, year):
    diagnostic = Diagnostic.objects.create(
        municipality=municipality, instrument_version=instrument_version, year=year
    )
    answers_store(diagnostic, complete_answers(instrument_version.instrument), user)
    return diagnostic_submit(diagnostic=diagnostic, user=user)


# ---------------------------------------------------------------------------------------------
# My space
# ---------------------------------------------------------------------------------------------


def test_my_space_sends_anonymous_visitors_to_sign_in(client):
    response = client.get("/en/space/")

    assert (response.status_code, response["Location"]) == (302, _login("/en/space/"))


def test_my_space_with_one_commune_goes_straight_to_it(client, member):
    client.force_login(member)

    response = client.get("/en/space/")

    assert (response.status_code, response["Location"]) == (302, COMMUNE)


def test_my_space_lists_several_communes(client, member):
    liege = Municipality.objects.get(refnis="62063")
    Membership.objects.create(user=member, municipality=liege, role=Membership.Role.MANAGER)
    client.force_login(member)

    html = client.get("/en/space/").content.decode()

    assert 'href="/en/space/92094/"' in html and 'href="/en/space/62063/"' in html
    assert "Manager" in html and "Member" in html


def test_my_space_for_staff_links_to_the_overview(client, staff_user):
    client.force_login(staff_user)

    response = client.get("/en/space/")

    html = response.content.decode()
    assert response.status_code == 200
    assert 'href="/en/diagnostics/overview/"' in html
    assert "You are not a member of a commune" in html


def test_navigation_shows_my_space_only_when_signed_in(client, member):
    assert 'href="/en/space/"' not in client.get("/en/").content.decode()
    client.force_login(member)
    assert 'href="/en/space/"' in client.get("/en/").content.decode()


# ---------------------------------------------------------------------------------------------
# Commune space
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), _matrix(302, 403, 200, 200, 200))
def test_commune_space_permissions(client, request, namur, who, status):
    _as(client, request, who)

    response = client.get(COMMUNE)

    assert response.status_code == status
    if who == "anonymous":
        assert response["Location"] == _login(COMMUNE)


def test_commune_space_unknown_refnis_is_404(client, member):
    client.force_login(member)

    assert client.get("/en/space/99999/").status_code == 404


def test_commune_space_for_a_member(client, member, manager):
    client.force_login(member)

    html = client.get(COMMUNE).content.decode()

    assert "No diagnostic yet" in html
    assert 'action="/en/space/92094/start/"' in html and "Start a new diagnostic" in html
    assert "member@namur.example — Member" in html
    assert "manager@namur.example — Manager" in html
    assert 'action="/en/space/92094/invite/"' not in html


def test_commune_space_for_a_manager_has_the_invite_form(client, manager):
    client.force_login(manager)

    html = client.get(COMMUNE).content.decode()

    assert 'action="/en/space/92094/invite/"' in html
    assert '<option value="manager">Manager</option>' in html


def test_commune_space_for_staff_reads_without_starting(client, staff_user, draft):
    client.force_login(staff_user)

    html = client.get(COMMUNE).content.decode()

    assert 'action="/en/space/92094/start/"' not in html
    assert f'href="/en/diagnostics/{draft.pk}/">Read' in html


def test_commune_space_lists_diagnostics_with_progress_and_level(
    client, member, manager, namur, instrument_version, instrument
):
    old = _submitted(namur, instrument_version, manager, 2024)
    draft = Diagnostic.objects.create(
        municipality=namur, instrument_version=instrument_version, year=2026
    )
    answers = complete_answers(instrument)
    answers_store(draft, {k: answers[k] for k in ["gov_strategy", "gov_sponsor"]}, member)
    client.force_login(member)

    html = client.get(COMMUNE).content.decode()

    rows = re.findall(r"<tr>\s*<td>(\d{4}).*?</tr>", html, re.S)
    assert rows == ["2026", "2024"]
    assert "Continue the diagnostic in progress" in html
    assert f'href="/en/diagnostics/{draft.pk}/">Continue' in html
    assert f'href="/en/diagnostics/{old.pk}/results/">Results' in html
    assert '<td class="num">5 / 5</td>' in html
    total = len([q for q in instrument.questions if q.required]) - 6  # follow-ups still hidden
    assert f'<td class="num">{round(100 * 2 / total)} %</td>' in html


def test_commune_space_query_count_is_constant(
    client, manager, namur, instrument_version, django_assert_num_queries
):
    client.force_login(manager)
    client.get(COMMUNE)
    _submitted(namur, instrument_version, manager, 2023)
    draft = Diagnostic.objects.create(
        municipality=namur, instrument_version=instrument_version, year=2024
    )
    with django_assert_num_queries(QUERIES_COMMUNE):
        client.get(COMMUNE)
    answers_store(draft, complete_answers(instrument_version.instrument), manager)
    diagnostic_submit(diagnostic=draft, user=manager)
    _submitted(namur, instrument_version, manager, 2025)
    Diagnostic.objects.create(municipality=namur, instrument_version=instrument_version, year=2026)
    UserFactory(email="second@namur.example").memberships.create(municipality=namur)
    with django_assert_num_queries(QUERIES_COMMUNE):
        response = client.get(COMMUNE)
    assert response.content.decode().count("/results/") == 3


# 10, plus the two permission lookups of the projects links (user, groups), plus the projects'
# panel: the user's teams (memberships, the communes' actor rows) and the commune's projects,
# plus the barometer's panel: the person's roles in the commune and the commune's open waves,
# plus the knowledge panel (where it stands in the method): the steps and the commune's progress.
QUERIES_COMMUNE = 19


# ---------------------------------------------------------------------------------------------
# Start
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), _matrix(302, 403, 302, 302, 403))
def test_start_permissions(client, request, instrument_version, who, status):
    _as(client, request, who)

    response = client.post(f"{COMMUNE}start/")

    assert response.status_code == status
    drafts = Diagnostic.objects.filter(municipality__refnis="92094")
    if who in ("member", "manager"):
        draft = drafts.get()
        assert response["Location"] == f"/en/diagnostics/{draft.pk}/"
        assert draft.created_by == request.getfixturevalue(who)
    else:
        assert not drafts.exists()
        if who == "anonymous":
            assert response["Location"] == _login(f"{COMMUNE}start/")


def test_start_resumes_the_draft_in_progress(client, member, draft):
    client.force_login(member)

    response = client.post(f"{COMMUNE}start/")

    assert response["Location"] == f"/en/diagnostics/{draft.pk}/"
    assert Diagnostic.objects.count() == 1


def test_start_without_an_instrument_says_so(client, member):
    client.force_login(member)

    response = client.post(f"{COMMUNE}start/", follow=True)

    assert "The maturity diagnostic is not loaded" in response.content.decode()
    assert Diagnostic.objects.count() == 0


def test_start_get_goes_back_to_the_commune(client, member):
    client.force_login(member)

    assert client.get(f"{COMMUNE}start/")["Location"] == COMMUNE


# ---------------------------------------------------------------------------------------------
# Invite
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("who", "status"), _matrix(302, 403, 403, 302, 403))
def test_invite_permissions(client, request, namur, outbox_on_commit, who, status):
    _as(client, request, who)

    with outbox_on_commit():
        response = client.post(
            f"{COMMUNE}invite/", {"email": "new@namur.example", "role": "member"}
        )

    assert response.status_code == status
    expected = [("new@namur.example", "member")] if who == "manager" else []
    assert list(Invitation.objects.values_list("email", "role")) == expected
    assert len(mail.outbox) == len(expected)


def test_invite_sends_the_link_and_lists_the_pending_invitation(
    client, manager, django_capture_on_commit_callbacks
):
    client.force_login(manager)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{COMMUNE}invite/", {"email": " New@Namur.example ", "role": "manager"}
        )

    assert response["Location"] == f"{COMMUNE}#team"
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["new@namur.example"]
    assert re.search(r"http://testserver/en/invitation/[\w-]+/", mail.outbox[0].body)
    html = client.get(COMMUNE).content.decode()
    assert "Invitation sent to new@namur.example." in html
    assert "new@namur.example — Manager — valid until" in html


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"email": "not-an-email", "role": "member"}, "Enter a valid email address."),
        ({"email": "", "role": "member"}, "This field is required."),
        ({"email": "x@namur.example", "role": "admin"}, "Select a valid choice."),
        ({"email": "member@namur.example", "role": "member"}, "is already a member"),
    ],
)
def test_invite_errors_are_shown_next_to_the_field(client, manager, member, data, message):
    client.force_login(manager)

    response = client.post(f"{COMMUNE}invite/", data)

    html = response.content.decode()
    assert response.status_code == 200
    assert "The invitation was not sent: see below." in html
    assert message in html
    assert Invitation.objects.count() == 0
    assert mail.outbox == []


# ---------------------------------------------------------------------------------------------
# Accepting an invitation
# ---------------------------------------------------------------------------------------------


def _invite(client, manager, email, sending, role="member"):
    """Send an invitation as the manager; return the link path from the email."""
    client.force_login(manager)
    with sending():
        client.post(f"{COMMUNE}invite/", {"email": email, "role": role})
    client.logout()
    return re.search(r"http://testserver(/en/invitation/[\w-]+/)", mail.outbox[-1].body).group(1)


@pytest.fixture
def outbox_on_commit(django_capture_on_commit_callbacks):
    """Send the emails a request queues for after the commit (tests run inside a transaction)."""
    return lambda: django_capture_on_commit_callbacks(execute=True)


def test_invitation_new_account_end_to_end(client, manager, outbox_on_commit):
    link = _invite(client, manager, "newcomer@namur.example", outbox_on_commit, role="manager")

    page = client.get(link).content.decode()
    mismatch = client.post(link, {"password1": "a-long-password-42", "password2": "other-pass-42"})
    weak = client.post(link, {"password1": "123", "password2": "123"})
    response = client.post(
        link, {"password1": "a-long-password-42", "password2": "a-long-password-42"}
    )

    assert "manager@namur.example invites newcomer@namur.example to join the team of Namur" in page
    assert 'name="password1"' in page and 'name="password2"' in page
    assert "The two passwords differ." in mismatch.content.decode()
    assert "This password is too short." in weak.content.decode()
    assert (response.status_code, response["Location"]) == (302, COMMUNE)
    user = User.objects.get(email="newcomer@namur.example")
    assert user.check_password("a-long-password-42")
    assert list(user.memberships.values_list("municipality__refnis", "role")) == [
        ("92094", "manager")
    ]
    assert client.get(COMMUNE).wsgi_request.user == user
    assert Invitation.objects.get().accepted_at is not None
    # the link works once
    client.logout()
    reused = client.get(link)
    assert reused.status_code == 410
    assert "This invitation has already been used. Sign in instead." in reused.content.decode()


def test_invitation_existing_account_signs_in_then_joins(client, manager, outbox_on_commit):
    existing = UserFactory(email="known@elsewhere.example")
    link = _invite(client, manager, "known@elsewhere.example", outbox_on_commit)

    page = client.get(link).content.decode()
    client.force_login(existing)
    join_page = client.get(link).content.decode()
    response = client.post(link)

    assert "An account already exists for known@elsewhere.example" in page
    assert f'href="/en/accounts/login/?next={quote(link, safe="")}"' in page
    assert "Join the team of Namur</button>" in join_page
    assert (response.status_code, response["Location"]) == (302, COMMUNE)
    assert list(existing.memberships.values_list("municipality__refnis", "role")) == [
        ("92094", "member")
    ]


def test_invitation_existing_account_cannot_be_taken_over_without_signing_in(
    client, manager, outbox_on_commit
):
    existing = UserFactory(email="known@elsewhere.example")
    link = _invite(client, manager, "known@elsewhere.example", outbox_on_commit)

    response = client.post(
        link, {"password1": "a-long-password-42", "password2": "a-long-password-42"}
    )

    assert response.status_code == 200
    assert not existing.memberships.exists()
    existing.refresh_from_db()
    assert existing.check_password("pw-for-tests-123")
    assert Invitation.objects.get().accepted_at is None


def test_invitation_for_someone_else_is_refused(client, manager, other_member, outbox_on_commit):
    link = _invite(client, manager, "invitee@namur.example", outbox_on_commit)
    client.force_login(other_member)

    page = client.get(link)
    post = client.post(link)

    assert page.status_code == 403 and post.status_code == 403
    assert "This invitation is for invitee@namur.example, but you are signed in as" in (
        page.content.decode()
    )
    assert not other_member.memberships.filter(municipality__refnis="92094").exists()
    assert Invitation.objects.get().accepted_at is None


def test_invitation_expired(client, manager, outbox_on_commit):
    link = _invite(client, manager, "late@namur.example", outbox_on_commit)
    Invitation.objects.update(expires_at=timezone.now() - dt.timedelta(minutes=1))

    response = client.get(link)
    post = client.post(link, {"password1": "a-long-password-42", "password2": "a-long-password-42"})

    assert response.status_code == 410 and post.status_code == 410
    assert "This invitation has expired. Ask for a new invitation." in response.content.decode()
    assert not User.objects.filter(email="late@namur.example").exists()


def test_invitation_unknown_token_is_404(client, territory):
    response = client.get("/en/invitation/not-a-real-token/")

    assert response.status_code == 404
    assert "This invitation link is not valid. Ask for a new invitation." in (
        response.content.decode()
    )


def test_commune_space_links_to_the_team_projects_not_the_review_queue(client, member):
    client.force_login(member)

    html = client.get(COMMUNE).content.decode()

    assert 'href="/en/projects/mine/"' in html and 'href="/en/projects/new/"' in html
    assert 'href="/en/accounts/api-tokens/"' in html
    assert 'href="/en/projects/review/"' not in html


def test_my_space_of_an_editor_links_to_the_review_queue(client, staff_user):
    from django.contrib.auth.models import Permission

    staff_user.user_permissions.add(Permission.objects.get(codename="moderate_project"))
    client.force_login(staff_user)

    html = client.get("/en/space/").content.decode()

    assert 'href="/en/projects/review/"' in html
