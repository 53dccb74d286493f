"""Pages where teams write projects and editors review them.

Unpublished projects answer 404 to people who may not see them (their existence stays private);
people who may see a project but not do an action get 403.
"""

from __future__ import annotations

import mimetypes
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from smartregion.territory.queries import default_region

from .. import maps, notifications, queries, services
from ..forms import (
    ActorForm,
    CompareForm,
    DocumentForm,
    ImageForm,
    ProjectForm,
    ReasonForm,
    apply_errors,
    initial_from_input,
    make_formsets,
)
from ..models import Project, ProjectDocument, ProjectImage, ProjectRevision
from ..permissions import (
    can_create_actor,
    can_create_project,
    can_edit_project,
    can_moderate,
    can_submit_project,
    can_view_history,
    can_view_project,
    owner_choices,
    team_projects_q,
)
from .public import project_page_context

PAGE_SIZE = 50


def _project(request: HttpRequest, slug: str) -> Project:
    project = get_object_or_404(
        Project.objects.select_related("owner_municipality", "owner_organisation"), slug=slug
    )
    if not can_view_project(request.user, project):
        raise Http404
    return project


def _editable(request: HttpRequest, slug: str) -> Project:
    project = _project(request, slug)
    if not can_edit_project(request.user, project):
        raise PermissionDenied
    return project


# --- lists ------------------------------------------------------------------------------------


@login_required
def mine(request: HttpRequest) -> HttpResponse:
    """The projects of the user's teams, in every state."""
    projects = (
        Project.objects.filter(team_projects_q(request.user))
        .select_related("owner_municipality", "owner_organisation")
        .order_by("-updated_at", "-pk")
    )
    page = Paginator(projects, PAGE_SIZE).get_page(request.GET.get("page"))
    comments = queries.editor_comments(page)
    rows = [
        {
            "project": p,
            "can_edit": can_edit_project(request.user, p),
            "can_submit": can_submit_project(request.user, p),
            "comment": comments.get(p.pk),
        }
        for p in page
    ]
    return render(
        request,
        "projects/edit/mine.html",
        {
            "page": page,
            "rows": rows,
            "can_create": can_create_project(request.user),
            "is_editor": can_moderate(request.user),
        },
    )


@login_required
def queue(request: HttpRequest) -> HttpResponse:
    """What editors have to look at: submitted projects, then edits to published ones."""
    if not can_moderate(request.user):
        raise PermissionDenied
    base = Project.objects.select_related("owner_municipality", "owner_organisation", "updated_by")
    submitted = list(base.filter(state=Project.State.SUBMITTED).order_by("submitted_at", "pk"))
    changed = list(
        base.filter(state=Project.State.PUBLISHED, needs_review=True).order_by("updated_at", "pk")
    )
    return render(request, "projects/edit/queue.html", {"submitted": submitted, "changed": changed})


# --- the project form -------------------------------------------------------------------------


def _form_context(
    request: HttpRequest,
    form: ProjectForm,
    formsets: dict[str, Any],
    project: Project | None,
    **extra: Any,
) -> dict[str, Any]:
    return {
        "form": form,
        "formsets": formsets,
        "project": project,
        "image_form": ImageForm(),
        "document_form": DocumentForm(),
        "can_submit": project is not None and can_submit_project(request.user, project),
        "can_add_actor": can_create_actor(request.user),
        "place_map": maps.placement_map(default_region()),
        "editor_comment": queries.editor_comments([project]).get(project.pk) if project else None,
        "has_errors": bool(form.errors)
        or any(fs.is_bound and not fs.is_valid() for fs in formsets.values()),
        **extra,
    }


def _owner(request: HttpRequest, value: str) -> dict[str, Any]:
    choice = next(c for c in owner_choices(request.user) if c.value == value)
    return {
        "owner_municipality": choice.municipality,
        "owner_organisation": choice.organisation,
    }


@login_required
def create(request: HttpRequest) -> HttpResponse:
    if not can_create_project(request.user):
        raise PermissionDenied
    choices = [(c.value, c.label) for c in owner_choices(request.user)]
    if request.method == "POST":
        form = ProjectForm(request.POST, owner_choices=choices)
        formsets = make_formsets(request.POST)
        if form.is_valid() and all(fs.is_valid() for fs in formsets.values()):
            try:
                project = services.project_create(
                    user=request.user,
                    **_owner(request, form.cleaned_data["owner"]),
                    data=form.to_input(formsets),
                )
            except ValidationError as exc:
                apply_errors(exc, form, formsets)
            else:
                messages.success(request, _("Draft saved. Submit it for review when it is ready."))
                return redirect("projects:edit", slug=project.slug)
    else:
        form = ProjectForm(
            owner_choices=choices, initial={"owner": choices[0][0] if choices else None}
        )
        formsets = make_formsets()
    return render(request, "projects/edit/form.html", _form_context(request, form, formsets, None))


