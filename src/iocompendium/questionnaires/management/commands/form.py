"""``iocompendium form import|export|evaluate``: XLSForms in and out, and the engine's verdict.

iocompendium form import FORM.xlsx [--slug S] [--unit organisation|jurisdiction|submission]
                         [--attachment FILE.csv ...] [--publish] [--json]
iocompendium form export SLUG [--version N] -o FILE.xlsx
iocompendium form evaluate FORM.xlsx --answers ANSWERS.json [--lang en|fr] [--attachment FILE]

``evaluate`` is a contract other tools rely on: it prints ONE JSON object mapping every
question path to ``{"relevant", "required", "value", "error"}``; exit 0 when evaluated,
exit 2 with one sentence on stderr when the form or the answers file is invalid.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from iocompendium.questionnaires import engine, selectors
from iocompendium.questionnaires.attachments import ATTACHMENT_SUFFIXES
from iocompendium.questionnaires.services import QuestionnaireError, import_questionnaire
from iocompendium.questionnaires.structure import CONTAINER_TYPES, Structure, iter_nodes
from iocompendium.questionnaires.xlsform import XLSFormError, read_xlsform, write_xlsform

INVALID_INPUT = 2  # exit status of the evaluate contract for a bad form or answers file
EVALUATE_KEYS = ("relevant", "required", "value", "error")


def form_summary(structure: Structure) -> dict[str, Any]:
    """Counts of a structure: questions (non-container nodes), groups, repeats."""
    counts = {"questions": 0, "groups": 0, "repeats": 0}
    for ref in iter_nodes(structure):
        if ref.type == "group":
            counts["groups"] += 1
        elif ref.type == "repeat":
            counts["repeats"] += 1
        elif ref.type not in CONTAINER_TYPES:
            counts["questions"] += 1
    return {**counts, "languages": list(structure.get("languages") or [])}


def load_answers(path: Path) -> dict[str, str]:
    """ANSWERS.json: an object mapping question paths to string values."""
    if not path.is_file():
        raise CommandError(f"The answers file {path} does not exist.", returncode=INVALID_INPUT)
    try:
        answers = json.loads(path.read_text(encoding="utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        raise CommandError(f"The answers file {path} is not valid JSON ({error}).",
                           returncode=INVALID_INPUT) from None
    if not isinstance(answers, dict):
        raise CommandError(f"The answers file {path} must hold one JSON object mapping "
                           "question paths to strings.", returncode=INVALID_INPUT)
    for key, value in answers.items():
        if not isinstance(value, str):
            raise CommandError(f"The answer to '{key}' in {path} is not a string: give every "
                               "value as a JSON string.", returncode=INVALID_INPUT)
    return answers


def read_attachments(paths: list[str]) -> dict[str, bytes]:
    """``--attachment`` files by name (one sentence for a missing or unreadable one)."""
    files: dict[str, bytes] = {}
    for given in paths:
        path = Path(given)
        if path.suffix.lower() not in ATTACHMENT_SUFFIXES:
            raise CommandError(f"The attachment {path.name} is not a .csv, .xml or .geojson "
                               "file.")
        if not path.is_file():
            raise CommandError(f"The attachment {path} does not exist.")
        if path.name in files:
            raise CommandError(f"Two attachments are named {path.name}.")
        files[path.name] = path.read_bytes()
    return files


class Command(BaseCommand):
    help = "Import, export or evaluate XLSForm questionnaires."

    def add_arguments(self, parser: CommandParser) -> None:
        # --data-dir is read by the iocompendium launcher; accepted here so it may come last.
        parser.add_argument("--data-dir", help="Data folder (default ./iocompendium-data).")
        actions = parser.add_subparsers(dest="action", required=True)
        importer = actions.add_parser("import", help="Import an XLSForm as a new version.")
        importer.add_argument("form", help="The XLSForm (.xlsx, .xls or .csv).")
        importer.add_argument("--slug", help="Questionnaire slug (default: from form_id).")
        importer.add_argument("--publish", action="store_true", help="Publish the version.")
        importer.add_argument("--json", action="store_true", help="Print the summary as JSON.")
        importer.add_argument(
            "--unit", choices=["organisation", "jurisdiction", "submission"],
            help="What one response stands for (wins over the form's settings column "
                 "respondent_unit; default: organisation).")
        importer.add_argument(
            "--attachment", action="append", default=[], metavar="FILE",
            help="A file beside the form that select_one_from_file or "
                 "select_multiple_from_file questions take their options from (.csv, .xml "
                 "or .geojson); repeat for each file.")
        importer.add_argument("--data-dir", help=argparse.SUPPRESS)
        exporter = actions.add_parser("export", help="Write a version as an XLSForm.")
        exporter.add_argument("slug", help="Questionnaire slug, e.g. io-survey.")
        exporter.add_argument("--version", type=int, help="Version number (default: latest).")
        exporter.add_argument("-o", "--output", required=True, help="The .xlsx file to write.")
        exporter.add_argument("--data-dir", help=argparse.SUPPRESS)
        evaluator = actions.add_parser(
            "evaluate", help="Print relevance, required, value and error of every question.")
        evaluator.add_argument("form", help="The XLSForm.")
        evaluator.add_argument("--answers", required=True, help="JSON object path -> value.")
        evaluator.add_argument("--lang", help="Language of the messages (en, fr...).")
        evaluator.add_argument("--attachment", action="append", default=[], metavar="FILE",
                               help="A file of options beside the form (repeatable).")
        evaluator.add_argument("--data-dir", help=argparse.SUPPRESS)

    def handle(self, *args, **options) -> None:
        action = options["action"]
        if action == "import":
            self._import(options)
        elif action == "export":
            self._export(options)
        else:
            self._evaluate(options)

    def _import(self, options: dict[str, Any]) -> None:
        path = Path(options["form"])
        try:
            version, created = import_questionnaire(path, options["slug"],
                                                    publish=options["publish"],
                                                    unit=options["unit"],
                                                    attachments=read_attachments(
                                                        options["attachment"]))
        except (XLSFormError, QuestionnaireError) as error:
            raise CommandError(f"{path.name} was not imported. {error}") from None
        summary = {
            "slug": version.questionnaire.slug,
            "version": version.number,
            "created": created,
            "published": version.published_at is not None,
            "unit": version.questionnaire.unit,
            **form_summary(version.structure),
            "fingerprint": version.fingerprint,
        }
        if options["json"]:
            self.stdout.write(json.dumps(summary, ensure_ascii=False))
            return
        state = (f"new version {version.number}" if created
                 else f"unchanged (still version {version.number})")
        self.stdout.write(
            f"{summary['slug']}: {state}{', published' if summary['published'] else ''}. "
            f"{summary['questions']} questions, {summary['groups']} groups, "
            f"{summary['repeats']} repeats; languages: {', '.join(summary['languages'])}; "
            f"respondent unit: {summary['unit']}.")

    def _export(self, options: dict[str, Any]) -> None:
        version = selectors.get_version(options["slug"], options["version"])
        if version is None:
            which = f"version {options['version']} of " if options["version"] else ""
            raise CommandError(f"There is no {which}questionnaire '{options['slug']}'.")
        output = Path(options["output"])
        if output.suffix.lower() != ".xlsx":
            raise CommandError("The output file must end in .xlsx.")
        try:
            write_xlsform(version.structure, output)
        except OSError as error:
            raise CommandError(f"Could not write {output}: {error.strerror}.") from None
        self.stdout.write(f"Wrote {output} ({version.questionnaire.slug} version "
                          f"{version.number}).")

    def _evaluate(self, options: dict[str, Any]) -> None:
        path = Path(options["form"])
        answers_path = Path(options["answers"])
        try:
            attachments = read_attachments(options["attachment"])
        except CommandError as error:
            raise CommandError(str(error), returncode=INVALID_INPUT) from None
        try:
            structure = read_xlsform(path, attachments)
        except XLSFormError as error:
            raise CommandError(f"The form {path.name} is invalid. {error}",
                               returncode=INVALID_INPUT) from None
        answers = load_answers(answers_path)
        try:
            results = engine.evaluate(structure, answers, options["lang"])
        except Exception as error:  # noqa: BLE001 - the contract forbids a traceback
            raise CommandError(f"The form could not be evaluated ({type(error).__name__}: "
                               f"{error}).") from None
        output = {path: {key: result.get(key) for key in EVALUATE_KEYS}
                  for path, result in results.items()}
        self.stdout.write(json.dumps(output, ensure_ascii=True))
