"""Settings come from the environment; checked in a fresh interpreter for each environment."""

import json
import os
import subprocess
import sys

PROBE = (
    "import json; from django.conf import settings as s; "
    "print(json.dumps({'debug': s.DEBUG, "
    "'secure_cookies': getattr(s, 'SESSION_COOKIE_SECURE', False), "
    "'hsts': getattr(s, 'SECURE_HSTS_SECONDS', 0), 'engine': s.DATABASES['default']['ENGINE'], "
    "'hosts': s.ALLOWED_HOSTS, 'email': s.EMAIL_BACKEND, 'key': s.SECRET_KEY, "
    "'csp_script': [str(v) for v in s.CONTENT_SECURITY_POLICY['DIRECTIVES']['script-src']]}))"
)


def _settings(tmp_path, **env):
    clean = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "DEBUG", "SECRET_KEY"}
    }
    clean.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        SMARTREGION_VAR_DIR=str(tmp_path),
        SMARTREGION_TESTING="0",
        **env,
    )
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + PROBE],
        env=clean,
        capture_output=True,
        text=True,
        check=False,
    )
    return result


def test_production_settings_are_secure_by_default(tmp_path):
    result = _settings(
        tmp_path,
        DATABASE_URL="postgres://u@db:5432/smartregion",
        SECRET_KEY="k" * 50,
        ALLOWED_HOSTS="smartregion.example.org",
    )

    values = json.loads(result.stdout)
    assert values["debug"] is False
    assert values["secure_cookies"] is True
    assert values["hsts"] == 31536000
    assert values["engine"] == "django.db.backends.postgresql"
    assert values["hosts"] == ["smartregion.example.org"]
    assert values["email"] == "django.core.mail.backends.console.EmailBackend"
    assert values["csp_script"] == ["'self'"]


def test_production_without_a_secret_key_refuses_to_start(tmp_path):
    result = _settings(tmp_path, DATABASE_URL="postgres://u@db:5432/smartregion")

    assert result.returncode != 0
    assert "SECRET_KEY is required" in result.stderr


def test_local_use_generates_and_keeps_a_secret_key_under_var(tmp_path):
    first = json.loads(_settings(tmp_path).stdout)["key"]
    second = json.loads(_settings(tmp_path).stdout)["key"]

    assert first == second
    assert len(first) >= 50
    assert (tmp_path / "secret_key").read_text() == first
    assert json.loads(_settings(tmp_path).stdout)["engine"] == "django.db.backends.sqlite3"


def test_secret_key_can_come_from_a_file(tmp_path):
    key_file = tmp_path / "key"
    key_file.write_text("from-a-file-" + "x" * 40 + "\n")

    result = _settings(tmp_path, SECRET_KEY_FILE=str(key_file), DATABASE_URL="postgres://u@db/x")

    assert json.loads(result.stdout)["key"] == "from-a-file-" + "x" * 40
