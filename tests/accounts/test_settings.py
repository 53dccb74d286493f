"""Account settings: name and language, password, email, export of one's data, deletion."""

from __future__ import annotations

import json

import pytest
from allauth.account.models import EmailAddress
from django.contrib.sessions.models import Session
from django.core import mail
from django.test import Client

from smartregion.accounts.models import ApiToken, Invitation, Membership, User
from smartregion.accounts.personal_data import personal_data_export
from smartregion.accounts.services import invitation_create
from smartregion.accounts.tokens import api_token_create
from smartregion.diagnostic.models import DiagnosticAnswer
from smartregion.projects.models import ProjectRevision
from smartregion.territory.models import Municipality
from tests.factories import DiagnosticFactory, MembershipFactory, ProjectFactory, UserFactory

pytestmark = pytest.mark.django_db

PRIVATE = "private, no-store"
PAGES = [
    "/en/accounts/settings/",
    "/en/accounts/email/",
    "/en/accounts/password/change/",
    "/en/accounts/settings/export/",
    "/en/accounts/settings/delete/",
]


@pytest.fixture
def ada(namur) -> User:
    user = MembershipFactory(
        user__email="ada@namur.example", user__first_name="Ada", municipality=namur
    ).user
    user.set_password("correct horse battery")
    user.save()
    return user


@pytest.fixture
def signed_in(client, ada) -> Client:
    client.force_login(ada)
    return client


# ---------------------------------------------------------------------------------------------
# Pages and who may see them
# ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", PAGES)
def test_settings_pages_are_private_to_the_signed_in_person(signed_in, url):
    response = signed_in.get(url)

    assert response.status_code == 200
    assert response["Cache-Control"] == PRIVATE
    assert b'href="/en/accounts/settings/export/"' in response.content  # the settings menu


@pytest.mark.parametrize("url", PAGES)
def test_settings_pages_send_anonymous_visitors_to_sign_in(client, url):
    response = client.get(url)

    assert response.status_code == 302
    assert response["Location"].startswith("/en/accounts/login/?next=")


def test_header_account_link_and_my_space_lead_to_the_settings(signed_in):
    home = signed_in.get("/en/").content.decode()
    space = signed_in.get("/en/space/", follow=True).content.decode()  # the commune's page

    assert 'class="account-name" href="/en/accounts/settings/"' in home
    assert 'href="/en/accounts/settings/"' in space


def test_name_and_language_are_saved_and_the_next_page_speaks_it(signed_in, ada):
    response = signed_in.post(
        "/en/accounts/settings/", {"first_name": "Ada", "last_name": "Lovelace", "language": "de"}
    )

    ada.refresh_from_db()
    assert (ada.first_name, ada.last_name, ada.preferred_language) == ("Ada", "Lovelace", "de")
    assert (response.status_code, response["Location"]) == (302, "/de/accounts/settings/")
    assert response.cookies["django_language"].value == "de"


def test_an_unknown_language_is_a_form_error(signed_in, ada):
    response = signed_in.post("/en/accounts/settings/", {"first_name": "A", "language": "xx"})

    ada.refresh_from_db()
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["language"]
    assert ada.preferred_language == ""


def test_sign_in_lands_in_the_preferred_language(client, ada):
    ada.preferred_language = "nl"
    ada.save()

    home = client.post(
        "/fr/accounts/login/", {"login": ada.email, "password": "correct horse battery"}
    )
    client.logout()
    back = client.post(
        "/fr/accounts/login/?next=/fr/projects/",
        {"login": ada.email, "password": "correct horse battery", "next": "/fr/projects/"},
    )

    assert (home.status_code, home["Location"]) == (302, "/nl/")
    assert (back.status_code, back["Location"]) == (302, "/nl/projects/")


def test_sign_in_without_a_preference_stays_in_the_language_of_the_address(client, ada):
    response = client.post(
        "/en/accounts/login/", {"login": ada.email, "password": "correct horse battery"}
    )

    assert (response.status_code, response["Location"]) == (302, "/en/")


# ---------------------------------------------------------------------------------------------
# Password and email (allauth's flows)
# ---------------------------------------------------------------------------------------------


def test_password_change_needs_the_current_password(signed_in, ada):
    response = signed_in.post(
        "/en/accounts/password/change/",
        {
            "oldpassword": "wrong",
            "password1": "a new long phrase",
            "password2": "a new long phrase",
        },
    )

    ada.refresh_from_db()
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["oldpassword"]
    assert ada.check_password("correct horse battery")


