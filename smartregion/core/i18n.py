"""The active language as our content fields name it (fr, en, de, nl)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import get_language


def active_language() -> str:
    """Two-letter code of the language Django has active, the site's default when none is."""
    return (get_language() or settings.LANGUAGE_CODE)[:2]
