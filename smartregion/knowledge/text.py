"""A resource's Markdown as safe HTML: Markdown → HTML (markdown-it-py, CommonMark with tables),
sanitised with nh3 (a small set of tags; no script, style or event handler), then glossary links.

Editors write the Markdown; it is still sanitised because an editor's account can be stolen and
because text is pasted from anywhere. Raw HTML in the Markdown is not rendered (``html=False``).
Headings start at h2: the page's title is its h1.
"""

from __future__ import annotations

import re

import nh3
from django.utils.safestring import SafeString, mark_safe
from markdown_it import MarkdownIt

from . import glossary

ALLOWED_TAGS = frozenset(
    {
        "p", "br", "hr", "strong", "em", "code", "pre", "blockquote",
        "ul", "ol", "li", "a", "img", "h2", "h3", "h4", "h5", "h6",
        "table", "thead", "tbody", "tr", "th", "td",
    }
)  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "img": {"src", "alt", "title"}, "ol": {"start"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
DROPPED_WITH_CONTENT = frozenset({"script", "style", "iframe", "object", "embed", "svg", "math"})

_markdown = MarkdownIt("commonmark", {"html": False, "linkify": False}).enable("table")


_HEADING = re.compile(r"<(/?)h([1-6])>")


def _shift_headings(html: str) -> str:
    """The text's top heading level becomes h2 (whether the editor wrote # or ##), the others
    follow: the page's own title is its only h1 and no level is skipped after it."""
    levels = [int(level) for _, level in _HEADING.findall(html)]
    if not levels:
        return html
    shift = 2 - min(levels)
    return _HEADING.sub(lambda match: f"<{match[1]}h{min(int(match[2]) + shift, 6)}>", html)


def sanitise(html: str) -> str:
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={tag: set(names) for tag, names in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        url_relative="pass_through",  # images and links to the site's own pages
        link_rel="noopener noreferrer",
        strip_comments=True,
    ).strip()


def render(markdown: str, *, language: str) -> SafeString:
    """The safe HTML of `markdown`, with the glossary's terms of `language` linked."""
    if not (markdown or "").strip():
        return mark_safe("")  # noqa: S308 - empty
    html = sanitise(_shift_headings(_markdown.render(markdown)))
    return mark_safe(glossary.link_terms(html, language))  # noqa: S308 - sanitised above
