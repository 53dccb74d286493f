from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest

from smartregion.territory.services import demo_figures_in_use


def platform(request: HttpRequest) -> dict[str, object]:
    demo = cache.get("core:demo-figures")
    if demo is None:
        demo = demo_figures_in_use()
        cache.set("core:demo-figures", demo, timeout=60)
    return {"platform_name": settings.SMARTREGION["PLATFORM_NAME"], "demo_figures": demo}
