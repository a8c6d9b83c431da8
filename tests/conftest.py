"""Shared fixtures. Tests run on SQLite by default and on PostgreSQL when DATABASE_URL is set."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import translation

REPO_ROOT = Path(__file__).resolve().parent.parent
# The shared third-party data lives beside the checkout, never inside it.
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"
SHIPPED_ORGANISATIONS = REPO_ROOT / "src" / "iocompendium" / "data" / "organisations.csv"


@pytest.fixture
def shared_data() -> Path:
    """The folder of real third-party data; tests that need it skip where it is absent."""
    if not SHARED_DATA.is_dir():
        pytest.skip(f"shared data folder not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(autouse=True)
def _isolated_files(settings, tmp_path):
    """Uploads, mail and generated files of a test go to its own temporary folder."""
    settings.MEDIA_ROOT = tmp_path / "uploads"
    settings.EMAIL_FILE_PATH = tmp_path / "mail"
    settings.GENERATED_DIR = tmp_path / "generated"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def _english_until_a_test_says_otherwise():
    """Each test starts in English: a French page requested by an earlier test leaves
    French active in the thread, and reverse() would then build /fr/ URLs (the suite
    runs in random order)."""
    translation.activate("en")
    yield
    translation.activate("en")


@pytest.fixture
def secretariat_user(django_user_model):
    return django_user_model.objects.create_user(
        "analyst", "analyst@example.org", "analyst-pass-2026", is_staff=True
    )


# --- Running the ``iocompendium`` command in a subprocess (foundation) ---

def iocompendium_command() -> list[str]:
    """The installed console script, or the module when it is not on disk."""
    script = Path(sys.executable).with_name("iocompendium")
    return [str(script)] if script.exists() else [sys.executable, "-m", "iocompendium.cli"]


# Left out of a subprocess's environment: the test run's own database and data folder, and
# DJANGO_ALLOW_ASYNC_UNSAFE (set for Playwright tests; "check --deploy" rightly flags it).
TEST_RUN_ONLY_VARIABLES = {"DATABASE_URL", "IOCOMPENDIUM_DATA_DIR", "IOCOMPENDIUM_ENV",
                           "DJANGO_ALLOW_ASYNC_UNSAFE"}


def subprocess_environment() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if k not in TEST_RUN_ONLY_VARIABLES}


def run_iocompendium(*args: str, env: dict | None = None, timeout: float = 300,
                     **kwargs) -> subprocess.CompletedProcess:
    """Run ``iocompendium ARGS`` with the embedded SQLite database (DATABASE_URL unset,
    so a PostgreSQL test run never touches a real database); output captured as text."""
    full_env = subprocess_environment()
    full_env.update(env or {})
    return subprocess.run(  # noqa: S603 - fixed command
        [*iocompendium_command(), *args], env=full_env, capture_output=True, text=True,
        timeout=timeout, check=False, **kwargs,
    )


@pytest.fixture(scope="session")
def migrated_data_dir(tmp_path_factory) -> Path:
    """A data folder migrated and loaded with the shipped organisations, made once per run
    by the real command (not the whole demo: later demo steps take minutes)."""
    folder = tmp_path_factory.mktemp("data")
    for args in (["migrate", "--verbosity", "0"],
                 ["organisations", "load", str(SHIPPED_ORGANISATIONS)]):
        done = run_iocompendium(*args, "--data-dir", str(folder))
        assert done.returncode == 0, done.stderr
    return folder
