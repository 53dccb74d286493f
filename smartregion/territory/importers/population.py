"""Import Statbel population per municipality (CSV or XLSX, wide or long layout).

Steps: read the table; find the code, total and year columns; settle the year; validate every row
(collecting all problems); sum per code; derive figures of merged municipalities from their
predecessors; then, if nothing is wrong and this is no dry run, write in one transaction.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from django.db import transaction
from django.utils.translation import gettext as _

from ..models import Municipality, MunicipalityFigure, Province, Region, Succession
from ..services import figures_remove_demo, municipality_refresh_figures
from .common import ImportFailed, Problem, fail, local_copy, progress
from .coverage import coverage_shortfalls
from .tables import Row, Table, find_column, missing_column, read_table

CODE_HEADERS = (
    "nis code",
    "niscode",
    "nis",
    "code nis",
    "code ins",
    "refnis",
    "cd_refnis",
    "code refnis",
    "refnis code",
)
TOTAL_HEADERS = (
    "totaal",
    "total",
    "population",
    "ms_population",
    "bevolking",
    "population totale",
)
YEAR_HEADERS = ("cd_year", "year", "jaar", "année", "annee")
# Statbel's population-structure files break each municipality down by these: one row per group.
BREAKDOWN_HEADERS = ("cd_sex", "cd_age", "cd_natlty", "cd_civ_sts", "cd_nationality")
SOURCE_MAX_LENGTH = 200
# The largest value of the population columns on every database (a PostgreSQL integer).
POPULATION_MAX = 2**31 - 1


@dataclass(frozen=True)
class Columns:
    code: int
    total: int
    year: int | None
    long: bool  # several rows per code, summed


@dataclass
class PopulationImportResult:
    year: int
    rows_read: int = 0
    aggregates_skipped: int = 0
    other_years_skipped: int = 0
    figures: dict[str, int] = field(default_factory=dict)  # refnis → population
    derived: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # accepted shortfalls (partial=True)
    dry_run: bool = False


@dataclass
class _Registry:
    """The codes a file may name: municipalities (current or former) and aggregates to skip."""

    municipalities: dict[str, Municipality]
    aggregates: set[str]

    @classmethod
    def load(cls) -> _Registry:
        aggregates = set(Region.objects.values_list("refnis", flat=True))
        aggregates |= set(Province.objects.values_list("refnis", flat=True))
        return cls({m.refnis: m for m in Municipality.objects.all()}, aggregates)

    def is_aggregate(self, code: str) -> bool:
        return code not in self.municipalities and (code.endswith("000") or code in self.aggregates)


def population_import(
    location: str,
    *,
    year: int | None = None,
    source: str = "",
    encoding: str | None = None,
    dry_run: bool = False,
    show_progress: bool = True,
    partial: bool = False,
) -> PopulationImportResult:
    """Import one population file (path or http(s) URL); raise ImportFailed listing all problems.

    A file covering less than 90 % of a region's communes is refused unless `partial`."""
    with local_copy(location) as path:
        table = read_table(path, encoding=encoding, is_header=_is_header)
    columns = _columns(table)
    result = PopulationImportResult(year=_settle_year(table, columns, year), dry_run=dry_run)
    registry = _Registry.load()
    _read_rows(table, columns, registry, result, show_progress)
    result.derived = _derive(result.figures, registry, result.year)
    _check_sums({**result.figures, **result.derived})
    codes = [*result.figures, *result.derived]
    if not partial and (shortfalls := coverage_shortfalls(codes)):
        raise ImportFailed([Problem("", reason) for reason in shortfalls])
    result.warnings = coverage_shortfalls(codes, partial=True) if partial else []
    if not dry_run:
        _write(result, source or _default_source(location, result.year))
    return result


def _check_sums(populations: dict[str, int]) -> None:
    """Rows summed per code (long layout) or figures summed over a merger may still overflow."""
    problems = [
        Problem(
            _("REFNIS code %(code)s") % {"code": code},
            _("population %(value)d is more than the column holds (at most %(max)d)")
            % {"value": value, "max": POPULATION_MAX},
        )
        for code, value in sorted(populations.items())
        if value > POPULATION_MAX
    ]
    if problems:
        raise ImportFailed(problems)


