"""Project routes of the public API: list, read, create and update projects.

Reads are public for published projects. A request may authenticate with a personal API token
(`Authorization: Bearer sr_…`, created under the account area) or, for reads, with the browser
session; then a project's team and the centre's editors also read its unpublished versions. A
wrong or revoked token answers 401, never a silent anonymous read. Writes need a token and call
the same services as the forms, so validation, revisions and the review workflow are identical;
an update carries the `version` it started from and answers 409 when a colleague saved since.
Nothing here is rate-limited: like the diagnostic API, only costly anonymous computations are.
"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal
from typing import Any, Literal

from django.contrib.auth.models import AnonymousUser
from django.core.exceptions import ValidationError
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import HttpBearer

from smartregion.accounts.models import Organisation, User
from smartregion.accounts.tokens import api_token_authenticate
from smartregion.core.addresses import site_base_url
from smartregion.territory.models import Municipality

from . import exports
from .catalogue import CatalogueQuery, catalogue_page
from .models import Project
from .permissions import can_create_project, can_edit_project, can_view_project, owner_choices
from .queries import project_for_page
from .services import ProjectConflict, ProjectInput, project_create, project_update

router = Router(tags=["projects"])

API_PAGE_SIZE = 20
# Field names of the services' error paths → names of this API's body.
_FIELD_NAMES = {"municipality_ids": "municipalities", "lead_id": "lead", "partner_ids": "partners"}
_PATH_PART = re.compile(r"([^.\[\]]+)|\[(\d+)\]")


# ---------------------------------------------------------------------------------------------
# Authentication
# ---------------------------------------------------------------------------------------------


class TokenAuth(HttpBearer):
    """A personal API token; the route acts with its owner's current rights."""

    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return api_token_authenticate(token)


class ReadAuth(TokenAuth):
    """A token when the request sends one (a bad one is refused), else the session, else
    anonymous: public reads need no credentials."""

    def __call__(self, request: HttpRequest) -> Any:
        if request.headers.get(self.header):
            return super().__call__(request)
        user = getattr(request, "user", None)
        return user if user is not None and user.is_authenticated else AnonymousUser()


read_auth = ReadAuth()
token_auth = TokenAuth()


def _user(request: HttpRequest) -> User | AnonymousUser:
    return request.auth  # type: ignore[attr-defined,return-value]


# ---------------------------------------------------------------------------------------------
# Schemas
# ---------------------------------------------------------------------------------------------


class Message(Schema):
    detail: str


class ErrorItem(Schema):
    loc: list[str | int] = Field(..., examples=[["body", "indicators", 0, "target"]])
    msg: str = Field(..., examples=["Enter a number."])
    type: str = Field(..., examples=["invalid"])


class Errors(Schema):
    detail: list[ErrorItem]


class Translated(Schema):
    fr: str
    en: str


class CommuneOut(Schema):
    refnis: str = Field(..., examples=["92094"])
    name: str = Field(..., examples=["Namur"])


class OrganisationOut(Schema):
    name: str
    slug: str | None
    kind: str
    enterprise_number: str | None


class FundingOut(Schema):
    source: str = Field(..., examples=["regional_call"])
    label: str
    amount_eur: float | None


class IndicatorOut(Schema):
    name: Translated
    unit: str
    baseline: float | None
    target: float | None
    achieved: float | None
    measured_on: str | None


class LocationOut(Schema):
    label: str
    latitude: float
    longitude: float


class OwnerOut(Schema):
    municipality: str | None = Field(None, description="REFNIS code of the owner commune")
    organisation: str | None = Field(None, description="Slug of the owner organisation")


class ProjectSummaryOut(Schema):
    id: int
    slug: str
    url: str
    title: Translated
    summary: Translated
    status: str
    themes: list[str]
    goals: list[int]
    communes: list[CommuneOut]
    first_published_at: str
    is_demo: bool


class ProjectPage(Schema):
    count: int
    page: int
    pages: int
    page_size: int
    items: list[ProjectSummaryOut]


