from __future__ import annotations

from dataclasses import dataclass

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language_info

from ..i18n import active_language

register = template.Library()


@dataclass(frozen=True)
class LanguageLink:
    code: str
    name: str
    url: str
    current: bool


@register.simple_tag(takes_context=True)
def language_links(context: template.Context) -> list[LanguageLink]:
    """The current page in every language: plain links, so pages stay cacheable and need no form."""
    request = context["request"]
    current = active_language()
    return [
        LanguageLink(
            code=code,
            name=get_language_info(code)["name_local"],
            url=translate_url(request.get_full_path(), code),
            current=code == current,
        )
        for code, _ in settings.LANGUAGES
    ]
