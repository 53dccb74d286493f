"""Personal API tokens: services and the account page."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from django.utils import timezone

from smartregion.accounts.models import ApiToken
from smartregion.accounts.tokens import (
    api_token_authenticate,
    api_token_create,
    api_token_revoke,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

URL = "/en/accounts/api-tokens/"


def test_api_token_create_stores_only_hash_and_prefix(member):
    token, secret = api_token_create(user=member, name="  Website sync ")

    stored = ApiToken.objects.get()
    assert secret.startswith("sr_") and len(secret) == 3 + 43
    assert (stored.pk, stored.user, stored.name) == (token.pk, member, "Website sync")
    assert stored.key_hash == hashlib.sha256(secret.encode()).hexdigest()
    assert stored.prefix == secret[:10]
    assert secret not in {stored.key_hash, stored.prefix}


def test_api_token_create_gives_distinct_secrets(member):
    _first, one = api_token_create(user=member, name="a")
    _second, two = api_token_create(user=member, name="b")

    assert one != two


def test_api_token_authenticate_returns_owner_and_stamps_use(member):
    token, secret = api_token_create(user=member, name="sync")

    assert api_token_authenticate(secret) == member
    token.refresh_from_db()
    assert token.last_used_at is not None


def test_api_token_authenticate_writes_last_use_at_most_once_a_minute(member):
    token, secret = api_token_create(user=member, name="sync")
    recent = timezone.now() - dt.timedelta(seconds=30)
    old = timezone.now() - dt.timedelta(minutes=2)

    ApiToken.objects.filter(pk=token.pk).update(last_used_at=recent)
    api_token_authenticate(secret)
    token.refresh_from_db()
    assert token.last_used_at == recent

    ApiToken.objects.filter(pk=token.pk).update(last_used_at=old)
    api_token_authenticate(secret)
    token.refresh_from_db()
    assert token.last_used_at > recent


@pytest.mark.parametrize("secret", ["", "sr_wrong", "not-a-token", "Bearer sr_x"])
def test_api_token_authenticate_refuses_unknown_secrets(member, secret):
    api_token_create(user=member, name="sync")

    assert api_token_authenticate(secret) is None


def test_api_token_authenticate_refuses_revoked_token(member):
    token, secret = api_token_create(user=member, name="sync")

    api_token_revoke(token=token)

    assert api_token_authenticate(secret) is None


def test_api_token_authenticate_refuses_inactive_owner(member):
    _token, secret = api_token_create(user=member, name="sync")
    member.is_active = False
    member.save()

    assert api_token_authenticate(secret) is None


def test_api_token_revoke_twice_keeps_first_date(member):
    token, _secret = api_token_create(user=member, name="sync")
    api_token_revoke(token=token)
    first = ApiToken.objects.get().revoked_at

    api_token_revoke(token=ApiToken.objects.get())

    assert ApiToken.objects.get().revoked_at == first


def test_token_page_needs_sign_in(client):
    response = client.get(URL)

    assert (response.status_code, response["Location"]) == (
        302,
        f"/en/accounts/login/?next={URL}",
    )


def test_token_page_lists_only_own_tokens(client, member, other_member):
    api_token_create(user=member, name="Mine")
    api_token_create(user=other_member, name="Theirs")
    client.force_login(member)

    response = client.get(URL)

    html = response.content.decode()
    assert response.status_code == 200
    assert "Mine" in html
    assert "Theirs" not in html


def test_token_page_creates_and_shows_secret_once(client, member):
    client.force_login(member)

    response = client.post(URL, {"name": "Website sync"})

    html = response.content.decode()
    token = ApiToken.objects.get()
    secret = re.search(r'id="new-token" value="(sr_[^"]+)"', html).group(1)
    assert (response.status_code, response["Cache-Control"]) == (200, "private, no-store")
    assert (token.user, token.name) == (member, "Website sync")
    assert api_token_authenticate(secret) == member
    assert secret not in client.get(URL).content.decode()


def test_token_page_refuses_empty_name(client, member):
    client.force_login(member)

    response = client.post(URL, {"name": "   "})

    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    assert ApiToken.objects.count() == 0


def test_token_revoke_by_owner(client, member):
    token, secret = api_token_create(user=member, name="sync")
    client.force_login(member)

    response = client.post(f"{URL}{token.pk}/revoke/")

    assert (response.status_code, response["Location"]) == (302, URL)
    assert api_token_authenticate(secret) is None


def test_token_revoke_of_someone_else_is_404(client, member, other_member):
    token, secret = api_token_create(user=member, name="sync")
    client.force_login(other_member)

    response = client.post(f"{URL}{token.pk}/revoke/")

    assert response.status_code == 404
    assert api_token_authenticate(secret) == member


def test_token_revoke_needs_post(client, member):
    token, _secret = api_token_create(user=member, name="sync")
    client.force_login(member)

    assert client.get(f"{URL}{token.pk}/revoke/").status_code == 405
    assert ApiToken.objects.get().revoked_at is None


def test_staff_manage_only_their_own_tokens(client, staff_user, member):
    token, _secret = api_token_create(user=member, name="sync")
    client.force_login(UserFactory(email="other-staff@centre.example", is_staff=True))

    assert client.post(f"{URL}{token.pk}/revoke/").status_code == 404
