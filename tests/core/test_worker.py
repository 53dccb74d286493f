"""Through the database queue and a real worker: `smartregion db_worker` as its own process.

The worker runs against a database of its own that the test migrates first (a file database in a
temporary folder on SQLite, a dedicated database on PostgreSQL): tasks are queued by one process
and run by another, as in production. Mail goes to files the test reads back.
"""

from __future__ import annotations

import hashlib
import json
import os
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings

ROOT = Path(__file__).resolve().parents[2]

ENQUEUE_AND_WAIT = """
import json, time
from django.db import transaction
from django.utils import translation
from django_tasks_db.models import DBTaskResult
from smartregion.accounts.models import User
from smartregion.accounts.services import invitation_create
from smartregion.core.models import PreparedFile
from smartregion.territory.models import Municipality
from tests.core.prepared_support import text_request

inviter = User.objects.create_user(email="lead@namur.example", password="pw-for-tests-123")
with translation.override("en"), transaction.atomic():
    invitation_create(
        municipality=Municipality.objects.get(refnis="92094"), email="new@namur.example",
        role="member", invited_by=inviter, accept_url="https://sr.example/en/invitation/TOKEN/",
    )
good, bad = text_request("report.txt"), text_request("broken.txt", fail=True)
deadline = time.monotonic() + 90
while time.monotonic() < deadline:
    if not DBTaskResult.objects.filter(status__in=["READY", "RUNNING"]).exists():
        break
    time.sleep(0.2)
good.refresh_from_db(); bad.refresh_from_db()
print(json.dumps({
    "tasks": sorted(
        [r.task_path.rsplit(".", 1)[1], r.status, r.exception_class_path, len(r.worker_ids)]
        for r in DBTaskResult.objects.all()
    ),
    "good": [good.status, good.size, good.sha256, good.task_result_id != ""],
    "bad": [bad.status, "the builder of broken.txt broke" in bad.error],
    "tracebacks": [r.traceback for r in DBTaskResult.objects.exclude(traceback="")],
}))
"""


def _database_url(tmp_path: Path) -> Iterator[str]:
    database = settings.DATABASES["default"]
    if database["ENGINE"] == "django.db.backends.sqlite3":
        yield f"sqlite:///{tmp_path / 'worker.sqlite3'}"
        return
    import psycopg  # noqa: PLC0415 - PostgreSQL runs only

    name = f"{database['NAME']}_worker"
    credentials = database["USER"] + (f":{database['PASSWORD']}" if database["PASSWORD"] else "")
    server = (
        f"postgres://{credentials}@{database['HOST'] or '127.0.0.1'}:{database['PORT'] or 5432}"
    )
    with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"{server}/{name}"
    finally:
        with psycopg.connect(f"{server}/postgres", autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def worker_env(tmp_path) -> Iterator[dict[str, str]]:
    """The environment of a production-like process (no test settings) on its own database."""
    for url in _database_url(tmp_path):
        env = {key: value for key, value in os.environ.items() if key != "SMARTREGION_TESTING"}
        env.update(
            DATABASE_URL=url,
            SECRET_KEY="worker-test-key",
            DEBUG="0",
            SMARTREGION_VAR_DIR=str(tmp_path / "var"),
            EMAIL_BACKEND="django.core.mail.backends.filebased.EmailBackend",
            EMAIL_FILE_PATH=str(tmp_path / "mail"),
        )
        for command in (["migrate", "-v0"], ["load_reference"]):
            _smartregion(command, env)
        yield env


def _smartregion(arguments: list[str], env: dict[str, str]) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "smartregion", *arguments],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_real_worker_builds_a_prepared_file_sends_an_email_and_records_a_failure(
    worker_env, tmp_path
):
    worker = subprocess.Popen(
        [sys.executable, "-m", "smartregion", "db_worker", "--no-reload", "--no-startup-delay"]
        + ["--interval", "0.2"],
        cwd=ROOT,
        env=worker_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        outcome = json.loads(
            _smartregion(["shell", "-c", ENQUEUE_AND_WAIT], worker_env).splitlines()[-1]
        )
    finally:
        worker.send_signal(signal.SIGTERM)
        log, _ = worker.communicate(timeout=30)

    content = b"hello report.txt 1"
    assert [text.splitlines()[-1] for text in outcome["tracebacks"]] == [
        "RuntimeError: the builder of broken.txt broke"
    ]
    assert outcome["tasks"] == [
        ["invitation_email_send", "SUCCESSFUL", "", 1],
        ["prepared_file_build", "FAILED", "builtins.RuntimeError", 1],
        ["prepared_file_build", "SUCCESSFUL", "", 1],
    ]
    assert outcome["good"] == ["ready", len(content), hashlib.sha256(content).hexdigest(), True]
    assert outcome["bad"] == ["failed", True]
    mails = [path.read_text() for path in sorted((tmp_path / "mail").iterdir())]
    assert len(mails) == 1
    assert "Subject: Invitation to the Namur team on Smart Region" in mails[0]
    assert "To: new@namur.example" in mails[0]
    assert "https://sr.example/en/invitation/" in mails[0]
    assert (worker.returncode, "Starting worker" in log) == (0, True)
