"""Editors' pages: write and edit resources (every language in one form, with a preview), files,
the workflow, the history with comparisons, and the translation and review dashboards.

Editors hold the permission `knowledge.edit_resource` (not `is_staff`): a visitor is sent to
sign in, a signed-in person without it gets 403.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from .. import queries, services, text
from ..forms import LANGUAGE_NAMES, ResourceFileForm, ResourceForm
from ..models import SOURCE_LANGUAGE, TRANSLATION_LANGUAGES, Resource, ResourceRevision
from ..permissions import is_editor

View = Callable[..., HttpResponse]


def editor_required(view: View) -> View:
    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_editor(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped


def _edit_url(resource: Resource) -> str:
    return reverse("knowledge:resource-edit", kwargs={"slug": resource.slug})


def _previews(form: ResourceForm) -> list[tuple[str, Any, Any]]:
    """(language, name, rendered body) of each language with a body, from the submitted form."""
    return [
        (code, LANGUAGE_NAMES[code], text.render(form.data.get(f"body_{code}", ""), language=code))
        for code in (SOURCE_LANGUAGE, *TRANSLATION_LANGUAGES)
        if form.data.get(f"body_{code}", "").strip()
    ]


def _form_page(request: HttpRequest, form: ResourceForm, resource: Resource | None) -> HttpResponse:
    context: dict[str, Any] = {"form": form, "resource": resource}
    if "preview" in request.POST:
        context["previews"] = _previews(form)
    if resource is not None:
        context["transitions"] = _transitions(resource)
        context["file_form"] = ResourceFileForm()
        context["files"] = resource.files.order_by("role", "title")
    return render(request, "knowledge/editor/form.html", context)


def _transitions(resource: Resource) -> list[tuple[str, str]]:
    return [
        (to, Resource.State(to).label)
        for source, to in sorted(services.TRANSITIONS)
        if source == resource.state
    ]


@editor_required
@require_http_methods(["GET", "POST"])
def resource_create(request: HttpRequest) -> HttpResponse:
    form = ResourceForm(request.POST or None, instance=Resource())
    if request.method == "POST" and "preview" not in request.POST and form.is_valid():
        resource = form.save(commit=False)
        resource.owner = resource.owner or request.user
        services.create_resource(resource, user=request.user, comment=form.cleaned_data["comment"])
        form.relations_save(resource)
        messages.success(request, _("The resource is saved as a draft."))
        return redirect(_edit_url(resource))
    return _form_page(request, form, None)


@editor_required
@require_http_methods(["GET", "POST"])
def resource_edit(request: HttpRequest, slug: str) -> HttpResponse:
    resource = get_object_or_404(Resource, slug=slug)
    form = ResourceForm(request.POST or None, instance=resource)
    if request.method == "POST" and "preview" not in request.POST and form.is_valid():
        edited = form.save(commit=False)
        try:
            revision = services.save_resource(
                edited,
                user=request.user,
                comment=form.cleaned_data["comment"],
                significance=form.cleaned_data["significance"],
                expected_version=form.cleaned_data["version"],
            )
        except services.WorkflowError as error:
            form.add_error(None, str(error))
            return _form_page(request, form, Resource.objects.get(pk=resource.pk))
        form.relations_save(edited)
        if revision is None:
            messages.info(request, _("Nothing changed: no new revision."))
        else:
            messages.success(
                request, _("Saved as revision %(number)d.") % {"number": revision.number}
            )
        return redirect(_edit_url(edited))
    return _form_page(
        request,
        form,
        Resource.objects.get(pk=resource.pk) if request.method == "POST" else resource,
    )


@editor_required
@require_POST
def resource_transition(request: HttpRequest, slug: str) -> HttpResponse:
    resource = get_object_or_404(Resource, slug=slug)
    to = request.POST.get("to", "")
    if to not in Resource.State.values:
        messages.error(request, _("Unknown state."))
        return redirect(_edit_url(resource))
    try:
        services.transition(
            resource, to, user=request.user, comment=request.POST.get("comment", "")
        )
    except services.WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request, _("The resource is now “%(state)s”.") % {"state": Resource.State(to).label}
        )
    return redirect(_edit_url(resource))


@editor_required
@require_POST
def resource_upload(request: HttpRequest, slug: str) -> HttpResponse:
    resource = get_object_or_404(Resource, slug=slug)
    file_form = ResourceFileForm(request.POST, request.FILES)
    if not file_form.is_valid():
        messages.error(request, _("The file was not added: see the messages next to the fields."))
        form = ResourceForm(instance=resource)
        context = {
            "form": form,
            "resource": resource,
            "file_form": file_form,
            "transitions": _transitions(resource),
            "files": resource.files.order_by("role", "title"),
        }
        return render(request, "knowledge/editor/form.html", context, status=400)
    item = file_form.save(resource, request.user)
    url = reverse("knowledge:resource-file", kwargs={"slug": resource.slug, "pk": item.pk})
    messages.success(request, _("File added. Its address: %(url)s") % {"url": url})
    return redirect(_edit_url(resource))


@editor_required
@require_safe
def resource_history(request: HttpRequest, slug: str) -> HttpResponse:
    resource = get_object_or_404(Resource, slug=slug)
    revisions = list(queries.resource_revisions(resource))
    return render(
        request, "knowledge/editor/history.html", {"resource": resource, "revisions": revisions}
    )


@editor_required
@require_safe
def resource_compare(request: HttpRequest, slug: str) -> HttpResponse:
    resource = get_object_or_404(Resource, slug=slug)
    try:
        numbers = sorted([int(request.GET.get("older", "")), int(request.GET.get("newer", ""))])
    except ValueError:
        raise Http404(_("Choose two revisions to compare.")) from None
    revisions = {
        r.number: r for r in ResourceRevision.objects.filter(resource=resource, number__in=numbers)
    }
    if len(revisions) != 2:
        raise Http404(_("Choose two revisions to compare."))
    older, newer = revisions[numbers[0]], revisions[numbers[1]]
    diffs = queries.revision_compare(older, newer)
    return render(
        request,
        "knowledge/editor/compare.html",
        {"resource": resource, "older": older, "newer": newer, "diffs": diffs},
    )


@editor_required
@require_safe
def translation_dashboard(request: HttpRequest) -> HttpResponse:
    language = request.GET.get("language", "")
    status = request.GET.get("status", "")
    status = status if status in ("current", "outdated", "missing") else ""
    rows = queries.translation_dashboard(language=language, status=status)
    languages = [(code, LANGUAGE_NAMES[code]) for code in TRANSLATION_LANGUAGES]
    return render(
        request,
        "knowledge/editor/translations.html",
        {"rows": rows, "languages": languages, "language": language, "status": status},
    )


@editor_required
@require_POST
def translation_confirm(request: HttpRequest, slug: str) -> HttpResponse:
    resource = get_object_or_404(Resource, slug=slug)
    language = request.POST.get("language", "")
    try:
        services.confirm_translation(resource, language, user=request.user)
    except services.WorkflowError as error:
        messages.error(request, str(error))
    else:
        messages.success(
            request,
            _("%(language)s of “%(title)s” marked up to date.")
            % {"language": LANGUAGE_NAMES[language], "title": resource.title},
        )
    return redirect(reverse("knowledge:translations"))


@editor_required
@require_safe
def review_dashboard(request: HttpRequest) -> HttpResponse:
    return render(
        request, "knowledge/editor/review.html", {"resources": list(queries.review_dashboard())}
    )
