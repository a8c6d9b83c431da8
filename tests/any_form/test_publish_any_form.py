"""Every shared real XLSForm publishes (issue 12): SYNTHETIC responses generated for each
form (fictional organisations), then ``publish`` without PDFs; every question that is
not a note, calculation or metadata is published or excluded with a reason, and the
published ones all reach the data package."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from iocompendium.analysis.questions import is_analysed
from iocompendium.compendium.publishing import publish
from iocompendium.questionnaires.services import import_questionnaire
from iocompendium.questionnaires.structure import PERSONAL_TYPES, iter_questions
from iocompendium.registry.models import Organisation
from iocompendium.responses.demo.organisations import ORGANISATIONS
from iocompendium.responses.demo.synthetic import generate
from iocompendium.responses.models import Answer, Response
from tests.any_form.test_web_any_form import FORMS

pytestmark = pytest.mark.django_db
SLUG = "any-form"


def store_synthetic(version, count: int = 4) -> None:
    for synthetic in generate(version.structure, organisations=ORGANISATIONS[:count]):
        organisation, _ = Organisation.objects.get_or_create(
            acronym=synthetic.organisation.acronym,
            defaults={"name_en": synthetic.organisation.name_en,
                      "category": synthetic.organisation.category, "synthetic": True})
        response = Response.objects.create(organisation=organisation, version=version,
                                           status="approved", synthetic=True)
        Answer.objects.bulk_create([Answer(response=response, path=p, value=v)
                                    for p, v in synthetic.answers.items()])


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.mark.parametrize("relative", FORMS)
def test_every_shared_form_publishes_with_its_coverage(shared_data, tmp_path, relative):
    version, _ = import_questionnaire(shared_data / relative, SLUG, publish=True)
    store_synthetic(version)
    result = publish(tmp_path / "site", questionnaire=SLUG, with_pdf=False,
                     allow_empty=False)
    coverage = read_csv(tmp_path / "site" / "data" / "coverage.csv")
    assert list(coverage[0]) == ["question", "type", "status", "reason"]
    reported = [ref for ref in iter_questions(version.structure) if is_analysed(ref.type)]
    assert len(coverage) == len(reported)
    for row, ref in zip(coverage, reported, strict=True):
        personal = ref.type in PERSONAL_TYPES
        assert row["status"] == ("excluded" if personal else "published"), row
        assert bool(row["reason"]) == personal
    published = {row["question"] for row in coverage if row["status"] == "published"}
    tables = read_csv(tmp_path / "site" / "data" / "question_tables.csv")
    keys = {ref.path: row["question"] for row, ref in zip(coverage, reported, strict=True)}
    assert {keys[q["question"]] for q in tables if q["question"] in keys} == published
    assert result.coverage_line == (
        f"Coverage: {len(published)} published, {len(coverage) - len(published)} excluded, "
        "0 left out silently")
    package = json.loads((tmp_path / "site" / "data" / "datapackage.json").read_text())
    assert "coverage" in {resource["name"] for resource in package["resources"]}
    methods = (tmp_path / "site" / "en" / "methods.html").read_text(encoding="utf-8")
    for row in coverage:
        if row["status"] == "excluded":
            assert row["reason"] in methods


def test_publish_with_no_response_stops_with_one_sentence(shared_data, tmp_path):
    import_questionnaire(shared_data / FORMS[0], SLUG, publish=True)
    with pytest.raises(CommandError, match="nothing to publish"):
        call_command("publish", "-o", str(tmp_path / "site"), "--questionnaire", SLUG,
                     "--no-pdf")
    assert not (tmp_path / "site").exists()
    call_command("publish", "-o", str(tmp_path / "site"), "--questionnaire", SLUG,
                 "--no-pdf", "--allow-empty")
    assert (tmp_path / "site" / "index.html").exists()


def test_a_form_without_practices_gets_no_theme_pages(shared_data, tmp_path):
    version, _ = import_questionnaire(shared_data / FORMS[-1], SLUG, publish=True)
    store_synthetic(version, count=2)
    publish(tmp_path / "site", questionnaire=SLUG, with_pdf=False)
    assert not (tmp_path / "site" / "en" / "themes").exists()
    assert not (tmp_path / "site" / "en" / "families.html").exists()
    index = (tmp_path / "site" / "en" / "index.html").read_text(encoding="utf-8")
    assert "results/" in index and "methods.html" in index
    assert "themes/" not in index and "families.html" not in index


def _form_with_publish_column(path: Path) -> Path:
    """A SYNTHETIC three-question XLSForm with a custom ``publish`` column."""
    from openpyxl import Workbook

    workbook = Workbook()
    survey = workbook.active
    survey.title = "survey"
    for row in (["type", "name", "label", "publish"],
                ["text", "respondent_name", "Your name", "no"],
                ["integer", "staff", "Staff", ""],
                ["text", "comment", "Comment", ""]):
        survey.append(row)
    workbook.create_sheet("settings").append(["form_id"])
    workbook["settings"].append(["publish_column"])
    workbook.save(path)
    return path


def test_publish_column_and_secretariat_mark_leave_questions_out(tmp_path, secretariat_user):
    from iocompendium.evidence.services import mark_question_personal

    version, _ = import_questionnaire(_form_with_publish_column(tmp_path / "form.xlsx"),
                                      SLUG, publish=True)
    store_synthetic(version, count=3)
    mark_question_personal(version.questionnaire, "comment", True, secretariat_user)
    result = publish(tmp_path / "site", questionnaire=SLUG, with_pdf=False,
                     allow_empty=False)
    rows = {row["question"]: row for row in read_csv(tmp_path / "site" / "data" /
                                                      "coverage.csv")}
    assert rows["respondent_name"]["reason"] == (
        "personal data: the form's publish column says no")
    assert rows["comment"]["reason"] == "personal data: marked personal by the secretariat"
    assert rows["staff"]["status"] == "published"
    assert result.coverage_line == "Coverage: 1 published, 2 excluded, 0 left out silently"
    methods = (tmp_path / "site" / "fr" / "methods.html").read_text(encoding="utf-8")
    assert "marquée personnelle par le secrétariat" in methods
    tables = read_csv(tmp_path / "site" / "data" / "question_tables.csv")
    assert {row["question"] for row in tables} == {"staff"}


def test_report_json_has_a_table_for_every_question(shared_data, tmp_path, capsys):
    version, _ = import_questionnaire(shared_data / FORMS[-1], SLUG, publish=True)
    output = tmp_path / "report.json"
    with pytest.raises(CommandError, match="--allow-empty"):
        call_command("report", "--questionnaire", SLUG, "--format", "json", "-o",
                     str(output))
    assert not output.exists()
    store_synthetic(version, count=2)
    call_command("report", "--questionnaire", SLUG, "--format", "json", "-o", str(output))
    document = json.loads(output.read_text(encoding="utf-8"))
    reported = [ref for ref in iter_questions(version.structure) if is_analysed(ref.type)]
    by_path = {entry["path"]: entry for entry in document["tables"].values()}
    for ref in reported:
        assert by_path[ref.path]["type"] == ref.type
    assert {row["question"] for row in document["coverage"]} <= set(document["tables"])
    assert "left out silently" in capsys.readouterr().out
