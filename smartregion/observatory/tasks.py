"""Background tasks of the observatory (run by `smartregion db_worker`, see README)."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from . import services


@task()
def edition_build(build_id: int) -> dict[str, Any]:
    """Compute and publish the edition staff asked for (see `services.edition_build_run`)."""
    return services.edition_build_run(build_id)
