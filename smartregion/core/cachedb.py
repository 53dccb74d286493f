"""The embedded shared cache's own SQLite file (see CACHES in config/settings.py).

Django's database cache reads and writes the model of the `django_cache` label; routing it to the
`cache` database keeps cache writes out of the data's write lock and its queries out of the pages'.
"""

from __future__ import annotations

from typing import Any

CACHE_DATABASE = "cache"
CACHE_LABEL = "django_cache"


class CacheRouter:
    def db_for_read(self, model: Any, **hints: Any) -> str | None:
        return CACHE_DATABASE if model._meta.app_label == CACHE_LABEL else None

    db_for_write = db_for_read

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        if db == CACHE_DATABASE or app_label == CACHE_LABEL:
            return db == CACHE_DATABASE and app_label == CACHE_LABEL
        return None


def create_cache_tables(**kwargs: Any) -> None:
    """After `migrate`: the cache tables exist (createcachetable does nothing when they do)."""
    from django.conf import settings
    from django.core.management import call_command

    if CACHE_DATABASE in settings.DATABASES:
        call_command("createcachetable", database=CACHE_DATABASE, verbosity=0)
