"""Does a file cover the region it is about? A partial file would leave most communes with older
figures (or no outline) next to new ones, and a map or ranking would mix years without saying so.

For each region the file names at least one commune of, the share of that region's current
communes it covers (figures derived for merged communes count); under `COVERAGE_MINIMUM` the
import is refused unless the caller accepts a partial file (`--partial`); then it is a warning.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.utils.translation import gettext as _

from ..models import Municipality, Region

COVERAGE_MINIMUM = 0.9


def _messages() -> tuple[str, str]:
    return (
        _(
            "the file covers %(found)d of the %(total)d current communes of %(region)s "
            "(%(percent)d %%, expected at least %(minimum)d %%): the others would keep their older "
            "data. Check the file, or pass --partial to import it anyway."
        ),
        _(
            "the file covers %(found)d of the %(total)d current communes of %(region)s "
            "(%(percent)d %%): imported as a partial file (--partial), the others keep their "
            "older data."
        ),
    )


def coverage_shortfalls(codes: Iterable[str], *, partial: bool = False) -> list[str]:
    """One sentence per region the file covers too little of (none when the coverage is fine):
    a refusal that names `--partial`, or with ``partial`` the warning that it was accepted."""
    covered = set(codes)
    by_region: dict[int, set[str]] = {}
    for refnis, region in Municipality.objects.current().values_list("refnis", "region_id"):
        by_region.setdefault(region, set()).add(refnis)
    regions = Region.objects.in_bulk(list(by_region))
    refused, accepted = _messages()
    shortfalls = []
    for region, current in sorted(by_region.items()):
        found = len(current & covered)
        if found and found < COVERAGE_MINIMUM * len(current):
            shortfalls.append(
                (accepted if partial else refused)
                % {
                    "found": found,
                    "total": len(current),
                    "region": regions[region].name,
                    "percent": 100 * found // len(current),
                    "minimum": round(100 * COVERAGE_MINIMUM),
                }
            )
    return shortfalls