def _is_header(cells: list) -> bool:
    return find_column([str(c) for c in cells], CODE_HEADERS) is not None


def _columns(table: Table) -> Columns:
    code = find_column(table.headers, CODE_HEADERS)
    total = find_column(table.headers, TOTAL_HEADERS)
    problems = []
    if code is None:
        problems.append(missing_column(table, _("REFNIS code"), CODE_HEADERS))
    if total is None:
        problems.append(missing_column(table, _("population total"), TOTAL_HEADERS))
    if problems:
        raise ImportFailed(problems)
    if not table.rows:
        raise fail(_("The file has a header but no data rows."))
    is_long = find_column(table.headers, BREAKDOWN_HEADERS) is not None
    return Columns(code, total, find_column(table.headers, YEAR_HEADERS), is_long)


def _settle_year(table: Table, columns: Columns, requested: int | None) -> int:
    """The year asked for, else the file's only year; a file with several years needs --year."""
    if columns.year is None:
        if requested is None:
            raise fail(_("The file has no year column: pass --year (population on 1 January)."))
        return requested
    years, problems = set(), []
    for row in table.rows:
        value = _cell(row, columns.year)
        parsed = _integer(value)
        if parsed is None or not 1800 <= parsed <= 2200:
            problems.append(
                _problem(table, row, columns.year, _("not a year: “%(v)s”") % {"v": value})
            )
        else:
            years.add(parsed)
    if problems:
        raise ImportFailed(problems)
    if requested is not None:
        if requested not in years:
            raise fail(
                _("The file has no rows for %(year)d (years found: %(years)s).")
                % {"year": requested, "years": _join(years)}
            )
        return requested
    if len(years) > 1:
        raise fail(
            _("The file has several years (%(years)s): choose one with --year.")
            % {"years": _join(years)}
        )
    return years.pop()


def _read_rows(
    table: Table,
    columns: Columns,
    registry: _Registry,
    result: PopulationImportResult,
    show_progress: bool,
) -> None:
    """Validate every row and sum the totals per code; raise with all problems at the end."""
    problems: list[Problem] = []
    first_seen: dict[str, str] = {}
    totals: dict[str, int] = defaultdict(int)
    rows = progress(table.rows, total=len(table.rows), label=_("rows"), enabled=show_progress)
    for row in rows:
        if columns.year is not None and _integer(_cell(row, columns.year)) != result.year:
            result.other_years_skipped += 1
            continue
        result.rows_read += 1
        found = _check_row(table, row, columns, registry, problems)
        if found == "aggregate":
            result.aggregates_skipped += 1
        elif found is not None:
            code, count = found
            if not columns.long and code in first_seen:
                problems.append(_duplicate(table, row, columns, code, first_seen[code]))
                continue
            first_seen.setdefault(code, row.where)
            totals[code] += count
    if problems:
        raise ImportFailed(problems)
    result.figures = dict(totals)


def _duplicate(table: Table, row: Row, columns: Columns, code: str, first: str) -> Problem:
    """In the wide layout a code appears once: a second row would silently replace the first."""
    reason = _("duplicate REFNIS code %(code)s: already on %(where)s") % {
        "code": code,
        "where": first,
    }
    return _problem(table, row, columns.code, reason)


def _check_row(
    table: Table, row: Row, columns: Columns, registry: _Registry, problems: list[Problem]
) -> tuple[str, int] | str | None:
    """The row's (code, count), "aggregate" for a region/province/arrondissement row, or None."""
    short = _short_row_problem(table, row)
    if short:
        problems.append(short)
        return None
    code = _code(_cell(row, columns.code))
    if code is None:
        problems.append(_problem(table, row, columns.code, _bad_code(_cell(row, columns.code))))
    elif registry.is_aggregate(code):
        return "aggregate"
    elif code not in registry.municipalities:
        problems.append(
            _problem(
                table,
                row,
                columns.code,
                _(
                    "unknown REFNIS code %(code)s: "
                    "not a municipality in the registry (current or former)"
                )
                % {"code": code},
            )
        )
    count, reason = _count(_cell(row, columns.total))
    if reason:
        problems.append(_problem(table, row, columns.total, reason))
    return (code, count) if code and code in registry.municipalities and not reason else None


