"""``iocompendium serve``: serve the data folder with gunicorn and whitenoise."""

from __future__ import annotations

import os
import sys

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandError


# Measured on 2 cores (docs/benchmarks.md, issue 4): a request is mostly Python under the
# GIL, so threads beyond 2 per process only queued behind each other, and a thread holding
# SQLite's write lock waited for the GIL while the others computed, stretching every
# other writer's wait (autosave p99 0.56-0.65 s at 4 workers x 2-4 threads, 0.07-0.15 s at
# 2 x 2, for the same throughput).
def default_workers() -> int:
    """One process per core, at least 2."""
    return max(2, os.cpu_count() or 1)


def default_threads() -> int:
    return 2


class Command(BaseCommand):
    help = "Serve an existing data folder with gunicorn (static files through whitenoise)."

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1", help="Address to serve on.")
        parser.add_argument("--port", type=int, default=8000, help="Port to serve on.")
        parser.add_argument("--workers", type=int, default=0,
                            help="Worker processes (default: 1 per core, at least 2).")
        parser.add_argument("--threads", type=int, default=0,
                            help=f"Threads per worker (default: {default_threads()}).")
        parser.add_argument("--data-dir", help="Data folder (default ./iocompendium-data).")
        parser.add_argument(
            "--no-task-worker", action="store_true",
            help="Do not run the background-task worker (run 'iocompendium db_worker' apart).",
        )

    def handle(self, *args, **options):
        from django.db import connection
        from django.db.migrations.executor import MigrationExecutor

        executor = MigrationExecutor(connection)
        if executor.migration_plan(executor.loader.graph.leaf_nodes()):
            raise CommandError(
                "the database is not up to date: run 'iocompendium migrate' "
                "(or 'iocompendium demo --no-serve') first."
            )
        call_command("collectstatic", interactive=False, verbosity=0)
        workers = options["workers"] or default_workers()
        threads = options["threads"] or default_threads()
        os.environ["IOCOMPENDIUM_DATA_DIR"] = str(settings.DATA_DIR)
        os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iocompendium.settings")
        os.environ["IOCOMPENDIUM_TASK_WORKER"] = "0" if options["no_task_worker"] else "1"
        argv = [
            sys.executable, "-m", "gunicorn", "iocompendium.wsgi:application",
            "--bind", f"{options['host']}:{options['port']}",
            "--workers", str(workers), "--threads", str(threads),
            "--config", "python:iocompendium.web.gunicorn_hooks",
            "--access-logfile", "-", "--graceful-timeout", "5", "--timeout", "120",
        ]
        self.stdout.write(f"Serving {settings.DATA_DIR} on http://{options['host']}:{options['port']}/")
        self.stdout.flush()
        # gunicorn replaces this process, so signals (Ctrl+C, SIGTERM) reach it directly.
        os.execv(sys.executable, argv)  # noqa: S606 - fixed argv, no shell
