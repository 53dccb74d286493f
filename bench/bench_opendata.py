"""Cold time of open-data files (and of an edition's PDF report), from "asked" to "served".

Loads the demo data into a throw-away SQLite database once (reused by later runs), then in a fresh
process, with every cache emptied, asks for the latest edition's `results.xlsx`, the projects'
`/data/projects.csv` (unfiltered, then filtered by a theme), `/data/catalog.ttl` (and an
edition's `report.pdf`) as a first visitor would, and prints:
- with `--after-change`, first the time of the tasks that a change of the open data queues (an
  edition publication queues its files, `open_data_changed()` the catalogue and the projects'
  files), as a worker would run them before anyone asks, then the publication of the latest
  edition's wave through the edition build task (a new revision each run, in the bench's database);
- the time of the first request and its status;
- when the first answer is not the file (it is being prepared in the background), the time of the
  background builds (the queued tasks, run here in this process one after the other) and of the
  request that then serves the file.

Usage:

    .venv/bin/python bench/bench_opendata.py [--database-url URL] [--no-pdf] [--after-change]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
DEFAULT_DB = ROOT / "var" / "bench-opendata.sqlite3"


def _environment(database_url: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "SECRET_KEY": "bench-only-secret-key-bench-only-secret-key",
        "ALLOWED_HOSTS": "127.0.0.1,localhost,testserver",
        "DEBUG": "0",
    }


def _load_demo(env: dict[str, str]) -> None:
    started = time.perf_counter()
    subprocess.run([str(BIN / "smartregion"), "demo"], env=env, check=True, capture_output=True)
    print(f"demo data loaded in {time.perf_counter() - started:.1f} s")


def _run_queued_builds() -> tuple[float, int]:
    """Run every task still queued in the database backend; (seconds, tasks run). The times of
    the slowest tasks are kept in `TASK_TIMES`."""
    from django_tasks_db.models import DBTaskResult  # noqa: PLC0415

    started, count = time.perf_counter(), 0
    while True:
        result = DBTaskResult.objects.ready().order_by("enqueued_at").first()
        if result is None:
            return time.perf_counter() - started, count
        task = result.task
        args = result.args_kwargs
        label = _task_label(result.task_path, args["args"])
        result.claim("bench")
        task_started = time.perf_counter()
        try:
            value = task.func(*args["args"], **args["kwargs"])
        except Exception as error:  # noqa: BLE001 - a bench reports and goes on
            result.set_failed(error)
        else:
            result.set_successful(value)
        TASK_TIMES.append((time.perf_counter() - task_started, label))
        count += 1


TASK_TIMES: list[tuple[float, str]] = []


def _task_label(path: str, args: list) -> str:
    """The task's name, and for a prepared file its key (which file, which state)."""
    name = path.rsplit(".", 1)[-1]
    if name == "prepared_file_build":
        from smartregion.core.models import PreparedFile  # noqa: PLC0415

        key = PreparedFile.objects.filter(pk=args[0]).values_list("key", flat=True).first()
        return f"{name} {key or '(pruned)'}"
    return f"{name} {args}"


def _print_slowest(count: int = 8) -> None:
    for seconds, label in sorted(TASK_TIMES, reverse=True)[:count]:
        print(f"    {seconds:6.2f} s  {label}")
    TASK_TIMES.clear()


def _timed(client, path: str) -> tuple[float, int, int]:
    started = time.perf_counter()
    response = client.get(path, secure=True, HTTP_HOST="127.0.0.1", HTTP_ACCEPT="*/*")
    content = b"".join(response) if response.streaming else response.content
    return time.perf_counter() - started, response.status_code, len(content)


def _measure(label: str, client, path: str) -> None:
    seconds, status, size = _timed(client, path)
    print(f"{label}: first request {seconds:.2f} s -> {status} ({size} bytes)")
    if status == 200:
        return
    try:
        build, count = _run_queued_builds()
    except (ImportError, RuntimeError):
        print(f"{label}: no database task backend to run")
        return
    print(f"{label}: background builds {build:.2f} s ({count} tasks)")
    _print_slowest(3)
    seconds, status, size = _timed(client, path)
    print(f"{label}: request once built {seconds:.3f} s -> {status} ({size} bytes)")