@login_required
def edit(request: HttpRequest, slug: str) -> HttpResponse:
    project = _editable(request, slug)
    if request.method == "POST":
        return _edit_post(request, project)
    data = services.ProjectInput.from_project(project)
    initial, rows = initial_from_input(data)
    form = ProjectForm(initial={**initial, "version": project.version})
    formsets = make_formsets(initial=rows)
    return render(
        request, "projects/edit/form.html", _form_context(request, form, formsets, project)
    )


def _edit_post(request: HttpRequest, project: Project) -> HttpResponse:
    form = ProjectForm(request.POST)
    formsets = make_formsets(request.POST)
    if form.is_valid() and all(fs.is_valid() for fs in formsets.values()):
        # No version (or 0) is not "the current one": it is refused like a stale version, so a
        # form that lost its hidden field never overwrites a colleague's change.
        expected = form.cleaned_data.get("version") or 0
        data = form.to_input(formsets)
        try:
            project = services.project_update(
                project=project, user=request.user, data=data, expected_version=expected
            )
        except services.ProjectConflict as conflict:
            return _conflict(request, conflict, expected, data)
        except ValidationError as exc:
            apply_errors(exc, form, formsets)
        else:
            messages.success(request, _saved_message(project))
            return redirect("projects:edit", slug=project.slug)
    return render(
        request, "projects/edit/form.html", _form_context(request, form, formsets, project)
    )


def _saved_message(project: Project) -> str:
    if project.is_published and project.needs_review:
        return _(
            "Changes saved: the public page shows them now, and an editor of the centre will "
            "look at them."
        )
    if project.is_published:
        return _("Changes saved: the public page shows them now.")
    if project.state == Project.State.SUBMITTED:
        return _("Changes saved: the editors will review this version.")
    return _("Changes saved. Submit the project for review when it is ready.")


def _conflict(
    request: HttpRequest,
    conflict: services.ProjectConflict,
    expected: int,
    mine: services.ProjectInput,
) -> HttpResponse:
    """Nothing saved: show the colleague's changes and the edit re-applied on their version."""
    current = conflict.project
    base = services.project_snapshot_at(current, expected) or {}
    latest = current.revisions.order_by("-number").first()
    changes = []
    if latest is not None:
        changes = services.revision_compare(ProjectRevision(snapshot=base), latest)
    merge = services.project_merge(base=base, current=current, mine=mine)
    initial, rows = initial_from_input(merge.data)
    form = ProjectForm(initial={**initial, "version": current.version})
    formsets = make_formsets(initial=rows)
    context = _form_context(
        request,
        form,
        formsets,
        current,
        conflict_revisions=conflict.revisions,
        conflict_changes=changes,
        conflict_fields=[services.field_label(k) for k in merge.conflicts],
        kept_theirs=[services.field_label(k) for k in merge.kept_theirs],
    )
    return render(request, "projects/edit/form.html", context, status=409)


@login_required
@require_POST
def submit(request: HttpRequest, slug: str) -> HttpResponse:
    project = _project(request, slug)
    if not can_submit_project(request.user, project):
        raise PermissionDenied
    try:
        services.project_submit(project=project, user=request.user)
    except services.ProjectError as exc:
        messages.error(request, str(exc))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        told = notifications.recipients(project=project, action="submitted", actor=request.user)
        text = _("“%(title)s” is submitted for review.") % {"title": project.title_fr}
        messages.success(
            request,
            text
            + " "
            + (
                _("The centre's editors have been emailed.")
                if told
                else _("An editor of the centre will review it.")
            ),
        )
    return redirect("projects:mine")


# --- review -----------------------------------------------------------------------------------

REVIEW_ACTIONS = {
    "request_changes": services.project_request_changes,
    "publish": services.project_publish,
    "reject": services.project_reject,
    "unpublish": services.project_unpublish,
    "mark_reviewed": services.project_mark_reviewed,
}


