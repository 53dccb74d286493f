"""Load figures for the communes list and profile pages, against a minimal Django view.

Starts gunicorn (production settings, DEBUG off, one sync worker per core) on a throw-away SQLite
database loaded with the reference and demo data, then runs N concurrent keep-alive clients per page
for a fixed duration and prints p50, p95 and requests/s. Usage:

    .venv/bin/python bench/bench_pages.py [--clients 20] [--seconds 10] [--database-url URL]
"""

from __future__ import annotations

import argparse
import http.client
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
PAGES = [
    ("minimal Django view", "/bench/minimal"),
    ("communes list", "/fr/communes/"),
    ("communes list, search", "/fr/communes/?q=bra&sort=-population"),
    ("commune profile", "/fr/communes/92094/"),
]


def timed_get(
    connection: http.client.HTTPConnection,
    path: str,
    latencies: list[float],
    errors: list[str],
) -> http.client.HTTPConnection:
    """One keep-alive GET: records its latency (or the error) and returns the connection to use
    next, a fresh one after a failure."""
    start = time.perf_counter()
    try:
        connection.request("GET", path, headers={"Host": "127.0.0.1"})
        response = connection.getresponse()
        response.read()
    except (OSError, http.client.HTTPException) as exc:
        errors.append(type(exc).__name__)
        connection.close()
        return http.client.HTTPConnection(
            connection.host, connection.port, timeout=connection.timeout
        )
    if response.status != 200:
        errors.append(str(response.status))
    latencies.append(time.perf_counter() - start)
    return connection


def _client(
    port: int, path: str, deadline: float, latencies: list[float], errors: list[str]
) -> None:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    while time.perf_counter() < deadline:
        connection = timed_get(connection, path, latencies, errors)
    connection.close()


def measure(port: int, path: str, clients: int, seconds: float) -> dict[str, float]:
    latencies: list[float] = []
    errors: list[str] = []
    deadline = time.perf_counter() + seconds
    threads = [
        threading.Thread(target=_client, args=(port, path, deadline, latencies, errors))
        for _ in range(clients)
    ]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    quantiles = statistics.quantiles(latencies, n=100)
    return {
        "requests": len(latencies),
        "errors": len(errors),
        "p50_ms": quantiles[49] * 1000,
        "p95_ms": quantiles[94] * 1000,
        "rps": len(latencies) / elapsed,
    }


def _wait_for(port: int) -> None:
    for _ in range(100):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=1)
            connection.request("GET", "/healthz")
            if connection.getresponse().status == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("the server did not start")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    args.port = args.port or _free_port()

    var_dir = tempfile.mkdtemp(prefix="smartregion-bench-")
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "PYTHONPATH": str(ROOT),
        "SMARTREGION_VAR_DIR": var_dir,
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-not-secret",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
    }
    if args.database_url:
        env["DATABASE_URL"] = args.database_url
    smartregion = str(BIN / "smartregion")
    subprocess.run([smartregion, "demo"], env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(
        [smartregion, "collectstatic", "--noinput"], env=env, check=True, stdout=subprocess.DEVNULL
    )
    server = subprocess.Popen(
        [
            str(BIN / "gunicorn"),
            "bench.wsgi",
            "--workers",
            str(args.workers),
            "--bind",
            f"127.0.0.1:{args.port}",
            "--log-level",
            "warning",
        ],
        env=env,
        cwd=ROOT,
    )
    try:
        _wait_for(args.port)
        if server.poll() is not None:
            raise SystemExit(f"gunicorn exited; is port {args.port} taken?")
        results = {}
        for label, path in PAGES:
            measure(args.port, path, args.clients, 1.0)  # warm-up
            results[label] = measure(args.port, path, args.clients, args.seconds)
        baseline = results["minimal Django view"]["rps"]
        print(
            f"{args.clients} concurrent clients, {args.seconds:.0f} s per page, "
            f"{args.workers} gunicorn workers, database: {args.database_url or 'SQLite'}"
        )
        print(
            f"{'page':<24}{'requests':>9}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}"
            f"{'req/s':>9}{'vs minimal':>12}"
        )
        for label, figures in results.items():
            print(
                f"{label:<24}{figures['requests']:>9.0f}{figures['errors']:>8.0f}"
                f"{figures['p50_ms']:>9.1f}{figures['p95_ms']:>9.1f}{figures['rps']:>9.0f}"
                f"{figures['rps'] / baseline:>11.0%}"
            )
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    main()
