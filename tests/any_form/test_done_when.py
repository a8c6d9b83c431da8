"""Done when (issue 12), checked on real data: the REACH Lebanon 2022 form with its 632
REAL submissions (imported as a past round: unit "submission", policy "keep and flag", a
recode for ``about_half``), approved, then ``publish`` without PDFs. Every question that is
not personal data is published; the methods page lists each personal one left out with
its reason; the coverage line says 0 left out silently. And the shipped IO Survey
publishes every one of its non-personal questions, section A included."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import call_command

from iocompendium.analysis.coverage import exclusion_reason
from iocompendium.analysis.questions import is_analysed
from iocompendium.questionnaires.services import import_questionnaire
from iocompendium.questionnaires.structure import iter_questions
from iocompendium.responses.approval import approve_import
from iocompendium.responses.importing import import_responses
from iocompendium.responses.models import ImportRun, Response
from iocompendium.responses.tabular.recodes import parse_recodes

pytestmark = pytest.mark.django_db

FOLDER = "xlsforms/reach-lbn-msna-2022"
RECODES = "question,from,to\npay_water_charges_when,about_half,about_half_pay\n"


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def methods_text(site: Path, lang: str) -> str:
    return (site / lang / "methods.html").read_text(encoding="utf-8")


@pytest.mark.slow
def test_reach_lebanon_real_round_publishes_every_non_personal_question(shared_data,
                                                                         tmp_path):
    version, _ = import_questionnaire(shared_data / FOLDER / "form.xlsx", "reach-lbn",
                                      publish=True, unit="submission")
    report = import_responses("reach-lbn", shared_data / FOLDER / "submissions.xlsx",
                              policy="flag", recodes=parse_recodes(RECODES))
    assert report.applied
    Response.objects.update(status="draft")
    assert approve_import(ImportRun.objects.get(), user=None) == 632

    out = io.StringIO()
    site = tmp_path / "site"
    call_command("publish", "-o", str(site), "--questionnaire", "reach-lbn", "--no-pdf",
                 stdout=out)
    # Independently of the coverage code: the form's reported questions and which of them
    # are personal data (personal type, or ``publish`` = no in the survey sheet).
    reported = [ref for ref in iter_questions(version.structure) if is_analysed(ref.type)]
    personal = {ref.path for ref in reported
                if ref.type in {"geopoint", "geotrace", "geoshape", "image", "audio",
                                "video", "file"}
                or str(ref.node.get("publish", "")).strip().lower() == "no"}
    assert len(reported) > 200
    coverage = read_csv(site / "data" / "coverage.csv")
    assert len(coverage) == len(reported)
    by_status = {"published": [], "excluded": []}
    for row, ref in zip(coverage, reported, strict=True):
        assert row["type"] == ref.type
        by_status[row["status"]].append(ref.path)
        assert (row["status"] == "excluded") == (ref.path in personal), row
        assert bool(row["reason"]) == (row["status"] == "excluded")
    assert len(by_status["published"]) == len(reported) - len(personal)
    printed = [line for line in out.getvalue().splitlines() if line.startswith("Coverage:")]
    assert printed == [f"Coverage: {len(reported) - len(personal)} published, "
                       f"{len(personal)} excluded, 0 left out silently"]
    # Every published question reaches the data package's tables.
    tables = read_csv(site / "data" / "question_tables.csv")
    assert set(by_status["published"]) == {row["question"] for row in tables
                                           if row["type"] != "repeat"}
    # The methods page lists each left-out question with its reason, in both languages.
    english, french = methods_text(site, "en"), methods_text(site, "fr")
    for row in coverage:
        if row["status"] == "excluded":
            assert row["question"] in english and row["reason"] in english, row
            assert row["question"] in french
    assert "none is left out silently" in english


IO_SURVEY = Path(__file__).resolve().parents[2] / "src" / "iocompendium" / "data" / "io_survey.xlsx"


@pytest.mark.slow
def test_io_survey_publishes_every_non_personal_question_section_a_included(tmp_path):
    from iocompendium.responses.demo.data import cached_generation, load_synthetic_responses

    version, _ = import_questionnaire(IO_SURVEY, "io-survey", publish=True)
    load_synthetic_responses(version, cached_generation(version, tmp_path))  # SYNTHETIC
    site = tmp_path / "site"
    out = io.StringIO()
    call_command("publish", "-o", str(site), "--no-pdf", stdout=out)
    reported = [ref for ref in iter_questions(version.structure) if is_analysed(ref.type)]
    personal = {ref.path for ref in reported if exclusion_reason(ref.type, ref.node, False)}
    coverage = read_csv(site / "data" / "coverage.csv")
    published = {row["question"] for row in coverage if row["status"] == "published"}
    assert len(coverage) == len(reported) and len(published) == len(reported) - len(personal)
    section_a = [(row, ref) for row, ref in zip(coverage, reported, strict=True)
                 if ref.path.startswith("organisation/")]  # "A. Your organisation"
    assert len(section_a) > 5
    assert all(row["status"] == "published" for row, _ref in section_a)
    assert {"integer", "text"} <= {ref.type for _row, ref in section_a}
    assert {"integer", "text"} <= {row["type"] for row in coverage
                                   if row["status"] == "published"}
    tables = {row["question"] for row in read_csv(site / "data" / "question_tables.csv")
              if row["type"] != "repeat"}
    keys = {ref.path: row["question"] for row, ref in zip(coverage, reported, strict=True)}
    assert {keys[path] for path in tables} == published
    assert f"Coverage: {len(published)} published, {len(personal)} excluded, " \
        "0 left out silently" in out.getvalue()
