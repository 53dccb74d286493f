"""Whole-page caching of public pages for anonymous visitors.

Public pages (territory list, profiles, map) are the same for every anonymous visitor in a language,
so they are rendered once and served from the cache until the data they show changes. The cache key
holds the data version (a database counter bumped by the services that change published data).
Every request reads the version from the shared cache (see CACHES in config/settings.py), so a
change shows in every process on the next request without a query per request: the database row
is read only when the cache lost the key, and a bump writes the new value there once committed.
Signed-in users and responses with messages are never cached.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from functools import wraps

from django.core.cache import cache
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse

from .i18n import active_language
from .models import DataVersion

VERSION_KEY = "public"
PAGE_TTL = 3600
_VERSION_CACHE_KEY = f"data-version:{VERSION_KEY}"


def _stored_version() -> int:
    return DataVersion.objects.filter(key=VERSION_KEY).values_list("value", flat=True).first() or 0


def data_version() -> int:
    version = cache.get(_VERSION_CACHE_KEY)
    if version is None:
        version = _stored_version()
        # `add`, not `set`: a bump committed since the read above has already stored a newer value.
        cache.add(_VERSION_CACHE_KEY, version, timeout=None)
    return version


def _publish_version() -> None:
    """Once the bump is committed, every process reads the new value from the shared cache.

    The committed value is read back rather than incremented in the cache, so the cache never
    drifts from the row; of two bumps committed at once, the later value wins.
    """
    version = _stored_version()
    current = cache.get(_VERSION_CACHE_KEY)
    if current is None or current < version:
        cache.set(_VERSION_CACHE_KEY, version, timeout=None)


def data_version_bump() -> None:
    """Mark public data as changed; call it from every service that changes what pages show."""
    DataVersion.objects.get_or_create(key=VERSION_KEY)
    DataVersion.objects.filter(key=VERSION_KEY).update(value=F("value") + 1)
    transaction.on_commit(_publish_version)


def _cacheable(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD") or request.user.is_authenticated:
        return False
    storage = getattr(request, "_messages", None)
    return not (storage is not None and len(storage))


def public_page(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        if not _cacheable(request):
            return view(request, *args, **kwargs)
        path = hashlib.sha256(request.get_full_path().encode()).hexdigest()[:32]
        key = f"page:{data_version()}:{active_language()}:{path}"
        cached = cache.get(key)
        if cached is not None:
            status, content_type, content = cached
            return HttpResponse(content, status=status, content_type=content_type)
        response = view(request, *args, **kwargs)
        if response.status_code in (200, 404) and not response.streaming:
            if hasattr(response, "render") and callable(response.render):
                response.render()
            cache.set(
                key, (response.status_code, response["Content-Type"], response.content), PAGE_TTL
            )
        return response

    return wrapper
