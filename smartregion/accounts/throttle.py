"""Failed sign-ins, counted per account and per client address in the shared cache.

allauth's own limit locks an account after 5 failures, whoever made them: an attacker who knows
an email address could keep its owner out, and the right password was refused too. Here:
- an address that failed LIMIT times on an account within WINDOW seconds is refused on that
  account (even with the right password) until its oldest failure is older than WINDOW;
- an account that failed LIMIT times within WINDOW (from any addresses) is refused from every
  address that took part; an address that did not is still checked, so the owner's right password
  goes through, and a wrong one counts and refuses that address too (one guess per new address).
Attempts are reserved before the password is checked and given back on success, so parallel
requests on several processes cannot get more checks than the limit.
"""

from __future__ import annotations

import hashlib
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache

_LOCK_TIMEOUT = 5
_LOCK_WAIT = 1.0
_KEPT = 100  # timestamps kept per key: enough to count, bounded under a distributed attack


def _now() -> float:
    return time.time()


def _limit() -> int:
    return settings.SMARTREGION_LOGIN_FAILURES_LIMIT


def _window() -> int:
    return settings.SMARTREGION_LOGIN_FAILURES_WINDOW


@dataclass(frozen=True)
class LoginAttempt:
    account_key: str
    address_key: str
    at: float


def _keys(login: str, address: str) -> tuple[str, str]:
    account = hashlib.sha256(login.strip().lower().encode()).hexdigest()
    pair = hashlib.sha256(f"{account}|{address}".encode()).hexdigest()
    return f"login-failures:{account}", f"login-failures:{pair}"


@contextmanager
def _locked(key: str) -> Iterator[bool]:
    deadline = time.monotonic() + _LOCK_WAIT
    while not cache.add(f"{key}:lock", 1, timeout=_LOCK_TIMEOUT):
        if time.monotonic() > deadline:
            yield False
            return
        time.sleep(0.01)
    try:
        yield True
    finally:
        cache.delete(f"{key}:lock")


def _recent(key: str, now: float) -> list[float]:
    return [at for at in cache.get(key, []) if at > now - _window()]


def login_attempt_start(*, login: str, address: str) -> LoginAttempt | None:
    """Reserve one password check, or None when this attempt is refused without one."""
    account_key, address_key = _keys(login, address)
    with _locked(account_key) as locked:
        if not locked:
            return None  # another process holds the count for over a second: refuse, safely
        now = _now()
        account, pair = _recent(account_key, now), _recent(address_key, now)
        if len(pair) >= _limit() or (len(account) >= _limit() and pair):
            return None
        cache.set_many(
            {account_key: [*account, now][-_KEPT:], address_key: [*pair, now][-_KEPT:]},
            timeout=_window(),
        )
    return LoginAttempt(account_key=account_key, address_key=address_key, at=now)


def login_attempt_release(attempt: LoginAttempt) -> None:
    """The reserved attempt was no failure: the password was right, or none was checked."""
    with _locked(attempt.account_key) as locked:
        if not locked:
            return  # the failure stays counted: stricter, never looser
        now = _now()
        cache.set_many(
            {
                key: [at for at in _recent(key, now) if at != attempt.at]
                for key in (attempt.account_key, attempt.address_key)
            },
            timeout=_window(),
        )


def login_failures_clear(*, login: str, address: str) -> None:
    """After a password reset: the account and this address start afresh."""
    cache.delete_many(list(_keys(login, address)))
