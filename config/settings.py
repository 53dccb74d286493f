"""Settings, driven by environment variables only (see README, "Configuration").

Environments differ by variables, never by diverging settings files.
"""

from __future__ import annotations

import os
import secrets
import sys
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("SMARTREGION_VAR_DIR", BASE_DIR / "var"))


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    if value.lower() in {"1", "true", "yes", "on"}:
        return True
    if value.lower() in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be a boolean (1/0, true/false), got {value!r}")


def env_int(name: str, default: int) -> int:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    try:
        return int(value)
    except ValueError as exc:
        raise ImproperlyConfigured(f"{name} must be an integer, got {value!r}") from exc


def env_list(name: str, default: list[str]) -> list[str]:
    value = os.environ.get(name)
    if value is None or value.strip() == "":
        return default
    return [item.strip() for item in value.split(",") if item.strip()]


def env_secret(name: str) -> str:
    """A secret from NAME, or from the file named by NAME_FILE (Docker/Kubernetes secrets)."""
    path = os.environ.get(f"{name}_FILE")
    if path:
        return Path(path).read_text(encoding="utf-8").strip()
    return os.environ.get(name, "")


def _local_secret_key() -> str:
    """A key generated once and kept under var/, so local sessions survive restarts."""
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    path = VAR_DIR / "secret_key"
    if not path.exists():
        # Written aside then linked into place: processes starting together (test workers, the
        # demo's server and worker) never read a half-written key, and the first one wins.
        aside = VAR_DIR / f".secret_key.{os.getpid()}"
        aside.write_text(secrets.token_urlsafe(50), encoding="utf-8")
        aside.chmod(0o600)
        try:
            os.link(aside, path)
        except FileExistsError:
            pass
        finally:
            aside.unlink()
    return path.read_text(encoding="utf-8").strip()


DEBUG = env_bool("DEBUG", False)
TESTING = "pytest" in sys.modules or env_bool("SMARTREGION_TESTING", False)

# A deployment on a real database (DATABASE_URL set) must bring its own key; local use on the
# embedded SQLite database gets one generated under var/.
LOCAL_USE = not env_str("DATABASE_URL") or DEBUG or TESTING
SECRET_KEY = env_secret("SECRET_KEY")
if not SECRET_KEY:
    if LOCAL_USE:
        SECRET_KEY = _local_secret_key()
    else:
        raise ImproperlyConfigured(
            "SECRET_KEY is required when DEBUG is off and DATABASE_URL is set: "
            "set SECRET_KEY or SECRET_KEY_FILE."
        )

ALLOWED_HOSTS = env_list(
    "ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG or TESTING else []
)
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    # Before the admin, which it extends with one tab per language (knowledge content).
    "modeltranslation",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "template_partials",
    "allauth",
    "allauth.account",
    "ninja",
    "django_tasks",
    "django_tasks_db",
    "smartregion.core",
    "smartregion.territory",
    "smartregion.accounts",
    "smartregion.opendata",
    "smartregion.instruments",
    "smartregion.diagnostic",
    "smartregion.barometer",
    "smartregion.observatory",
    "smartregion.projects",
    "smartregion.knowledge",
    "smartregion.api",
    "smartregion.site",
]

MIDDLEWARE = [
    # Outermost, so static files answered by WhiteNoise get its Permissions-Policy too.
    "smartregion.core.middleware.PrivacyHeadersMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "smartregion.core.middleware.ApiLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "smartregion.core.middleware.ApiJsonErrorsMiddleware",
    "smartregion.core.middleware.RefuseUnstorableTextMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "smartregion" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "smartregion.core.context_processors.platform",
                "smartregion.site.context_processors.site",
            ],
        },
    },
]

