"""gunicorn hooks of ``iocompendium serve``: the background-task worker runs beside the site.

Report files asked for on the web (``evidence`` ReportJob) are django-tasks jobs in the
database; without a worker they would wait forever. gunicorn starts one ``db_worker``
when it is ready and stops it when it exits; the worker dies with gunicorn even if
gunicorn is killed (Linux parent-death signal), so no orphan keeps the data folder busy.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
from typing import Any

_worker: subprocess.Popen | None = None
PR_SET_PDEATHSIG = 1


def _die_with_parent() -> None:
    # Not on Linux: no prctl, and the worker is stopped by on_exit only.
    with contextlib.suppress(OSError):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def when_ready(server: Any) -> None:
    global _worker
    if os.environ.get("IOCOMPENDIUM_TASK_WORKER", "1") != "1":
        return
    _worker = subprocess.Popen(  # noqa: S603 - fixed argv, no shell
        [sys.executable, "-m", "iocompendium.cli", "db_worker", "--interval", "1",
         "--no-reload", "--verbosity", "0"],
        preexec_fn=_die_with_parent,  # noqa: PLW1509 - only a prctl call, before exec
    )
    server.log.info("Background-task worker started (pid %s)", _worker.pid)


def on_exit(server: Any) -> None:
    if _worker is None or _worker.poll() is not None:
        return
    _worker.terminate()
    try:
        _worker.wait(timeout=10)
    except subprocess.TimeoutExpired:
        _worker.kill()
