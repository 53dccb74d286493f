"""Published editions shared by the observatory page, download and catalogue tests.

Publishing three revisions takes seconds, so each test module publishes them once (committed,
outside the per-test transactions) and removes them afterwards: tests see them, roll back their
own changes, and no other module ever finds them. Their files are not built then (tasks are only
queued, and forgotten): a test that downloads one builds it through the download route, in its own
media folder.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import override_settings

from smartregion.barometer.models import Wave
from smartregion.core.models import PreparedFile
from smartregion.instruments.models import InstrumentVersion
from smartregion.observatory.models import Edition
from smartregion.observatory.services import edition_publish
from tests.factories import closed_wave as build_closed_wave

QUEUE_ONLY = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}


@dataclass(frozen=True)
class Published:
    first: Edition  # 2023, revision 1
    old: Edition  # 2025, revision 1 (superseded)
    latest: Edition  # 2025, revision 2 (demo)


@pytest.fixture(scope="module")
def published(django_db_setup, django_db_blocker) -> Published:
    with django_db_blocker.unblock(), override_settings(TASKS=QUEUE_ONLY):
        versions_before = set(InstrumentVersion.objects.values_list("pk", flat=True))
        wave_2023 = build_closed_wave(2023, "2023", 0.5, seed=1)
        # Both demo: trends only compare editions of the same kind.
        Wave.objects.filter(pk=wave_2023.pk).update(is_demo=True)
        wave_2023.refresh_from_db()
        first = edition_publish(wave=wave_2023, user=None)
        wave_2025 = build_closed_wave(2025, "2025", 0.6, seed=2)
        Wave.objects.filter(pk=wave_2025.pk).update(is_demo=True)
        wave_2025.refresh_from_db()
        old = edition_publish(wave=wave_2025, user=None)
        latest = edition_publish(wave=wave_2025, user=None)
        PreparedFile.objects.all().delete()
    yield Published(first, old, latest)
    with django_db_blocker.unblock():
        Edition.objects.filter(pk__in=[first.pk, old.pk, latest.pk]).delete()
        Wave.objects.filter(pk__in=[wave_2023.pk, wave_2025.pk]).delete()
        InstrumentVersion.objects.exclude(pk__in=versions_before).delete()


@pytest.fixture
def closed_wave(territory) -> Wave:
    """A closed wave with about a third of the communes' answers submitted."""
    return build_closed_wave(2025, "2025", 0.3, seed=5)
