"""Settings from the environment: data folder, secret key, database URL, production mode."""

from __future__ import annotations

import sqlite3
import stat

from iocompendium import datadir
from tests.conftest import run_iocompendium


def test_data_folder_defaults_to_iocompendium_data_in_the_current_folder(tmp_path, monkeypatch):
    monkeypatch.delenv("IOCOMPENDIUM_DATA_DIR", raising=False)
    monkeypatch.chdir(tmp_path)
    assert datadir.data_dir() == tmp_path / "iocompendium-data"
    assert (tmp_path / "iocompendium-data").is_dir()


def test_data_folder_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("IOCOMPENDIUM_DATA_DIR", str(tmp_path / "elsewhere"))
    assert datadir.data_dir() == tmp_path / "elsewhere"


def test_secret_key_is_generated_once_and_kept_private(tmp_path, monkeypatch):
    monkeypatch.delenv("IOCOMPENDIUM_SECRET_KEY", raising=False)
    first = datadir.load_or_create_secret_key(tmp_path)
    assert len(first) >= 50
    assert datadir.load_or_create_secret_key(tmp_path) == first
    mode = stat.S_IMODE((tmp_path / "secret_key").stat().st_mode)
    assert mode & 0o077 == 0


def test_database_url_selects_postgresql(monkeypatch):
    from iocompendium import settings

    monkeypatch.setenv("DATABASE_URL", "postgres://someone@db.example.org:5433/name")
    config = settings._database()
    assert config["ENGINE"] == "django.db.backends.postgresql"
    assert (config["HOST"], config["PORT"], config["NAME"]) == ("db.example.org", 5433, "name")
    monkeypatch.delenv("DATABASE_URL")
    assert settings._database()["ENGINE"] == "django.db.backends.sqlite3"


def test_sqlite_database_is_in_wal_mode(migrated_data_dir):
    with sqlite3.connect(migrated_data_dir / "db.sqlite3") as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_production_mode_check_deploy_reports_nothing(tmp_path):
    done = run_iocompendium(
        "check", "--deploy", "--fail-level", "DEBUG", "--data-dir", str(tmp_path),
        env={"IOCOMPENDIUM_ENV": "production", "IOCOMPENDIUM_ALLOWED_HOSTS": "io.example.org",
             "EMAIL_URL": "smtp://mail.example.org:25"},
    )
    assert done.returncode == 0, done.stderr
    assert "System check identified no issues (0 silenced)." in done.stdout
    assert "WARNINGS" not in done.stderr + done.stdout


def test_development_mode_check_deploy_does_report(tmp_path):
    """The production test above can fail: outside production the same check complains."""
    done = run_iocompendium("check", "--deploy", "--data-dir", str(tmp_path))
    assert "security.W" in done.stderr + done.stdout


def test_production_settings(tmp_path):
    done = run_iocompendium(
        "shell", "--no-imports", "-c",
        "from django.conf import settings as s; print(s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE, s.DEBUG, s.SECURE_HSTS_SECONDS > 0, s.ALLOWED_HOSTS)",
        "--data-dir", str(tmp_path),
        env={"IOCOMPENDIUM_ENV": "production", "IOCOMPENDIUM_DEBUG": "1",
             "IOCOMPENDIUM_ALLOWED_HOSTS": "a.example.org, b.example.org"},
    )
    assert done.stdout.split() == [
        "True", "True", "False", "True", "['a.example.org',", "'b.example.org']"
    ]


def test_check_deploy_warns_when_production_sends_mail_to_files(tmp_path):
    """Issue 13: the file outbox is for development; in production the links of
    invitations and password resets would sit in files."""
    done = run_iocompendium(
        "check", "--deploy", "--data-dir", str(tmp_path),
        env={"IOCOMPENDIUM_ENV": "production", "IOCOMPENDIUM_ALLOWED_HOSTS": "io.example.org",
             "EMAIL_URL": ""},
    )
    assert "iocompendium.W001" in done.stderr + done.stdout
