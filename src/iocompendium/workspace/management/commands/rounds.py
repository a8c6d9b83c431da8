"""``iocompendium rounds list [--json]``: the survey rounds."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand

from iocompendium.workspace.selectors import round_rows


class Command(BaseCommand):
    help = "Survey rounds: 'list' prints every round (--json: questionnaire, round, opens, " \
           "closes, deadline)."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["list"])
        parser.add_argument("--json", action="store_true", help="Print JSON.")

    def handle(self, *args, **options):
        rows = round_rows()
        if options["json"]:
            self.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2))
            return
        for row in rows:
            self.stdout.write(f"{row['questionnaire']}\t{row['round']}\t{row['opens'][:10]} -> "
                              f"{row['closes'][:10]}\tdeadline {row['deadline'][:10]}")
        if not rows:
            self.stdout.write("No rounds yet.")
