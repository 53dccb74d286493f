"""Observatory permissions: the public reads editions; centre staff (analysts) publish them."""

from __future__ import annotations

from django.contrib.auth.models import AnonymousUser

from smartregion.accounts.models import User
from smartregion.accounts.permissions import is_centre_staff


def can_publish_editions(user: User | AnonymousUser) -> bool:
    return is_centre_staff(user)
