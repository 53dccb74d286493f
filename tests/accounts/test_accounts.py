import re

import pytest
from django.core import mail
from django.db import IntegrityError

from smartregion.accounts.models import Membership, Organisation, User
from smartregion.accounts.permissions import is_centre_staff, is_manager_of, is_member_of
from smartregion.accounts.services import DEMO_PASSWORD, demo_accounts_create

pytestmark = pytest.mark.django_db


def test_sign_in_with_email_and_password(client, member):
    response = client.post(
        "/fr/accounts/login/", {"login": "member@namur.example", "password": "pw-for-tests-123"}
    )

    assert (response.status_code, response["Location"]) == (302, "/fr/")
    assert client.get("/fr/").wsgi_request.user == member


def test_sign_in_with_a_wrong_password_says_so(client, member):
    response = client.post(
        "/en/accounts/login/", {"login": "member@namur.example", "password": "nope"}
    )

    html = response.content.decode()
    assert response.status_code == 200
    assert 'role="alert"' in html
    assert "The email address and/or password you specified are not correct." in html


def test_sign_out(client, member):
    client.force_login(member)

    response = client.post("/fr/accounts/logout/")

    assert response.status_code == 302
    assert not client.get("/fr/").wsgi_request.user.is_authenticated


def test_password_reset_sends_a_link_by_email(client, member):
    response = client.post("/en/accounts/password/reset/", {"email": "member@namur.example"})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    assert mail.outbox[0].to == ["member@namur.example"]
    link = re.search(r"http://testserver(/en/accounts/password/reset/key/\S+)", mail.outbox[0].body)
    assert link is not None
    form = client.get(link.group(1), follow=True)
    assert form.status_code == 200
    changed = client.post(
        form.redirect_chain[-1][0] if form.redirect_chain else link.group(1),
        {"password1": "a-new-long-password-42", "password2": "a-new-long-password-42"},
    )
    assert changed.status_code == 302
    member.refresh_from_db()
    assert member.check_password("a-new-long-password-42")


def test_open_sign_up_is_closed_by_default(client, territory):
    page = client.get("/fr/accounts/signup/")
    client.post(
        "/fr/accounts/signup/",
        {"email": "new@x.example", "password1": "long-pass-123", "password2": "long-pass-123"},
    )

    assert "account/signup_closed.html" in [template.name for template in page.templates]
    assert User.objects.count() == 0


def test_demo_accounts_are_created_once(territory):
    first = demo_accounts_create()
    second = demo_accounts_create()

    assert first == second
    assert User.objects.count() == 5
    manager = User.objects.get(email="manager.namur@demo.smartregion.example")
    assert manager.check_password(DEMO_PASSWORD)
    assert list(manager.memberships.values_list("municipality__refnis", "role")) == [
        ("92094", "manager")
    ]
    assert User.objects.get(email="admin@demo.smartregion.example").is_staff
    editor = User.objects.get(email="editor@demo.smartregion.example")
    assert (editor.is_staff, editor.is_superuser) == (True, False)
    assert editor.has_perm("projects.moderate_project")


def test_membership_is_for_exactly_one_commune_or_organisation(member, namur):
    organisation = Organisation.objects.create(name="IDEA", kind="intermunicipal")

    with pytest.raises(IntegrityError):
        Membership.objects.create(user=member, municipality=namur, organisation=organisation)


def test_permission_helpers(member, manager, other_member, staff_user, namur):
    assert (is_member_of(member, namur), is_manager_of(member, namur)) == (True, False)
    assert (is_member_of(manager, namur), is_manager_of(manager, namur)) == (True, True)
    assert is_member_of(other_member, namur) is False
    assert (is_centre_staff(staff_user), is_centre_staff(member)) == (True, False)