class ProjectOut(Schema):
    id: int
    slug: str
    url: str
    title: Translated
    summary: Translated
    description: Translated = Field(..., description="Sanitised HTML")
    lessons: Translated = Field(..., description="Sanitised HTML")
    status: str
    themes: list[str]
    goals: list[int]
    communes: list[CommuneOut]
    lead: OrganisationOut | None
    partners: list[OrganisationOut]
    start_date: str | None
    end_date: str | None
    budget_eur: float | None
    fundings: list[FundingOut]
    indicators: list[IndicatorOut]
    locations: list[LocationOut]
    website: str
    showcase: bool
    first_published_at: str
    published_at: str
    is_demo: bool
    contact_name: str
    contact_email: str
    state: str = Field(..., description="draft, submitted, changes_requested, published, rejected")
    version: int = Field(..., description="Send it back with an update (optimistic locking)")
    needs_review: bool
    owner: OwnerOut


class ConflictOut(Schema):
    detail: str
    current_version: int
    revisions: list[dict[str, Any]] = Field(
        ..., description="Changes saved since your version: number, action, author, date"
    )


class ListFilters(Schema):
    q: str | None = Field(
        None,
        description=(
            "Full-text search of French and English texts, theme names and commune names "
            "(every site language, exonyms); accents, case and plurals ignored; best match first"
        ),
    )
    theme: list[str] = Field([], description="Theme codes, any of them")
    goal: list[int] = Field([], description="SDG numbers 1–17, any of them")
    status: list[str] = Field([], description="idea, planned, in_progress, completed, stopped")
    province: list[str] = Field([], description="REFNIS codes of provinces")
    size: list[str] = Field([], description="Population class codes")
    funding: list[str] = Field([], description="Funding source codes")
    commune: list[str] = Field([], description="REFNIS codes of communes involved")
    sort: Literal["relevance", "newest", "title", "start"] | None = None
    page: int = Field(1, ge=1)


class FundingIn(Schema):
    source: str
    label: str = ""
    amount_eur: Decimal | None = None


class IndicatorIn(Schema):
    name_fr: str
    name_en: str = ""
    unit: str = ""
    baseline: Decimal | None = None
    target: Decimal | None = None
    achieved: Decimal | None = None
    measured_on: dt.date | None = None


class LocationIn(Schema):
    latitude: Decimal
    longitude: Decimal
    label: str = ""


class ProjectFields(Schema):
    """The editable fields; communes by REFNIS code, organisations by slug."""

    title_fr: str
    summary_fr: str
    status: str
    themes: list[str]
    municipalities: list[str] = Field(..., examples=[["92094"]])
    title_en: str = ""
    summary_en: str = ""
    description_fr: str = Field("", description="HTML or plain text; sanitised")
    description_en: str = ""
    lessons_fr: str = ""
    lessons_en: str = ""
    goals: list[int] = []
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    budget_eur: Decimal | None = None
    contact_name: str = ""
    contact_email: str = ""
    website: str = ""
    showcase: bool = False
    lead: str | None = Field(None, description="Slug of the lead organisation")
    partners: list[str] = Field([], description="Slugs of partner organisations")
    fundings: list[FundingIn] = []
    indicators: list[IndicatorIn] = []
    locations: list[LocationIn] = []


class ProjectCreateIn(ProjectFields):
    owner: str = Field(
        ...,
        description=(
            "Who keeps the project up to date: `municipality:<REFNIS>` or "
            "`organisation:<slug>`, one of your teams (editors: any)"
        ),
        examples=["municipality:92094"],
    )
    slug: str = Field("", description="Short name in addresses; made from the title when empty")


class ProjectPatchIn(Schema):
    """Only the fields sent change; `version` is the one your copy of the project has."""

    version: int
    title_fr: str | None = None
    summary_fr: str | None = None
    status: str | None = None
    themes: list[str] | None = None
    municipalities: list[str] | None = None
    title_en: str | None = None
    summary_en: str | None = None
    description_fr: str | None = None
    description_en: str | None = None
    lessons_fr: str | None = None
    lessons_en: str | None = None
    goals: list[int] | None = None
    start_date: dt.date | None = None
    end_date: dt.date | None = None
    budget_eur: Decimal | None = None
    contact_name: str | None = None
    contact_email: str | None = None
    website: str | None = None
    showcase: bool | None = None
    lead: str | None = None
    partners: list[str] | None = None
    fundings: list[FundingIn] | None = None
    indicators: list[IndicatorIn] | None = None
    locations: list[LocationIn] | None = None


