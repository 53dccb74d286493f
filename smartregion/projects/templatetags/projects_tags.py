"""Template helpers for project pages and for pages of other apps that show projects
(the commune profile's panel, the diagnostic's recommendations)."""

from __future__ import annotations

import html
from typing import Any

from django import template
from django.utils.safestring import SafeString, mark_safe

from smartregion.core.i18n import active_language

from ..models import FundingSource, Goal, Theme

register = template.Library()


@register.simple_tag
def text_for(obj: Any, field: str) -> str:
    """A translated field in the page's language, French when the translation is missing:
    `{% text_for project "title" %}` calls `project.title_for(language)`."""
    return getattr(obj, f"{field}_for")(active_language())


# `Choices.values` builds a new list on every use; cards call these filters many times a page.
_THEMES = frozenset(Theme.values)
_GOALS = frozenset(Goal.values)
_FUNDINGS = frozenset(FundingSource.values)


@register.filter
def theme_label(code: str) -> str:
    return str(Theme(code).label) if code in _THEMES else code


@register.filter
def goal_label(number: int) -> str:
    return str(Goal(number).label) if number in _GOALS else str(number)


@register.filter
def funding_label(code: str) -> str:
    return str(FundingSource(code).label) if code in _FUNDINGS else code


@register.filter
def lookup(mapping: dict, key: str) -> Any:
    return mapping.get(key) if mapping else None


@register.simple_tag
def facet_cleared(query, name: str) -> str:
    """The querystring of `query` without any value of facet `name`."""
    return query.querystring(**{name: []})


_FACET_CHECKBOX = (
    '<li><input type="checkbox" name="{0}" value="{1}" id="facet-{0}-{1}"{2}>\n'
    '<label for="facet-{0}-{1}">{3} <span class="facet-count">({4}'
    '<span class="visually-hidden"> {5}</span>)</span></label></li>'
)


@register.simple_tag
def facet_checkboxes(facet) -> SafeString:
    """One facet's checkboxes, each labelled with its value and count.

    Drawn here rather than by a template loop: the catalogue shows about sixty of them on every
    page, and the template engine spent more time on them than on the rest of the page. Every
    text is escaped (`html.escape` escapes quotes too, like Django's `escape`).
    """
    name = html.escape(facet.name)
    lines = [
        _FACET_CHECKBOX.format(
            name,
            html.escape(value.code),
            " checked" if value.selected else "",
            html.escape(str(value.label)),
            int(value.count),
            html.escape(str(value.count_text)),
        )
        for value in facet.values
    ]
    return mark_safe("\n".join(lines))  # noqa: S308 - built from escaped parts above


@register.simple_tag
def page_link(query, number: int) -> str:
    return query.querystring(page=number)


@register.simple_tag
def page_numbers(result, around: int = 2) -> list[int | None]:
    """Pages to link: first, last and those near the current one; None marks a gap."""
    wanted = {1, result.pages, *range(result.page - around, result.page + around + 1)}
    numbers: list[int | None] = []
    for number in sorted(n for n in wanted if 1 <= n <= result.pages):
        if numbers and number - numbers[-1] > 1:
            numbers.append(None)
        numbers.append(number)
    return numbers


@register.simple_tag
def fallback_lang(obj: Any, field: str) -> str:
    """` lang="fr"` when the page is in English but `field` has no English text, so screen
    readers pronounce the French fallback right; '' otherwise."""
    if active_language() == "en" and not getattr(obj, f"{field}_en", ""):
        return mark_safe(' lang="fr"')  # noqa: S308 - a constant
    return ""
