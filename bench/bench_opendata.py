"""Cold time of the open-data catalogue (and of an edition's PDF report), from "asked" to "served".

Loads the demo data into a throw-away SQLite database once (reused by later runs), then in a fresh
process, with every cache emptied, asks for `/data/catalog.ttl` (and an edition's `report.pdf`)
as a first visitor would, and prints:
- the time of the first request and its status;
- when the first answer is not the file (it is being prepared in the background), the time of the
  background builds (the queued tasks, run here in this process one after the other) and of the
  request that then serves the file.

Usage:

    .venv/bin/python bench/bench_opendata.py [--database-url URL] [--no-pdf]
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
    """Run every task still queued in the database backend; (seconds, tasks run)."""
    from django_tasks_db.models import DBTaskResult  # noqa: PLC0415

    started, count = time.perf_counter(), 0
    while True:
        result = DBTaskResult.objects.ready().order_by("enqueued_at").first()
        if result is None:
            return time.perf_counter() - started, count
        task = result.task
        args = result.args_kwargs
        result.claim("bench")
        try:
            value = task.func(*args["args"], **args["kwargs"])
        except Exception as error:  # noqa: BLE001 - a bench reports and goes on
            result.set_failed(error)
        else:
            result.set_successful(value)
        count += 1


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
    seconds, status, size = _timed(client, path)
    print(f"{label}: request once built {seconds:.3f} s -> {status} ({size} bytes)")


def measure(pdf: bool) -> None:
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
    _measure("/data/catalog.ttl", client, "/data/catalog.ttl")
    edition = Edition.objects.order_by("-year", "-revision").first()
    if pdf and edition is not None:
        path = f"/fr/observatory/{edition.slug}/r{edition.revision}/report.pdf"
        _measure(path, client, path)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=f"sqlite:///{DEFAULT_DB}")
    parser.add_argument("--no-pdf", action="store_true")
    parser.add_argument("--measure", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    env = _environment(options.database_url)
    if options.measure:
        measure(pdf=not options.no_pdf)
        return
    if options.database_url.startswith("sqlite:") and not DEFAULT_DB.exists():
        DEFAULT_DB.parent.mkdir(exist_ok=True)
    _load_demo(env)
    command = [sys.executable, __file__, "--measure", "--database-url", options.database_url]
    if options.no_pdf:
        command.append("--no-pdf")
    subprocess.run(command, env=env, check=True, cwd=ROOT)


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    main()