@login_required
def review(request: HttpRequest, slug: str) -> HttpResponse:
    """Everything the public page will show, what changed, and the editor's decision.

    A decision the service refuses (a comment missing, a project not publishable yet) comes back
    as errors on the page's form, never as an error status.
    """
    project = _project(request, slug)
    if not can_moderate(request.user):
        raise PermissionDenied
    form = ReasonForm(request.POST or None)
    if request.method == "POST":
        action = request.POST.get("action", "")
        if action not in services.project_review_steps(project):
            messages.error(request, _("This action is not available for this project now."))
            return redirect("projects:review", slug=slug)
        if form.is_valid():
            try:
                REVIEW_ACTIONS[action](
                    project=project, user=request.user, comment=form.cleaned_data["comment"]
                )
            except services.ProjectError as exc:
                messages.error(request, str(exc))
                return redirect("projects:review", slug=slug)
            except ValidationError as exc:
                _review_errors(form, exc)
            else:
                messages.success(request, _review_done(request, project, action))
                return redirect("projects:queue")
    return render(request, "projects/edit/review.html", _review_context(request, project, form))


def _review_errors(form: ReasonForm, exc: ValidationError) -> None:
    """The service's messages: the comment's next to the comment, others (a missing commune
    blocking publication) at the top, with a link to fix them in the project's form."""
    for path, errors in exc.message_dict.items():
        if path == "comment":
            form.add_error("comment", errors)
        else:
            name = {"municipality_ids": "municipalities"}.get(path, path)
            label = capfirst(services.field_label(name)) if path != NON_FIELD_ERRORS else ""
            form.add_error(None, [f"{label}: {e}" if label else e for e in errors])


def _review_context(request: HttpRequest, project: Project, form: ReasonForm) -> dict[str, Any]:
    shown = queries.project_for_page(project.slug) or project
    context = project_page_context(request, shown)
    context.pop("similar", None)  # the review is about this project only
    return context | {
        "project": shown,
        "form": form,
        "actions": services.project_review_steps(project),
        "changes": services.project_changes_since_publication(project),
        "latest": project.revisions.select_related("author").order_by("-number")[:5],
    }


def _review_done(request: HttpRequest, project: Project, action: str) -> str:
    """The success message: what happened, and who was told."""
    team = _team_name(project)
    told = len(notifications.recipients(project=project, action=action, actor=request.user))
    title = project.title_fr
    if action == "publish":
        text = _("“%(title)s” is published.") % {"title": title}
    elif action == "request_changes":
        text = _("Changes requested from the team of %(team)s.") % {"team": team}
    elif action == "reject":
        text = _("“%(title)s” is rejected.") % {"title": title}
    elif action == "unpublish":
        text = _(
            "“%(title)s” is withdrawn from publication and back with the team of %(team)s."
        ) % {
            "title": title,
            "team": team,
        }
    else:
        return _("The changes to “%(title)s” are marked as reviewed.") % {"title": title}
    if not told:
        return text + " " + _("Nobody was emailed: the team has no member with an account.")
    return (
        text
        + " "
        + ngettext(
            "%(count)d person of the team has been emailed.",
            "%(count)d people of the team have been emailed.",
            told,
        )
        % {"count": told}
    )


def _team_name(project: Project) -> str:
    owner = project.owner_municipality or project.owner_organisation
    return owner.name if owner is not None else "—"


# --- history ----------------------------------------------------------------------------------


def _history_project(request: HttpRequest, slug: str) -> Project:
    project = _project(request, slug)
    if not can_view_history(request.user, project):
        raise PermissionDenied
    return project


@login_required
def history(request: HttpRequest, slug: str) -> HttpResponse:
    project = _history_project(request, slug)
    revisions = list(project.revisions.select_related("author").order_by("-number"))
    return render(
        request,
        "projects/edit/history.html",
        {
            "project": project,
            "revisions": revisions,
            "form": CompareForm(
                initial={"older": max(len(revisions) - 1, 1), "newer": len(revisions)}
            ),
        },
    )


@login_required
def compare(request: HttpRequest, slug: str) -> HttpResponse:
    project = _history_project(request, slug)
    form = CompareForm(request.GET)
    if not form.is_valid():
        return render(
            request,
            "projects/edit/compare.html",
            {"project": project, "form": form, "changes": None},
            status=400,
        )
    numbers = sorted([form.cleaned_data["older"], form.cleaned_data["newer"]])
    found = {
        r.number: r for r in project.revisions.select_related("author").filter(number__in=numbers)
    }
    if len(found) != len(set(numbers)):
        raise Http404
    older, newer = found[numbers[0]], found[numbers[1]]
    return render(
        request,
        "projects/edit/compare.html",
        {
            "project": project,
            "form": form,
            "older": older,
            "newer": newer,
            "changes": services.revision_compare(older, newer),
        },
    )


# --- files ------------------------------------------------------------------------------------


