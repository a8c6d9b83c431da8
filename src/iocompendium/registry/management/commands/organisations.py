"""``iocompendium organisations load FILE`` and ``iocompendium organisations export -o FILE``."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from iocompendium.registry import services
from iocompendium.registry.tabular import TableError


class Command(BaseCommand):
    help = "Load the organisations registry from a CSV/XLSX file, or export it to one."

    def add_arguments(self, parser):
        actions = parser.add_subparsers(dest="action", required=True, metavar="{load,export}")
        load = actions.add_parser(
            "load", help="Upsert organisations by acronym from a .csv or .xlsx file."
        )
        load.add_argument("file", help="The organisations file (.csv or .xlsx).")
        export = actions.add_parser("export", help="Write every organisation to a file.")
        export.add_argument("-o", "--output", required=True,
                            help="The file to write (.csv or .xlsx, by extension).")

    def handle(self, *args, **options):
        if options["action"] == "load":
            self._load(Path(options["file"]))
        else:
            self._export(Path(options["output"]))

    def _load(self, path: Path) -> None:
        try:
            counts = services.load_organisations(path)
        except services.OrganisationFileError as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"{path.name}: {counts.created} created, {counts.updated} updated, "
            f"{counts.unchanged} unchanged."
        )

    def _export(self, path: Path) -> None:
        if path.suffix.lower() not in {".csv", ".xlsx"}:
            raise CommandError(f"{path.name}: the output file must end in .csv or .xlsx.")
        if not path.parent.is_dir():
            raise CommandError(f"the folder {path.parent} does not exist.")
        try:
            count = services.export_organisations(path)
        except (OSError, TableError) as error:
            raise CommandError(f"cannot write {path}: {error}.") from None
        self.stdout.write(f"{count} organisations written to {path}.")