def test_password_change_with_the_current_password(signed_in, ada):
    response = signed_in.post(
        "/en/accounts/password/change/",
        {
            "oldpassword": "correct horse battery",
            "password1": "a new long phrase",
            "password2": "a new long phrase",
        },
    )

    ada.refresh_from_db()
    assert (response.status_code, response["Location"]) == (302, "/en/accounts/settings/")
    assert ada.check_password("a new long phrase")
    assert signed_in.get("/en/accounts/settings/").status_code == 200  # still signed in


def test_email_change_takes_effect_once_the_new_address_is_verified(signed_in, ada):
    response = signed_in.post(
        "/en/accounts/email/", {"action_add": "", "email": "ada@lovelace.example"}
    )

    ada.refresh_from_db()
    assert response.status_code == 302
    assert ada.email == "ada@namur.example"  # not until verified
    assert [m.to for m in mail.outbox] == [["ada@lovelace.example"]]
    link = next(w for w in mail.outbox[0].body.split() if "/accounts/confirm-email/" in w)
    confirm = signed_in.get(link.replace("http://testserver", ""))
    assert b"Confirm the address</button>" in confirm.content
    signed_in.post(link.replace("http://testserver", ""))
    ada.refresh_from_db()
    assert ada.email == "ada@lovelace.example"
    assert list(EmailAddress.objects.filter(user=ada).values_list("email", "primary")) == [
        ("ada@lovelace.example", True)
    ]


# ---------------------------------------------------------------------------------------------
# Export
# ---------------------------------------------------------------------------------------------


def test_export_holds_exactly_these_sections(signed_in, ada, namur, instrument_version):
    diagnostic = DiagnosticFactory(
        municipality=namur, instrument_version=instrument_version, created_by=ada
    )
    DiagnosticAnswer.objects.create(
        diagnostic=diagnostic, question_code="strategy", value=3, updated_by=ada
    )
    project = ProjectFactory(owner_municipality=namur, created_by=ada, updated_by=ada)
    ProjectRevision.objects.create(
        project=project, number=1, action="created", author=ada, comment="first"
    )
    api_token_create(user=ada, name="sync")

    response = signed_in.post("/en/accounts/settings/export/")

    assert response["Cache-Control"] == PRIVATE
    assert response["Content-Disposition"].startswith(
        'attachment; filename="smartregion-personal-data-'
    )
    data = json.loads(response.content)
    assert list(data) == [
        "format",
        "exported_at",
        "profile",
        "sign_ins",
        "email_addresses",
        "memberships",
        "invitations",
        "api_tokens",
        "diagnostic_answers",
        "diagnostics",
        "project_revisions",
        "projects",
        "project_files",
        "barometer_waves",
        "observatory_editions",
    ]
    assert data["format"] == "smartregion-personal-data/1"
    assert data["profile"] == {
        "email": "ada@namur.example",
        "first_name": "Ada",
        "last_name": ada.last_name,
        "preferred_language": "",
        "date_joined": ada.date_joined.isoformat(),
        "is_staff": False,
    }
    assert data["sign_ins"] == {"last_login": ada.last_login.isoformat(), "history_kept": False}
    assert [(m["commune_refnis"], m["role"]) for m in data["memberships"]] == [("92094", "member")]
    assert [list(t) for t in data["api_tokens"]] == [
        ["name", "prefix", "created_at", "last_used_at", "revoked_at"]
    ]
    assert [(a["question"], a["value"]) for a in data["diagnostic_answers"]] == [("strategy", 3)]
    assert [(r["project"], r["action"], r["comment"]) for r in data["project_revisions"]] == [
        ("wifi-public", "created", "first")
    ]


def test_export_never_holds_a_secret(signed_in, ada):
    _token, secret = api_token_create(user=ada, name="sync")

    body = signed_in.post("/en/accounts/settings/export/").content.decode()

    assert secret not in body
    assert ada.password not in body


def test_export_runs_a_fixed_number_of_queries(ada, namur, django_assert_num_queries):
    for number in range(1, 6):
        project = ProjectFactory(owner_municipality=namur, slug=f"p{number}", created_by=ada)
        ProjectRevision.objects.create(project=project, number=1, action="created", author=ada)

    with django_assert_num_queries(13):  # one or two per section, whatever their sizes
        data = personal_data_export(ada)

    assert len(data["project_revisions"]) == 5


def test_export_page_lists_the_sections_with_their_sizes(signed_in):
    response = signed_in.get("/en/accounts/settings/export/")

    sizes = {section.key: section.size for section in response.context["sections"]}
    assert sizes["memberships"] == 1
    assert sizes["project_revisions"] == 0


