"""Public pages of resources: the filtered list, a resource's page, its files and its PDF."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from smartregion.core.i18n import active_language
from smartregion.core.prepared_response import prepared_file_response

from .. import exports, queries, text
from ..forms import DOMAINS, ResourceFilterForm
from ..models import (
    SOURCE_LANGUAGE,
    Audience,
    CommuneSize,
    Kind,
    Licence,
    Resource,
    ResourceFile,
    Theme,
)
from ..permissions import is_editor


@require_safe
def resource_list(request: HttpRequest) -> HttpResponse:
    form = ResourceFilterForm(request.GET)
    filters = form.filters()
    page = queries.resources_page(filters, request.GET.get("page"))
    query = "&".join(f"{name}={value}" for name, value in filters.items())
    return render(
        request,
        "knowledge/resource_list.html",
        {"form": form, "page": page, "query": query, "filtered": bool(filters)},
    )


def _resource_or_redirect(request: HttpRequest, slug: str) -> Resource | HttpResponse:
    resource = queries.resource_for_page(slug, editor=is_editor(request.user))
    if resource is not None:
        return resource
    moved = queries.resource_redirect(slug)
    if moved is not None and (moved.is_public or is_editor(request.user)):
        return redirect(reverse("knowledge:resource", kwargs={"slug": moved.slug}), permanent=True)
    raise Http404(_("There is no such resource."))


def _labels(codes: list, choices: dict) -> list:
    return [choices[code] for code in codes if code in choices]


@require_safe
def resource_detail(request: HttpRequest, slug: str) -> HttpResponse:
    resource = _resource_or_redirect(request, slug)
    if isinstance(resource, HttpResponse):
        return resource
    if resource.kind == Kind.CASE_STUDY and resource.project_id:
        # A living case study has its own page: the project's live figures, then the analysis.
        return redirect("knowledge:case-study", slug=resource.slug)
    language = active_language()
    status = resource.translation_status(language)
    text_language = SOURCE_LANGUAGE if status == "missing" else language
    with translation.override(SOURCE_LANGUAGE):
        source_url = reverse("knowledge:resource", kwargs={"slug": resource.slug})
    files = resource.all_files
    context = {
        "resource": resource,
        "body": text.render(
            getattr(resource, f"body_{text_language}") or resource.body_fr, language=text_language
        ),
        "sources": text.render(resource.sources, language=text_language),
        "text_language": text_language,
        "translation": status,
        "source_url": source_url,
        "editor": is_editor(request.user),
        "kind": Kind(resource.kind).label,
        "licence": Licence(resource.licence).label
        if resource.licence in Licence.values
        else resource.licence,
        "themes": _labels(resource.themes, dict(Theme.choices)),
        "domains": _labels(resource.domains, DOMAINS),
        "audiences": _labels(resource.audiences, dict(Audience.choices)),
        "sizes": _labels(resource.commune_sizes, dict(CommuneSize.choices)),
        "attachments": [item for item in files if item.role == ResourceFile.Role.ATTACHMENT],
        "has_pdf": resource.kind == Kind.GUIDE,
        "projects": [(p, p.title_for(language)) for p in resource.projects_published],
    }
    return render(request, "knowledge/resource_detail.html", context)


@require_safe
def resource_file(request: HttpRequest, slug: str, pk: int) -> HttpResponse:
    """A resource's image or attachment, for whoever may read the resource."""
    resource = queries.resource_for_page(slug, editor=is_editor(request.user))
    if resource is None:
        raise Http404(_("There is no such resource."))
    item = get_object_or_404(ResourceFile, pk=pk, resource=resource)
    extension = item.file.name.rsplit(".", 1)[-1]
    return FileResponse(
        default_storage.open(item.file.name, "rb"),
        content_type=item.media_type,
        as_attachment=item.role == ResourceFile.Role.ATTACHMENT,
        filename=f"{resource.slug}-{item.pk}.{extension}",
    )


@require_safe
def resource_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    """A guide as a PDF, built in the background once per version and language."""
    resource = queries.resource_for_page(slug, editor=is_editor(request.user))
    if resource is None or resource.kind != Kind.GUIDE:
        raise Http404(_("There is no such guide."))
    prepared = exports.resource_pdf_request(resource, active_language())
    title = _("%(title)s (PDF)") % {"title": resource.title}
    return prepared_file_response(request, prepared, title=title, as_attachment=False)
