"""Communes in the site search (see core/search.py): the communes of the site's region (current
and merged), by every name (official languages and exonyms), REFNIS code and province, linking
to the commune's profile.

Kept in sync by `territory_load_reference`, which rebuilds them (names change only there).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from django.conf import settings
from django.utils.translation import gettext_lazy as _

from smartregion.core.search import Document

from .models import Municipality
from .names import pick_name

KIND = "commune"


class Communes:
    kind = KIND
    label = _("Communes")

    def documents(self, ids: Sequence[int] | None) -> Iterable[Document]:
        region = settings.SMARTREGION["DEFAULT_REGION"]
        rows = Municipality.objects.in_region(region).select_related("province").order_by("pk")
        if ids is not None:
            rows = rows.filter(pk__in=list(ids))
        for municipality in rows:
            yield _document(municipality)

    def names(self) -> dict[str, Sequence[str]]:
        return {}


def _document(municipality: Municipality) -> Document:
    province = municipality.province
    province_names = province.search_names if province else []
    display = {}
    for language, _name in settings.LANGUAGES:
        text = municipality.refnis
        if province:
            text = f"{pick_name(province.names, language)} · REFNIS {municipality.refnis}"
        display[language] = {"title": pick_name(municipality.names, language), "text": text}
    return Document(
        kind=KIND,
        object_id=municipality.pk,
        title=" ".join(municipality.search_names),
        summary=f"{municipality.refnis} {' '.join(province_names)}",
        body="",
        display=display,
        url_name="territory:detail",
        url_kwargs={"refnis": municipality.refnis},
    )


communes = Communes()
