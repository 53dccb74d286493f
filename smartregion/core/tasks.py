"""Background tasks of the ground floor (run by `smartregion db_worker`, see README)."""

from __future__ import annotations

from typing import Any

from django_tasks import task

from . import prepared


@task()
def prepared_file_build(prepared_file_id: int) -> dict[str, Any]:
    """Build a prepared file with its registered builder (see `core.prepared`)."""
    return prepared.prepared_file_build_run(prepared_file_id)
