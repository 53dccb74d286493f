"""Failed sign-ins are throttled per account and per client address (accounts/throttle.py)."""

import pytest

from smartregion.accounts import throttle

pytestmark = pytest.mark.django_db

LOGIN_URL = "/en/accounts/login/"
RIGHT = "pw-for-tests-123"
ATTACKER = "203.0.113.66"
OWNER = "198.51.100.7"
REFUSED = "Too many failed sign-in attempts for this account from your address."
WRONG = "The email address and/or password you specified are not correct."


def _sign_in(client, password, address):
    return client.post(
        LOGIN_URL, {"login": "member@namur.example", "password": password}, REMOTE_ADDR=address
    )


def _outcome(response):
    if response.status_code == 302:
        return "signed in"
    html = response.content.decode()
    return "refused" if REFUSED in html else "wrong" if WRONG in html else html


@pytest.fixture
def clock(monkeypatch):
    """The throttle's clock: a millisecond passes at every reading; tests move it on by hand."""
    now = [1_000_000.0]

    def tick():
        now[0] += 0.001
        return now[0]

    monkeypatch.setattr(throttle, "_now", tick)
    return now


def test_five_wrong_passwords_are_checked_and_the_sixth_is_refused(client, member, clock):
    outcomes = [_outcome(_sign_in(client, f"wrong-{n}", ATTACKER)) for n in range(6)]

    assert outcomes == ["wrong"] * 5 + ["refused"]


def test_the_attacking_address_is_refused_even_the_right_password_until_the_window_passes(
    client, member, clock
):
    for n in range(5):
        _sign_in(client, f"wrong-{n}", ATTACKER)

    clock[0] += 299
    assert _outcome(_sign_in(client, RIGHT, ATTACKER)) == "refused"
    clock[0] += 2
    assert _outcome(_sign_in(client, RIGHT, ATTACKER)) == "signed in"


def test_the_owner_signs_in_from_another_address_during_the_lock(client, member, clock):
    for n in range(5):
        _sign_in(client, f"wrong-{n}", ATTACKER)

    assert _outcome(_sign_in(client, RIGHT, OWNER)) == "signed in"


def test_a_wrong_password_from_a_new_address_during_the_lock_refuses_that_address_too(
    client, member, clock
):
    for n in range(5):
        _sign_in(client, f"wrong-{n}", ATTACKER)

    assert _outcome(_sign_in(client, "wrong-again", OWNER)) == "wrong"
    assert _outcome(_sign_in(client, RIGHT, OWNER)) == "refused"


def test_right_passwords_do_not_count_as_failures(client, member, clock):
    for n in range(4):
        _sign_in(client, f"wrong-{n}", ATTACKER)
    for _ in range(3):
        assert _outcome(_sign_in(client, RIGHT, ATTACKER)) == "signed in"
        client.post("/en/accounts/logout/")

    assert [_outcome(_sign_in(client, f"again-{n}", ATTACKER)) for n in range(2)] == [
        "wrong",
        "refused",
    ]


def test_failures_on_one_account_do_not_refuse_another(client, member, other_member, clock):
    for n in range(5):
        _sign_in(client, f"wrong-{n}", ATTACKER)

    response = client.post(
        LOGIN_URL, {"login": "member@liege.example", "password": RIGHT}, REMOTE_ADDR=ATTACKER
    )

    assert _outcome(response) == "signed in"
