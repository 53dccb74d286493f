from __future__ import annotations

from django.db import models


class DataVersion(models.Model):
    """A counter per kind of published data, bumped whenever that data changes.

    Cached public pages carry the version in their cache key, so a change invalidates them in every
    application process at once (see `pagecache`).
    """

    key = models.CharField(max_length=50, unique=True)
    value = models.PositiveBigIntegerField(default=0)

    def __str__(self) -> str:
        return f"{self.key}={self.value}"
