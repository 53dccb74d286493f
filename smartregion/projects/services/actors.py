"""Actors (organisations) created from the project pages, and a commune's own actor."""

from __future__ import annotations

from collections.abc import Sequence

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.text import slugify
from django.utils.translation import gettext as _

from smartregion.accounts.enterprise import enterprise_number_normalise
from smartregion.accounts.models import Organisation, User
from smartregion.opendata.builds import open_data_changed
from smartregion.territory.models import Municipality

from ..models import (
    Theme,
)
from .inputs import RESERVED_SLUGS
from .validation import _add, _merge

# --- actors -----------------------------------------------------------------------------------


def _unique_actor_slug(name: str) -> str:
    stem = (slugify(name) or "actor")[:200].strip("-") or "actor"
    taken = set(Organisation.objects.filter(slug__startswith=stem).values_list("slug", flat=True))
    candidate, number = stem, 1
    while candidate in taken or candidate in RESERVED_SLUGS:
        number += 1
        candidate = f"{stem}-{number}"
    return candidate


@transaction.atomic
def actor_create(
    *,
    user: User | None,
    name: str,
    kind: str,
    enterprise_number: str = "",
    website: str = "",
    themes: Sequence[str] = (),
    description: str = "",
    is_demo: bool = False,
) -> Organisation:
    """A new actor of the ecosystem; communes get theirs from `actor_for_municipality`."""
    errors: dict[str, list[str]] = {}
    number = ""
    if (enterprise_number or "").strip():
        try:
            number = enterprise_number_normalise(enterprise_number)
        except ValidationError as exc:
            _add(errors, "enterprise_number", exc)
        else:
            existing = Organisation.objects.filter(enterprise_number=number).first()
            if existing is not None:
                _add(
                    errors,
                    "enterprise_number",
                    _("This enterprise number is already registered for “%(name)s”.")
                    % {"name": existing.name},
                )
    if kind == Organisation.Kind.COMMUNE:
        _add(errors, "kind", _("Communes are already in the directory: choose them by name."))
    unknown = [t for t in themes if t not in Theme.values]
    if unknown:
        _add(errors, "themes", _("Unknown theme: %(themes)s.") % {"themes": ", ".join(unknown)})
    actor = Organisation(
        name=(name or "").strip(),
        kind=kind,
        enterprise_number=number,
        website=(website or "").strip(),
        themes=list(dict.fromkeys(themes)),
        description=(description or "").strip(),
        is_demo=is_demo,
    )
    try:
        # Constraints (commune kind, unique enterprise number) are checked above with clearer words.
        actor.full_clean(
            exclude=["slug", "enterprise_number", "themes"], validate_constraints=False
        )
    except ValidationError as exc:
        _merge(errors, "", exc)
    if errors:
        raise ValidationError(errors)
    actor.slug = _unique_actor_slug(actor.name)
    actor.save()
    open_data_changed()
    return actor


def actor_for_municipality(municipality: Municipality) -> Organisation:
    """The commune's own row in the directory of actors, made on first use."""
    existing = Organisation.objects.filter(municipality=municipality).first()
    if existing is not None:
        return existing
    name = municipality.name_fr
    if Organisation.objects.filter(name=name).exists():
        name = _("%(name)s (commune)") % {"name": name}
    try:
        with transaction.atomic():
            return Organisation.objects.create(
                name=name,
                slug=_unique_actor_slug(municipality.name_fr),
                kind=Organisation.Kind.COMMUNE,
                municipality=municipality,
            )
    except IntegrityError:  # made by a concurrent request
        return Organisation.objects.get(municipality=municipality)
