"""Questionnaire.unit: from the XLSForm's settings sheet (respondent_unit,
respondent_unit_label::<language>) or from the import option, which wins."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.utils import translation

from iocompendium.questionnaires.models import Questionnaire
from iocompendium.questionnaires.services import QuestionnaireError, import_questionnaire

pytestmark = pytest.mark.django_db


def write_form(path: Path, settings: dict[str, str]) -> Path:
    """A tiny synthetic XLSForm with the given settings columns."""
    book = openpyxl.Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(["type", "name", "label::English (en)", "label::French (fr)"])
    survey.append(["select_one yn", "ok", "OK?", "OK ?"])
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label::English (en)", "label::French (fr)"])
    choices.append(["yn", "yes", "Yes", "Oui"])
    sheet = book.create_sheet("settings")
    sheet.append(["form_id", *settings])
    sheet.append(["tiny", *settings.values()])
    book.save(path)
    return path


def test_default_unit_is_organisation(tmp_path):
    version, _ = import_questionnaire(write_form(tmp_path / "f.xlsx", {}), "tiny")
    assert version.questionnaire.unit == "organisation"
    assert version.questionnaire.unit_label_in("fr") == "organisations"
    assert "respondent_unit" not in version.structure  # older forms keep their fingerprint


def test_settings_sheet_declares_unit_and_its_label(tmp_path):
    form = write_form(
        tmp_path / "f.xlsx",
        {
            "respondent_unit": "submission",
            "respondent_unit_label::English (en)": "households",
            "respondent_unit_label::French (fr)": "ménages",
        },
    )
    version, _ = import_questionnaire(form, "tiny")
    questionnaire = Questionnaire.objects.get(slug="tiny")
    assert questionnaire.unit == "submission"
    assert questionnaire.unit_label == {"en": "households", "fr": "ménages"}
    with translation.override("fr"):
        assert questionnaire.unit_label_in() == "ménages"
    assert version.structure["respondent_unit"] == "submission"


def test_the_option_wins_over_the_settings(tmp_path):
    form = write_form(tmp_path / "f.xlsx", {"respondent_unit": "submission"})
    call_command("form", "import", str(form), "--slug", "tiny", "--unit", "jurisdiction")
    questionnaire = Questionnaire.objects.get(slug="tiny")
    assert questionnaire.unit == "jurisdiction"
    assert questionnaire.unit_label_in("en") == "jurisdictions"


def test_an_unknown_unit_is_refused_and_nothing_written(tmp_path):
    form = write_form(tmp_path / "f.xlsx", {"respondent_unit": "household"})
    with pytest.raises(QuestionnaireError, match="not a respondent unit"):
        import_questionnaire(form, "tiny")
    assert not Questionnaire.objects.exists()


def test_a_csv_that_is_not_an_xlsform_gets_one_sentence(tmp_path, capsys):
    from iocompendium.questionnaires.xlsform import XLSFormError, read_xlsform

    path = tmp_path / "form.csv"
    path.write_text("type,name,label\ntext,a,A\n", encoding="utf-8")
    with pytest.raises(XLSFormError) as raised:
        read_xlsform(path)
    text = str(raised.value)
    assert "could not be read as an XLSForm: a CSV XLSForm needs" in text
    assert "Error" not in text and "__init__" not in text


def test_report_refuses_an_extension_it_does_not_write(tmp_path):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=r"report\.txt: the report is written as"):
        call_command("report", "-o", str(tmp_path / "report.txt"))