def _file_row(kind: str, pk: int) -> ProjectImage | ProjectDocument:
    model = {"image": ProjectImage, "document": ProjectDocument}.get(kind)
    if model is None:
        raise Http404
    return get_object_or_404(model.objects.select_related("project"), pk=pk)


def _file_form_error(
    request: HttpRequest, project: Project, form: Any, exc: Any = None
) -> HttpResponse:
    if exc is not None:
        for path, errors in exc.message_dict.items():
            form.add_error(path if path in form.fields else "file", errors)
    data = services.ProjectInput.from_project(project)
    initial, rows = initial_from_input(data)
    context = _form_context(
        request,
        ProjectForm(initial={**initial, "version": project.version}),
        make_formsets(initial=rows),
        project,
    )
    context["image_form" if isinstance(form, ImageForm) else "document_form"] = form
    return render(request, "projects/edit/form.html", context, status=400)


@login_required
@require_POST
def image_add(request: HttpRequest, slug: str) -> HttpResponse:
    project = _editable(request, slug)
    form = ImageForm(request.POST, request.FILES)
    if not form.is_valid():
        return _file_form_error(request, project, form)
    try:
        services.project_image_add(
            project=project,
            user=request.user,
            upload=form.cleaned_data["file"],
            alt_fr=form.cleaned_data["alt_fr"],
            alt_en=form.cleaned_data["alt_en"],
            credit=form.cleaned_data["credit"],
        )
    except ValidationError as exc:
        return _file_form_error(request, project, form, _as_dict_error(exc))
    messages.success(request, _("Picture added."))
    return redirect(reverse("projects:edit", args=[slug]) + "#files")


@login_required
@require_POST
def document_add(request: HttpRequest, slug: str) -> HttpResponse:
    project = _editable(request, slug)
    form = DocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        return _file_form_error(request, project, form)
    try:
        services.project_document_add(
            project=project,
            user=request.user,
            upload=form.cleaned_data["file"],
            title=form.cleaned_data["title"],
        )
    except ValidationError as exc:
        return _file_form_error(request, project, form, _as_dict_error(exc))
    messages.success(request, _("Document added."))
    return redirect(reverse("projects:edit", args=[slug]) + "#files")


def _as_dict_error(exc: ValidationError) -> ValidationError:
    return exc if hasattr(exc, "error_dict") else ValidationError({"file": exc.messages})


@login_required
@require_POST
def file_remove(request: HttpRequest, slug: str, kind: str, pk: int) -> HttpResponse:
    project = _editable(request, slug)
    row = _file_row(kind, pk)
    if row.project_id != project.pk:
        raise Http404
    services.project_file_remove(project=project, user=request.user, file=row)
    messages.success(request, _("File removed."))
    return redirect(reverse("projects:edit", args=[slug]) + "#files")


def file(request: HttpRequest, kind: str, pk: int) -> FileResponse:
    """Serve a project's file to whoever may see the project; never sniffed, never run."""
    row = _file_row(kind, pk)
    if not can_view_project(request.user, row.project):
        raise Http404
    try:
        handle = row.file.open("rb")
    except FileNotFoundError:
        raise Http404 from None
    if isinstance(row, ProjectDocument):
        content_type = row.content_type
        extension = row.file.name.rsplit(".", 1)[-1]
        response = FileResponse(
            handle,
            content_type=content_type,
            as_attachment=True,
            filename=f"{row.project.slug}-{row.pk}.{extension}",
        )
    else:
        content_type = mimetypes.guess_type(row.file.name)[0] or "application/octet-stream"
        response = FileResponse(handle, content_type=content_type)
        response["Content-Disposition"] = "inline"
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    response["Cache-Control"] = (
        "public, max-age=3600" if row.project.is_published else "private, no-store"
    )
    return response


# --- actors -----------------------------------------------------------------------------------


@login_required
def actor_create(request: HttpRequest) -> HttpResponse:
    if not can_create_actor(request.user):
        raise PermissionDenied
    next_url = request.POST.get("next") or request.GET.get("next") or ""
    if not url_has_allowed_host_and_scheme(
        next_url, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        next_url = ""
    form = ActorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            actor = services.actor_create(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for path, errors in exc.message_dict.items():
                form.add_error(path if path in form.fields else None, errors)
        else:
            messages.success(
                request,
                _("“%(name)s” is in the directory: you can now choose it as lead or partner.")
                % {"name": actor.name},
            )
            return redirect(next_url or "projects:mine")
    return render(
        request,
        "projects/edit/actor_form.html",
        {"form": form, "next": next_url},
        status=400 if form.errors else 200,
    )
