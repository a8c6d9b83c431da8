"""The data folder: where the SQLite database, uploads, generated files and the key live."""

from __future__ import annotations

import os
import secrets
import tempfile
from pathlib import Path

DEFAULT_DATA_DIR = "iocompendium-data"


class DataDirError(Exception):
    """The data folder cannot be used; the message says what to do."""


def data_dir() -> Path:
    """Return the data folder, creating it if needed, or raise DataDirError."""
    path = Path(os.environ.get("IOCOMPENDIUM_DATA_DIR") or DEFAULT_DATA_DIR).expanduser().resolve()
    if path.exists() and not path.is_dir():
        raise DataDirError(
            f"The data folder {path} is a file, not a folder: "
            "set IOCOMPENDIUM_DATA_DIR (or --data-dir) to a folder."
        )
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DataDirError(
            f"The data folder {path} cannot be created ({error.strerror}): "
            "set IOCOMPENDIUM_DATA_DIR (or --data-dir) to a folder you can write to."
        ) from None
    if not _can_write_in(path):
        raise DataDirError(
            f"The data folder {path} is not writable: "
            "set IOCOMPENDIUM_DATA_DIR (or --data-dir) to a folder you can write to."
        )
    return path


def _can_write_in(folder: Path) -> bool:
    """Try to create a file: permission bits alone say nothing for root or read-only mounts."""
    try:
        with tempfile.TemporaryFile(dir=folder):
            return True
    except OSError:
        return False


def load_or_create_secret_key(folder: Path) -> str:
    """Read the secret key kept in the data folder, generating it on first run."""
    env_key = os.environ.get("IOCOMPENDIUM_SECRET_KEY")
    if env_key:
        return env_key
    key_file = folder / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key = secrets.token_urlsafe(64)
    # Written to a temporary file then renamed, so two processes starting at once agree.
    tmp = folder / f".secret_key.{os.getpid()}"
    tmp.write_text(key)
    os.chmod(tmp, 0o600)
    try:
        os.link(tmp, key_file)
    except FileExistsError:
        key = key_file.read_text().strip()
    finally:
        tmp.unlink(missing_ok=True)
    return key
