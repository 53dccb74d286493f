"""Checking a `ProjectInput` against a project: field paths for every error, rows to save."""

from __future__ import annotations

import dataclasses
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from smartregion.accounts.models import Organisation
from smartregion.territory.models import Municipality

from ..models import (
    Goal,
    Indicator,
    Location,
    Project,
    ProjectFunding,
    Theme,
)
from ..sanitise import rich_text_clean, rich_text_plain
from .inputs import (
    RICH_TEXT_FIELDS,
    TEXT_FIELDS,
    FundingInput,
    IndicatorInput,
    LocationInput,
    ProjectInput,
)

# --- validation -------------------------------------------------------------------------------


def _row(kind: type, value: Any) -> Any:
    if isinstance(value, kind):
        return value
    if isinstance(value, dict):
        names = {f.name for f in dataclasses.fields(kind)}
        return kind(**{k: v for k, v in value.items() if k in names})
    raise TypeError(f"{kind.__name__} or dict expected, got {type(value).__name__}")


def _decimal(value: Any) -> Any:
    """Numbers from JSON may be floats or strings; keep what cannot convert for full_clean."""
    if value is None or value == "" or isinstance(value, Decimal):
        return None if value == "" else value
    try:
        return Decimal(str(value))
    except (InvalidOperation, ValueError):
        return value


def _add(errors: dict[str, list[str]], path: str, error: ValidationError | str) -> None:
    messages = error.messages if isinstance(error, ValidationError) else [str(error)]
    errors.setdefault(path, []).extend(messages)


def _merge(errors: dict[str, list[str]], prefix: str, exc: ValidationError) -> None:
    if hasattr(exc, "error_dict"):
        for name, errs in exc.error_dict.items():
            if name == "__all__":
                path = prefix or "__all__"
            else:
                path = f"{prefix}.{name}" if prefix else name
            for err in errs:
                _add(errors, path or "__all__", ValidationError(err))
    else:
        _add(errors, prefix or "__all__", exc)


def _check_lists(data: ProjectInput, errors: dict[str, list[str]]) -> None:
    known_themes = set(Theme.values)
    if not data.themes:
        _add(errors, "themes", _("Choose at least one theme."))
    unknown = [t for t in data.themes if t not in known_themes]
    if unknown:
        _add(
            errors,
            "themes",
            _("Unknown theme: %(themes)s.") % {"themes": ", ".join(map(str, unknown))},
        )
    goals = set(Goal.values)
    wrong_goals = [
        g for g in data.goals if not isinstance(g, int) or isinstance(g, bool) or g not in goals
    ]
    if wrong_goals:
        _add(errors, "goals", _("Sustainable Development Goals are numbered 1 to 17."))
    if not data.municipality_ids:
        _add(errors, "municipality_ids", _("Choose at least one commune."))


def _check_related(
    data: ProjectInput, errors: dict[str, list[str]]
) -> tuple[list[Municipality], Organisation | None, list[Organisation]]:
    ids = set(data.municipality_ids)
    municipalities = list(Municipality.objects.filter(pk__in=ids))
    if len(municipalities) != len(ids):
        _add(errors, "municipality_ids", _("One of the chosen communes does not exist."))
    lead = None
    if data.lead_id is not None:
        lead = Organisation.objects.filter(pk=data.lead_id).first()
        if lead is None:
            _add(errors, "lead_id", _("This organisation does not exist."))
    partner_ids = set(data.partner_ids)
    partners = list(Organisation.objects.filter(pk__in=partner_ids))
    if len(partners) != len(partner_ids):
        _add(errors, "partner_ids", _("One of the chosen partners does not exist."))
    return municipalities, lead, partners


def _check_showcase(project: Project, errors: dict[str, list[str]]) -> None:
    if not project.showcase:
        return
    needed = {
        "title_en": project.title_en,
        "summary_en": project.summary_en,
        "description_en": rich_text_plain(project.description_en),
    }
    for name, value in needed.items():
        if not value.strip():
            _add(errors, name, _("Required for a project in the international showcase."))


def _fill(project: Project, data: ProjectInput) -> None:
    for name in TEXT_FIELDS:
        value = (getattr(data, name) or "").strip()
        setattr(project, name, rich_text_clean(value) if name in RICH_TEXT_FIELDS else value)
    project.status = data.status
    project.themes = list(dict.fromkeys(data.themes))
    project.goals = (
        sorted(set(data.goals)) if all(isinstance(g, int) for g in data.goals) else data.goals
    )
    project.start_date = data.start_date
    project.end_date = data.end_date
    project.budget_eur = _decimal(data.budget_eur)
    project.showcase = bool(data.showcase)


def _children(project: Project, data: ProjectInput, errors: dict[str, list[str]]) -> list[Any]:
    """Unsaved rows for fundings, indicators and locations, validated with their paths."""
    rows: list[Any] = []
    specs = (
        ("fundings", FundingInput, ProjectFunding, ("amount_eur",)),
        ("indicators", IndicatorInput, Indicator, ("baseline", "target", "achieved")),
        ("locations", LocationInput, Location, ("latitude", "longitude")),
    )
    for name, kind, model, numbers in specs:
        for position, raw in enumerate(getattr(data, name)):
            try:
                values = dataclasses.asdict(_row(kind, raw))
            except TypeError as exc:
                _add(errors, f"{name}[{position}]", str(exc))
                continue
            for number in numbers:
                values[number] = _decimal(values[number])
            for key, value in values.items():
                if isinstance(value, str):
                    values[key] = value.strip()
            row = model(project=project, position=position, **values)
            try:
                row.full_clean(exclude=["project"])
            except ValidationError as exc:
                _merge(errors, f"{name}[{position}]", exc)
            rows.append(row)
    return rows


def _validate(project: Project, data: ProjectInput) -> tuple[list[Any], list[Any]]:
    """Fill `project` from `data` and check everything; returns (related, child rows)."""
    errors: dict[str, list[str]] = {}
    _fill(project, data)
    _check_lists(data, errors)
    municipalities, lead, partners = _check_related(data, errors)
    project.lead = lead
    try:
        # Constraints are checked here with clearer messages (dates) or by construction (owner).
        project.full_clean(
            exclude=["slug", "themes", "goals", "version"], validate_constraints=False
        )
    except ValidationError as exc:
        _merge(errors, "", exc)
    if project.start_date and project.end_date and project.end_date < project.start_date:
        _add(errors, "end_date", _("The end date comes before the start date."))
    _check_showcase(project, errors)
    rows = _children(project, data, errors)
    if errors:
        raise ValidationError(errors)
    return [municipalities, partners], rows
