"""``iocompendium coding export|import|agreement|suggest``: qualitative coding from the CLI.

Contract: ``coding export SLUG -o FILE.qdpx`` (``.qdc``: the codebook only),
``coding import SLUG FILE.qdpx``, ``coding agreement SLUG --json``. SLUG is a codebook's
slug, or a questionnaire's slug when it has one codebook.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from iocompendium.atomic import write_bytes_atomic
from iocompendium.coding import refi, selectors, services, suggestions, tabular


class Command(BaseCommand):
    help = "Qualitative coding: REFI-QDA export and import, agreement, suggestions."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="ACTION")
        export = actions.add_parser(
            "export", help="Write the coding as a REFI-QDA project (.qdpx) or codebook (.qdc).")
        export.add_argument("slug")
        export.add_argument("-o", "--output", required=True,
                            help="FILE.qdpx, FILE.qdc, FILE.csv or FILE.xlsx")
        imp = actions.add_parser(
            "import", help="Read the coding back from a .qdpx project, or add codes from a "
                           "REFI-QDA codebook (.qdc) or a spreadsheet (.csv/.xlsx).")
        imp.add_argument("slug")
        imp.add_argument("file")
        agree = actions.add_parser("agreement", help="Inter-coder agreement per code and overall.")
        agree.add_argument("slug")
        agree.add_argument("--json", action="store_true", help="Print one JSON object.")
        suggest = actions.add_parser("suggest", help="Suggest codes for uncoded answers.")
        suggest.add_argument("slug")

    def handle(self, *args, **options):
        try:
            codebook = selectors.codebook_for(options["slug"])
        except selectors.CodebookNotFound as error:
            raise CommandError(str(error)) from error
        getattr(self, f"do_{options['action']}")(codebook, options)

    def do_export(self, codebook, options) -> None:
        output = Path(options["output"])
        if not output.parent.is_dir():
            raise CommandError(f"the folder {output.parent} does not exist.")
        if output.suffix.lower() == ".qdc":
            write_bytes_atomic(output, refi.export_codebook(codebook))
            self.stdout.write(f"Wrote the codebook {codebook.slug} to {output}.")
            return
        if output.suffix.lower() in {".csv", ".xlsx"}:
            tabular.write_codebook(codebook, output)
            self.stdout.write(f"Wrote the codebook {codebook.slug} to {output}.")
            return
        if output.suffix.lower() != ".qdpx":
            raise CommandError("the output must end in .qdpx (project), .qdc (codebook) or "
                               ".csv/.xlsx (codebook as a spreadsheet).")
        services.flag_changed_answers(codebook)
        summary = refi.export_project(codebook, output)
        self.stdout.write(
            f"Wrote {output}: {summary.codes} codes, {summary.sources} sources, "
            f"{summary.segments} segments, {summary.coders} coders."
        )

    def do_import(self, codebook, options) -> None:
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"no file {path}.")
        suffix = path.suffix.lower()
        try:
            if suffix == ".qdc":
                summary = refi.import_codebook(codebook, path, user=None)
                self.stdout.write(f"Imported {path.name} into {codebook.slug}: "
                                  f"{summary.codes_created} codes created.")
                return
            if suffix in {".csv", ".xlsx"}:
                created, updated = tabular.import_codebook(codebook, path)
                self.stdout.write(f"Imported {path.name} into {codebook.slug}: {created} codes "
                                  f"created, {updated} updated.")
                return
            summary = refi.import_project(codebook, path, user=None)
        except services.CodingError as error:
            raise CommandError(str(error)) from error
        except refi.RefiError as error:
            raise CommandError(str(error)) from error
        for problem in summary.skipped:
            self.stderr.write(f"skipped: {problem}")
        self.stdout.write(f"Imported {path.name} into {codebook.slug}: {summary.line()}")

    def do_agreement(self, codebook, options) -> None:
        services.flag_changed_answers(codebook)
        result = selectors.agreement(codebook)
        if options["json"]:
            self.stdout.write(json.dumps(result.as_dict(), ensure_ascii=False))
            return
        self.stdout.write(f"{codebook.slug}: {len(result.coders)} coders")
        for name, values in [("overall", result.overall), *result.codes.items()]:
            self.stdout.write(f"  {name}: kappa {_fmt(values.kappa)}, alpha "
                              f"{_fmt(values.alpha)}, agreement {_fmt(values.percent)}")

    def do_suggest(self, codebook, options) -> None:
        made = suggestions.suggest(codebook)
        self.stdout.write(f"{made} new suggestions for {codebook.slug}.")


def _fmt(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.3f}"
