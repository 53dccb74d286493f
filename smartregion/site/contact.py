"""Messages sent through the contact page: a throttle per client address, and the email itself
sent by the background worker (a task), so the page never waits on the mail server."""

from __future__ import annotations

import time
from functools import partial

from django.conf import settings
from django.core.cache import cache
from django.db import transaction

from .tasks import contact_email_send


def contact_allowed(*, address: str) -> bool:
    """Whether this address may send one more message in the current window (and count it).

    A fixed window per address in the shared cache: a handful of messages an hour is plenty for a
    person and makes the form useless for flooding the operator's mailbox.
    """
    window = settings.SMARTREGION_CONTACT_WINDOW
    start = int(time.time() // window) * window
    key = f"contact:{address}:{start}"
    cache.add(key, 0, timeout=window + 1)
    try:
        count = cache.incr(key)
    except ValueError:  # evicted between add and incr: count this message as the first
        cache.set(key, 1, timeout=window + 1)
        count = 1
    return count <= settings.SMARTREGION_CONTACT_LIMIT


def contact_message_send(*, name: str, email: str, subject: str, message: str) -> None:
    """Queue the message to the operator once the request's transaction commits."""
    transaction.on_commit(partial(contact_email_send.enqueue, name, email, subject, message))
