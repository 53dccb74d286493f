"""Answer-save figures: concurrent signed-in clients autosaving diagnostic answers.

Starts gunicorn like bench_pages.py (production settings, a throw-away SQLite database, or
`--database-url` for PostgreSQL), gives each client a commune of its own with a draft diagnostic
and a member account (`--same-commune`: one draft shared by every client, so saves contend for the
same row lock), signs every client in through the login form (session cookie, CSRF token), then
each client saves answers as fast as it can (or with `--think` ms between saves, like a person;
pauses vary ±50 % and the first is spread, so clients are not in step) for a fixed duration.
Prints p50, p95, p99 and saves/s. Usage:

    .venv/bin/python bench/bench_answers.py [--clients 20] [--seconds 10] [--think 0]
        [--endpoint real|bench] [--same-commune] [--database-url URL]

`--endpoint real` posts to the page's autosave endpoint (`diagnostic:answer`,
/fr/diagnostics/<pk>/answer/); `bench` posts to a bench-only view that calls the same
`answer_save` service and returns only the revision (the cost of the service alone).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import random
import re
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench.bench_pages import BIN, ROOT, _free_port, _wait_for  # noqa: E402

PASSWORD = "bench-answers-password-1"
INSTRUMENT = ROOT / "instruments" / "smartregion-maturity" / "2026.yaml"
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


# ---------------------------------------------------------------------------------------------
# Data, prepared inside the server's environment
# ---------------------------------------------------------------------------------------------


def prepare(clients: int, same_commune: bool) -> list[dict[str, object]]:
    """Member accounts and fresh drafts; runs with Django set up (see `_prepare`)."""
    from django.conf import settings

    from smartregion.accounts.models import Membership, User
    from smartregion.accounts.services import DEMO_COMMUNE, membership_grant
    from smartregion.diagnostic.models import Diagnostic
    from smartregion.diagnostic.services import diagnostic_start
    from smartregion.territory.models import Municipality

    communes = list(
        Municipality.objects.current()
        .in_region(settings.SMARTREGION["DEFAULT_REGION"])
        .exclude(refnis=DEMO_COMMUNE)
        .order_by("refnis")[: 1 if same_commune else clients]
    )
    Diagnostic.objects.filter(municipality__in=communes, status="draft").delete()
    seats = []
    for index in range(clients):
        commune = communes[index % len(communes)]
        email = f"bench{index}@bench.example"
        user = User.objects.filter(email=email).first() or User.objects.create_user(
            email=email, password=PASSWORD
        )
        membership_grant(user=user, municipality=commune, role=Membership.Role.MEMBER)
        draft = diagnostic_start(municipality=commune, user=user)
        seats.append({"email": email, "diagnostic": draft.pk})
    return seats


def _prepare(env: dict[str, str], clients: int, same_commune: bool) -> list[dict[str, object]]:
    code = (
        "import json, django; django.setup(); from bench.bench_answers import prepare; "
        f"print(json.dumps(prepare({clients}, {same_commune})))"
    )
    output = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=ROOT, check=True, capture_output=True, text=True
    ).stdout
    return json.loads(output.strip().splitlines()[-1])


def _questions() -> list[tuple[str, list[str]]]:
    """Always-shown single-choice questions and their options: each save is valid."""
    sys.path.insert(0, str(ROOT))
    from smartregion.instruments.definition import load_file, parse

    instrument = parse(load_file(INSTRUMENT))
    return [
        (q.code, [o.code for o in q.options])
        for q in instrument.questions
        if q.type == "single_choice" and q.show_if is None
    ]


# ---------------------------------------------------------------------------------------------
# Clients
# ---------------------------------------------------------------------------------------------


class Session:
    """One signed-in browser: cookies and the CSRF token, over one keep-alive connection."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def request(self, method: str, path: str, body: str = "", headers: dict | None = None):
        headers = {"Host": "127.0.0.1", **(headers or {})}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            self.connection.request(method, path, body=body or None, headers=headers)
            response = self.connection.getresponse()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
            raise
        data = response.read()
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name.strip()] = rest.split(";", 1)[0]
        return response.status, data

    def sign_in(self, email: str) -> None:
        status, page = self.request("GET", "/fr/accounts/login/")
        token = CSRF_INPUT.search(page.decode()).group(1)
        form = urllib.parse.urlencode(
            {"login": email, "password": PASSWORD, "csrfmiddlewaretoken": token}
        )
        status, _ = self.request(
            "POST",
            "/fr/accounts/login/",
            form,
            {"Content-Type": "application/x-www-form-urlencoded"},
        )
        if status != 302 or "sessionid" not in self.cookies:
            raise SystemExit(f"sign-in failed for {email}: HTTP {status}")

    def save(self, path: str, question: str, value: str, base_revision: int) -> tuple[int, dict]:
        body = json.dumps({"question": question, "value": value, "base_revision": base_revision})
        headers = {"Content-Type": "application/json", "X-CSRFToken": self.cookies["csrftoken"]}
        status, data = self.request("POST", path, body, headers)
        return status, json.loads(data or b"{}") if data[:1] in (b"{", b"[") else {}


