from __future__ import annotations

from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _

from smartregion.core.i18n import active_language
from smartregion.core.pagecache import public_page

from . import maps, queries
from .forms import MAP_FIGURES, MapForm, MunicipalityFilterForm
from .panels import profile_panels

PAGE_SIZE = 50


@public_page
def municipality_list(request: HttpRequest) -> HttpResponse:
    region = queries.default_region()
    region_code = region.refnis if region else None
    provinces = queries.provinces_of(region_code)
    form = MunicipalityFilterForm(
        request.GET or None,
        provinces=provinces,
        population_classes=queries.population_classes_of(region_code),
    )
    filters = form.cleaned_data if form.is_valid() else {}
    municipalities = queries.municipalities_search(
        region=region_code,
        province=filters.get("province") or None,
        population_class=filters.get("size") or None,
        q=filters.get("q") or None,
        sort=filters.get("sort") or "name",
    )
    page = Paginator(municipalities, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "territory/municipality_list.html",
        {
            "region": region,
            "provinces_named": queries.provinces_named(provinces, filters.get("q")),
            "form": form,
            "page": page,
            "query_string": query.urlencode(),
            "sources": queries.figure_sources(region=region),
        },
    )


@public_page
def municipality_detail(request: HttpRequest, refnis: str) -> HttpResponse:
    municipality = queries.municipality_profile(refnis)
    if municipality is None:
        raise Http404(_("No municipality has the REFNIS code %(code)s.") % {"code": refnis})
    neighbours = queries.neighbours_with_boundaries(municipality)
    history = queries.population_history(municipality)
    return render(
        request,
        "territory/municipality_detail.html",
        {
            "municipality": municipality,
            "history": history,
            "history_max": max((figure.population or 0 for figure in history), default=0),
            "neighbours": neighbours,
            "predecessors": [s.predecessor for s in municipality.successions_as_successor.all()],
            "successors": [s.successor for s in municipality.successions_as_predecessor.all()],
            "neighbour_map": maps.neighbour_map(municipality, neighbours),
            "panels": profile_panels(municipality, language=active_language()),
            "sources": queries.figure_sources(municipality=municipality),
        },
    )


@public_page
def municipality_map(request: HttpRequest) -> HttpResponse:
    form = MapForm(request.GET or None)
    figure = (form.cleaned_data.get("figure") if form.is_valid() else None) or "density"
    region = queries.default_region()
    choropleth = maps.region_choropleth(region, figure) if region else None
    return render(
        request,
        "territory/municipality_map.html",
        {
            "form": form,
            "region": region,
            "figure": figure,
            "figure_label": dict(MAP_FIGURES)[figure],
            "choropleth": choropleth,
            "sources": queries.figure_sources(region=region) if region else None,
        },
    )
