"""Writing projects and actors: create, edit, the review workflow, files, revisions.

Forms, the API, commands and the demo data all feed a `ProjectInput` of plain values to the same
services, which validate everything and raise `ValidationError` keyed by field paths
(`title_en`, `indicators[2].target`). Callers check permissions first with `permissions.py`;
services enforce the rules that hold for everyone (state transitions, versions, completeness).

Every change records a `ProjectRevision` with a full snapshot. `version` counts content edits: an
edit carries the version it started from and is refused with `ProjectConflict` when a colleague
saved in between. Workflow steps (submit, publish…) do not move the version, so reviewing a
project never makes its team's open form stale.

When a change can alter what visitors see (the project is or was published), the public page
cache's data version is bumped; after commit the search index is refreshed.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import difflib
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smartregion.accounts.enterprise import enterprise_number_normalise
from smartregion.accounts.models import Organisation, User
from smartregion.core.pagecache import data_version_bump
from smartregion.territory.models import Municipality

from . import notifications, search
from .models import (
    FundingSource,
    Goal,
    Indicator,
    Location,
    Project,
    ProjectDocument,
    ProjectFunding,
    ProjectImage,
    ProjectRevision,
    Theme,
)
from .sanitise import rich_text_clean, rich_text_plain
from .uploads import document_prepare, image_prepare

State = Project.State
Action = ProjectRevision.Action

# Fixed words of the projects' addresses: no project slug may take them (see urls_*.py).
RESERVED_SLUGS = frozenset(
    {
        "new",
        "mine",
        "review",
        "actors",
        "actor",
        "files",
        "file",
        "showcase",
        "feed",
        "atom",
        "export",
        "exports",
        "search",
        "map",
        "api",
        "data",
        "edit",
        "history",
        "compare",
    }
)
RICH_TEXT_FIELDS = ("description_fr", "description_en", "lessons_fr", "lessons_en")
TEXT_FIELDS = (
    "title_fr",
    "title_en",
    "summary_fr",
    "summary_en",
    *RICH_TEXT_FIELDS,
    "contact_name",
    "contact_email",
    "website",
)


class ProjectError(Exception):
    """A workflow step that the project's state does not allow."""


class ProjectConflict(Exception):  # not frozen: raising sets __traceback__
    """A colleague saved the project after the version the edit started from."""

    def __init__(self, project: Project, revisions: list[ProjectRevision]) -> None:
        super().__init__(_("Someone else saved this project while you were editing it."))
        self.project = project
        self.revisions = revisions


@dataclass
class FundingInput:
    source: str
    label: str = ""
    amount_eur: Decimal | None = None


@dataclass
class IndicatorInput:
    name_fr: str
    name_en: str = ""
    unit: str = ""
    baseline: Decimal | None = None
    target: Decimal | None = None
    achieved: Decimal | None = None
    measured_on: dt.date | None = None


@dataclass
class LocationInput:
    latitude: Decimal
    longitude: Decimal
    label: str = ""