# WAL lets readers proceed while one writer commits; IMMEDIATE avoids
# "database is locked" upgrades inside write transactions.
DATABASES_SQLITE_OPTIONS = {
    "transaction_mode": "IMMEDIATE",
    "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
}
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{VAR_DIR / 'smartregion.sqlite3'}",
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if TESTING and DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Tests never need a commit to survive a crash: not waiting for the WAL flush at each commit
    # (transactional tests, fixtures that commit, the test database's migrations) saves minutes.
    DATABASES["default"].setdefault("OPTIONS", {})["options"] = "-c synchronous_commit=off"
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    DATABASES["default"]["OPTIONS"] = DATABASES_SQLITE_OPTIONS
    DATABASES["default"]["CONN_MAX_AGE"] = 0 if TESTING else DATABASES["default"]["CONN_MAX_AGE"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"

# Background tasks (emails, PDFs, file builds): queued in the database by default and run by
# `smartregion db_worker` (no extra server); TASKS_BACKEND names any other django-tasks backend
# (e.g. a Redis/RQ one) and the same tasks run unchanged. Tests run each task at once, in process.
TASKS = {
    "default": {
        "BACKEND": "django_tasks.backends.immediate.ImmediateBackend"
        if TESTING
        else env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend")
    }
}

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "site:home"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env_str("ACCOUNT_EMAIL_VERIFICATION", "optional")
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_LOGIN_ON_PASSWORD_RESET = False
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
# Changing one's address adds the new one, mails it a verification link, and swaps it in once
# verified (allauth's change-email flow); until then the old address stays the sign-in address.
ACCOUNT_CHANGE_EMAIL = True
ACCOUNT_FORMS = {"add_email": "smartregion.accounts.forms.ChangeEmailForm"}
ACCOUNT_EMAIL_CONFIRMATION_AUTHENTICATED_REDIRECT_URL = "accounts:settings"
# Accounts are created by invitation or by staff; open sign-up is off unless enabled.
ACCOUNT_ADAPTER = "smartregion.accounts.adapter.AccountAdapter"
SMARTREGION_OPEN_SIGNUP = env_bool("SMARTREGION_OPEN_SIGNUP", False)
# Failed sign-ins are counted per account and client address (accounts/throttle.py) in the shared
# cache; allauth keeps only its limit per address across accounts, which checks no password.
SMARTREGION_LOGIN_FAILURES_LIMIT = env_int("SMARTREGION_LOGIN_FAILURES_LIMIT", 5)
SMARTREGION_LOGIN_FAILURES_WINDOW = env_int("SMARTREGION_LOGIN_FAILURES_WINDOW", 300)
ACCOUNT_RATE_LIMITS = {"login_failed": "10/m/ip"}
# Behind N reverse proxies, the client's address is the N-th from the right in X-Forwarded-For.
ALLAUTH_TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

LANGUAGE_CODE = "fr"
LANGUAGES = [("fr", "Français"), ("en", "English"), ("de", "Deutsch"), ("nl", "Nederlands")]
# Content translations (knowledge): French is the source; an empty translation falls back to it.
MODELTRANSLATION_DEFAULT_LANGUAGE = "fr"
MODELTRANSLATION_LANGUAGES = ("fr", "en", "de", "nl")
MODELTRANSLATION_FALLBACK_LANGUAGES = ("fr",)
MODELTRANSLATION_AUTO_POPULATE = False
LOCALE_PATHS = [BASE_DIR / "smartregion" / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Brussels")
USE_I18N = True
USE_TZ = True

STATIC_URL = "/static/"
STATIC_ROOT = VAR_DIR / "static"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG or TESTING
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
MEDIA_ROOT = VAR_DIR / "media"
MEDIA_URL = "/media/"
WHITENOISE_USE_FINDERS = DEBUG or TESTING

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH", str(VAR_DIR / "mail"))  # for the file-based backend
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_secret("EMAIL_HOST_PASSWORD")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Smart Region <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# "default" holds whole public pages (about 40 KB each), the data version, small markers and the
# login throttle; "fragments" holds pieces shared by many pages, such as the catalogue's result
# cards (about 1 KB each). They are kept apart so that cards never push whole pages out, nor the
# reverse. Every application process must see the same cache (a page cached by one process is
# invalidated for all when the data version moves; the login throttle counts attempts across
# processes), so it is never per-process memory outside tests:
# - CACHE_URL (or REDIS_URL) selects Redis, for several machines (set `maxmemory` and an LRU
#   `maxmemory-policy` on the server: it evicts, the entry counts below do not apply);
# - otherwise a database cache in its own SQLite file under var/ (CACHE_DIR), shared by every
#   process of the machine. Measured (bench in the cache commit): a page hit costs 0.17 ms there,
#   0.10 ms in a file cache; but a file cache lists its whole folder on every write (0.9 ms at
#   1,000 entries, 23 ms at 20,000), too slow for 45,000 cards, while the database cache writes
#   in 0.13 ms at any size. Its own file keeps cache writes out of the data's write lock and out
#   of the pages' query counts; `smartregion migrate` creates its tables.
# 1,000 pages is about 40 MB; 45,000 cards covers 10,000 projects in four languages (about 60 MB).
CACHE_PAGES_MAX_ENTRIES = env_int("CACHE_PAGES_MAX_ENTRIES", 1_000)
CACHE_FRAGMENTS_MAX_ENTRIES = env_int("CACHE_FRAGMENTS_MAX_ENTRIES", 45_000)
CACHE_URL = env_str("CACHE_URL") or env_str("REDIS_URL")
CACHE_KEY_PREFIX = env_str("CACHE_KEY_PREFIX", "smartregion")


def _caches(url: str) -> dict[str, dict[str, object]]:
    if TESTING:  # tests clear the cache around every test: per-process memory, never a shared one
        backend = "django.core.cache.backends.locmem.LocMemCache"
        where = ["smartregion", "smartregion-fragments"]
    elif not url:
        backend, where = "django.core.cache.backends.db.DatabaseCache", ["pages", "fragments"]
    elif url.split("://", 1)[0] in {"redis", "rediss", "unix"}:
        backend, where = "django.core.cache.backends.redis.RedisCache", [url, url]
    else:
        raise ImproperlyConfigured(
            "CACHE_URL (or REDIS_URL) must be a Redis address (redis://, rediss:// or unix://), "
            f"got {url!r}"
        )
    limits = [CACHE_PAGES_MAX_ENTRIES, CACHE_FRAGMENTS_MAX_ENTRIES]
    return {
        alias: {
            "BACKEND": backend,
            "LOCATION": location,
            "KEY_PREFIX": f"{CACHE_KEY_PREFIX}:{alias}",
            "OPTIONS": {} if "redis" in backend else {"MAX_ENTRIES": limit},
        }
        for alias, location, limit in zip(["default", "fragments"], where, limits, strict=True)
    }


CACHES = _caches(CACHE_URL)
if CACHES["default"]["BACKEND"] == "django.core.cache.backends.db.DatabaseCache":
    CACHE_DIR = Path(env_str("CACHE_DIR") or VAR_DIR)
    CACHE_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES["cache"] = {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": CACHE_DIR / "cache.sqlite3",
        "OPTIONS": DATABASES_SQLITE_OPTIONS,
        "CONN_MAX_AGE": 60,
    }
    DATABASE_ROUTERS = ["smartregion.core.cachedb.CacheRouter"]

# Security: strict by default, relaxed only where local HTTP needs it.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
if not DEBUG and not TESTING:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

# Content Security Policy: no inline script or style anywhere (templates keep JS and CSS in files).
from csp.constants import NONE, SELF  # noqa: E402

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    "loggers": {"django.server": {"level": "WARNING" if TESTING else "INFO"}},
}

SMARTREGION = {
    # The region this deployment serves by default; another region is data, not code.
    "DEFAULT_REGION": env_str("SMARTREGION_REGION", "03000"),
    "PLATFORM_NAME": env_str("SMARTREGION_NAME", "Smart Region"),
}
# Who publishes this deployment, for the footer pages (legal notice, privacy notice, accessibility
# statement, contact). The defaults are placeholders (a system check warns when DEBUG is off).
SMARTREGION_OPERATOR_NAME = env_str("SMARTREGION_OPERATOR_NAME", "Smart Region reference centre")
SMARTREGION_OPERATOR_ADDRESS = env_str("SMARTREGION_OPERATOR_ADDRESS")
SMARTREGION_OPERATOR_EMAIL = env_str("SMARTREGION_OPERATOR_EMAIL", "contact@smartregion.example")
SMARTREGION_OPERATOR_PHONE = env_str("SMARTREGION_OPERATOR_PHONE")
# The publisher's company number (in Belgium, the BCE/KBO enterprise number), when it has one.
SMARTREGION_OPERATOR_COMPANY_NUMBER = env_str("SMARTREGION_OPERATOR_COMPANY_NUMBER")
SMARTREGION_OPERATOR_URL = env_str("SMARTREGION_OPERATOR_URL")
SMARTREGION_HOST_NAME = env_str("SMARTREGION_HOST_NAME")
SMARTREGION_HOST_ADDRESS = env_str("SMARTREGION_HOST_ADDRESS")
# Where personal-data requests and accessibility reports go (the operator's address by default).
SMARTREGION_PRIVACY_EMAIL = env_str("SMARTREGION_PRIVACY_EMAIL") or SMARTREGION_OPERATOR_EMAIL
SMARTREGION_ACCESSIBILITY_EMAIL = (
    env_str("SMARTREGION_ACCESSIBILITY_EMAIL") or SMARTREGION_OPERATOR_EMAIL
)
# The accessibility statement's dates (ISO): when it was written and last reviewed.
SMARTREGION_ACCESSIBILITY_STATEMENT_DATE = env_str(
    "SMARTREGION_ACCESSIBILITY_STATEMENT_DATE", "2026-12-03"
)
SMARTREGION_ACCESSIBILITY_REVIEW_DATE = env_str(
    "SMARTREGION_ACCESSIBILITY_REVIEW_DATE", SMARTREGION_ACCESSIBILITY_STATEMENT_DATE
)
# The contact form: at most LIMIT messages per client address in WINDOW seconds.
SMARTREGION_CONTACT_LIMIT = env_int("SMARTREGION_CONTACT_LIMIT", 5)
SMARTREGION_CONTACT_WINDOW = env_int("SMARTREGION_CONTACT_WINDOW", 3600)
# How long the host keeps server logs, as the privacy notice states it.
SMARTREGION_LOG_RETENTION_DAYS = env_int("SMARTREGION_LOG_RETENTION_DAYS", 30)
# What the site search (/search/) finds, in the order of its groups: dotted paths to
# `SearchProvider` objects, one kind each (see core/search.py).
SMARTREGION_SEARCH_PROVIDERS = env_list(
    "SMARTREGION_SEARCH_PROVIDERS",
    [
        "smartregion.knowledge.search.resources",
        "smartregion.knowledge.search.glossary",
        "smartregion.projects.search.site_projects",
        "smartregion.territory.search.communes",
    ],
)
# What the DCAT-AP catalogue at /data/catalog.ttl lists, in this order: dotted paths to functions
# `(absolute) -> list[DatasetInfo]` (see opendata/catalogue.py, `providers`).
SMARTREGION_CATALOGUE_PROVIDERS = env_list(
    "SMARTREGION_CATALOGUE_PROVIDERS",
    [
        "smartregion.observatory.catalogue.catalogue_datasets",
        "smartregion.projects.opendata.catalogue_datasets",
        "smartregion.knowledge.opendata.catalogue_datasets",
    ],
)
# The sections other apps add to a commune's profile, in order: dotted paths to functions
# `(municipality, *, language) -> Panel | None` (see territory/panels.py).
SMARTREGION_PROFILE_PANELS = env_list(
    "SMARTREGION_PROFILE_PANELS",
    [
        "smartregion.diagnostic.panels.published_diagnostic",
        "smartregion.projects.panels.municipality_projects",
    ],
)
# What other apps show under each recommendation of a diagnostic's results: dotted paths to
# functions `(results view) -> {recommendation code: Panel}` (see diagnostic/recommendation_panels).
SMARTREGION_RECOMMENDATION_PANELS = env_list(
    "SMARTREGION_RECOMMENDATION_PANELS",
    [
        "smartregion.projects.panels.recommendation_peer_projects",
        "smartregion.knowledge.panels.recommendation_resources",
    ],
)
# The sections other apps add to a diagnostic's results page, in order: dotted paths to functions
# `(view, *, user) -> Panel | None` (see diagnostic/results_panels.py).
SMARTREGION_RESULTS_PANELS = env_list(
    "SMARTREGION_RESULTS_PANELS",
    [
        "smartregion.knowledge.panels.results_learning_path",
        "smartregion.knowledge.panels.results_method_progress",
    ],
)
# The sections other apps add to a commune's space ("My space"), in order: dotted paths to
# functions `(municipality, *, user) -> Panel | None` (see diagnostic/space_panels.py).
SMARTREGION_SPACE_PANELS = env_list(
    "SMARTREGION_SPACE_PANELS",
    [
        "smartregion.barometer.panels.commune_space",
        "smartregion.projects.panels.commune_space_projects",
        "smartregion.knowledge.panels.commune_space_method",
    ],
)
# What a person's data export holds (accounts/personal_data.py): dotted paths to functions
# `(user) -> list[Section]`, each app naming what it keeps about a person, in this order.
SMARTREGION_PERSONAL_DATA_PROVIDERS = env_list(
    "SMARTREGION_PERSONAL_DATA_PROVIDERS",
    [
        "smartregion.accounts.personal_data.account_sections",
        "smartregion.diagnostic.personal_data.diagnostic_sections",
        "smartregion.projects.personal_data.project_sections",
        "smartregion.barometer.personal_data.barometer_sections",
        "smartregion.observatory.personal_data.observatory_sections",
    ],
)
# The site's public address (core/addresses.py): links in emails sent outside a request and in
# files built in the background; unset, each request's own address ("make demo" sets it from
# HOST and PORT).
SMARTREGION_BASE_URL = env_str("SMARTREGION_BASE_URL", "")

PASSWORD_HASHERS = (
    ["django.contrib.auth.hashers.MD5PasswordHasher"]
    if TESTING
    else [
        "django.contrib.auth.hashers.PBKDF2PasswordHasher",
        "django.contrib.auth.hashers.ScryptPasswordHasher",
    ]
)
