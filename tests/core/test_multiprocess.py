"""Two app processes on one PostgreSQL database and one Redis agree on caches and throttling.

The processes cannot see pytest-django's test database (its rows are never committed), so this
test creates its own database, migrates it and loads the reference data with the `smartregion`
command, starts two gunicorn processes on it and drops it afterwards. It runs in the PostgreSQL
pass of `make test` (DATABASE_URL on PostgreSQL) when Redis answers at 127.0.0.1:6379.
"""

from __future__ import annotations

import html
import http.cookiejar
import os
import re
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/0"
TITLE = "Preuve à deux processus"
PUBLISH = f"""
from smartregion.projects.models import Project
from smartregion.projects.services import project_publish
from smartregion.territory.models import Municipality

namur = Municipality.objects.get(refnis="92094")
project = Project.objects.create(
    slug="two-processes", title_fr="{TITLE}", summary_fr="Publié par un troisième processus.",
    status=Project.Status.IN_PROGRESS, themes=["people"], goals=[4], owner_municipality=namur,
    state=Project.State.DRAFT,
)
project.municipalities.add(namur)
project_publish(project=project, user=None, notify=False)
"""
OWNER = """
from smartregion.accounts.models import User

User.objects.create_user(email="owner@two.example", password="right-password-123")
"""
WRONG = "The email address and/or password you specified are not correct."
REFUSED = "Too many failed sign-in attempts for this account from your address."


def _postgres_admin_url() -> str:
    url = os.environ.get("DATABASE_URL", "")
    if not url.startswith(("postgres://", "postgresql://")):
        pytest.skip("runs in the PostgreSQL pass (DATABASE_URL=postgres://…): two app processes")
    return url


def _reachable(url: str) -> None:
    import psycopg
    import redis

    try:
        psycopg.connect(url, connect_timeout=3).close()
    except psycopg.OperationalError as exc:
        pytest.skip(f"PostgreSQL is not reachable at {url}: {exc}")
    try:
        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except redis.RedisError as exc:
        pytest.skip(f"Redis is not reachable at {REDIS_URL}: {exc}")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture
def deployment(tmp_path):
    """Environment of a fresh database and Redis prefix; both removed afterwards."""
    import psycopg
    import redis

    admin = _postgres_admin_url()
    _reachable(admin)
    name = f"smartregion_two_{uuid.uuid4().hex[:10]}"
    prefix = f"test-two-processes-{uuid.uuid4().hex}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    parts = urllib.parse.urlsplit(admin)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTEST", "DJANGO"))}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DATABASE_URL=urllib.parse.urlunsplit(parts._replace(path=f"/{name}")),
        CACHE_URL=REDIS_URL,
        CACHE_KEY_PREFIX=prefix,
        DEBUG="1",  # plain HTTP on 127.0.0.1: no HTTPS redirect, no secure-only cookies
        SECRET_KEY="two-processes-" + "k" * 40,
        SMARTREGION_VAR_DIR=str(tmp_path),
        SMARTREGION_TESTING="0",
        CONN_MAX_AGE="0",
    )
    try:
        yield env
    finally:
        client = redis.Redis.from_url(REDIS_URL)
        keys = list(client.scan_iter(match=f"{prefix}*"))
        if keys:
            client.delete(*keys)
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _smartregion(env: dict[str, str], *args: str) -> None:
    subprocess.run(
        [sys.executable, "-m", "smartregion", *args],
        cwd=ROOT,
        env=env,
        check=True,
        capture_output=True,
        timeout=120,
    )


def _start(env: dict[str, str]) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "config.wsgi",
            "--workers",
            "1",
            "--threads",
            "2",
            "--bind",
            f"127.0.0.1:{port}",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    return process, f"http://127.0.0.1:{port}"


def _wait_ready(base: str) -> None:
    deadline = time.monotonic() + 30
    while True:
        try:
            with urllib.request.urlopen(f"{base}/healthz", timeout=5) as response:  # noqa: S310
                if response.status == 200:
                    return
        except (urllib.error.URLError, ConnectionError):
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"{base} did not answer /healthz within 30 s")
        time.sleep(0.2)


class Browser:
    """One visitor (one cookie jar) talking to either process."""

    def __init__(self) -> None:
        self.opener = urllib.request.build_opener(
            urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar())
        )

    def get(self, url: str) -> str:
        with self.opener.open(url, timeout=30) as response:
            return response.read().decode()

    def sign_in(self, base: str, password: str) -> str:
        """What the login page says after one attempt: "wrong", "refused" or "signed in"."""
        page = self.get(f"{base}/en/accounts/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode(
            {"csrfmiddlewaretoken": token, "login": "owner@two.example", "password": password}
        ).encode()
        request = urllib.request.Request(  # noqa: S310 (an http:// address of this test)
            f"{base}/en/accounts/login/", data=data, headers={"Referer": f"{base}/"}
        )
        with self.opener.open(request, timeout=30) as response:
            text = html.unescape(response.read().decode())
        return "refused" if REFUSED in text else "wrong" if WRONG in text else "signed in"


def test_two_processes_share_the_page_cache_and_the_login_throttle(deployment):
    _smartregion(deployment, "migrate", "--noinput")
    _smartregion(deployment, "load_reference")
    _smartregion(deployment, "shell", "-c", OWNER)
    (first, first_url), (second, second_url) = _start(deployment), _start(deployment)
    try:
        _wait_ready(first_url)
        _wait_ready(second_url)
        visitor = Browser()
        for base in (first_url, second_url):  # both page caches warm, without the project
            assert TITLE not in html.unescape(visitor.get(f"{base}/fr/projects/"))
            assert TITLE not in html.unescape(visitor.get(f"{base}/fr/projects/feed.atom"))

        _smartregion(deployment, "shell", "-c", PUBLISH)
        seen = {
            base: [
                TITLE in html.unescape(visitor.get(f"{base}{path}"))
                for path in ("/fr/projects/", "/fr/projects/feed.atom")
            ]
            for base in (first_url, second_url)
        }
        attempts = [
            Browser().sign_in(base, password)
            for base, password in [
                (first_url, "wrong-1"),
                (second_url, "wrong-2"),
                (first_url, "wrong-3"),
                (second_url, "wrong-4"),
                (first_url, "wrong-5"),
                (second_url, "wrong-6"),
                (first_url, "wrong-7"),
                (first_url, "right-password-123"),
            ]
        ]
    finally:
        for process in (first, second):
            process.terminate()
            process.wait(timeout=10)

    assert seen == {first_url: [True, True], second_url: [True, True]}
    assert attempts == ["wrong"] * 5 + ["refused"] * 3
