"""Rich text keeps a small safe subset of HTML; every attack string below comes out harmless."""

from __future__ import annotations

import pytest

from smartregion.projects.sanitise import rich_text_clean, rich_text_plain


@pytest.mark.parametrize(
    ("dirty", "clean"),
    [
        ("<img src=x onerror=alert(1)>Bonjour", "Bonjour"),
        ('<a href="JaVaScRiPt:alert(1)">lien</a>', '<a rel="noopener noreferrer">lien</a>'),
        ('<a href="javascript&#58;alert(1)">lien</a>', '<a rel="noopener noreferrer">lien</a>'),
        ('<a href="java\tscript:alert(1)">lien</a>', '<a rel="noopener noreferrer">lien</a>'),
        (
            '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
            '<a rel="noopener noreferrer">x</a>',
        ),
        ('<a href="vbscript:msgbox(1)">x</a>', '<a rel="noopener noreferrer">x</a>'),
        ("<svg onload=alert(1)><circle/></svg>texte", "texte"),
        ("<script>alert(1)</script>sûr", "sûr"),
        ("<SCRIPT SRC=//evil.example/x.js></SCRIPT>ok", "ok"),
        ('<iframe src="https://evil.example">cadre</iframe>après', "après"),
        ("<style>body{display:none}</style><p>visible</p>", "<p>visible</p>"),
        ("<scr<script>ipt>alert(1)</script>", "ipt&gt;alert(1)"),
        ('<p onclick="alert(1)" style="color:red" class="x">texte</p>', "<p>texte</p>"),
        ("<!-- <script>alert(1)</script> -->fin", "fin"),
        ('<a href="//evil.example/">x</a>', '<a rel="noopener noreferrer">x</a>'),
        ('<a href="/admin/">x</a>', '<a rel="noopener noreferrer">x</a>'),
        ('<object data="x.swf"></object><embed src="x.swf">z', "z"),
        ('<math><mi xlink:href="javascript:alert(1)">m</mi></math>z', "z"),
        ('<form action="https://evil.example"><input name="p"></form>', ""),
        ("<blockquote><h2>Titre</h2></blockquote>", "<blockquote>Titre</blockquote>"),
    ],
)
def test_rich_text_clean_removes_attacks(dirty, clean):
    assert rich_text_clean(dirty) == clean


def test_rich_text_clean_keeps_allowed_markup_and_adds_rel():
    html = (
        "<h3>Résultats</h3><p><strong>Fort</strong> et <em>léger</em><br></p>"
        "<ul><li>un</li></ul><ol><li>deux</li></ol><h4>Sous-titre</h4>"
        '<blockquote>cité</blockquote><p><a href="https://www.wallonie.be/">Wallonie</a> '
        '<a href="mailto:info@namur.be">écrire</a></p>'
    )

    assert rich_text_clean(html) == html.replace(
        '">Wallonie', '" rel="noopener noreferrer">Wallonie'
    ).replace('be">écrire', 'be" rel="noopener noreferrer">écrire')


def test_rich_text_clean_turns_plain_text_into_escaped_paragraphs():
    text = "Ligne 1\nLigne 2 < 3\r\n\r\nDeuxième paragraphe & fin"

    assert rich_text_clean(text) == (
        "<p>Ligne 1<br>Ligne 2 &lt; 3</p><p>Deuxième paragraphe &amp; fin</p>"
    )


def test_rich_text_clean_keeps_empty_empty():
    assert rich_text_clean("   ") == ""
    assert rich_text_clean("<script>x</script>") == ""


def test_rich_text_plain_gives_the_words():
    assert rich_text_plain("<p>Un&nbsp;<strong>deux</strong></p><p>trois &amp; quatre</p>") == (
        "Un deux trois & quatre"
    )
