from __future__ import annotations

from allauth.account.adapter import get_adapter
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import get_language
from django.utils.translation import gettext as _

from smartregion.core.pagecache import public_page
from smartregion.territory import queries as territory_queries

from .contact import contact_allowed, contact_message_send
from .forms import ContactForm
from .operator import code_licence, operator, statement_dates
from .search_page import SearchRequest, search_page, search_suggestions

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


def contact(request: HttpRequest) -> HttpResponse:
    """Not a cached public page: its form carries the visitor's own CSRF token."""
    form = ContactForm(request.POST or None)
    status = 200
    if request.method == "POST" and form.is_valid():
        # The client's address as the login throttle reads it (behind TRUSTED_PROXY_COUNT proxies).
        if contact_allowed(address=get_adapter(request).get_client_ip(request)):
            contact_message_send(**form.cleaned_data)
            messages.success(request, _("Thank you: your message was sent. We answer by email."))
            return redirect("site:contact")
        form.add_error(None, _("Too many messages from your connection: please try again later."))
        status = 429
    context = {"operator": operator(), "form": form}
    return render(request, "site/contact.html", context, status=status)


def search(request: HttpRequest) -> HttpResponse:
    """The site search: every kind of content, grouped, with facets (see search_page.py)."""
    query = SearchRequest.parse(request.GET)
    page = search_page(query, language=(get_language() or "fr")[:2])
    suggestions = [] if page.results.total else search_suggestions()
    return render(request, "site/search.html", {"search": page, "suggestions": suggestions})
