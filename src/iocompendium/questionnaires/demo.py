"""Demo step: import and publish the shipped IO Survey (idempotent: an unchanged form
makes no new version)."""

from __future__ import annotations

from importlib import resources

from .services import import_questionnaire

SURVEY_SLUG = "io-survey"


def run(context) -> None:
    with resources.as_file(resources.files("iocompendium.data") / "io_survey.xlsx") as path:
        version, created = import_questionnaire(path, SURVEY_SLUG, publish=True)
    state = "imported" if created else "unchanged"
    context.lines.append(f"IO Survey: version {version.number} ({state}, published).")