# ---------------------------------------------------------------------------------------------
# Helpers
# ---------------------------------------------------------------------------------------------


def _base_url(request: HttpRequest) -> str:
    return site_base_url(request)


def _summary_out(project: Project, base_url: str) -> dict[str, Any]:
    return {
        "id": project.pk,
        "slug": project.slug,
        "url": exports.project_url(project, base_url),
        "title": {"fr": project.title_fr, "en": project.title_en},
        "summary": {"fr": project.summary_fr, "en": project.summary_en},
        "status": project.status,
        "themes": list(project.themes),
        "goals": list(project.goals),
        "communes": [
            {"refnis": m.refnis, "name": m.name_fr}
            for m in sorted(project.municipalities.all(), key=lambda m: m.refnis)
        ],
        "first_published_at": project.first_published_at.isoformat()
        if project.first_published_at
        else "",
        "is_demo": project.is_demo,
    }


def _project_out(project: Project, base_url: str) -> dict[str, Any]:
    record = exports.project_record(project, base_url=base_url)
    record["communes"].sort(key=lambda commune: commune["refnis"])
    owner = project.owner_municipality
    record.update(
        contact_name=project.contact_name,
        contact_email=project.contact_email,
        state=project.state,
        version=project.version,
        needs_review=project.needs_review,
        owner={
            "municipality": owner.refnis if owner else None,
            "organisation": project.owner_organisation.slug if project.owner_organisation else None,
        },
    )
    return record


def _loc(path: str) -> list[str | int]:
    """`indicators[2].target` → ["body", "indicators", 2, "target"], in this API's names."""
    parts: list[str | int] = ["body"]
    for name, index in _PATH_PART.findall(path):
        parts.append(int(index) if index else _FIELD_NAMES.get(name, name))
    return parts


def _errors(exc: ValidationError) -> dict[str, Any]:
    items = []
    for path, messages in exc.message_dict.items():
        loc = ["body"] if path == "__all__" else _loc(path)
        items.extend({"loc": loc, "msg": message, "type": "invalid"} for message in messages)
    return {"detail": items}


def _resolve(payload: dict[str, Any]) -> dict[str, Any]:
    """REFNIS codes and slugs → the ids the services take; unknown ones raise 422 errors."""
    errors: dict[str, list[str]] = {}
    values = dict(payload)
    if "municipalities" in values:
        codes = values.pop("municipalities")
        found = dict(Municipality.objects.filter(refnis__in=codes).values_list("refnis", "pk"))
        for index, code in enumerate(codes):
            if code not in found:
                errors[f"municipalities[{index}]"] = [
                    _("No commune has the REFNIS code “%(code)s”.") % {"code": code}
                ]
        values["municipality_ids"] = [found[c] for c in codes if c in found]
    slugs = [s for s in [values.get("lead"), *values.get("partners", [])] if s]
    known = dict(Organisation.objects.filter(slug__in=slugs).values_list("slug", "pk"))
    if "lead" in values:
        lead = values.pop("lead")
        if lead and lead not in known:
            errors["lead"] = [_("No organisation has the short name “%(slug)s”.") % {"slug": lead}]
        values["lead_id"] = known.get(lead) if lead else None
    if "partners" in values:
        partners = values.pop("partners")
        for index, slug in enumerate(partners):
            if slug not in known:
                errors[f"partners[{index}]"] = [
                    _("No organisation has the short name “%(slug)s”.") % {"slug": slug}
                ]
        values["partner_ids"] = [known[s] for s in partners if s in known]
    if errors:
        raise ValidationError(errors)
    return values


def _owner(user: User, owner: str) -> dict[str, Any]:
    for choice in owner_choices(user):
        code = choice.municipality.refnis if choice.municipality else choice.organisation.slug
        kind = "municipality" if choice.municipality else "organisation"
        if owner == f"{kind}:{code}":
            return {
                "owner_municipality": choice.municipality,
                "owner_organisation": choice.organisation,
            }
    raise HttpError(403, _("You may not create projects for “%(owner)s”.") % {"owner": owner})


def _visible_project(request: HttpRequest, slug: str) -> Project:
    """The project, or 404 when it does not exist or the caller may not see it (an unpublished
    project's existence is not revealed)."""
    project = project_for_page(slug)
    if project is None or not can_view_project(_user(request), project):
        raise HttpError(404, _("No such project."))
    return project


