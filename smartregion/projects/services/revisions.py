"""Snapshots and revisions of a project, comparing two revisions, and re-applying an edit
after a conflict."""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smartregion.accounts.models import User
from smartregion.opendata.builds import open_data_changed

from .. import search
from ..models import (
    FundingSource,
    Goal,
    Project,
    ProjectRevision,
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
from .validation import _decimal, _row

# --- snapshots and revisions ------------------------------------------------------------------


def _plain(value: Any) -> Any:
    if isinstance(value, Decimal):
        return format(value.normalize(), "f") if value == value.to_integral() else str(value)
    if isinstance(value, dt.date | dt.datetime):
        return value.isoformat()
    return value


def project_snapshot(project: Project) -> dict[str, Any]:
    """The whole project as JSON-ready values, related rows included."""
    snapshot: dict[str, Any] = {
        name: getattr(project, name) for name in ("slug", *TEXT_FIELDS, "status", "showcase")
    }
    snapshot.update(
        themes=list(project.themes),
        goals=list(project.goals),
        start_date=_plain(project.start_date),
        end_date=_plain(project.end_date),
        budget_eur=_plain(project.budget_eur),
        state=project.state,
        version=project.version,
        needs_review=project.needs_review,
        owner_municipality=project.owner_municipality_id,
        owner_organisation=project.owner_organisation_id,
        municipalities=[
            {"id": m.pk, "name": m.name_fr} for m in project.municipalities.order_by("sort_fr")
        ],
        lead={"id": project.lead.pk, "name": project.lead.name} if project.lead else None,
        partners=[{"id": o.pk, "name": o.name} for o in project.partners.order_by("name")],
        fundings=[
            {"source": f.source, "label": f.label, "amount_eur": _plain(f.amount_eur)}
            for f in project.fundings.all()
        ],
        indicators=[
            {
                "name_fr": i.name_fr,
                "name_en": i.name_en,
                "unit": i.unit,
                "baseline": _plain(i.baseline),
                "target": _plain(i.target),
                "achieved": _plain(i.achieved),
                "measured_on": _plain(i.measured_on),
            }
            for i in project.indicators.all()
        ],
        locations=[
            {
                "label": loc.label,
                "latitude": _plain(loc.latitude),
                "longitude": _plain(loc.longitude),
            }
            for loc in project.locations.all()
        ],
        images=[
            {"id": img.pk, "alt_fr": img.alt_fr, "alt_en": img.alt_en, "credit": img.credit}
            for img in project.images.all()
        ],
        documents=[{"id": doc.pk, "title": doc.title} for doc in project.documents.all()],
    )
    return snapshot


def _record(
    project: Project, *, user: User | None, action: str, comment: str = ""
) -> ProjectRevision:
    last = project.revisions.order_by("-number").values_list("number", flat=True).first() or 0
    return ProjectRevision.objects.create(
        project=project,
        number=last + 1,
        action=action,
        author=user if user is not None and user.is_authenticated else None,
        comment=comment,
        snapshot=project_snapshot(project),
    )


def _after_change(project: Project, *, public: bool) -> None:
    """Bump the public pages' data version if visitors may see the change; reindex after commit."""
    if public:
        open_data_changed()
    project_id = project.pk
    transaction.on_commit(lambda: search.project_index(project_id))


def _author(user: User | None) -> User | None:
    return user if user is not None and user.is_authenticated else None


# --- comparing revisions ----------------------------------------------------------------------


@dataclass(frozen=True)
class FieldChange:
    """One difference between two revisions; `diff` holds (kind, words) for long texts."""

    field: str
    label: str
    before: str
    after: str
    diff: list[tuple[str, str]] | None = None


_LABELS: dict[str, Any] = {
    "slug": gettext_lazy("short name in addresses"),
    "title_fr": gettext_lazy("title (French)"),
    "title_en": gettext_lazy("title (English)"),
    "summary_fr": gettext_lazy("summary (French)"),
    "summary_en": gettext_lazy("summary (English)"),
    "description_fr": gettext_lazy("description (French)"),
    "description_en": gettext_lazy("description (English)"),
    "lessons_fr": gettext_lazy("lessons learned (French)"),
    "lessons_en": gettext_lazy("lessons learned (English)"),
    "municipalities": gettext_lazy("communes involved"),
    "lead": gettext_lazy("lead organisation"),
    "partners": gettext_lazy("partners"),
    "themes": gettext_lazy("themes"),
    "goals": gettext_lazy("Sustainable Development Goals"),
    "status": gettext_lazy("status"),
    "start_date": gettext_lazy("start date"),
    "end_date": gettext_lazy("end date"),
    "budget_eur": gettext_lazy("total budget (EUR)"),
    "fundings": gettext_lazy("fundings"),
    "indicators": gettext_lazy("indicators"),
    "locations": gettext_lazy("locations"),
    "contact_name": gettext_lazy("contact person"),
    "contact_email": gettext_lazy("contact email"),
    "website": gettext_lazy("website"),
    "showcase": gettext_lazy("promoted in the international showcase"),
    "images": gettext_lazy("images"),
    "documents": gettext_lazy("documents"),
    "state": gettext_lazy("review state"),
}
_LONG_TEXT = 120


def _display(name: str, value: Any) -> str:
    """A snapshot value as a person reads it."""
    if value is None or value == "" or value == []:
        return ""
    if name in RICH_TEXT_FIELDS:
        return rich_text_plain(value)
    if name == "themes":
        labels = dict(Theme.choices)
        return ", ".join(str(labels.get(v, v)) for v in value)
    if name == "goals":
        return ", ".join(f"{g}. {Goal(g).label}" if g in Goal.values else str(g) for g in value)
    if name == "status":
        return str(dict(Project.Status.choices).get(value, value))
    if name == "state":
        return str(dict(Project.State.choices).get(value, value))
    if name == "showcase":
        return _("yes") if value else _("no")
    if name in ("lead",):
        return value.get("name", "")
    if name in ("municipalities", "partners"):
        return ", ".join(v.get("name", "") for v in value)
    if name == "fundings":
        sources = dict(FundingSource.choices)
        return "\n".join(
            " — ".join(
                x
                for x in (
                    str(sources.get(f["source"], f["source"])),
                    f["label"],
                    f["amount_eur"] and f"{f['amount_eur']} EUR",
                )
                if x
            )
            for f in value
        )
    if name == "indicators":
        return "\n".join(
            f"{i['name_fr']} ({i['unit']}): {i['baseline'] or '–'} → {i['target'] or '–'}, "
            f"{_('achieved')} {i['achieved'] or '–'}"
            + (f" ({i['measured_on']})" if i["measured_on"] else "")
            for i in value
        )
    if name == "locations":
        return "\n".join(
            f"{loc['label'] or ''} {loc['latitude']}, {loc['longitude']}".strip() for loc in value
        )
    if name == "images":
        return "\n".join(v.get("alt_fr", "") for v in value)
    if name == "documents":
        return "\n".join(v.get("title", "") for v in value)
    return str(value)


def _word_diff(before: str, after: str) -> list[tuple[str, str]]:
    old, new = before.split(), after.split()
    parts: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            parts.append(("equal", " ".join(old[i1:i2])))
        if op in ("delete", "replace"):
            parts.append(("delete", " ".join(old[i1:i2])))
        if op in ("insert", "replace"):
            parts.append(("insert", " ".join(new[j1:j2])))
    return parts


def revision_compare(older: ProjectRevision, newer: ProjectRevision) -> list[FieldChange]:
    """What changed from `older` to `newer`, field by field in the form's order."""
    changes = []
    for name, label in _LABELS.items():
        before = _display(name, older.snapshot.get(name))
        after = _display(name, newer.snapshot.get(name))
        if before == after:
            continue
        long_text = max(len(before), len(after)) > _LONG_TEXT
        diff = _word_diff(before, after) if long_text else None
        changes.append(FieldChange(name, str(label), before, after, diff))
    return changes


# --- re-applying an edit after a conflict -----------------------------------------------------

_MERGE_KEYS = {
    **{name: name for name in TEXT_FIELDS},
    "status": "status",
    "showcase": "showcase",
    "themes": "themes",
    "goals": "goals",
    "start_date": "start_date",
    "end_date": "end_date",
    "budget_eur": "budget_eur",
    "municipality_ids": "municipalities",
    "lead_id": "lead",
    "partner_ids": "partners",
    "fundings": "fundings",
    "indicators": "indicators",
    "locations": "locations",
}


def _canonical(key: str, value: Any) -> Any:
    """One comparable form for a snapshot value and the same value in a ProjectInput."""
    if key in ("municipalities", "partners"):
        return sorted(v["id"] if isinstance(v, dict) else int(v) for v in value or [])
    if key == "lead":
        return value["id"] if isinstance(value, dict) else value
    if key in ("themes",):
        return list(value or [])
    if key == "goals":
        return sorted(int(g) for g in value or [])
    if key in ("fundings", "indicators", "locations"):
        kind = {"fundings": FundingInput, "indicators": IndicatorInput, "locations": LocationInput}
        rows = [dataclasses.asdict(_row(kind[key], r)) for r in value or []]
        return [
            {k: _plain(_decimal(v)) if k != "measured_on" else _plain(v) for k, v in r.items()}
            for r in rows
        ]
    if key in RICH_TEXT_FIELDS:
        return rich_text_clean(value or "")
    if key in ("start_date", "end_date", "budget_eur"):
        return _plain(_decimal(value) if key == "budget_eur" else value)
    return (value or "").strip() if isinstance(value, str) else value


@dataclass
class MergeResult:
    data: ProjectInput  # the edit re-applied onto the current project
    kept_theirs: list[str]  # fields only the colleague changed: their value is kept
    conflicts: list[str]  # fields both changed differently: the user's value is kept, to check


def project_merge(*, base: dict[str, Any], current: Project, mine: ProjectInput) -> MergeResult:
    """Re-apply `mine` (made from snapshot `base`) onto `current`, field by field.

    Fields the user did not touch take the colleague's value; fields the user changed keep the
    user's value, and those the colleague changed too are reported as conflicts to check.
    """
    theirs_input = ProjectInput.from_project(current)
    theirs = project_snapshot(current)
    merged = dataclasses.replace(mine)
    kept_theirs, conflicts = [], []
    for attr, key in _MERGE_KEYS.items():
        base_value = _canonical(key, base.get(key))
        their_value = _canonical(key, theirs.get(key))
        my_value = _canonical(key, getattr(mine, attr))
        if their_value == base_value or my_value == their_value:
            continue
        if my_value == base_value:
            setattr(merged, attr, getattr(theirs_input, attr))
            kept_theirs.append(key)
        else:
            conflicts.append(key)
    return MergeResult(merged, kept_theirs, conflicts)


def field_label(key: str) -> str:
    return str(_LABELS.get(key, key))


def project_snapshot_at(project: Project, version: int) -> dict[str, Any] | None:
    """The project as it stood at `version` (the last revision recorded at that version)."""
    for revision in project.revisions.order_by("-number"):
        if revision.snapshot.get("version") == version:
            return revision.snapshot
    return None
