from __future__ import annotations

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from smartregion.core.pagecache import public_page
from smartregion.territory import queries as territory_queries

from .operator import code_licence, operator, statement_dates

SECONDS_PER_DAY = 86_400


@public_page
def home(request: HttpRequest) -> HttpResponse:
    return render(request, "site/home.html", {"overview": territory_queries.region_overview()})


# The footer pages: texts in the templates (translatable), facts about the operator from settings.


@public_page
def accessibility(request: HttpRequest) -> HttpResponse:
    written, reviewed = statement_dates()
    context = {"operator": operator(), "written": written, "reviewed": reviewed}
    return render(request, "site/accessibility.html", context)


@public_page
def legal_notice(request: HttpRequest) -> HttpResponse:
    context = {"operator": operator(), "code_licence": code_licence()}
    return render(request, "site/legal_notice.html", context)


@public_page
def privacy(request: HttpRequest) -> HttpResponse:
    context = {
        "operator": operator(),
        "session_days": settings.SESSION_COOKIE_AGE // SECONDS_PER_DAY,
        "log_days": settings.SMARTREGION_LOG_RETENTION_DAYS,
        "login_window_minutes": max(1, settings.SMARTREGION_LOGIN_FAILURES_WINDOW // 60),
    }
    return render(request, "site/privacy.html", context)


@public_page
def contact(request: HttpRequest) -> HttpResponse:
    return render(request, "site/contact.html", {"operator": operator()})