@dataclass
class ProjectInput:
    """Everything a team states about a project, as plain values (rows may be dicts)."""

    title_fr: str
    summary_fr: str
    status: str
    themes: list[str]
    municipality_ids: list[int]
    title_en: str = ""
    summary_en: str = ""
    description_fr: str = ""
    description_en: str = ""
    lessons_fr: str = ""
    lessons_en: str = ""
    goals: list[int] = field(default_factory=list)
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    budget_eur: Decimal | None = None
    contact_name: str = ""
    contact_email: str = ""
    website: str = ""
    showcase: bool = False
    lead_id: int | None = None
    partner_ids: list[int] = field(default_factory=list)
    fundings: list[FundingInput | dict[str, Any]] = field(default_factory=list)
    indicators: list[IndicatorInput | dict[str, Any]] = field(default_factory=list)
    locations: list[LocationInput | dict[str, Any]] = field(default_factory=list)
    slug: str = ""  # on creation only; made from the French title when empty
    is_demo: bool = False

    @classmethod
    def from_project(cls, project: Project) -> ProjectInput:
        """What the project states now, to prefill a form or re-apply an edit."""
        return cls(
            **{name: getattr(project, name) for name in TEXT_FIELDS},
            status=project.status,
            themes=list(project.themes),
            goals=list(project.goals),
            municipality_ids=sorted(m.pk for m in project.municipalities.all()),
            start_date=project.start_date,
            end_date=project.end_date,
            budget_eur=project.budget_eur,
            showcase=project.showcase,
            lead_id=project.lead_id,
            partner_ids=sorted(p.pk for p in project.partners.all()),
            fundings=[
                FundingInput(f.source, f.label, f.amount_eur) for f in project.fundings.all()
            ],
            indicators=[
                IndicatorInput(
                    i.name_fr, i.name_en, i.unit, i.baseline, i.target, i.achieved, i.measured_on
                )
                for i in project.indicators.all()
            ],
            locations=[
                LocationInput(loc.latitude, loc.longitude, loc.label)
                for loc in project.locations.all()
            ],
            slug=project.slug,
            is_demo=project.is_demo,
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
        data_version_bump()
    project_id = project.pk
    transaction.on_commit(lambda: search.project_index(project_id))


def _author(user: User | None) -> User | None:
    return user if user is not None and user.is_authenticated else None


# --- create and edit --------------------------------------------------------------------------


def _unique_slug(base: str, *, exclude_pk: int | None = None) -> str:
    stem = (slugify(base) or "project")[:100].strip("-") or "project"
    similar = Project.objects.filter(slug__startswith=stem)
    if exclude_pk is not None:
        similar = similar.exclude(pk=exclude_pk)
    taken = set(similar.values_list("slug", flat=True))
    candidate, number = stem, 1
    while candidate in taken or candidate in RESERVED_SLUGS:
        number += 1
        candidate = f"{stem}-{number}"
    return candidate


def _save_related(
    project: Project, related: list[Any], rows: Sequence[Any], *, replace: bool
) -> None:
    municipalities, partners = related
    project.municipalities.set(municipalities)
    project.partners.set(partners)
    if replace:
        project.fundings.all().delete()
        project.indicators.all().delete()
        project.locations.all().delete()
    for model in (ProjectFunding, Indicator, Location):
        model.objects.bulk_create([r for r in rows if isinstance(r, model)])


@transaction.atomic
def project_create(
    *,
    user: User | None,
    owner_municipality: Municipality | None = None,
    owner_organisation: Organisation | None = None,
    data: ProjectInput,
) -> Project:
    """A new draft kept up to date by one commune or one organisation."""
    if (owner_municipality is None) == (owner_organisation is None):
        raise ValidationError(
            {"owner": [_("A project is kept up to date by one commune or one organisation.")]}
        )
    project = Project(
        owner_municipality=owner_municipality,
        owner_organisation=owner_organisation,
        state=State.DRAFT,
        created_by=_author(user),
        updated_by=_author(user),
        is_demo=data.is_demo,
    )
    related, rows = _validate(project, data)
    if data.slug:
        if slugify(data.slug) != data.slug or data.slug in RESERVED_SLUGS:
            raise ValidationError(
                {"slug": [_("Use lower-case letters, digits and hyphens; this word is reserved.")]}
            )
        if Project.objects.filter(slug=data.slug).exists():
            raise ValidationError({"slug": [_("Another project already uses this short name.")]})
        project.slug = data.slug
    else:
        project.slug = _unique_slug(data.title_fr)
    project.save()
    _save_related(project, related, rows, replace=False)
    _record(project, user=user, action=Action.CREATED)
    _after_change(project, public=False)
    return project


def _revisions_since(project: Project, version: int) -> list[ProjectRevision]:
    revisions = project.revisions.select_related("author").order_by("number")
    return [r for r in revisions if r.snapshot.get("version", 0) > version]


def _claim_version(project: Project, expected_version: int) -> Project:
    """Move the version on atomically from `expected_version`, or raise ProjectConflict."""
    moved = Project.objects.filter(pk=project.pk, version=expected_version).update(
        version=F("version") + 1
    )
    if not moved:
        current = Project.objects.get(pk=project.pk)
        raise ProjectConflict(current, _revisions_since(current, expected_version))
    project.version = expected_version + 1
    return project


def _edited_by_team(project: Project, user: User | None) -> bool:
    """A published project edited by its team (not an editor) goes back to the review queue."""
    from .permissions import is_editor

    return project.is_published and not (user is not None and is_editor(user))


def project_update(
    *, project: Project, user: User | None, data: ProjectInput, expected_version: int
) -> Project:
    """Save an edit made from `expected_version`; a published project stays public but is flagged.

    Raises ProjectConflict (current project, revisions since) when a colleague saved meanwhile.
    """
    with transaction.atomic():
        fresh = Project.objects.select_for_update().get(pk=project.pk)
        if fresh.version != expected_version:
            raise ProjectConflict(fresh, _revisions_since(fresh, expected_version))
        related, rows = _validate(fresh, data)
        _claim_version(fresh, expected_version)
        fresh.updated_by = _author(user)
        if _edited_by_team(fresh, user):
            fresh.needs_review = True
        fresh.save()
        _save_related(fresh, related, rows, replace=True)
        _record(fresh, user=user, action=Action.UPDATED)
        _after_change(fresh, public=fresh.is_published)
    return fresh


# --- workflow ---------------------------------------------------------------------------------


# The editorial steps and the review states each may start from: the services check them, and
# the review page offers exactly the steps `project_review_steps` lists.
REVIEW_STEPS: dict[str, tuple[str, ...]] = {
    "publish": (State.DRAFT, State.SUBMITTED, State.CHANGES_REQUESTED, State.REJECTED),
    "request_changes": (State.SUBMITTED,),
    "reject": (State.SUBMITTED, State.CHANGES_REQUESTED, State.DRAFT),
    "mark_reviewed": (State.PUBLISHED,),
    "unpublish": (State.PUBLISHED,),
}


def project_review_steps(project: Project) -> list[str]:
    """The steps an editor may take on the project now, in the order the page offers them."""
    return [
        step
        for step, states in REVIEW_STEPS.items()
        if project.state in states and (step != "mark_reviewed" or project.needs_review)
    ]


def project_changes_since_publication(project: Project) -> list[FieldChange]:
    """What changed between the last publication and the latest revision (for the reviewer)."""
    revisions = list(project.revisions.order_by("-number"))
    published = next((r for r in revisions if r.action == Action.PUBLISHED), None)
    if published is None or published == revisions[0]:
        return []
    return revision_compare(published, revisions[0])


def _transition(
    project: Project,
    *,
    allowed_from: Iterable[str],
    comment: str = "",
    comment_required: bool = False,
) -> Project:
    """The project locked for a workflow step, once the step is allowed from its state."""
    comment = (comment or "").strip()
    if comment_required and not comment:
        raise ValidationError({"comment": [_("Say why, so the team knows what to do.")]})
    fresh = Project.objects.select_for_update().get(pk=project.pk)
    if fresh.state not in set(allowed_from):
        raise ProjectError(
            _("This cannot be done while the project is “%(state)s”.")
            % {"state": fresh.get_state_display()}
        )
    return fresh


def _finish(
    fresh: Project,
    *,
    user: User | None,
    action: str,
    comment: str,
    was_public: bool,
    notify: bool,
) -> Project:
    fresh.updated_by = _author(user)
    fresh.full_clean(exclude=["slug", "themes", "goals", "version"])
    fresh.save()
    comment = (comment or "").strip()
    _record(fresh, user=user, action=action, comment=comment)
    _after_change(fresh, public=was_public or fresh.is_published)
    if notify:
        notifications.project_notify(
            project=fresh, action=action, comment=comment, actor=_author(user)
        )
    return fresh


@transaction.atomic
def project_submit(
    *, project: Project, user: User | None, comment: str = "", notify: bool = True
) -> Project:
    """The team asks the editors to review the project."""
    fresh = _transition(
        project,
        allowed_from=(State.DRAFT, State.CHANGES_REQUESTED),
    )
    fresh.state = State.SUBMITTED
    fresh.submitted_at = timezone.now()
    return _finish(
        fresh, user=user, action=Action.SUBMITTED, comment=comment, was_public=False, notify=notify
    )


@transaction.atomic
def project_request_changes(
    *, project: Project, user: User | None, comment: str, notify: bool = True
) -> Project:
    fresh = _transition(
        project,
        allowed_from=REVIEW_STEPS["request_changes"],
        comment=comment,
        comment_required=True,
    )
    fresh.state = State.CHANGES_REQUESTED
    return _finish(
        fresh,
        user=user,
        action=Action.CHANGES_REQUESTED,
        comment=comment,
        was_public=False,
        notify=notify,
    )


@transaction.atomic
def project_publish(
    *, project: Project, user: User | None, comment: str = "", notify: bool = True
) -> Project:
    """Editors publish from any unpublished state (a project they wrote themselves too)."""
    fresh = _transition(
        project,
        allowed_from=REVIEW_STEPS["publish"],
    )
    now = timezone.now()
    fresh.state = State.PUBLISHED
    fresh.published_at = now
    fresh.first_published_at = fresh.first_published_at or now
    fresh.needs_review = False
    _check_publishable(fresh)
    return _finish(
        fresh, user=user, action=Action.PUBLISHED, comment=comment, was_public=False, notify=notify
    )


def _check_publishable(project: Project) -> None:
    errors: dict[str, list[str]] = {}
    _check_showcase(project, errors)
    if not project.municipalities.exists():
        _add(errors, "municipality_ids", _("Choose at least one commune."))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def project_reject(
    *, project: Project, user: User | None, comment: str, notify: bool = True
) -> Project:
    fresh = _transition(
        project,
        allowed_from=REVIEW_STEPS["reject"],
        comment=comment,
        comment_required=True,
    )
    fresh.state = State.REJECTED
    return _finish(
        fresh, user=user, action=Action.REJECTED, comment=comment, was_public=False, notify=notify
    )


@transaction.atomic
def project_unpublish(
    *, project: Project, user: User | None, comment: str, notify: bool = True
) -> Project:
    """Withdraw a published project: it goes back to its team with the editor's reason."""
    fresh = _transition(
        project,
        allowed_from=REVIEW_STEPS["unpublish"],
        comment=comment,
        comment_required=True,
    )
    fresh.state = State.CHANGES_REQUESTED
    fresh.published_at = None
    fresh.needs_review = False
    return _finish(
        fresh, user=user, action=Action.UNPUBLISHED, comment=comment, was_public=True, notify=notify
    )


@transaction.atomic
def project_mark_reviewed(*, project: Project, user: User | None, comment: str = "") -> Project:
    """An editor has seen the team's edits to a published project."""
    fresh = Project.objects.select_for_update().get(pk=project.pk)
    if not (fresh.is_published and fresh.needs_review):
        raise ProjectError(_("This project has no change waiting for review."))
    fresh.needs_review = False
    fresh.updated_by = _author(user)
    fresh.save(update_fields=["needs_review", "updated_by", "updated_at"])
    _record(
        fresh,
        user=user,
        action=Action.REVIEWED,
        comment=(comment or "").strip() or _("Changes reviewed."),
    )
    _after_change(fresh, public=True)
    return fresh


# --- files ------------------------------------------------------------------------------------


def _file_changed(project: Project, *, user: User | None, action: str, comment: str) -> None:
    fresh = Project.objects.select_for_update().get(pk=project.pk)
    fresh.updated_by = _author(user)
    update = ["updated_by", "updated_at"]
    if _edited_by_team(fresh, user):
        fresh.needs_review = True
        update.append("needs_review")
    fresh.save(update_fields=update)
    _record(fresh, user=user, action=action, comment=comment)
    _after_change(fresh, public=fresh.is_published)
    project.needs_review = fresh.needs_review


def _next_position(queryset: Any) -> int:
    last = queryset.order_by("-position").values_list("position", flat=True).first()
    return 0 if last is None else last + 1


def _store(row: ProjectImage | ProjectDocument, prepared: Any) -> None:
    """Validate the row, write the file, save the row.

    A failed save deletes the file. (Django has no rollback hook: a caller's enclosing transaction
    rolled back later would leave the file behind, unreferenced and never served.)
    """
    row.full_clean(exclude=["file"])
    row.file.save(prepared.name, ContentFile(prepared.content), save=False)
    try:
        row.save()
    except Exception:
        row.file.storage.delete(row.file.name)
        raise


@transaction.atomic
def project_image_add(
    *,
    project: Project,
    user: User | None,
    upload: Any,
    alt_fr: str,
    alt_en: str = "",
    credit: str = "",
) -> ProjectImage:
    """Add a picture, re-encoded (see uploads.py); the French description is required."""
    if not (alt_fr or "").strip():
        raise ValidationError({"alt_fr": [_("Describe the picture for people who cannot see it.")]})
    prepared = image_prepare(upload)
    image = ProjectImage(
        project=project,
        alt_fr=alt_fr.strip(),
        alt_en=(alt_en or "").strip(),
        credit=(credit or "").strip(),
        width=prepared.width,
        height=prepared.height,
        position=_next_position(project.images.all()),
        uploaded_by=_author(user),
    )
    _store(image, prepared)
    _file_changed(
        project,
        user=user,
        action=Action.FILE_ADDED,
        comment=_("Image “%(alt)s”") % {"alt": image.alt_fr},
    )
    return image


@transaction.atomic
def project_document_add(
    *, project: Project, user: User | None, upload: Any, title: str
) -> ProjectDocument:
    """Add a document checked by content (PDF, OpenDocument, Office Open XML)."""
    if not (title or "").strip():
        raise ValidationError({"title": [_("Give the document a title.")]})
    prepared = document_prepare(upload)
    document = ProjectDocument(
        project=project,
        title=title.strip(),
        content_type=prepared.content_type,
        size=len(prepared.content),
        position=_next_position(project.documents.all()),
        uploaded_by=_author(user),
    )
    _store(document, prepared)
    _file_changed(
        project,
        user=user,
        action=Action.FILE_ADDED,
        comment=_("Document “%(title)s”") % {"title": document.title},
    )
    return document


@transaction.atomic
def project_file_remove(
    *, project: Project, user: User | None, file: ProjectImage | ProjectDocument
) -> None:
    """Remove an image or a document; the stored file is deleted once the removal commits."""
    if file.project_id != project.pk:
        raise ProjectError(_("This file belongs to another project."))
    from django.core.files.storage import default_storage

    name = file.file.name
    label = file.alt_fr if isinstance(file, ProjectImage) else file.title
    kind = _("Image") if isinstance(file, ProjectImage) else _("Document")
    file.delete()
    transaction.on_commit(lambda: default_storage.delete(name))
    _file_changed(project, user=user, action=Action.FILE_REMOVED, comment=f"{kind} “{label}”")


# --- actors -----------------------------------------------------------------------------------


def _unique_actor_slug(name: str) -> str:
    stem = (slugify(name) or "actor")[:200].strip("-") or "actor"
    taken = set(Organisation.objects.filter(slug__startswith=stem).values_list("slug", flat=True))
    candidate, number = stem, 1
    while candidate in taken or candidate in RESERVED_SLUGS:
        number += 1
        candidate = f"{stem}-{number}"
    return candidate


@transaction.atomic
def actor_create(
    *,
    user: User | None,
    name: str,
    kind: str,
    enterprise_number: str = "",
    website: str = "",
    themes: Sequence[str] = (),
    description: str = "",
    is_demo: bool = False,
) -> Organisation:
    """A new actor of the ecosystem; communes get theirs from `actor_for_municipality`."""
    errors: dict[str, list[str]] = {}
    number = ""
    if (enterprise_number or "").strip():
        try:
            number = enterprise_number_normalise(enterprise_number)
        except ValidationError as exc:
            _add(errors, "enterprise_number", exc)
        else:
            existing = Organisation.objects.filter(enterprise_number=number).first()
            if existing is not None:
                _add(
                    errors,
                    "enterprise_number",
                    _("This enterprise number is already registered for “%(name)s”.")
                    % {"name": existing.name},
                )
    if kind == Organisation.Kind.COMMUNE:
        _add(errors, "kind", _("Communes are already in the directory: choose them by name."))
    unknown = [t for t in themes if t not in Theme.values]
    if unknown:
        _add(errors, "themes", _("Unknown theme: %(themes)s.") % {"themes": ", ".join(unknown)})
    actor = Organisation(
        name=(name or "").strip(),
        kind=kind,
        enterprise_number=number,
        website=(website or "").strip(),
        themes=list(dict.fromkeys(themes)),
        description=(description or "").strip(),
        is_demo=is_demo,
    )
    try:
        # Constraints (commune kind, unique enterprise number) are checked above with clearer words.
        actor.full_clean(
            exclude=["slug", "enterprise_number", "themes"], validate_constraints=False
        )
    except ValidationError as exc:
        _merge(errors, "", exc)
    if errors:
        raise ValidationError(errors)
    actor.slug = _unique_actor_slug(actor.name)
    actor.save()
    data_version_bump()
    return actor


def actor_for_municipality(municipality: Municipality) -> Organisation:
    """The commune's own row in the directory of actors, made on first use."""
    existing = Organisation.objects.filter(municipality=municipality).first()
    if existing is not None:
        return existing
    name = municipality.name_fr
    if Organisation.objects.filter(name=name).exists():
        name = _("%(name)s (commune)") % {"name": name}
    try:
        with transaction.atomic():
            return Organisation.objects.create(
                name=name,
                slug=_unique_actor_slug(municipality.name_fr),
                kind=Organisation.Kind.COMMUNE,
                municipality=municipality,
            )
    except IntegrityError:  # made by a concurrent request
        return Organisation.objects.get(municipality=municipality)


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
