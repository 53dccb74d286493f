"""Keep the site search in step with resources and glossary terms (see knowledge/search.py).

Connected in apps.py `ready`. Indexing runs in the saving transaction (the index is in the same
database), so a rolled-back save leaves the index as it was.
"""

from __future__ import annotations

from django.db.models.signals import post_delete, post_save

from smartregion.core.search import documents_index

from . import search
from .models import GlossaryTerm, Resource


def _index(kind: str, pk: int) -> None:
    documents_index(kind, [pk])


def resource_changed(sender, instance: Resource, **kwargs) -> None:  # noqa: ANN001
    _index(search.RESOURCE, instance.pk)


def term_changed(sender, instance: GlossaryTerm, **kwargs) -> None:  # noqa: ANN001
    _index(search.TERM, instance.pk)


def connect() -> None:
    post_save.connect(resource_changed, sender=Resource, dispatch_uid="search-resource-saved")
    post_delete.connect(resource_changed, sender=Resource, dispatch_uid="search-resource-gone")
    post_save.connect(term_changed, sender=GlossaryTerm, dispatch_uid="search-term-saved")
    post_delete.connect(term_changed, sender=GlossaryTerm, dispatch_uid="search-term-gone")
