"""System check: a production deployment states who publishes it (footer pages)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Warning, register

from .operator import placeholders


@register()
def operator_configured(app_configs: Any, **kwargs: Any) -> list[Warning]:
    if settings.DEBUG or settings.TESTING:
        return []
    return [
        Warning(
            f"{name} is not set: the legal notice, privacy notice and accessibility statement "
            "show a placeholder.",
            hint=f"Set the environment variable {name}.",
            id="smartregion.site.W001",
        )
        for name in placeholders()
    ]
