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


def test_the_secretariat_sets_the_unit_on_the_web_and_the_change_is_recorded(
        tmp_path, client, secretariat_user):
    from django.contrib.admin.models import LogEntry
    from django.urls import reverse

    version, _ = import_questionnaire(write_form(tmp_path / "f.xlsx", {}), "tiny")
    client.force_login(secretariat_user)
    page = reverse("questionnaires:version", kwargs={"slug": "tiny", "number": 1})
    assert "Respondent unit" in client.get(page).content.decode()
    done = client.post(
        reverse("questionnaires:unit", kwargs={"slug": "tiny", "number": 1}),
        {"unit": "submission", "label_en": "households", "label_fr": "ménages"},
    )
    assert done.status_code == 302
    questionnaire = Questionnaire.objects.get(slug="tiny")
    assert questionnaire.unit == "submission"
    assert questionnaire.unit_label_in("fr") == "ménages"
    entry = LogEntry.objects.get(object_id=str(questionnaire.pk))
    assert entry.user == secretariat_user
    assert '"old": "organisation"' in entry.change_message
    assert '"new": "submission"' in entry.change_message
    shown = client.get(page).content.decode()
    assert "analyst" in shown and "organisation → submission" in shown


def test_the_unit_cannot_change_on_the_web_once_responses_exist(tmp_path, client,
                                                                 secretariat_user):
    from django.urls import reverse

    from iocompendium.responses.models import Response

    version, _ = import_questionnaire(
        write_form(tmp_path / "f.xlsx", {"respondent_unit": "submission"}), "tiny")
    Response.objects.create(version=version, unit_key="k1", title="synthetic")
    client.force_login(secretariat_user)
    done = client.post(
        reverse("questionnaires:unit", kwargs={"slug": "tiny", "number": 1}),
        {"unit": "organisation", "label_en": "farms", "label_fr": ""}, follow=True,
    )
    assert "cannot change" in done.content.decode()
    assert Questionnaire.objects.get(slug="tiny").unit == "submission"


def test_a_focal_point_cannot_set_the_unit(tmp_path, client, django_user_model):
    from django.urls import reverse

    import_questionnaire(write_form(tmp_path / "f.xlsx", {}), "tiny")
    client.force_login(django_user_model.objects.create_user("someone", password="x-2026-pw"))
    done = client.post(reverse("questionnaires:unit", kwargs={"slug": "tiny", "number": 1}),
                       {"unit": "submission"})
    assert done.status_code in {403, 404}
    assert Questionnaire.objects.get(slug="tiny").unit == "organisation"