def _client(
    session: Session,
    path: str,
    questions: list[tuple[str, list[str]]],
    start: threading.Barrier,
    seconds: float,
    think: float,
    results: dict[str, list],
) -> None:
    revisions: dict[str, int] = {}
    count = 0

    def save_next() -> tuple[int, float]:
        nonlocal count
        question, options = questions[count % len(questions)]
        value = options[(count // len(questions)) % len(options)]
        count += 1
        began = time.perf_counter()
        status, body = session.save(path, question, value, revisions.get(question, 0))
        elapsed = time.perf_counter() - began
        if status == 200:
            revisions[question] = body["revision"]
        elif status == 409:  # a colleague saved meanwhile: take their revision, as the page does
            revisions[question] = body["conflict"]["revision"]
        return status, elapsed

    for _ in range(5):  # warm-up, not measured
        save_next()
    pace = random.Random(id(session))
    start.wait()
    if think:  # people do not answer in step: spread the first saves over one pause
        time.sleep(pace.uniform(0, think))
    deadline = time.perf_counter() + seconds
    while time.perf_counter() < deadline:
        try:
            status, elapsed = save_next()
        except (OSError, http.client.HTTPException) as exc:
            results["errors"].append(type(exc).__name__)
            continue
        if status == 200:
            results["latencies"].append(elapsed)
        elif status == 409:
            results["conflicts"].append(elapsed)
        else:
            results["errors"].append(str(status))
        if think:
            time.sleep(pace.uniform(0.5, 1.5) * think)


def measure(
    port: int, seats: list[dict], endpoint: str, seconds: float, think: float
) -> dict[str, float]:
    questions = _questions()
    sessions = []
    for seat in seats:
        session = Session(port)
        session.sign_in(seat["email"])
        sessions.append(session)
    results: dict[str, list] = {"latencies": [], "conflicts": [], "errors": []}
    barrier = threading.Barrier(len(seats) + 1)
    threads = []
    for seat, session in zip(seats, sessions, strict=True):
        pk = seat["diagnostic"]
        path = f"/fr/diagnostics/{pk}/answer/" if endpoint == "real" else f"/bench/answer/{pk}"
        thread = threading.Thread(
            target=_client, args=(session, path, questions, barrier, seconds, think, results)
        )
        thread.start()
        threads.append(thread)
    barrier.wait()
    started = time.perf_counter()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    latencies = results["latencies"]
    if len(latencies) < 2:
        raise SystemExit(f"too few successful saves; errors: {results['errors'][:10]}")
    quantiles = statistics.quantiles(latencies, n=100)
    return {
        "saves": len(latencies),
        "conflicts": len(results["conflicts"]),
        "errors": len(results["errors"]),
        "p50_ms": quantiles[49] * 1000,
        "p95_ms": quantiles[94] * 1000,
        "p99_ms": quantiles[98] * 1000,
        "saves_per_s": len(latencies) / elapsed,
    }


# ---------------------------------------------------------------------------------------------
# Main
# ---------------------------------------------------------------------------------------------


def _ensure_database(url: str) -> None:
    """Create the PostgreSQL database named in the URL when it does not exist yet."""
    import psycopg

    parts = urllib.parse.urlsplit(url)
    name = parts.path.lstrip("/")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as connection:
        found = connection.execute(
            "SELECT 1 FROM pg_database WHERE datname = %s", [name]
        ).fetchone()
        if not found:
            connection.execute(f'CREATE DATABASE "{name}"')


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--seconds", type=float, default=10)
    parser.add_argument("--think", type=float, default=0, help="ms between a client's saves")
    parser.add_argument("--endpoint", choices=["real", "bench"], default="real")
    parser.add_argument("--same-commune", action="store_true")
    parser.add_argument("--port", type=int, default=0, help="default: a free port")
    parser.add_argument("--workers", type=int, default=os.cpu_count() or 2)
    parser.add_argument("--database-url", default="")
    args = parser.parse_args()
    args.port = args.port or _free_port()

    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "bench.settings",
        "PYTHONPATH": str(ROOT),
        "SMARTREGION_VAR_DIR": tempfile.mkdtemp(prefix="smartregion-bench-"),
        "DEBUG": "0",
        "SECRET_KEY": "bench-only-not-secret",
        "ALLOWED_HOSTS": "127.0.0.1",
        "SECURE_SSL_REDIRECT": "0",
        "LOG_LEVEL": "WARNING",
    }
    if args.database_url:
        _ensure_database(args.database_url)
        env["DATABASE_URL"] = args.database_url
    smartregion = str(BIN / "smartregion")
    subprocess.run([smartregion, "demo"], env=env, check=True, stdout=subprocess.DEVNULL)
    subprocess.run(
        [smartregion, "collectstatic", "--noinput"], env=env, check=True, stdout=subprocess.DEVNULL
    )
    seats = _prepare(env, args.clients, args.same_commune)
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
        figures = measure(args.port, seats, args.endpoint, args.seconds, args.think / 1000)
    finally:
        server.terminate()
        server.wait()
    drafts = "one shared draft" if args.same_commune else "one draft per client"
    print(
        f"{args.clients} signed-in clients, {drafts}, {args.seconds:.0f} s, "
        f"think {args.think:g} ms, endpoint: {args.endpoint}, {args.workers} gunicorn workers, "
        f"database: {'PostgreSQL' if args.database_url else 'SQLite'}"
    )
    print(
        f"{'saves':>7}{'conflicts':>10}{'errors':>8}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}"
        f"{'saves/s':>9}"
    )
    print(
        f"{figures['saves']:>7.0f}{figures['conflicts']:>10.0f}{figures['errors']:>8.0f}"
        f"{figures['p50_ms']:>9.1f}{figures['p95_ms']:>9.1f}{figures['p99_ms']:>9.1f}"
        f"{figures['saves_per_s']:>9.0f}"
    )


if __name__ == "__main__":
    main()
