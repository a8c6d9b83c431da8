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
- ``IOCOMPENDIUM_TRUSTED_PROXIES``: comma-separated addresses or networks of the reverse
  proxies in front of the site; only a request from one of them has its client address
  read from ``IOCOMPENDIUM_PROXY_CLIENT_HEADER`` (default ``X-Forwarded-For``).
"""

from __future__ import annotations

import os
from datetime import timedelta
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
    "axes",
    "iocompendium.web",
    "iocompendium.registry",
    "iocompendium.questionnaires",
    "iocompendium.responses",
    "iocompendium.evidence",
    "iocompendium.instruments",
    "iocompendium.search",
    "iocompendium.compendium",
    "iocompendium.coding",
    "iocompendium.indicators",
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
    # Last: turns a throttled attempt into the "wait N seconds" page (web/throttle.py).
    "axes.middleware.AxesMiddleware",
    "csp.middleware.CSPMiddleware",
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
# A password-reset link works once (Django's token changes with the password) and for an hour.
PASSWORD_RESET_TIMEOUT = 60 * 60
LOGIN_URL = "web:login"
LOGIN_REDIRECT_URL = "web:home"
LOGOUT_REDIRECT_URL = "web:home"

# Log-in throttling: django-axes, with progressive delays instead of a lock-out
# (iocompendium/web/throttle.py; docs/decisions/0013-throttling.md). Every password check
# goes through authenticate(request, ...), so through AxesBackend first.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_HANDLER = "iocompendium.web.throttle.ProgressiveDelayHandler"
AXES_FAILURE_LIMIT = 5  # failures (per user name, and per address) before delays start
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_COOLOFF_TIME = timedelta(minutes=15)  # failures are forgotten this long after the last
AXES_RESET_ON_SUCCESS = True
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False  # a refused attempt is not counted
AXES_LOCKOUT_CALLABLE = "iocompendium.web.throttle.wait_response"
AXES_CLIENT_IP_CALLABLE = "iocompendium.web.throttle.client_ip"
AXES_USERNAME_FORM_FIELD = "username"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_ACCESS_FAILURE_LOG_PER_USER_LIMIT = 100
AXES_VERBOSE = False
# The longest wait after repeated failures: the owner's right password works this many
# seconds after the last failure at the latest.
IOCOMPENDIUM_THROTTLE_MAX_DELAY_SECONDS = 8
# Reverse proxies whose client-address header is believed (addresses or networks,
# comma-separated, e.g. "127.0.0.1,10.0.0.0/8"); empty: REMOTE_ADDR is the client.
IOCOMPENDIUM_TRUSTED_PROXIES = [
    entry.strip() for entry in os.environ.get("IOCOMPENDIUM_TRUSTED_PROXIES", "").split(",")
    if entry.strip()
]
IOCOMPENDIUM_PROXY_CLIENT_HEADER = os.environ.get(
    "IOCOMPENDIUM_PROXY_CLIENT_HEADER", "X-Forwarded-For")

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

# Content-Security-Policy (django-csp): no page has an inline script or style, so nothing
# needs 'unsafe-inline'. Enforced in production; reported only (never blocking) otherwise.
_CSP = {"DIRECTIVES": {
    "default-src": ["'self'"], "script-src": ["'self'"], "style-src": ["'self'"],
    "img-src": ["'self'", "data:"], "font-src": ["'self'"], "object-src": ["'none'"],
    "base-uri": ["'self'"], "form-action": ["'self'"], "frame-ancestors": ["'none'"],
}}
if PRODUCTION:
    CONTENT_SECURITY_POLICY = _CSP
else:
    CONTENT_SECURITY_POLICY_REPORT_ONLY = _CSP

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}
