"""Loading instrument files into the database.

A version is immutable once answered: scores and comparisons are only meaningful when every
answer refers to exactly the questions it was given. Before that, an author may fix a typo by
reloading the file under the same version.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import yaml
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .definition import KNOWN_LANGUAGES, REQUIRED_LANGUAGES, load_file, validate
from .models import InstrumentVersion
from .validation import ValidationError


class InstrumentLoadError(Exception):
    """A file that cannot be loaded; the message is meant for the person loading it."""


class InstrumentFileInvalid(InstrumentLoadError):
    def __init__(self, path: Path, errors: list[ValidationError]) -> None:
        self.path = path
        self.errors = errors
        super().__init__(
            _("%(path)s is not a valid instrument (%(count)d errors)")
            % {"path": path, "count": len(errors)}
        )


class InstrumentVersionFrozen(InstrumentLoadError):
    pass


def instrument_file_read(*, path: str | Path) -> tuple[Any, list[ValidationError]]:
    """Raw definition and every problem in it (YAML syntax errors are reported by line)."""
    try:
        raw = load_file(path)
    except OSError as exc:
        return None, [ValidationError("", "file_unreadable", {"error": exc.strerror or str(exc)})]
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        return None, [ValidationError(where, "invalid_yaml", {"error": problem})]
    return raw, validate(raw)


def canonical_checksum(raw: Any) -> str:
    """SHA-256 of the definition's canonical JSON: key order and YAML layout do not matter."""
    text = json.dumps(raw, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


@transaction.atomic
def instrument_version_load(*, path: str | Path) -> InstrumentVersion:
    """Validate a file and store it as (slug, version); a no-op when the content is unchanged.

    Steps: read and validate (InstrumentFileInvalid lists every error); look up the version
    under a row lock; refuse a changed definition when the version has answers
    (InstrumentVersionFrozen); otherwise create or update the row. The returned object carries
    `load_status`: "created", "updated" or "unchanged".
    """
    raw, errors = instrument_file_read(path=path)
    if errors:
        raise InstrumentFileInvalid(Path(path), errors)
    raw = dict(raw, version=str(raw["version"]))
    checksum = canonical_checksum(raw)
    existing = (
        InstrumentVersion.objects.select_for_update()
        .filter(slug=raw["slug"], version=raw["version"])
        .first()
    )
    if existing is not None and existing.checksum == checksum:
        existing.load_status = "unchanged"  # type: ignore[attr-defined]
        return existing
    if existing is not None and existing.has_answers() and not _translations_only(existing, raw):
        raise InstrumentVersionFrozen(
            _(
                "version %(version)s of %(slug)s already has answers; "
                "publish the change as a new version"
            )
            % {"version": raw["version"], "slug": raw["slug"]}
        )
    return _store(existing, raw, checksum)


def _translations_only(existing: InstrumentVersion, raw: dict[str, Any]) -> bool:
    """Whether the change only adds or corrects texts beyond French and English (and the list of
    languages): answers keep their meaning, so a version with answers may take it."""
    return canonical_checksum(_required_texts(existing.definition)) == canonical_checksum(
        _required_texts(raw)
    )


def _required_texts(node: Any) -> Any:
    """The definition with only the French and English texts, and no list of languages."""
    if isinstance(node, dict):
        if "fr" in node and set(node) <= set(KNOWN_LANGUAGES):
            return {lang: node[lang] for lang in REQUIRED_LANGUAGES if lang in node}
        return {key: _required_texts(value) for key, value in node.items() if key != "languages"}
    if isinstance(node, list):
        return [_required_texts(item) for item in node]
    return node


def _store(
    existing: InstrumentVersion | None, raw: dict[str, Any], checksum: str
) -> InstrumentVersion:
    version = existing or InstrumentVersion(slug=raw["slug"], version=raw["version"])
    version.definition = raw
    version.checksum = checksum
    version.title_fr = raw["title"]["fr"]
    version.title_en = raw["title"]["en"]
    if existing is not None:
        version.loaded_at = timezone.now()
    version.full_clean()
    version.save()
    version.load_status = "updated" if existing else "created"  # type: ignore[attr-defined]
    return version


def instrument_files(*, path: str | Path) -> list[Path]:
    """The file itself, or every *.yaml under a directory, in a stable order."""
    path = Path(path)
    return sorted(path.rglob("*.yaml")) if path.is_dir() else [path]
