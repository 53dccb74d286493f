"""Rich text of projects (description, lessons learned): a small, safe subset of HTML.

What people paste (from a word processor, a web page, an API client) is reduced to the tags of
`ALLOWED_TAGS`; scripts, styles, event handlers and every URL scheme but http, https and mailto are
removed; links get rel="noopener noreferrer". Plain text (no tag at all) becomes paragraphs, so
an API client or a textarea without an editor gets the same structure. Pure: no Django, no I/O.
"""

from __future__ import annotations

import html
import re

import nh3

ALLOWED_TAGS = frozenset(
    {"p", "br", "strong", "em", "ul", "ol", "li", "a", "h3", "h4", "blockquote"}
)
ALLOWED_ATTRIBUTES = {"a": {"href"}}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
# Removed with everything inside them, not just unwrapped.
DROPPED_WITH_CONTENT = frozenset(
    {"script", "style", "iframe", "object", "embed", "svg", "math", "template", "noscript"}
)

_TAG = re.compile(r"<[a-zA-Z/!]")
_BLANK_LINES = re.compile(r"\n\s*\n")
_TAGS = re.compile(r"<[^>]*>")
_SPACES = re.compile(r"\s+")


def _paragraphs(text: str) -> str:
    """Plain text → <p> per blank-line-separated block, <br> per line break."""
    blocks = [b.strip() for b in _BLANK_LINES.split(text.replace("\r\n", "\n")) if b.strip()]
    return "".join(
        "<p>" + "<br>".join(html.escape(line) for line in block.split("\n")) + "</p>"
        for block in blocks
    )


def rich_text_clean(value: str) -> str:
    """The safe HTML to store for `value` (HTML or plain text); empty stays empty."""
    text = (value or "").strip()
    if not text:
        return ""
    if not _TAG.search(text):
        text = _paragraphs(text)
    cleaned = nh3.clean(
        text,
        tags=set(ALLOWED_TAGS),
        clean_content_tags=set(DROPPED_WITH_CONTENT),
        attributes={tag: set(attrs) for tag, attrs in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(URL_SCHEMES),
        url_relative="deny",  # relative and protocol-relative links point who knows where
        link_rel="noopener noreferrer",
        strip_comments=True,
    )
    return cleaned.strip()


def rich_text_plain(value: str) -> str:
    """The words of stored rich text, for comparisons, search and summaries."""
    text = _TAGS.sub(" ", value or "")
    return _SPACES.sub(" ", html.unescape(text)).strip()
