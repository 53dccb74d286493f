"""`knowledge.text.render`: Markdown → sanitised HTML → glossary links."""

from __future__ import annotations

import pytest

from smartregion.knowledge.text import render

# Rendering links the glossary's terms, read from the database (then cached).
pytestmark = pytest.mark.django_db


def test_render_starts_headings_at_h2_without_skipping_levels():
    assert render("### Un\n\n#### Deux", language="fr") == "<h2>Un</h2>\n<h3>Deux</h3>"
    assert render("# Un\n\n## Deux", language="fr") == "<h2>Un</h2>\n<h3>Deux</h3>"


def test_render_drops_raw_html_and_dangerous_links():
    html = render(
        "<img src=x onerror=alert(1)> [a](javascript:alert(1)) [b](/fr/knowledge/x/)", language="fr"
    )
    assert html == (
        "<p>&lt;img src=x onerror=alert(1)&gt; [a](javascript:alert(1)) "
        '<a href="/fr/knowledge/x/" rel="noopener noreferrer">b</a></p>'
    )


def test_render_keeps_tables_images_and_code():
    html = render("![Un plan](/media/plan.jpg)\n\n|a|\n|-|\n|1|\n\n`code`", language="fr")
    assert '<img src="/media/plan.jpg" alt="Un plan">' in html
    assert "<table>" in html and "<td>1</td>" in html and "<code>code</code>" in html


def test_render_empty_is_empty():
    assert render("  ", language="fr") == ""