def _short_row_problem(table: Table, row: Row) -> Problem | None:
    """A CSV row with fewer fields than the header: usually a truncated file."""
    if table.pads_short_rows or len(row.cells) >= len(table.headers):
        return None
    return _problem(
        table,
        row,
        len(row.cells),
        _("missing value: the row has %(found)d of %(expected)d fields; is the file truncated?")
        % {"found": len(row.cells), "expected": len(table.headers)},
    )


def _cell(row: Row, index: int) -> object:
    return row.cells[index] if index < len(row.cells) else None


def _problem(table: Table, row: Row, column: int, reason: str) -> Problem:
    name = table.headers[column] if column < len(table.headers) else str(column + 1)
    return Problem(_("%(where)s, column %(column)s") % {"where": row.where, "column": name}, reason)


def _code(value: object) -> str | None:
    """A five-digit code; a number from an XLSX cell gets back the leading zero Excel dropped."""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 99999:
        return f"{value:05d}"
    text = str(value or "").strip()
    return text if len(text) == 5 and text.isascii() and text.isdigit() else None


def _bad_code(value: object) -> str:
    text = str(value if value is not None else "").strip()
    if not text:
        return _("missing REFNIS code")
    hint = ""
    if text.isdigit() and len(text) == 4:
        hint = " " + _("(a leading zero lost, e.g. by Excel?)")
    return (
        _("malformed REFNIS code “%(code)s”: expected five digits, e.g. 92094") % {"code": text}
        + hint
    )


def _count(value: object) -> tuple[int, str | None]:
    """A non-negative whole number, or the reason it is not one."""
    if value is None or str(value).strip() == "":
        return 0, _("missing population total")
    number = _integer(value)
    if number is None:
        return 0, _("not a whole number: “%(value)s”") % {"value": value}
    if number < 0:
        return 0, _("negative population: %(value)d") % {"value": number}
    if number > POPULATION_MAX:
        return 0, _("population %(value)d is more than the column holds (at most %(max)d)") % {
            "value": number,
            "max": POPULATION_MAX,
        }
    return number, None


def _integer(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float):
        return int(value) if value.is_integer() else None
    text = str(value or "").strip()
    try:
        return int(text)
    except ValueError:
        return None


def _join(years: set[int]) -> str:
    return ", ".join(str(y) for y in sorted(years))


def _derive(figures: dict[str, int], registry: _Registry, year: int) -> dict[str, int]:
    """Figures of municipalities created by a merger, summed from predecessors that all have one.

    Only new codes (valid_from set) are derived: a municipality that absorbed another kept its own
    code and its own published figure. Published figures always win over derived ones.
    """
    known = dict(
        MunicipalityFigure.objects.filter(
            year=year, derived=False, population__isnull=False
        ).values_list("municipality__refnis", "population")
    )
    known.update(figures)
    groups: dict[str, list[str]] = defaultdict(list)
    for successor, predecessor in Succession.objects.filter(
        successor__valid_from__isnull=False
    ).values_list("successor__refnis", "predecessor__refnis"):
        groups[successor].append(predecessor)
    return {
        successor: sum(known[code] for code in predecessors)
        for successor, predecessors in sorted(groups.items())
        if successor not in known and all(code in known for code in predecessors)
    }


def _default_source(location: str, year: int) -> str:
    name = Path(location).name
    return f"Statbel, population on 1 January {year} ({name})"[:SOURCE_MAX_LENGTH]


@transaction.atomic
def _write(result: PopulationImportResult, source: str) -> None:
    """Upsert one figure per municipality and year (re-importing gives the same rows).

    Official figures replace the synthetic demo figures altogether, so the two never mix.
    """
    figures_remove_demo()
    registry = {m.refnis: m for m in Municipality.objects.all()}
    figures = [
        MunicipalityFigure(
            municipality=registry[code],
            year=result.year,
            population=population,
            source=source[:SOURCE_MAX_LENGTH],
            derived=derived,
        )
        for values, derived in ((result.figures, False), (result.derived, True))
        for code, population in values.items()
    ]
    MunicipalityFigure.objects.bulk_create(
        figures,
        batch_size=500,
        update_conflicts=True,
        unique_fields=["municipality", "year"],
        update_fields=["population", "source", "derived"],
    )
    municipality_refresh_figures([*result.figures, *result.derived])
