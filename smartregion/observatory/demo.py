"""Demonstration editions: the barometer's closed demo waves, published in year order so that
each edition's trends compare it with the one before.

Each is published on the first working day of October of its year, at a seeded moment, as an
analyst would have done after the fieldwork. A wave that already has an edition is left alone, so
a second run publishes nothing.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _

from smartregion.barometer.demo import DEMO_SEED, WAVES, demo_moment
from smartregion.barometer.models import Wave

from .models import Edition
from .services import edition_publish


@transaction.atomic
def observatory_demo_create(*, seed: int = DEMO_SEED) -> int:
    """Publish every closed demo wave of the default region that has no edition; their count."""
    waves = (
        Wave.objects.filter(
            is_demo=True,
            status=Wave.Status.CLOSED,
            region__refnis=settings.SMARTREGION["DEFAULT_REGION"],
            year__in=list(WAVES),
        )
        .exclude(pk__in=Edition.objects.values("wave"))
        .order_by("year")
    )
    published = 0
    for wave in waves:
        when = demo_moment(dt.date(wave.year, 10, 1), 10, seed, wave.year)
        edition_publish(wave=wave, user=None, now=when)
        published += 1
    return published


def load(*, out: Callable[[str], None], err: Callable[[str], None]) -> None:
    """The `demo` command's step, after the barometer's: its closed waves become editions."""
    started = time.monotonic()
    published = observatory_demo_create()
    out(
        _("Demo observatory: %(published)d editions published (%(seconds).1f s).")
        % {"published": published, "seconds": time.monotonic() - started}
    )
