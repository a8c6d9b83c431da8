"""``iocompendium report``: the results report of a questionnaire as HTML, PDF, XLSX or JSON."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from iocompendium.analysis.coverage import summary_line
from iocompendium.atomic import write_bytes_atomic
from iocompendium.evidence import reporting
from iocompendium.evidence.selectors import DEFAULT_SLUG, STATUS_SETS, EvidenceError
from iocompendium.evidence.services import LANGUAGES, build_report, coverage_rows


class Command(BaseCommand):
    help = "Write the results report (key results per theme, tables, charts, quotes)."

    def add_arguments(self, parser):
        parser.add_argument("--questionnaire", default=DEFAULT_SLUG,
                            help=f"Questionnaire slug (default {DEFAULT_SLUG}).")
        parser.add_argument("--lang", default="en", choices=LANGUAGES,
                            help="Language of the report (default en).")
        parser.add_argument("--format", dest="fmt", choices=reporting.FORMATS,
                            help="html, pdf, xlsx or json (default: from -o's extension, "
                                 "else html).")
        parser.add_argument("--status", default="approved", choices=list(STATUS_SETS),
                            help="approved (default) or submitted (submitted, in review "
                                 "and approved).")
        parser.add_argument("-o", "--output", required=True, help="File to write.")
        parser.add_argument(
            "--by", default="", metavar="BREAKDOWN",
            help="What cross-tabs break down by: category (organisations), region or oecd "
                 "(jurisdictions), or question:PATH of any select_one question of the form "
                 "(default: the unit's own attribute).")
        parser.add_argument("--allow-empty", action="store_true",
                            help="Write the report even when no response is in the set.")
        parser.add_argument("--data-dir", help="Data folder (default ./iocompendium-data).")

    def handle(self, *args, **options):
        output = Path(options["output"])
        fmt = options["fmt"] or _format_from_extension(output)
        if not output.parent.is_dir():
            raise CommandError(f"The folder {output.parent} does not exist.")
        try:
            name, data = self._build(options, fmt)
        except EvidenceError as error:
            raise CommandError(str(error)) from error
        write_bytes_atomic(output, data)
        self.stdout.write(f"Wrote {output} ({fmt}, {len(data):,} bytes).")
        self.stdout.write(summary_line(coverage_rows(options["questionnaire"])))

    def _build(self, options, fmt: str) -> tuple[str, bytes]:
        from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn

        with Progress(
            TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
            transient=True, disable=not self.stdout.isatty(),
        ) as progress:
            task = progress.add_task("Tables and charts", total=None)

            def step(done: int, total: int, _label: str) -> None:
                progress.update(task, completed=done, total=total)

            return build_report(
                options["questionnaire"], lang=options["lang"], fmt=fmt,
                status_key=options["status"], progress=step,
                allow_empty=options["allow_empty"], breakdown=options["by"],
            )


def _format_from_extension(path: Path) -> str:
    """The format the file's extension names; an extension the report does not write is
    refused rather than silently written as HTML."""
    extension = path.suffix.lower().lstrip(".")
    if extension == "htm":
        return "html"
    if extension not in reporting.FORMATS:
        raise CommandError(
            f"{path.name}: the report is written as "
            f"{', '.join('.' + f for f in reporting.FORMATS)}; name the file with one of "
            "these extensions."
        )
    return extension
