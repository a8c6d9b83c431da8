"""Shared fixtures. Tests run on SQLite by default and on PostgreSQL when DATABASE_URL is set."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO_ROOT = Path(__file__).resolve().parent.parent
# The shared third-party data lives beside the checkout, never inside it.
SHARED_DATA = REPO_ROOT.parent / "shared" / "data"


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


@pytest.fixture
def secretariat_user(django_user_model):
    return django_user_model.objects.create_user(
        "analyst", "analyst@example.org", "analyst-pass-2026", is_staff=True
    )
