"""Settings, read from the environment.

Environment variables:
- ``IOCOMPENDIUM_DATA_DIR``: the data folder (default ``./iocompendium-data``): the SQLite
  database, uploads, generated files and the secret key generated on first run.
- ``DATABASE_URL``: a PostgreSQL URL; without it the embedded SQLite database is used.
- ``IOCOMPENDIUM_ENV``: ``production`` turns on every deployment safeguard.
- ``IOCOMPENDIUM_ALLOWED_HOSTS``: comma-separated host names served.
- ``IOCOMPENDIUM_DEBUG``: ``1`` for Django's debug pages (never in production).
- ``EMAIL_URL``: where mail goes, like ``DATABASE_URL``: ``smtp://host:port``,
  ``smtp+tls://user:password@host:port``, ``file:///path`` or ``console://``; default: a
  file outbox, the ``mail`` folder of the data folder.
- ``IOCOMPENDIUM_DEFAULT_FROM_EMAIL``: the sender address of the platform's mail.
"""

from __future__ import annotations

import os
from pathlib import Path

from django.utils.translation import gettext_lazy as _

from iocompendium.datadir import data_dir, load_or_create_secret_key
from iocompendium.notifications.email_url import parse_email_url

BASE_DIR = Path(__file__).resolve().parent
DATA_DIR = data_dir()

PRODUCTION = os.environ.get("IOCOMPENDIUM_ENV", "").lower() == "production"
DEBUG = (not PRODUCTION) and os.environ.get("IOCOMPENDIUM_DEBUG", "") == "1"
SECRET_KEY = load_or_create_secret_key(DATA_DIR)

_hosts = [h.strip() for h in os.environ.get("IOCOMPENDIUM_ALLOWED_HOSTS", "").split(",")]
ALLOWED_HOSTS = [h for h in _hosts if h] or ["localhost", "127.0.0.1", "[::1]", "testserver"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_tasks",
    "django_tasks_db",
    "iocompendium.web",
    "iocompendium.registry",
    "iocompendium.questionnaires",
    "iocompendium.responses",
    "iocompendium.evidence",
    "iocompendium.instruments",
    "iocompendium.search",
    "iocompendium.compendium",
    "iocompendium.coding",
    "iocompendium.workspace",
    "iocompendium.notifications",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

ROOT_URLCONF = "iocompendium.urls"
WSGI_APPLICATION = "iocompendium.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "iocompendium.web.context_processors.site",
            ],
        },
    },
]


def _database() -> dict:
    url = os.environ.get("DATABASE_URL", "").strip()
    if url:
        import dj_database_url

        config = dj_database_url.parse(url, conn_max_age=60, conn_health_checks=True)
        config.setdefault("TEST", {})
        return config
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "db.sqlite3",
        "OPTIONS": {
            # WAL lets readers work while one writer writes; IMMEDIATE makes a writing
            # transaction take the lock up front, so concurrent autosaves queue instead
            # of failing with "database is locked" half-way through.
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
    }


DATABASES = {"default": _database()}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"
# Failed log-ins allowed per user name and per address within the window, before refusal.
LOGIN_THROTTLE_ATTEMPTS = 5
LOGIN_THROTTLE_WINDOW_SECONDS = 15 * 60

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
USE_I18N = True
USE_TZ = True
TIME_ZONE = "UTC"

STATIC_URL = "/static/"
STATIC_ROOT = DATA_DIR / "static"
STATIC_ROOT.mkdir(exist_ok=True)
MEDIA_ROOT = DATA_DIR / "uploads"
MEDIA_URL = "/uploads/"
GENERATED_DIR = DATA_DIR / "generated"
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
# Serve static files straight from the apps when collectstatic has not run (demo, tests).
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Upload limits: one spreadsheet or form file at most this size.
IOCOMPENDIUM_MAX_UPLOAD_BYTES = int(os.environ.get("IOCOMPENDIUM_MAX_UPLOAD_MB", "20")) * 2**20
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 2**20
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 2**20
DATA_UPLOAD_MAX_NUMBER_FIELDS = 20000

# Mail: one variable, EMAIL_URL (see iocompendium.notifications.email_url).
_mail = parse_email_url(os.environ.get("EMAIL_URL", ""), default_outbox=DATA_DIR / "mail")
EMAIL_BACKEND = _mail["EMAIL_BACKEND"]
EMAIL_FILE_PATH = _mail.get("EMAIL_FILE_PATH", str(DATA_DIR / "mail"))
EMAIL_HOST = _mail.get("EMAIL_HOST", "localhost")
EMAIL_PORT = _mail.get("EMAIL_PORT", 25)
EMAIL_HOST_USER = _mail.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = _mail.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = _mail.get("EMAIL_USE_TLS", False)
EMAIL_USE_SSL = _mail.get("EMAIL_USE_SSL", False)
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = os.environ.get("IOCOMPENDIUM_DEFAULT_FROM_EMAIL", "iocompendium@localhost")
# Base URL printed in invitation links made from the command line.
IOCOMPENDIUM_BASE_URL = os.environ.get("IOCOMPENDIUM_BASE_URL", "http://127.0.0.1:8000")

TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}

# The sentence-embedding model of search by meaning (a key of search.embedder.MODELS);
# changing it means re-embedding: 'iocompendium search reindex --embed-only'.
IOCOMPENDIUM_EMBEDDER = os.environ.get("IOCOMPENDIUM_EMBEDDER", "use-m3")

# Which search engine serves full-text search: "sqlite" (FTS5) or "postgres".
IOCOMPENDIUM_SEARCH_BACKEND = (
    "postgres" if DATABASES["default"]["ENGINE"].endswith("postgresql") else "sqlite"
)

SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False  # the autosave script reads the token from the cookie
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

if PRODUCTION:
    SECURE_SSL_REDIRECT = os.environ.get("IOCOMPENDIUM_SSL_REDIRECT", "1") == "1"
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = 31536000
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    if not [h for h in _hosts if h]:
        ALLOWED_HOSTS = ["localhost", "127.0.0.1"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
