"""Living case studies: an editor turns a completed catalogue project into a case study whose
figures are read from the project at every view; a commune member replicates it as a draft."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape
from django.utils.safestring import SafeString
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from smartregion.accounts.models import Membership
from smartregion.core.i18n import active_language
from smartregion.projects.models import Project
from smartregion.projects.services import IndicatorInput, ProjectInput, project_create

from .. import queries
from ..models import Kind, Resource
from ..permissions import is_editor
from ..services import create_resource
from ..text import render as render_markdown


def _completed_project(slug: str) -> Project:
    return get_object_or_404(Project, slug=slug, state=Project.State.PUBLISHED)


@login_required
def case_study_create(request: HttpRequest, project: str) -> HttpResponse:
    """GET: what will be made; POST: a draft case study of the project, then its page."""
    if not is_editor(request.user):
        raise PermissionDenied(_("Only the centre's editors write case studies."))
    found = _completed_project(project)
    existing = queries.case_study_of(found)
    completed = found.status == Project.Status.COMPLETED
    if request.method == "POST":
        if existing is not None:
            messages.info(request, _("This project already has a case study."))
            return redirect("knowledge:case-study", slug=existing.slug)
        if not completed:
            messages.error(request, _("Only a completed project can become a case study."))
            return redirect("knowledge:case-study-create", project=found.slug)
        resource = create_resource(_draft_of(found, request), user=request.user)
        messages.success(request, _("Draft case study created: add the analysis, then publish it."))
        return redirect("knowledge:case-study", slug=resource.slug)
    return render(
        request,
        "knowledge/case_study_create.html",
        {"project": found, "existing": existing, "completed": completed},
    )


def _draft_of(project: Project, request: HttpRequest) -> Resource:
    return Resource(
        kind=Kind.CASE_STUDY,
        slug=_free_slug(f"case-{project.slug}"),
        title_fr=project.title_fr,
        title_en=project.title_en,
        summary_fr=project.summary_fr,
        summary_en=project.summary_en,
        themes=list(project.themes),
        project=project,
        owner=request.user,
        state=Resource.State.DRAFT,
    )


def _free_slug(stem: str) -> str:
    stem = slugify(stem)[:110] or "case-study"
    taken = set(Resource.objects.filter(slug__startswith=stem).values_list("slug", flat=True))
    candidate, number = stem, 1
    while candidate in taken:
        number += 1
        candidate = f"{stem}-{number}"
    return candidate


def _case_study(request: HttpRequest, slug: str) -> Resource:
    resource = get_object_or_404(
        Resource.objects.select_related("project"), slug=slug, kind=Kind.CASE_STUDY
    )
    if not (resource.is_public or is_editor(request.user)):
        raise Http404(_("No such case study."))
    return resource


def _body(resource: Resource) -> SafeString:
    """The editorial analysis as safe HTML, glossary terms linked."""
    return render_markdown(resource.body or "", language=active_language())


def case_study(request: HttpRequest, slug: str) -> HttpResponse:
    """The case study: live figures from its project, the editors' analysis, "replicate this"."""
    resource = _case_study(request, slug)
    return render(
        request,
        "knowledge/case_study.html",
        {
            "resource": resource,
            "figures": queries.case_study_figures(resource),
            "body": _body(resource),
            "communes": _own_communes(request),
            "is_editor": is_editor(request.user),
        },
    )


def _own_communes(request: HttpRequest) -> list:
    if not request.user.is_authenticated:
        return []
    rows = (
        Membership.objects.filter(user=request.user, municipality__isnull=False)
        .select_related("municipality")
        .order_by("municipality__sort_fr")
    )
    return [row.municipality for row in rows]


@login_required
@require_POST
def replicate(request: HttpRequest, slug: str) -> HttpResponse:
    """Start a draft project for one of the reader's communes, prefilled from the case study's
    project (themes; indicators without values) with the original as reference."""
    resource = _case_study(request, slug)
    figures = queries.case_study_figures(resource)
    if not figures["available"]:
        raise Http404(_("The project of this case study is no longer in the catalogue."))
    communes = {str(m.pk): m for m in _own_communes(request)}
    municipality = communes.get(request.POST.get("municipality", ""))
    if municipality is None:
        raise PermissionDenied(_("Only a member of a commune starts a project for it."))
    original = figures["project"]
    try:
        draft = project_create(
            user=request.user,
            owner_municipality=municipality,
            data=_replica_input(request, original, resource, municipality),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect("knowledge:case-study", slug=resource.slug)
    messages.success(
        request,
        _("A draft project was started from “%(title)s”: adapt it to your commune.")
        % {"title": original.title_fr},
    )
    return redirect("projects:edit", slug=draft.slug)


def _replica_input(
    request: HttpRequest, original: Project, resource: Resource, municipality
) -> ProjectInput:
    with translation.override("fr"):  # the draft's French description, with French addresses
        case_url = request.build_absolute_uri(reverse("knowledge:case-study", args=[resource.slug]))
        project_url = request.build_absolute_uri(reverse("projects:detail", args=[original.slug]))
        reference = _(
            'Inspired by the project <a href="%(project_url)s">%(title)s</a> '
            '(case study: <a href="%(case_url)s">%(case_url)s</a>).'
        ) % {"project_url": project_url, "title": escape(original.title_fr), "case_url": case_url}
    return ProjectInput(
        title_fr=original.title_fr,
        title_en=original.title_en,
        summary_fr=original.summary_fr,
        summary_en=original.summary_en,
        status=Project.Status.IDEA,
        themes=list(original.themes),
        goals=list(original.goals),
        municipality_ids=[municipality.pk],
        description_fr=f"<p>{reference}</p>",
        indicators=[
            IndicatorInput(name_fr=i.name_fr, name_en=i.name_en, unit=i.unit)
            for i in original.indicators.all()
        ],
    )
