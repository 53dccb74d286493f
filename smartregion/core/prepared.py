"""Files prepared in the background: a request asks, a task builds, the page serves once ready.

Any app uses it for a file too slow to build in a request (a PDF report, an open-data file):

    prepared = prepared_file_request(
        key=f"observatory.report:{edition.pk}:{language}:{edition.checksum[:16]}",
        family=f"observatory.report:{edition.pk}:{language}",
        builder="smartregion.observatory.exports.report_pdf_file",
        params={"edition_id": edition.pk, "language": language},
    )
    return prepared_file_response(request, prepared, title=..., as_attachment=False)

The builder is a module-level function `builder(*, progress, **params) -> BuiltFile`; `progress`
takes a percentage. The key holds the data's state, so changed data gets a new file and the same
state is built once, however many people ask at once (the key is unique). A request never waits: the
build is a task (`core.tasks.prepared_file_build`), run by `smartregion db_worker`.

Older states of a file (same `family`, other key) stay until a newer one is ready, and are pruned
then: while a newer state is queued or being built, `prepared_file_servable` gives the latest ready
older state, so an open-data file keeps being served, slightly old, rather than answering "come
back later" after every change (a harvester prefers a slightly old file to an error; a failed
newer state is not hidden that way: it shows its failure). A task that needs the file itself (the
DCAT catalogue measures every file it announces) calls `prepared_file_ensure`, which builds it in
that task when it is not ready yet, so what is announced is what is served.
"""

from __future__ import annotations

import hashlib
import traceback
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string

from .models import PreparedFile

Progress = Callable[[int], None]
Status = PreparedFile.Status


@dataclass(frozen=True)
class BuiltFile:
    """What a builder returns."""

    content: bytes
    content_type: str
    filename: str


def state_key(family: str, state: str) -> str:
    """A file's key from its family and a description of its data's state (any length)."""
    return f"{family}:{hashlib.sha256(state.encode()).hexdigest()[:16]}"


def prepared_file_request(
    *, key: str, family: str, builder: str, params: dict[str, Any] | None = None
) -> PreparedFile:
    """The file under `key`, queued for building if nobody asked for it before."""
    prepared, created = PreparedFile.objects.get_or_create(
        key=key, defaults={"family": family, "builder": builder, "params": params or {}}
    )
    if created:
        transaction.on_commit(partial(_enqueue, prepared.pk))
        prepared.refresh_from_db()  # an immediate backend outside a transaction built it already
    elif prepared.is_ready and not _stored(prepared):
        prepared = prepared_file_rebuild(prepared=prepared)
    return prepared


def prepared_file_ensure(
    *, key: str, family: str, builder: str, params: dict[str, Any] | None = None
) -> PreparedFile:
    """The file under `key`, built now in this process if it is not ready (for tasks only)."""
    prepared, _ = PreparedFile.objects.get_or_create(
        key=key, defaults={"family": family, "builder": builder, "params": params or {}}
    )
    if not (prepared.is_ready and _stored(prepared)):
        prepared_file_build_run(prepared.pk)
        prepared.refresh_from_db()
    return prepared


def prepared_file_servable(prepared: PreparedFile) -> PreparedFile:
    """What to serve for `prepared`: itself once ready (or failed); while it is queued or being
    built, the latest ready older state of the same file if there is one, else itself."""
    if prepared.is_ready or prepared.is_failed:
        return prepared
    older = PreparedFile.objects.filter(
        family=prepared.family, pk__lt=prepared.pk, status=Status.READY
    ).order_by("-pk")
    return next((state for state in older if _stored(state)), prepared)


def prepared_file_rebuild(*, prepared: PreparedFile) -> PreparedFile:
    """Queue the file again (after a failure, or when its stored copy went missing)."""
    PreparedFile.objects.filter(pk=prepared.pk).update(
        status=Status.QUEUED, progress=0, error="", started_at=None, finished_at=None
    )
    transaction.on_commit(partial(_enqueue, prepared.pk))
    prepared.refresh_from_db()
    return prepared


def prepared_file_build_run(prepared_file_id: int) -> dict[str, Any]:
    """Build one file (the task's body). Re-raises a builder's error so the task fails visibly."""
    prepared = PreparedFile.objects.filter(pk=prepared_file_id).first()
    if prepared is None:  # pruned while it waited: a newer state replaced it
        return {"status": "gone"}
    if prepared.is_ready and _stored(prepared):
        return {"status": Status.READY, "sha256": prepared.sha256}
    rows = PreparedFile.objects.filter(pk=prepared.pk)
    rows.update(status=Status.RUNNING, progress=0, error="", started_at=timezone.now())
    try:
        built = import_string(prepared.builder)(
            progress=partial(_progress, prepared.pk), **prepared.params
        )
    except Exception:
        rows.update(status=Status.FAILED, error=traceback.format_exc(), finished_at=timezone.now())
        raise
    digest = hashlib.sha256(built.content).hexdigest()
    old_name = prepared.file.name
    name = default_storage.save(
        f"prepared/{digest[:2]}/{digest[:16]}-{built.filename}", ContentFile(built.content)
    )
    saved = rows.update(
        status=Status.READY,
        progress=100,
        file=name,
        content_type=built.content_type,
        filename=built.filename,
        size=len(built.content),
        sha256=digest,
        finished_at=timezone.now(),
    )
    if not saved:  # deleted while it was built (by staff, or a test)
        default_storage.delete(name)
        return {"status": "gone"}
    if old_name and old_name != name:
        default_storage.delete(old_name)
    _prune_family(prepared)
    return {"status": Status.READY, "sha256": digest, "size": len(built.content)}


def prepared_status(prepared: PreparedFile) -> dict[str, Any]:
    """What the waiting page's script polls."""
    return {"status": prepared.status, "progress": prepared.progress}


def _progress(prepared_file_id: int, percent: int) -> None:
    PreparedFile.objects.filter(pk=prepared_file_id).update(progress=max(0, min(int(percent), 99)))


def _enqueue(prepared_file_id: int) -> None:
    from .tasks import prepared_file_build  # noqa: PLC0415 - the task module imports this one

    result = prepared_file_build.enqueue(prepared_file_id)
    PreparedFile.objects.filter(pk=prepared_file_id).update(task_result_id=result.id)


def _stored(prepared: PreparedFile) -> bool:
    return bool(prepared.file.name) and default_storage.exists(prepared.file.name)


def _prune_family(prepared: PreparedFile) -> None:
    """Delete the states of the same file older than `prepared`, now ready (not one still being
    built: it goes when a state newer than it is next ready)."""
    stale = PreparedFile.objects.filter(family=prepared.family, pk__lt=prepared.pk)
    stale = stale.exclude(status=Status.RUNNING)
    names = [name for name in stale.values_list("file", flat=True) if name]
    stale.delete()
    for name in names:
        transaction.on_commit(partial(default_storage.delete, name))
