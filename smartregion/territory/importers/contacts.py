"""Import communes' contact addresses from a CSV file, all or nothing.

The file has a header line naming its columns: `refnis` (required) and any of `contact_email`,
`smartcity_contact_name`, `smartcity_contact_email`. A column present in the file sets that field
for every commune listed (an empty cell clears it); a column absent leaves the field as it is, and
communes not listed keep their addresses. Commas or semicolons separate the cells (Excel writes
semicolons in Belgium). Every problem is reported with its line and column; if there is any,
nothing is written.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from ..contacts import CONTACT_FIELDS
from ..models import Municipality
from .common import ImportFailed, Problem, decode_utf8, fail

CODE_COLUMN = "refnis"
EMAIL_FIELDS = ("contact_email", "smartcity_contact_email")
EMAIL_MAX_LENGTH = 254
NAME_MAX_LENGTH = Municipality._meta.get_field("smartcity_contact_name").max_length or 120


@dataclass
class ContactsImportResult:
    columns: tuple[str, ...] = ()
    contacts: dict[str, dict[str, str]] = field(default_factory=dict)  # refnis → field → value
    dry_run: bool = False

    @property
    def count(self) -> int:
        return len(self.contacts)


def contacts_import(
    data: bytes, *, encoding: str | None = None, dry_run: bool = False
) -> ContactsImportResult:
    """Validate the whole file, then (unless `dry_run`) write every commune's contacts at once."""
    rows = _rows(decode_utf8(data, encoding))
    columns = _columns(rows[0] if rows else [])
    result = ContactsImportResult(columns=tuple(name for name, _i in columns[1:]), dry_run=dry_run)
    municipalities = {m.refnis: m for m in Municipality.objects.all()}
    problems: list[Problem] = []
    for line, cells in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in cells):
            continue
        found = _row(line, cells, columns, municipalities, result.contacts, problems)
        if found:
            result.contacts[found[0]] = found[1]
    if problems:
        raise ImportFailed(problems)
    if not result.contacts:
        raise fail(_("The file lists no commune."))
    if not dry_run:
        _write(result, municipalities)
    return result


def _rows(text: str) -> list[list[str]]:
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise fail(_("the file contains a NUL character"), _("line %(line)d") % {"line": line})
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return list(csv.reader(io.StringIO(text), delimiter=delimiter))


def _columns(header: list[str]) -> list[tuple[str, int]]:
    """[(name, index)], the code column first; unknown or repeated headers are refused."""
    names = [cell.strip().lower() for cell in header]
    if CODE_COLUMN not in names:
        raise fail(
            _("the header has no “%(column)s” column (expected: %(expected)s)")
            % {"column": CODE_COLUMN, "expected": ", ".join((CODE_COLUMN, *CONTACT_FIELDS))},
            _("line 1"),
        )
    problems = []
    for index, name in enumerate(names):
        if name not in (CODE_COLUMN, *CONTACT_FIELDS):
            problems.append(
                Problem(
                    _("line 1, column %(column)d") % {"column": index + 1},
                    _("unknown column “%(name)s” (expected: %(expected)s)")
                    % {
                        "name": header[index],
                        "expected": ", ".join((CODE_COLUMN, *CONTACT_FIELDS)),
                    },
                )
            )
        elif names.index(name) != index:
            problems.append(
                Problem(
                    _("line 1, column %(column)d") % {"column": index + 1},
                    _("column “%(name)s” appears twice") % {"name": name},
                )
            )
    if problems:
        raise ImportFailed(problems)
    if len(names) == 1:
        raise fail(_("the header names no contact column besides “refnis”"), _("line 1"))
    code = names.index(CODE_COLUMN)
    return [(CODE_COLUMN, code)] + [(n, i) for i, n in enumerate(names) if i != code]


def _row(
    line: int,
    cells: list[str],
    columns: list[tuple[str, int]],
    municipalities: dict[str, Municipality],
    seen: dict[str, dict[str, str]],
    problems: list[Problem],
) -> tuple[str, dict[str, str]] | None:
    def where(column: str) -> str:
        return _("line %(line)d, column %(column)s") % {"line": line, "column": column}

    if len(cells) != len(columns):
        problems.append(
            Problem(
                _("line %(line)d") % {"line": line},
                _("%(found)d cells where the header has %(expected)d")
                % {"found": len(cells), "expected": len(columns)},
            )
        )
        return None
    refnis = cells[columns[0][1]].strip()
    ok = True
    if refnis not in municipalities:
        problems.append(
            Problem(where(CODE_COLUMN), _("no commune has the code “%(code)s”") % {"code": refnis})
        )
        ok = False
    elif refnis in seen:
        problems.append(
            Problem(
                where(CODE_COLUMN), _("the commune %(code)s is listed twice") % {"code": refnis}
            )
        )
        ok = False
    values = {}
    for name, index in columns[1:]:
        value = cells[index].strip()
        reason = _check(name, value)
        if reason:
            problems.append(Problem(where(name), reason))
            ok = False
        values[name] = value
    return (refnis, values) if ok else None


def _check(name: str, value: str) -> str:
    if not value:
        return ""
    if name in EMAIL_FIELDS:
        try:
            validate_email(value)
            if len(value) > EMAIL_MAX_LENGTH:
                raise ValidationError("too long")
        except ValidationError:
            return _("“%(value)s” is not an email address") % {"value": value}
    elif len(value) > NAME_MAX_LENGTH:
        return _("the name is longer than %(max)d characters") % {"max": NAME_MAX_LENGTH}
    return ""


@transaction.atomic
def _write(result: ContactsImportResult, municipalities: dict[str, Municipality]) -> None:
    changed = []
    for refnis, values in result.contacts.items():
        municipality = municipalities[refnis]
        for name, value in values.items():
            setattr(municipality, name, value)
        changed.append(municipality)
    Municipality.objects.bulk_update(changed, list(result.columns), batch_size=500)