# ---------------------------------------------------------------------------------------------
# Deletion
# ---------------------------------------------------------------------------------------------


def _delete(client, password="correct horse battery"):
    return client.post("/en/accounts/settings/delete/", {"password": password, "confirm": "on"})


def test_deletion_needs_the_password(signed_in, ada):
    response = _delete(signed_in, password="wrong")

    ada.refresh_from_db()
    assert response.status_code == 200
    assert list(response.context["form"].errors) == ["password"]
    assert (ada.is_active, ada.deleted_at) == (True, None)


def test_deletion_password_checks_count_like_failed_sign_ins(signed_in, ada, settings):
    settings.SMARTREGION_LOGIN_FAILURES_LIMIT = 2
    _delete(signed_in, password="wrong")
    _delete(signed_in, password="wrong again")

    response = _delete(signed_in)  # the right password, once too many failures came first

    ada.refresh_from_db()
    assert [e.code for e in response.context["form"].errors.as_data()["password"]] == [
        "too_many_attempts"
    ]
    assert ada.is_active is True


def test_deletion_keeps_contributions_attributed_to_a_former_member(
    signed_in, ada, namur, instrument_version
):
    diagnostic = DiagnosticFactory(
        municipality=namur, instrument_version=instrument_version, created_by=ada
    )
    answer = DiagnosticAnswer.objects.create(
        diagnostic=diagnostic, question_code="strategy", value=3, updated_by=ada
    )
    project = ProjectFactory(owner_municipality=namur, created_by=ada, updated_by=ada)
    revision = ProjectRevision.objects.create(
        project=project, number=1, action="created", author=ada
    )

    response = _delete(signed_in)

    assert (response.status_code, response["Location"]) == (302, "/en/")
    answer.refresh_from_db()
    revision.refresh_from_db()
    assert answer.updated_by_id == revision.author_id == ada.pk
    assert (answer.value, str(answer.updated_by), str(revision.author)) == (
        3,
        "Former member",
        "Former member",
    )
    history = signed_in.get(f"/en/projects/{project.slug}/history/")
    assert history.status_code == 302  # signed out: the history is the team's


def test_deletion_removes_personal_data_tokens_and_memberships(signed_in, ada, manager):
    api_token_create(user=ada, name="sync")
    invitation_create(
        municipality=Municipality.objects.get(refnis="62063"),
        email="ada@namur.example",
        role="member",
        invited_by=manager,
        accept_url="http://testserver/fr/invitation/TOKEN/",
    )

    _delete(signed_in)

    ada.refresh_from_db()
    assert (ada.email, ada.first_name, ada.last_name) == (
        f"former-member-{ada.pk}@example.invalid",
        "",
        "",
    )
    assert (ada.is_active, ada.is_staff, ada.has_usable_password(), ada.last_login) == (
        False,
        False,
        False,
        None,
    )
    assert ada.deleted_at is not None
    assert not Membership.objects.filter(user=ada).exists()
    assert not ApiToken.objects.filter(user=ada).exists()
    assert not EmailAddress.objects.filter(user=ada).exists()
    assert not Invitation.objects.filter(email__iexact="ada@namur.example").exists()


def test_deletion_ends_every_session_and_sign_in(ada):
    here, elsewhere = Client(), Client()
    here.force_login(ada)
    elsewhere.force_login(ada)

    _delete(here)

    assert elsewhere.get("/en/accounts/settings/").status_code == 302
    assert here.get("/en/accounts/settings/").status_code == 302
    login = Client().post(
        "/en/accounts/login/", {"login": "ada@namur.example", "password": "correct horse battery"}
    )
    assert login.status_code == 200  # the form again: no such account
    assert Session.objects.count() == 1  # the other browser's, now useless


def test_last_manager_is_warned_before_deleting(client, manager, member):
    client.force_login(manager)

    response = client.get("/en/accounts/settings/delete/")

    assert [(body.name, body.others) for body in response.context["last_manager"]] == [("Namur", 1)]
    assert b"You are the last manager" in response.content


def test_a_manager_with_a_fellow_manager_is_not_warned(client, manager, namur):
    MembershipFactory(user=UserFactory(), municipality=namur, role=Membership.Role.MANAGER)
    client.force_login(manager)

    response = client.get("/en/accounts/settings/delete/")

    assert response.context["last_manager"] == []


def test_an_expired_verification_link_says_so(signed_in):
    response = signed_in.get("/en/accounts/confirm-email/not-a-key/")

    assert response.status_code == 200
    assert b"This link has expired or is not valid." in response.content
