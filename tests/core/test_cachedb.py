"""The embedded shared cache: a database cache in its own SQLite file, made by `migrate`."""

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(tmp_path, code):
    unset = {"DATABASE_URL", "CACHE_URL", "REDIS_URL", "CACHE_DIR", "DEBUG"}
    env = {k: v for k, v in os.environ.items() if k not in unset}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        SMARTREGION_VAR_DIR=str(tmp_path),
        SMARTREGION_TESTING="0",
        DEBUG="1",
    )
    return subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + code],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout


def test_migrate_creates_the_cache_tables_and_every_process_shares_them(tmp_path):
    _run(
        tmp_path,
        "from django.core.management import call_command; "
        "call_command('migrate', 'core', verbosity=0)",
    )
    _run(
        tmp_path,
        "from django.core.cache import caches; caches['default'].set('page', 'from one process');"
        "caches['fragments'].set('card', 'a card')",
    )

    read = _run(
        tmp_path,
        "from django.core.cache import caches; "
        "print(caches['default'].get('page'), '|', caches['fragments'].get('card'), '|', "
        "caches['default'].get('card'))",
    )

    assert read.strip() == "from one process | a card | None"
    assert (tmp_path / "cache.sqlite3").exists()
