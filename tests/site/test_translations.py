"""Every string the Python code marks for translation has a French, German and Dutch translation.

The catalogues are compiled from the `.po` files by `make install`; a string missing from them
shows its English msgid on a French page. The alias `N_` (gettext_noop) once escaped extraction
this way, so the test reads the marked strings from the source itself.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from django.utils.translation import trans_real

import smartregion

MARKERS = {"_", "N_", "gettext", "gettext_lazy", "gettext_noop"}
SOURCE = Path(smartregion.__file__).parent
TEMPLATE_MARK = re.compile(r"""\{% translate "(?P<msgid>[^"]+)"(?: [^%]*)?%\}""")


def _marked_strings() -> dict[str, str]:
    found: dict[str, str] = {}
    for path in sorted(SOURCE.rglob("*.py")):
        if "migrations" in path.parts:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id in MARKERS
                and node.args
                and isinstance(node.args[0], ast.Constant)
                and isinstance(node.args[0].value, str)
            ):
                found.setdefault(node.args[0].value, f"{path.relative_to(SOURCE)}:{node.lineno}")
    return found


def _template_strings() -> dict[str, str]:
    """The `{% translate "…" %}` of the templates (their blocktranslate bodies are not read)."""
    found: dict[str, str] = {}
    for path in sorted(SOURCE.rglob("*.html")):
        text = path.read_text(encoding="utf-8")
        for match in TEMPLATE_MARK.finditer(text):
            line = text.count("\n", 0, match.start()) + 1
            # The template tag escapes % as %% in the msgid it looks up.
            found.setdefault(
                match["msgid"].replace("%", "%%"), f"{path.relative_to(SOURCE)}:{line}"
            )
    return found


@pytest.mark.parametrize("language", ["fr", "de", "nl"])
def test_every_marked_string_is_translated(language: str) -> None:
    catalogue = trans_real.translation(language)._catalog  # type: ignore[attr-defined]

    marked = {**_template_strings(), **_marked_strings()}

    missing = [f"{where}: {msgid!r}" for msgid, where in marked.items() if msgid not in catalogue]

    assert missing == []
