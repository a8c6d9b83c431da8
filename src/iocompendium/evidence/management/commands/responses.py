"""``iocompendium responses import|export``: responses to and from spreadsheets.

iocompendium responses import SLUG FILE [--key COLUMN] [--respondent-column COLUMN]
    [--policy strict|flag] [--recode RECODES.csv] [--status draft|submitted|approved]
    [--organisation ACRONYM] [--create-organisations] [--dry-run] [--json]
iocompendium responses export SLUG --format long-csv|wide-csv|wide-xlsx|json|dictionary
    -o FILE [--status approved|submitted|all]
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError, CommandParser

from iocompendium.atomic import write_bytes_atomic
from iocompendium.evidence.exports import FORMATS, STATUS_SETS, ExportError, build_export
from iocompendium.responses.importing import IMPORT_STATUSES, ImportFailed, import_responses
from iocompendium.responses.tabular import TabularFileError
from iocompendium.responses.tabular.recodes import read_recodes


class Command(BaseCommand):
    help = "Import responses from a wide spreadsheet, or export them."

    def add_arguments(self, parser: CommandParser) -> None:
        # --data-dir is read by the iocompendium launcher; accepted here so it may come last.
        parser.add_argument("--data-dir", help="Data folder (default ./iocompendium-data).")
        actions = parser.add_subparsers(dest="action", required=True)
        importer = actions.add_parser(
            "import", help="Import a wide .xlsx, .csv or .zip of CSVs (all or nothing)."
        )
        importer.add_argument("slug", help="Questionnaire slug, e.g. io-survey.")
        importer.add_argument("file", help="The spreadsheet to import.")
        importer.add_argument("--data-dir", help=argparse.SUPPRESS)
        importer.add_argument(
            "--status",
            choices=[str(s) for s in IMPORT_STATUSES],
            help="Status of the imported responses (default: the file's _response_status column, "
            "else approved).",
        )
        importer.add_argument(
            "--key",
            help="Column identifying each row: a submission's key (default for unit "
            "submission: _uuid, meta/instanceID or KEY); for organisations, the acronym "
            "column unless --respondent-column names it.",
        )
        importer.add_argument(
            "--respondent-column",
            help="Column naming each row's organisation (acronym) or jurisdiction (ISO code "
            "or name); with --key too, the key tells several responses of one apart.",
        )
        importer.add_argument(
            "--policy",
            choices=["strict", "flag"],
            default="strict",
            help="strict (default): any problem refuses the file; flag: keep problem values "
            "as given, marked not_in_list, missing_required, constraint or type.",
        )
        importer.add_argument(
            "--recode",
            metavar="RECODES.csv",
            help="A table with the header question,from,to: file values mapped to the "
            "form's before checking (kept with the import).",
        )
        importer.add_argument(
            "--json", action="store_true",
            help="Print one JSON object: rows, values_in_file, stored, skipped, flagged...",
        )
        importer.add_argument(
            "--organisation",
            help="File every row under this organisation, one response per --key value "
            "(a placeholder organisation is created if missing).",
        )
        importer.add_argument(
            "--create-organisations",
            action="store_true",
            help="Create the organisations missing from the registry instead of refusing "
            "their rows.",
        )
        importer.add_argument(
            "--dry-run",
            action="store_true",
            help="Check the file and say what would change; write nothing.",
        )
        approver = actions.add_parser(
            "approve", help="Approve in one action the responses of an import (audited each)."
        )
        approver.add_argument("slug", help="Questionnaire slug.")
        approver.add_argument("--data-dir", help=argparse.SUPPRESS)
        which = approver.add_mutually_exclusive_group(required=True)
        which.add_argument("--import-run", type=int, help="The import's number (see --json).")
        which.add_argument(
            "--all", action="store_true", help="Every draft, submitted or in-review response."
        )
        exporter = actions.add_parser("export", help="Export the responses of a questionnaire.")
        exporter.add_argument("slug", help="Questionnaire slug, e.g. io-survey.")
        exporter.add_argument("--data-dir", help=argparse.SUPPRESS)
        exporter.add_argument("--format", dest="fmt", required=True, choices=FORMATS)
        exporter.add_argument("-o", "--output", required=True, help="File to write.")
        exporter.add_argument(
            "--status",
            default="approved",
            choices=sorted(STATUS_SETS),
            help="approved (default), submitted (submitted, in review and approved) or all.",
        )

    def handle(self, *args, **options) -> None:
        if options["action"] == "import":
            self._import(options)
        elif options["action"] == "approve":
            self._approve(options)
        else:
            self._export(options)

    def _approve(self, options) -> None:
        from iocompendium.responses.approval import approve_responses
        from iocompendium.responses.models import Response

        responses = Response.objects.filter(version__questionnaire__slug=options["slug"])
        if options["import_run"] is not None:
            responses = responses.filter(import_run_id=options["import_run"])
            if not responses.exists():
                raise CommandError(
                    f"No response of '{options['slug']}' comes from import {options['import_run']}."
                )
        moved = approve_responses(responses, user=None)
        self.stdout.write(f"Approved {moved} response(s).")

    def _import(self, options) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"No file {path}.")
        if options["organisation"] and not options["key"]:
            raise CommandError("--organisation needs --key COLUMN naming each respondent.")
        recodes = None
        if options["recode"]:
            try:
                recodes = read_recodes(options["recode"])
            except TabularFileError as error:
                raise CommandError(str(error)) from None
        try:
            report = import_responses(
                options["slug"],
                path,
                status=options["status"],
                key=options["key"],
                respondent_column=options["respondent_column"],
                organisation=options["organisation"],
                create_organisations=options["create_organisations"],
                policy=options["policy"],
                recodes=recodes,
                dry_run=options["dry_run"],
            )
        except ImportFailed as error:
            raise CommandError(str(error)) from error
        if options["json"]:
            self.stdout.write(json.dumps(report.as_json(), ensure_ascii=False))
            if report.errors:
                raise CommandError(report.summary())
            return
        for problem in report.problems:
            self.stdout.write(str(problem))
        for note in report.notes:
            self.stdout.write(note)
        if report.dry_run and report.organisations_created:
            self.stdout.write(
                f"Organisations to create: {', '.join(report.organisations_created)}."
            )
        if report.errors:
            raise CommandError(
                f"{report.summary()} ({len(report.warnings)} warning(s); see the lines above)."
            )
        self.stdout.write(report.summary())
        self.stdout.write(report.counts_line())

    def _export(self, options) -> None:
        try:
            filename, content = build_export(
                options["fmt"], options["slug"], STATUS_SETS[options["status"]]
            )
        except ExportError as error:
            raise CommandError(str(error)) from error
        output = Path(options["output"])
        try:
            write_bytes_atomic(output, content)
        except OSError as error:
            raise CommandError(f"Cannot write {output}: {error.strerror}.") from error
        self.stdout.write(f"Wrote {output} ({len(content):,} bytes; suggested name {filename}).")
