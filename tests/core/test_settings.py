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


def _settings(tmp_path, probe=PROBE, **env):
    unset = {"DATABASE_URL", "DEBUG", "SECRET_KEY", "CACHE_URL", "REDIS_URL", "CACHE_DIR"}
    clean = {k: v for k, v in os.environ.items() if k not in unset}
    clean.update(DJANGO_SETTINGS_MODULE="config.settings", SMARTREGION_VAR_DIR=str(tmp_path))
    clean.update({"SMARTREGION_TESTING": "0", **env})
    result = subprocess.run(
        [sys.executable, "-c", "import django; django.setup(); " + probe],
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


CACHE_PROBE = (
    "import json; from django.conf import settings as s; "
    "print(json.dumps({'caches': {a: [c['BACKEND'].rsplit('.', 1)[1], str(c['LOCATION']), "
    "c['KEY_PREFIX']] for a, c in s.CACHES.items()}, "
    "'cache_db': str(s.DATABASES.get('cache', {}).get('NAME', ''))}))"
)


def test_the_embedded_cache_is_a_database_cache_in_its_own_file_under_var(tmp_path):
    values = json.loads(_settings(tmp_path, probe=CACHE_PROBE).stdout)

    assert values["caches"] == {
        "default": ["DatabaseCache", "pages", "smartregion:default"],
        "fragments": ["DatabaseCache", "fragments", "smartregion:fragments"],
    }
    assert values["cache_db"] == str(tmp_path / "cache.sqlite3")


def test_cache_url_selects_redis_with_a_prefix_per_cache(tmp_path):
    result = _settings(
        tmp_path, probe=CACHE_PROBE, CACHE_URL="redis://cache:6379/2", CACHE_KEY_PREFIX="site1"
    )

    values = json.loads(result.stdout)
    assert values["caches"] == {
        "default": ["RedisCache", "redis://cache:6379/2", "site1:default"],
        "fragments": ["RedisCache", "redis://cache:6379/2", "site1:fragments"],
    }
    assert values["cache_db"] == ""


def test_redis_url_is_read_when_cache_url_is_not_set(tmp_path):
    values = json.loads(
        _settings(tmp_path, probe=CACHE_PROBE, REDIS_URL="rediss://cache:6380/0").stdout
    )

    assert values["caches"]["default"] == [
        "RedisCache",
        "rediss://cache:6380/0",
        "smartregion:default",
    ]


def test_a_cache_url_that_is_not_redis_refuses_to_start(tmp_path):
    result = _settings(tmp_path, probe=CACHE_PROBE, CACHE_URL="memcached://cache:11211")

    assert result.returncode == 1
    assert (
        "CACHE_URL (or REDIS_URL) must be a Redis address (redis://, rediss:// or unix://), "
        "got 'memcached://cache:11211'"
    ) in result.stderr


def test_tests_keep_a_per_process_cache_even_with_a_cache_url(tmp_path):
    result = _settings(
        tmp_path, probe=CACHE_PROBE, CACHE_URL="redis://cache:6379/2", SMARTREGION_TESTING="1"
    )

    assert json.loads(result.stdout)["caches"]["default"][0] == "LocMemCache"
