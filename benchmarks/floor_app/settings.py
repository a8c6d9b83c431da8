"""Settings of the floor app: nothing but one model, one view and the database."""

import os
from pathlib import Path

SECRET_KEY = "floor-benchmark-only"  # noqa: S105 - a local benchmark, never deployed
DEBUG = False
ALLOWED_HOSTS = ["*"]
INSTALLED_APPS = ["floor_app"]
MIDDLEWARE: list[str] = []
ROOT_URLCONF = "floor_app.urls"
USE_TZ = True
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

_url = os.environ.get("FLOOR_DATABASE_URL", "")
if _url:
    import dj_database_url

    DATABASES = {"default": dj_database_url.parse(_url, conn_max_age=60,
                                                  conn_health_checks=True)}
else:
    # The same SQLite set-up as iocompendium's settings.
    DATABASES = {"default": {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": Path(os.environ.get("FLOOR_SQLITE_PATH", "floor.sqlite3")),
        "OPTIONS": {
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout=20000;"
            ),
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
    }}
