"""The first download of an observatory edition's PDF, from "asked" to "served", on the demo data.

Starts gunicorn (production settings, DEBUG off) and one `smartregion db_worker` on a throw-away
SQLite database loaded with the demo data, warms the web processes up with a few page views (as a
running site's are), then asks for the latest edition's report as a browser would: the first GET
(answered "being prepared", 202, without waiting on the build), the status polls of the waiting
page's script, and the GET that serves the file once ready. Prints each request's time, the
task's time in the worker (queue wait and build) and the total. Usage:

    .venv/bin/python bench/bench_prepared.py [--language fr] [--database-url URL] [--var-dir DIR]
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_pages import BIN, ROOT, _free_port, _wait_for  # noqa: E402

TASK_TIMES = """
import json
from smartregion.core.models import PreparedFile
p = PreparedFile.objects.get(public_id="{public_id}")
print(json.dumps({{
    "wait": (p.started_at - p.created_at).total_seconds(),
    "build": (p.finished_at - p.started_at).total_seconds(),
    "size": p.size,
}}))
"""
FORGET_PREPARED = (
    "from smartregion.core.models import PreparedFile; print(PreparedFile.objects.all().delete())"
)
LATEST_EDITION = (
    "from smartregion.observatory.models import Edition; "
    "print(Edition.objects.values_list('slug', flat=True).first())"
)


def _get(port: int, path: str) -> tuple[int, bytes, float]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
    start = time.perf_counter()
    connection.request("GET", path, headers={"Host": "127.0.0.1"})
    response = connection.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - start
    connection.close()
    return response.status, body, elapsed


def _shell(code: str, env: dict[str, str]) -> str:
    return (
        subprocess.run(
            [str(BIN / "smartregion"), "shell", "-c", code],
            env=env,
            cwd=ROOT,
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
    )  # after the shell's own "objects imported" line


def measure(port: int, path: str, env: dict[str, str]) -> None:
    asked = time.perf_counter()
    status, body, first = _get(port, path)
    if status != 202:
        raise SystemExit(f"expected 'being prepared' (202), got {status}")
    public_id = body.decode().split("/prepared/", 1)[1].split("/", 1)[0]
    polls, slowest_poll = 0, 0.0
    while True:
        time.sleep(0.5)
        _status, state, elapsed = _get(port, f"/prepared/{public_id}/status.json")
        polls, slowest_poll = polls + 1, max(slowest_poll, elapsed)
        if json.loads(state)["status"] in ("ready", "failed"):
            break
    status, pdf, last = _get(port, path)
    served = time.perf_counter() - asked
    times = json.loads(_shell(TASK_TIMES.format(public_id=public_id), env))
    _status, _pdf, warm = _get(port, path)
    print(f"{path} ({times['size'] / 1e6:.2f} MB, {status} {pdf[:5]!r})")
    print(f"  first request (answers 202 'being prepared') {first * 1000:8.0f} ms")
    print(f"  status polls: {polls}, slowest               {slowest_poll * 1000:8.0f} ms")
    print(f"  task: waited in the queue                    {times['wait'] * 1000:8.0f} ms")
    print(f"  task: built the PDF in the worker            {times['build'] * 1000:8.0f} ms")
    print(f"  request that served the file                 {last * 1000:8.0f} ms")
    print(f"  asked -> served                              {served * 1000:8.0f} ms")
    print(f"  a later request for the same file            {warm * 1000:8.0f} ms")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--language", default="fr")
    parser.add_argument("--database-url", default="")
    parser.add_argument("--var-dir", default="", help="reuse a folder (demo data already loaded)")
    args = parser.parse_args()
    port = _free_port()
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "SMARTREGION_VAR_DIR": args.var_dir or tempfile.mkdtemp(prefix="smartregion-bench-"),
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-not-secret",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
    }
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    smartregion = str(BIN / "smartregion")
    for command in [] if args.var_dir else [["demo"], ["collectstatic", "--noinput"]]:
        subprocess.run([smartregion, *command], env=env, check=True, stdout=subprocess.DEVNULL)
    print(f"data in {env['SMARTREGION_VAR_DIR']}")
    _shell(FORGET_PREPARED, env)  # cold: no file prepared yet
    slug = _shell(LATEST_EDITION, env)
    processes = [
        subprocess.Popen(
            [str(BIN / "gunicorn"), "config.wsgi", "--workers", "2", "--bind", f"127.0.0.1:{port}"]
            + ["--log-level", "warning", "--timeout", "600"],
            env=env,
            cwd=ROOT,
        ),
        subprocess.Popen([smartregion, "db_worker", "-v0"], env=env, cwd=ROOT),
    ]
    try:
        _wait_for(port)
        for _ in range(6):  # every gunicorn worker warm, as a running site's are
            _get(port, f"/{args.language}/observatory/")
        measure(port, f"/{args.language}/observatory/{slug}/report.pdf", env)
    finally:
        for process in processes:
            process.terminate()
            process.wait(timeout=60)


if __name__ == "__main__":
    main()
