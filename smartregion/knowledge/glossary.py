"""The glossary: terms linked on their first occurrence in a resource's text, SKOS export.

(Placeholder until the glossary part lands: `link_terms` returns the HTML unchanged.)
"""

from __future__ import annotations


def link_terms(html: str, language: str) -> str:
    """Link each glossary term's first occurrence in `html` (already sanitised) to its entry."""
    return html
