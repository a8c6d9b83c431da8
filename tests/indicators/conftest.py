"""Fixtures: the IO Survey with its synthetic (fictional) demo responses, the shipped
frameworks, and a hand-written framework workbook maker."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from iocompendium.indicators import services

REPO = Path(__file__).resolve().parents[2]
IO_SURVEY = REPO / "src" / "iocompendium" / "data" / "io_survey.xlsx"
SHIPPED = REPO / "src" / "iocompendium" / "indicators" / "frameworks"


@pytest.fixture(scope="session")
def generation_cache(tmp_path_factory) -> Path:
    """One folder for the generated synthetic answers, shared by the session's tests."""
    return tmp_path_factory.mktemp("synthetic")


@pytest.fixture
def io_survey(db):
    from iocompendium.questionnaires.services import import_questionnaire

    version, _ = import_questionnaire(IO_SURVEY, "io-survey", publish=True)
    return version


@pytest.fixture
def survey_responses(io_survey, generation_cache):
    """The 36 synthetic (fictional) organisations' approved responses, as in the demo."""
    from iocompendium.responses.demo.data import cached_generation, load_synthetic_responses

    load_synthetic_responses(io_survey, cached_generation(io_survey, generation_cache))
    return io_survey


@pytest.fixture
def shipped(survey_responses):
    return {item.version.framework.slug: item for item in services.import_shipped()}


def write_framework(path: Path, tree: list[list], rules: list[list], settings: dict) -> Path:
    """A framework workbook written cell by cell, as a person would in a spreadsheet."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "tree"
    sheet.append(["name", "level", "parent", "label::English (en)", "label::Français (fr)",
                  "weight", "direction", "target", "mirrors"])
    for row in tree:
        sheet.append(row)
    sheet = workbook.create_sheet("rules")
    sheet.append(["indicator", "kind", "question", "scores", "choices", "cap", "question2",
                  "choices2", "op", "missing"])
    for row in rules:
        sheet.append(row)
    sheet = workbook.create_sheet("settings")
    sheet.append(list(settings))
    sheet.append(list(settings.values()))
    workbook.save(path)
    return path
