"""The instruments' part of `smartregion demo`: every instrument file under `instruments/`."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.utils.translation import gettext as _

from .services import InstrumentLoadError, instrument_files, instrument_version_load


def load(*, out: Callable[[str], None], err: Callable[[str], None]) -> None:
    """Load every instrument file; unchanged versions are skipped, frozen ones reported."""
    statuses: list[str] = []
    for path in instrument_files(path=settings.BASE_DIR / "instruments"):
        try:
            statuses.append(instrument_version_load(path=path).load_status)
        except InstrumentLoadError as exc:
            err(f"{path}: {exc}")
    out(
        _("Instruments: %(created)d loaded, %(updated)d updated, %(unchanged)d unchanged.")
        % {
            "created": statuses.count("created"),
            "updated": statuses.count("updated"),
            "unchanged": statuses.count("unchanged"),
        }
    )
