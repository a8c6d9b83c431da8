"""``iocompendium demo``: a running platform with demo data, from an empty data folder.

Each app adds its own step in ``<app>/demo.py`` (a ``run(context)`` function), listed in
``DEMO_STEPS``; running the demo twice on one data folder gives the same state.
"""

from __future__ import annotations

import importlib
import os
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.management.base import BaseCommand

DEMO_STEPS = [
    "iocompendium.registry.demo",
    "iocompendium.questionnaires.demo",
    "iocompendium.responses.demo.invitations",
    "iocompendium.notifications.demo",  # before any step that tells the focal point
    "iocompendium.responses.demo.data",
    "iocompendium.coding.demo",
    "iocompendium.indicators.demo",
    "iocompendium.evidence.demo",
    "iocompendium.instruments.demo",
    "iocompendium.compendium.demo",
    "iocompendium.workspace.demo",
    "iocompendium.search.demo",
]


@dataclass
class DemoContext:
    """What a demo step gets: where to write, the command's options, and lines to print."""

    data_dir: Path
    options: dict[str, Any]
    lines: list[str] = field(default_factory=list)
    write: Any = print


class Command(BaseCommand):
    help = "Set up a demo platform (migrate, reference data, demo accounts) and serve it."

    def add_arguments(self, parser):
        parser.add_argument("--no-serve", action="store_true", help="Set up, then stop.")
        parser.add_argument("--host", default="127.0.0.1", help="Address to serve on.")
        parser.add_argument("--port", type=int, default=8000, help="Port to serve on.")
        parser.add_argument("--data-dir", help="Data folder (default ./iocompendium-data).")
        parser.add_argument("--instruments", help="Optional: an instruments file to import.")
        parser.add_argument("--mapping", help="Column mapping for --instruments.")
        parser.add_argument(
            "--with-pdf", action="store_true",
            help="Also build the PDFs (results report and compendium, French report too); "
                 "slower, so off by default.",
        )

    def handle(self, *args, **options):
        started = time.monotonic()
        self.stdout.write(f"Data folder: {settings.DATA_DIR}")
        call_command("migrate", interactive=False, verbosity=0)
        if options["verbosity"] >= 2:
            self.stdout.write(f"  migrate: {time.monotonic() - started:.1f} s")
        context = DemoContext(
            data_dir=Path(settings.DATA_DIR), options=options, write=self.stdout.write
        )
        for module_name in DEMO_STEPS:
            try:
                module = importlib.import_module(module_name)
            except ModuleNotFoundError as error:
                if error.name == module_name:
                    continue  # this app has no demo step yet
                raise
            step_started = time.monotonic()
            module.run(context)
            if options["verbosity"] >= 2:
                self.stdout.write(
                    f"  step {module_name}: {time.monotonic() - step_started:.1f} s"
                )
        for line in context.lines:
            self.stdout.write(line)
        self.stdout.write(f"Demo ready in {time.monotonic() - started:.1f} s.")
        if options["no_serve"]:
            return
        self.stdout.write(
            f"Open http://{options['host']}:{options['port']}/en/ (Ctrl+C stops the server)."
        )
        os.environ["IOCOMPENDIUM_DATA_DIR"] = str(settings.DATA_DIR)
        call_command("serve", host=options["host"], port=options["port"])
