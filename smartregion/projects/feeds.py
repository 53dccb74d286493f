"""Atom feeds of newly published projects: the whole catalogue, and the English showcase.

Entries are the 50 projects most recently published for the first time (a later edit does not
push a project back to the top of readers' lists). Entry ids are tag URIs (RFC 4151) built from
the site's host, the first publication date and the project's id: they stay the same when the
project's title, slug or address changes, so feed readers never show an entry twice. Links are
absolute: the site's address (core/addresses.py), SMARTREGION_BASE_URL or the request's own.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import Prefetch, QuerySet
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import translation
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from smartregion.core.addresses import absolute_url, configured_base_url
from smartregion.core.i18n import active_language
from smartregion.territory.models import Municipality

from .models import Project, Theme

FEED_SIZE = 50


class PublishedProjectsFeed(Feed):
    """Newly published projects, in the language of the address (French when untranslated)."""

    feed_type = Atom1Feed
    showcase_only = False

    def language_code(self) -> str:
        return active_language()

    def _absolute(self, path: str) -> str:
        # Without a configured address the path stays relative and Django's Feed prefixes the
        # request's own scheme and host (port included), as `site_base_url(request)` would.
        return absolute_url(path)

    def _tag(self, specific: str, day: dt.date) -> str:
        host = urlsplit(configured_base_url()).hostname or "localhost"
        return f"tag:{host},{day.isoformat()}:{specific}"

    # -- the feed --------------------------------------------------------------------------

    def title(self) -> str:
        return _("%(platform)s: newly published smart projects") % {
            "platform": settings.SMARTREGION["PLATFORM_NAME"]
        }

    def subtitle(self) -> str:
        return _("Projects of communes and their partners, as the centre publishes them.")

    def link(self) -> str:
        return self._absolute(reverse("projects:catalogue"))

    def feed_url(self) -> str:
        return self._absolute(reverse("projects:feed"))

    def feed_guid(self) -> str:
        return self._tag(f"projects:{self.language_code()}", dt.date(2026, 1, 1))

    def feed_copyright(self) -> str:
        return _("Creative Commons Attribution 4.0 International (CC BY 4.0)")

    def items(self) -> QuerySet[Project]:
        projects = Project.objects.filter(state=Project.State.PUBLISHED)
        if self.showcase_only:
            projects = projects.filter(showcase=True)
        return projects.prefetch_related(
            Prefetch("municipalities", queryset=Municipality.objects.order_by("name_fr"))
        ).order_by("-first_published_at", "-pk")[:FEED_SIZE]

    # -- entries ---------------------------------------------------------------------------

    def item_title(self, item: Project) -> str:
        return item.title_for(self.language_code())

    def item_description(self, item: Project) -> str:
        return item.summary_for(self.language_code())

    def item_link(self, item: Project) -> str:
        return self._absolute(reverse("projects:detail", kwargs={"slug": item.slug}))

    def item_guid(self, item: Project) -> str:
        return self._tag(f"project:{item.pk}", item.first_published_at.date())

    item_guid_is_permalink = False

    def item_pubdate(self, item: Project) -> dt.datetime:
        return item.first_published_at

    def item_updateddate(self, item: Project) -> dt.datetime:
        return item.published_at

    def item_categories(self, item: Project) -> list[str]:
        # Atom's `term` identifies a category: theme codes are stable across languages, so a
        # reader can filter on them (Django's feed writer has no human-readable `label`).
        return [code for code in item.themes if code in Theme.values]

    def item_author_name(self, item: Project) -> str:
        return ", ".join(m.name for m in item.municipalities.all())


class ShowcaseFeed(PublishedProjectsFeed):
    """The showcase's projects, always in English."""

    showcase_only = True

    def __call__(self, request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        with translation.override("en"):
            return super().__call__(request, *args, **kwargs)

    def title(self) -> str:
        return _("%(platform)s: newly showcased smart projects") % {
            "platform": settings.SMARTREGION["PLATFORM_NAME"]
        }

    def link(self) -> str:
        return self._absolute(reverse("projects:showcase"))

    def feed_url(self) -> str:
        return self._absolute(reverse("projects:showcase_feed"))

    def feed_guid(self) -> str:
        return self._tag("showcase", dt.date(2026, 1, 1))

    def item_link(self, item: Project) -> str:
        return self._absolute(reverse("projects:showcase_detail", kwargs={"slug": item.slug}))
