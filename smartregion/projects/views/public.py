"""Public pages of the catalogue: the list with search and facets, a project, the map of
projects, and the directory of actors. Anonymous visitors get cached pages (`public_page`);
an unpublished project shows only to those `can_view_project` allows, and is a plain 404 for
everyone else, so its existence does not leak.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.cache import caches
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import get_template
from django.urls import reverse
from django.utils import translation
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from smartregion.accounts.models import Organisation
from smartregion.core.i18n import active_language
from smartregion.core.pagecache import public_page
from smartregion.territory.models import Municipality
from smartregion.territory.queries import default_region

from .. import maps, queries
from ..catalogue import (
    CataloguePage,
    CatalogueQuery,
    catalogue_page,
    drawn_card_projects,
    similar_projects,
)
from ..models import Location, Project, ProjectDocument, ProjectImage, Theme
from ..permissions import can_edit_project, can_view_history, can_view_project

ACTORS_PAGE_SIZE = 30
SIMILAR_COUNT = 4


def _query_string(request: HttpRequest, *, without: tuple[str, ...] = ("page",)) -> str:
    query = request.GET.copy()
    for key in without:
        query.pop(key, None)
    return query.urlencode()


# --- Catalogue --------------------------------------------------------------------------------

CARD_CACHE = "fragments"
CARD_TTL = 24 * 3600


@public_page
def catalogue(request: HttpRequest) -> HttpResponse:
    query = CatalogueQuery.from_params(request.GET)
    language = active_language()
    result = catalogue_page(query, language=language)
    cards = _catalogue_cards(result, language)
    # Only when filtered by commune (links from a commune's profile): one more query.
    communes = list(Municipality.objects.filter(refnis__in=query.commune)) if query.commune else []
    return render(
        request,
        "projects/public/catalogue.html",
        {
            "result": result,
            "cards": cards,
            "query": query,
            "communes": communes,
            "without_communes": query.querystring(commune=[]),
            "query_string": _query_string(request),
            "filter_string": _query_string(request, without=("page", "sort")),
            "language": language,
        },
    )


def _catalogue_cards(result: CataloguePage, language: str) -> list[SafeString]:
    """The HTML of the page's result cards, in order.

    Most of a page's cost is fetching and drawing its twenty cards, which are the same on every
    page that lists the project. So each card is cached per state of the published data,
    language and project: a page whose cards were all drawn before needs no project query and
    no card template. Cards show nothing that depends on who is looking.
    """
    fragments = caches[CARD_CACHE]
    keys = {pk: f"projects:card:{result.data_key}:{language}:{pk}" for pk in result.project_ids}
    found = fragments.get_many(keys.values())
    missing = [pk for pk, key in keys.items() if key not in found]
    if missing:
        template = get_template("projects/public/_card.html")
        drawn = {
            keys[project.pk]: template.render(
                {"project": project, "heading": "3", "show_places": True, "show_summary": True}
            )
            for project in drawn_card_projects(missing)
        }
        fragments.set_many(drawn, CARD_TTL)
        found.update(drawn)
    # The cards were drawn by the template engine, which escaped them.
    return [mark_safe(found[key]) for key in keys.values() if key in found]  # noqa: S308


# --- One project ------------------------------------------------------------------------------


@public_page
def project_detail(request: HttpRequest, slug: str) -> HttpResponse:
    project = queries.project_for_page(slug)
    if project is None or not can_view_project(request.user, project):
        raise Http404(_("No published project has this address."))
    return render(request, "projects/public/detail.html", project_page_context(request, project))


def project_page_context(request: HttpRequest, project: Project) -> dict[str, Any]:
    """What the project's page shows; the editors' review page shows the same (`#body`)."""
    language = active_language()
    locations = list(project.locations.all())
    municipalities = list(project.municipalities.all())
    for location in locations:
        location.project = project  # already loaded: no query per dot
    editable = can_edit_project(request.user, project)
    images, documents = list(project.images.all()), list(project.documents.all())
    for item in (*images, *documents):
        item.url = _file_url(item)
    return {
        "project": project,
        "language": language,
        "title": project.title_for(language),
        "summary": project.summary_for(language),
        "description": project.description_for(language),
        "lessons": project.lessons_for(language),
        "english_missing": language == "en" and not project.title_en,
        "municipalities": municipalities,
        "partners": list(project.partners.all()),
        "fundings": list(project.fundings.all()),
        "indicators": list(project.indicators.all()),
        "images": images,
        "documents": documents,
        "locations": locations,
        "location_map": maps.projects_map(
            default_region(),
            locations,
            language,
            municipality_ids=frozenset(m.pk for m in municipalities),
        )
        if locations or municipalities
        else None,
        "similar": similar_projects(project, limit=SIMILAR_COUNT) if project.is_published else [],
        "edit_url": reverse("projects:edit", args=[project.slug]) if editable else None,
        "history_url": reverse("projects:history", args=[project.slug])
        if can_view_history(request.user, project)
        else None,
        "showcase_url": _showcase_url(project),
    }


def _file_url(item: ProjectImage | ProjectDocument) -> str:
    """Files are served by a view that checks who may see the project (never by their path)."""
    kind = "image" if isinstance(item, ProjectImage) else "document"
    return reverse("projects:file", args=[kind, item.pk])


def _showcase_url(project: Project) -> str | None:
    if not (project.showcase and project.is_published):
        return None
    with translation.override("en"):  # the showcase is for readers abroad
        return reverse("projects:showcase_detail", args=[project.slug])


# --- Map --------------------------------------------------------------------------------------


MAP_LIMIT = 100_000


@public_page
def project_map(request: HttpRequest) -> HttpResponse:
    """Every project the catalogue's filters select, with its places (no pages: one map)."""
    language = active_language()
    query = CatalogueQuery.from_params(request.GET)
    query.page = 1
    result = catalogue_page(query, language=language, page_size=MAP_LIMIT)
    projects = {project.pk: project for project in result.projects}
    locations = list(
        Location.objects.filter(project_id__in=list(projects)).order_by(
            "project_id", "position", "pk"
        )
    )
    order = {pk: rank for rank, pk in enumerate(projects)}
    locations.sort(key=lambda location: order[location.project_id])
    for location in locations:
        location.project = projects[location.project_id]
    return render(
        request,
        "projects/public/map.html",
        {
            "map": maps.projects_map(default_region(), locations, language),
            "locations": locations,
            "result": result,
            "query": query,
            "filter_string": _query_string(request, without=("page",)),
            "language": language,
        },
    )


