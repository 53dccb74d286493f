"""The active language as our content fields name it (fr, en, de, nl)."""

from __future__ import annotations

from django.conf import settings
from django.utils.translation import get_language


def active_language() -> str:
    """Two-letter code of the language Django has active, the site's default when none is."""
    return (get_language() or settings.LANGUAGE_CODE)[:2]


class TitledInLanguages:
    """A model with `title_fr` (required) and `title_en`, `title_de`, `title_nl` (optional).

    `title` is the title in the page's language, else the French one; `title_lang` says which,
    so that a template marks a French fallback `lang="fr"`.
    """

    TITLE_LANGUAGES = ("en", "de", "nl")

    @property
    def title(self) -> str:
        return str(getattr(self, f"title_{self.title_lang}"))

    @property
    def title_lang(self) -> str:
        lang = active_language()
        if lang in self.TITLE_LANGUAGES and getattr(self, f"title_{lang}", ""):
            return lang
        return "fr"
