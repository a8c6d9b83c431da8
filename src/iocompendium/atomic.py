"""Every generated output is built aside and swapped in: a failure or a kill at any moment
leaves the previous output whole.

* ``write_bytes_atomic`` / ``write_text_atomic``: one file, written to a temporary file in
  the same folder, flushed to disk, then renamed over the target (``os.replace`` is atomic
  on POSIX and Windows).
* ``replaced_folder(target)``: a context manager that yields an empty folder beside
  ``target`` (same file system, so renames work); when the block ends without error the
  folder takes the target's place, else it is deleted and the target is untouched. On
  Linux the two folders are exchanged with one ``renameat2(RENAME_EXCHANGE)`` call; where
  that is not available the previous folder is first renamed aside, and a kill between the
  two renames is repaired by the next run (the previous folder is moved back).

Pure Python (no Django), pure standard library.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import fcntl
import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path

_BUILDING = "building"
_PREVIOUS = "previous"
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def write_bytes_atomic(path: str | Path, data: bytes) -> Path:
    """Write ``data`` to ``path``: readers see the old file or the new one, never half."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "wb") as stream:
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
        os.replace(temporary, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(temporary)
        raise
    return path


def write_text_atomic(path: str | Path, text: str, encoding: str = "utf-8") -> Path:
    return write_bytes_atomic(path, text.encode(encoding))


def _aside(target: Path, kind: str) -> str:
    return f".{target.name}.{kind}-"


def _leftovers(target: Path, kind: str) -> list[Path]:
    prefix = _aside(target, kind)
    if not target.parent.is_dir():
        return []
    return sorted(p for p in target.parent.iterdir() if p.name.startswith(prefix))


def _repair(target: Path) -> None:
    """Undo what a killed run left: its half-built folder, and a previous folder renamed
    aside when the run died between the two renames of the fallback swap."""
    for folder in _leftovers(target, _BUILDING):
        shutil.rmtree(folder, ignore_errors=True)
    previous = _leftovers(target, _PREVIOUS)
    if previous and not target.exists():
        os.rename(previous[-1], target)
        previous = previous[:-1]
    for folder in previous:
        shutil.rmtree(folder, ignore_errors=True)


def _exchange(first: Path, second: Path) -> bool:
    """Swap two paths in one system call (Linux); False where that is not supported."""
    name = ctypes.util.find_library("c")
    if name is None:
        return False
    libc = ctypes.CDLL(name, use_errno=True)
    renameat2 = getattr(libc, "renameat2", None)
    if renameat2 is None:
        return False
    done = renameat2(_AT_FDCWD, os.fsencode(first), _AT_FDCWD, os.fsencode(second),
                     _RENAME_EXCHANGE)
    return done == 0


def _swap_in(build: Path, target: Path) -> None:
    if not target.exists():
        os.rename(build, target)
        return
    if _exchange(build, target):
        shutil.rmtree(build, ignore_errors=True)  # ``build`` now holds the previous output
        return
    previous = Path(tempfile.mkdtemp(dir=target.parent, prefix=_aside(target, _PREVIOUS)))
    os.rmdir(previous)
    os.rename(target, previous)
    os.rename(build, target)
    shutil.rmtree(previous, ignore_errors=True)


@contextlib.contextmanager
def _locked(target: Path) -> Iterator[None]:
    """One builder of a target at a time (a second waits), so that the repair of leftovers
    never deletes another run's folder being built."""
    lock = target.parent / f".{target.name}.lock"
    with open(lock, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


@contextlib.contextmanager
def replaced_folder(target: str | Path) -> Iterator[Path]:
    """Yield an empty folder to build into; it replaces ``target`` if the block succeeds."""
    target = Path(target).absolute()
    target.parent.mkdir(parents=True, exist_ok=True)
    with _locked(target):
        _repair(target)
        build = Path(tempfile.mkdtemp(dir=target.parent, prefix=_aside(target, _BUILDING)))
        try:
            yield build
        except BaseException:
            shutil.rmtree(build, ignore_errors=True)
            raise
        # mkdtemp makes the folder private; a published site is read by a web server.
        os.chmod(build, 0o755)  # noqa: S103 - world-readable on purpose, not writable
        _swap_in(build, target)
