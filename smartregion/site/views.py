from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from smartregion.core.pagecache import public_page
from smartregion.territory import queries as territory_queries


@public_page
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "site/home.html", {"overview": territory_queries.region_overview()})
