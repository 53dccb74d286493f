"""Atom feed of new and updated resources, in the language of the address (French where a
resource is not translated).

Entry ids are tag URIs (RFC 4151) from the site's host, the first publication date and the
resource's id: they survive a change of title or slug. Links use the site's own address.
"""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.syndication.views import Feed
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.feedgenerator import Atom1Feed
from django.utils.translation import gettext as _

from smartregion.core.addresses import absolute_url, configured_base_url
from smartregion.core.i18n import active_language

from . import queries
from .models import Resource


class ResourcesFeed(Feed):
    feed_type = Atom1Feed

    def _tag(self, specific: str, day: dt.date) -> str:
        host = urlsplit(configured_base_url()).hostname or "localhost"
        return f"tag:{host},{day.isoformat()}:{specific}"

    def title(self) -> str:
        return _("%(platform)s: new and updated resources") % {
            "platform": settings.SMARTREGION["PLATFORM_NAME"]
        }

    def subtitle(self) -> str:
        return _("Guides, method steps, case studies, tools and answers of the knowledge base.")

    def link(self) -> str:
        return absolute_url(reverse("knowledge:resources"))

    def feed_url(self) -> str:
        return absolute_url(reverse("knowledge:feed"))

    def feed_guid(self) -> str:
        return self._tag(f"knowledge:{active_language()}", dt.date(2026, 1, 1))

    def items(self) -> QuerySet[Resource]:
        return queries.resources_for_feed()

    def item_title(self, item: Resource) -> str:
        return item.title

    def item_description(self, item: Resource) -> str:
        return item.summary

    def item_link(self, item: Resource) -> str:
        return absolute_url(reverse("knowledge:resource", kwargs={"slug": item.slug}))

    def item_guid(self, item: Resource) -> str:
        first = item.first_published_at or item.published_at
        return self._tag(f"resource:{item.pk}", first.date())

    item_guid_is_permalink = False

    def item_pubdate(self, item: Resource) -> dt.datetime:
        return item.first_published_at or item.published_at

    def item_updateddate(self, item: Resource) -> dt.datetime:
        return item.updated_at

    def item_categories(self, item: Resource) -> list[str]:
        return [item.kind, *item.themes]