# --- Actors -----------------------------------------------------------------------------------


class ActorFilterForm(forms.Form):
    """The directory's filters; kept here, it serves this page alone."""

    q = forms.CharField(label=gettext_lazy("Name"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=gettext_lazy("Type"),
        required=False,
        choices=[("", gettext_lazy("All types")), *Organisation.Kind.choices],
    )
    theme = forms.ChoiceField(
        label=gettext_lazy("Theme"),
        required=False,
        choices=[("", gettext_lazy("All themes")), *Theme.choices],
    )


@public_page
def actor_list(request: HttpRequest) -> HttpResponse:
    form = ActorFilterForm(request.GET or None)
    form.is_valid()  # an invalid field is reported and ignored; the others still apply
    filters = form.cleaned_data if form.is_bound else {}
    actors = queries.actors_search(
        q=filters.get("q") or None,
        kind=filters.get("kind") or None,
        theme=filters.get("theme") or None,
    )
    page = Paginator(actors, ACTORS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "projects/public/actor_list.html",
        {"form": form, "page": page, "query_string": _query_string(request)},
    )


@public_page
def actor_detail(request: HttpRequest, slug: str) -> HttpResponse:
    actor = queries.actor_for_page(slug)
    if actor is None:
        raise Http404(_("No actor has this address."))
    led, joined = queries.actor_projects(actor)
    return render(
        request,
        "projects/public/actor_detail.html",
        {"actor": actor, "led": led, "joined": joined, "language": active_language()},
    )
