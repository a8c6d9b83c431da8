"""``iocompendium publish -o DIR``: build the static compendium, its PDFs and its open data."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from iocompendium.compendium.publishing import STEPS_WITH_PDF, STEPS_WITHOUT_PDF, publish
from iocompendium.compendium.selectors import SURVEY_SLUG
from iocompendium.questionnaires.models import Questionnaire


class Command(BaseCommand):
    help = ("Publish the compendium as a static bilingual website (opens from disk), a PDF "
            "per language and a Frictionless data package.")

    def add_arguments(self, parser):
        parser.add_argument("-o", "--output", required=True, help="Folder to write into.")
        parser.add_argument("--questionnaire", default=None,
                            help="Slug of the survey whose figures are shown (default io-survey).")
        parser.add_argument("--no-pdf", action="store_true", help="Skip the PDFs.")
        parser.add_argument("--allow-empty", action="store_true",
                            help="Publish even with no approved response or nothing to "
                                 "publish.")
        parser.add_argument("--data-dir", help="Data folder (default ./iocompendium-data).")

    def handle(self, *args, **options):
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        output = Path(options["output"]).expanduser().resolve()
        if output.exists() and not output.is_dir():
            raise CommandError(f"{output} is a file, not a folder.")
        questionnaire = options["questionnaire"]
        if questionnaire and not Questionnaire.objects.filter(slug=questionnaire).exists():
            raise CommandError(f"No questionnaire '{questionnaire}'; check the slug "
                               "(iocompendium form import creates one).")
        with_pdf = not options["no_pdf"]
        total = STEPS_WITH_PDF if with_pdf else STEPS_WITHOUT_PDF
        with Progress(TextColumn("{task.description}"), BarColumn(), TimeElapsedColumn(),
                      transient=False, disable=options.get("verbosity", 1) == 0) as bar:
            task = bar.add_task("Publishing", total=total)

            def step(label: str) -> None:
                bar.update(task, advance=1, description=label)

            try:
                result = publish(output, questionnaire=questionnaire or SURVEY_SLUG,
                                 with_pdf=with_pdf, progress=step,
                                 allow_empty=options["allow_empty"])
            except (ValueError, OSError) as error:
                raise CommandError(str(error)) from error
            bar.update(task, completed=total, description="Done")
        self.stdout.write(
            f"Published {result.practices} practices: {result.pages} pages, "
            f"{len(result.pdfs)} PDFs, {len(result.data_files)} data files."
        )
        if result.coverage_line:
            self.stdout.write(result.coverage_line)
        self.stdout.write(f"Open {result.index}")
