"""Personal API tokens: create (the secret is shown once), revoke, authenticate.

Only a SHA-256 hash of the secret is stored, so a database leak yields no usable token; a
short prefix of the secret is kept in clear so its owner can tell tokens apart in the list.
A secret carries 256 random bits, so a fast hash is enough (no password-style stretching).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import secrets

from django.db import transaction
from django.utils import timezone

from .models import ApiToken, User

SECRET_PREFIX = "sr_"  # noqa: S105 - a marker that makes leaked tokens greppable, not a secret
PREFIX_LENGTH = 10  # "sr_" and 7 characters of the random part
LAST_USED_RESOLUTION = dt.timedelta(minutes=1)


def _hash(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user: User, name: str) -> tuple[ApiToken, str]:
    """A new token for `user`; returns it with its secret, which is never stored nor shown again."""
    secret = SECRET_PREFIX + secrets.token_urlsafe(32)
    token = ApiToken(
        user=user, name=name.strip(), prefix=secret[:PREFIX_LENGTH], key_hash=_hash(secret)
    )
    token.full_clean()
    token.save()
    return token, secret


def api_token_revoke(*, token: ApiToken) -> ApiToken:
    """Revoke a token at once; revoking twice keeps the first date."""
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
    return token


def api_token_authenticate(secret: str) -> User | None:
    """The active owner of a live token with this secret, or None.

    `last_used_at` is written at most once per minute per token, so a busy integration does not
    turn every read into a write.
    """
    if not secret or not secret.startswith(SECRET_PREFIX):
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=_hash(secret), revoked_at__isnull=True)
        .first()
    )
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at >= LAST_USED_RESOLUTION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user