def _data_changed() -> None:
    """What publishing does after its commit: queue the edition's files and the catalogue."""
    from django.db import transaction  # noqa: PLC0415

    from smartregion.opendata.builds import open_data_changed  # noqa: PLC0415

    try:
        from smartregion.observatory.exports import edition_files_prepare  # noqa: PLC0415
    except ImportError:
        edition_files_prepare = None
    from smartregion.observatory.models import Edition  # noqa: PLC0415

    with transaction.atomic():  # in the order publishing queues them: the files, the catalogue
        if edition_files_prepare is not None:
            for edition in Edition.objects.all():
                edition_files_prepare(edition=edition)
        open_data_changed()
    try:
        build, count = _run_queued_builds()
    except (ImportError, RuntimeError):
        print("after a change: no database task backend to run")
        return
    print(f"after a change: background builds {build:.2f} s ({count} tasks), the slowest:")
    _print_slowest()


def services_module():
    from smartregion.observatory import services  # noqa: PLC0415

    return services


def _publish(edition) -> None:
    """Time the publication of the latest edition's wave as a new revision: the build task, then
    the tasks it queues (the new revision's files, the catalogue)."""
    from django.db import transaction  # noqa: PLC0415

    from smartregion.observatory import services  # noqa: PLC0415

    started = time.perf_counter()
    with transaction.atomic():
        services.edition_build_request(wave=edition.wave, user=None)
    print(f"publish: request {time.perf_counter() - started:.2f} s")
    build, count = _run_queued_builds()
    print(f"publish: background builds {build:.2f} s ({count} tasks), the slowest:")
    _print_slowest()


def measure(pdf: bool, after_change: bool) -> None:
    import django  # noqa: PLC0415

    django.setup()
    from django.core.cache import caches  # noqa: PLC0415
    from django.test import Client  # noqa: PLC0415

    from smartregion.observatory.models import Edition  # noqa: PLC0415

    for alias in caches:
        caches[alias].clear()
    try:
        from smartregion.core.models import PreparedFile  # noqa: PLC0415

        PreparedFile.objects.all().delete()
    except ImportError:
        pass
    client = Client()
    started = time.perf_counter()
    client.get("/healthz", secure=True, HTTP_HOST="127.0.0.1")
    print(f"process warm-up (first request, /healthz): {time.perf_counter() - started:.2f} s")
    edition = Edition.objects.order_by("-year", "-revision").first()
    if after_change:
        _data_changed()
        if edition is not None and hasattr(services_module(), "edition_build_request"):
            _publish(edition)
    if edition is not None:
        path = f"/data/editions/{edition.slug}/r{edition.revision}/results.xlsx"
        _measure(path, client, path)
    _measure("/data/projects.csv", client, "/data/projects.csv")
    _measure("/data/projects.csv?theme=mobility", client, "/data/projects.csv?theme=mobility")
    _measure("/data/catalog.ttl", client, "/data/catalog.ttl")
    if pdf and edition is not None:
        path = f"/fr/observatory/{edition.slug}/r{edition.revision}/report.pdf"
        _measure(path, client, path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=f"sqlite:///{DEFAULT_DB}")
    parser.add_argument("--no-pdf", action="store_true")
    parser.add_argument("--after-change", action="store_true")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    env = _environment(options.database_url)
    if options.measure:
        measure(pdf=not options.no_pdf, after_change=options.after_change)
        return
    if options.database_url.startswith("sqlite:") and not DEFAULT_DB.exists():
        DEFAULT_DB.parent.mkdir(exist_ok=True)
    _load_demo(env)
    if options.after_change:  # the address the files and the catalogue are prepared for
        env["SMARTREGION_BASE_URL"] = "https://127.0.0.1"
    command = [sys.executable, __file__, "--measure", "--database-url", options.database_url]
    command += ["--no-pdf"] * options.no_pdf + ["--after-change"] * options.after_change
    subprocess.run(command, env=env, check=True, cwd=ROOT)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