# ---------------------------------------------------------------------------------------------
# Routes
# ---------------------------------------------------------------------------------------------


@router.get(
    "/",
    response={200: ProjectPage, 401: Message, 422: Errors},
    auth=read_auth,
    summary="List published projects",
    description=(
        "Published projects, newest first (or by `sort`), 20 a page, with the catalogue's "
        "filters: repeat a parameter to accept any of its values (`theme=data&theme=mobility`)."
    ),
)
def list_projects(request: HttpRequest, filters: Query[ListFilters]) -> Any:
    query = CatalogueQuery.from_params(request.GET)
    if query.invalid:
        detail = [
            {
                "loc": ["query", name],
                "msg": _("Unknown value “%(value)s”.") % {"value": value},
                "type": "unknown_value",
            }
            for name, value in query.invalid
        ]
        return Status(422, {"detail": detail})
    page = catalogue_page(query, language="fr", page_size=API_PAGE_SIZE)
    base_url = _base_url(request)
    return {
        "count": page.total,
        "page": page.page,
        "pages": page.pages,
        "page_size": page.page_size,
        "items": [_summary_out(project, base_url) for project in page.projects],
    }


@router.get(
    "/{slug}",
    response={200: ProjectOut, 401: Message, 404: Message},
    auth=read_auth,
    summary="Read a project",
    description=(
        "A published project, for anyone; an unpublished one for its team and the centre's "
        "editors (404 for everyone else)."
    ),
)
def read_project(request: HttpRequest, slug: str) -> Any:
    return _project_out(_visible_project(request, slug), _base_url(request))


@router.post(
    "/",
    response={201: ProjectOut, 401: Message, 403: Message, 422: Errors},
    auth=token_auth,
    summary="Create a project",
    description=(
        "Creates a draft owned by one of your teams; submit it for review on the site. "
        "Invalid input gives 422 with every error and its path (`loc`)."
    ),
)
def create_project(request: HttpRequest, payload: ProjectCreateIn) -> Any:
    user = _user(request)
    if not can_create_project(user):
        raise HttpError(403, _("Only members of a commune or an organisation create projects."))
    owner = _owner(user, payload.owner)
    values = payload.dict(exclude={"owner"})
    try:
        data = ProjectInput(**_resolve(values))
        project = project_create(user=user, data=data, **owner)
    except ValidationError as exc:
        return Status(422, _errors(exc))
    return Status(201, _project_out(project_for_page(project.slug), _base_url(request)))


@router.patch(
    "/{slug}",
    response={
        200: ProjectOut,
        401: Message,
        403: Message,
        404: Message,
        409: ConflictOut,
        422: Errors,
    },
    auth=token_auth,
    summary="Update a project",
    description=(
        "Changes the fields sent. `version` must be the project's current version: when someone "
        "saved since, the answer is 409 with the current version and the changes made since."
    ),
)
def update_project(request: HttpRequest, slug: str, payload: ProjectPatchIn) -> Any:
    user = _user(request)
    project = _visible_project(request, slug)
    if not can_edit_project(user, project):
        raise HttpError(403, _("Only the project's team and the centre's editors change it."))
    changes = payload.dict(exclude_unset=True, exclude={"version"})
    try:
        values = {**_current_values(project), **_resolve(changes)}
        updated = project_update(
            project=project,
            user=user,
            data=ProjectInput(**values),
            expected_version=payload.version,
        )
    except ProjectConflict as conflict:
        return Status(409, _conflict_out(conflict))
    except ValidationError as exc:
        return Status(422, _errors(exc))
    return _project_out(project_for_page(updated.slug), _base_url(request))


def _current_values(project: Project) -> dict[str, Any]:
    current = ProjectInput.from_project(project)
    return {name: getattr(current, name) for name in current.__dataclass_fields__}


def _conflict_out(conflict: ProjectConflict) -> dict[str, Any]:
    return {
        "detail": str(conflict),
        "current_version": conflict.project.version,
        "revisions": [
            {
                "number": revision.number,
                "action": revision.action,
                "author": revision.author.email if revision.author else None,
                "created_at": revision.created_at.isoformat(),
            }
            for revision in conflict.revisions
        ],
    }
