"""The international showcase: published projects promoted by the centre, in English.

Visitors abroad land here from any language prefix; the content is English whatever the prefix
(the templates wrap it in `{% language "en" %}` and `lang="en"`), the site chrome follows the
prefix so a French visitor still finds the way back.
"""

from __future__ import annotations

from django.conf import settings
from django.core.paginator import Paginator
from django.db.models import Prefetch, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from smartregion.core.addresses import site_base_url
from smartregion.core.pagecache import public_page
from smartregion.core.prepared_response import prepared_file_response
from smartregion.opendata.responses import data_file_response
from smartregion.territory.models import Municipality, Region

from .. import exports
from ..catalogue import CatalogueQuery
from ..models import Goal, Project, Theme
from ..queries import json_list_has
from ..sanitise import rich_text_clean

PAGE_SIZE = 24
LANGUAGE = "en"


def showcase_projects() -> QuerySet[Project]:
    """Published projects marked for the showcase, with what cards and pages show."""
    return (
        Project.objects.filter(state=Project.State.PUBLISHED, showcase=True)
        .select_related("lead")
        .prefetch_related(
            Prefetch(
                "municipalities",
                queryset=Municipality.objects.select_related("province").order_by("name_fr"),
            ),
        )
        .order_by("-first_published_at", "-pk")
    )


def showcase_project(slug: str) -> Project:
    """One showcase project with everything its page and PDF show; 404 for any other project."""
    project = (
        showcase_projects()
        .prefetch_related("fundings", "indicators", "locations", "partners", "images")
        .filter(slug=slug)
        .first()
    )
    if project is None:
        raise Http404(_("No project of the showcase has this address."))
    return project


def _themes_in_use() -> list[tuple[str, str]]:
    used: set[str] = set()
    for themes in Project.objects.filter(state=Project.State.PUBLISHED, showcase=True).values_list(
        "themes", flat=True
    ):
        used.update(themes or [])
    with translation.override(LANGUAGE):
        return [(code, str(label)) for code, label in Theme.choices if code in used]


def _region_name() -> str:
    region = Region.objects.filter(refnis=settings.SMARTREGION["DEFAULT_REGION"]).first()
    with translation.override(LANGUAGE):
        return region.name if region else ""


@public_page
def showcase(request: HttpRequest) -> HttpResponse:
    theme = request.GET.get("theme", "")
    projects = showcase_projects()
    if theme in Theme.values:
        projects = projects.filter(json_list_has("themes", theme))
    else:
        theme = ""
    page = Paginator(projects, PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "theme": theme,
        "themes": _themes_in_use(),
        "query_string": urlencode({"theme": theme}) if theme else "",
        "feed_url": reverse("projects:showcase_feed"),
        "region_name": _region_name(),
    }
    return render(request, "projects/showcase/list.html", context)


@public_page
def showcase_detail(request: HttpRequest, slug: str) -> HttpResponse:
    project = showcase_project(slug)
    with translation.override(LANGUAGE):
        context = {
            "project": project,
            "text": showcase_text(project),
            "description_html": rich_text_clean(project.description_for(LANGUAGE)),
            "lessons_html": rich_text_clean(project.lessons_for(LANGUAGE)),
            "themes": [str(Theme(code).label) for code in project.themes if code in Theme.values],
            "goals": [(n, str(Goal(n).label)) for n in project.goals if n in Goal.values],
            "figures": exports.key_figures(project),
        }
    return render(request, "projects/showcase/detail.html", context)


def showcase_text(project: Project) -> dict[str, str]:
    """Title and summary in English, and the language each is really in (French when missing),
    so the page marks untranslated text with its own `lang`."""
    return {
        "title": project.title_for(LANGUAGE),
        "title_lang": LANGUAGE if project.title_en else "fr",
        "summary": project.summary_for(LANGUAGE),
        "summary_lang": LANGUAGE if project.summary_en else "fr",
        "description_lang": LANGUAGE if project.description_en else "fr",
    }


def showcase_pdf(request: HttpRequest, slug: str) -> HttpResponse:
    project = showcase_project(slug)
    base_url = site_base_url(request)
    prepared = exports.project_pdf_request(project, base_url=base_url)
    with translation.override(LANGUAGE):
        title = _("The one-page PDF of %(title)s") % {"title": project.title_for(LANGUAGE)}
    return prepared_file_response(request, prepared, title=title, as_attachment=False)


# ---------------------------------------------------------------------------------------------
# Open data files (routes without a language prefix, under /data/)
# ---------------------------------------------------------------------------------------------


def projects_file(request: HttpRequest, fmt: str) -> HttpResponse:
    """CSV, JSON or GeoJSON of published projects, filtered like the catalogue (same
    parameters: q, theme, goal, status, province, size, funding, commune; repeatable). A value the
    catalogue does not know answers 400 with the reason rather than a silently wider file. Without
    a filter, the full file prepared in the background (see `exports.projects_file_request`)."""
    if fmt not in exports.EXPORT_TYPES:
        raise Http404(_("Unknown file format."))
    query = CatalogueQuery.from_params(request.GET)
    if query.invalid:
        reasons = [
            _("Unknown value “%(value)s” for the parameter “%(name)s”.")
            % {"value": value, "name": name}
            for name, value in query.invalid
        ]
        return HttpResponseBadRequest("\n".join(reasons), content_type="text/plain")
    base_url = site_base_url(request)
    if query.is_filtered:
        body = exports.export_cached(fmt, query, base_url=base_url)
        response = HttpResponse(body, content_type=exports.EXPORT_TYPES[fmt])
        response["Content-Disposition"] = f'attachment; filename="projects.{fmt}"'
        response["Cache-Control"] = "public, max-age=300"
    else:  # the full file, the one the DCAT catalogue announces: built by a task
        response = data_file_response(
            request,
            exports.projects_file_request(fmt, base_url=base_url),
            title=_("Smart projects (%(format)s)") % {"format": fmt.upper()},
            filename=f"projects.{fmt}",
            cache_control="public, max-age=300",
        )
    response["Access-Control-Allow-Origin"] = "*"  # open data: any site may load it
    return response
