"""Exports of the raw data (issue 5.6) and the lossless round trip through the import.

Data: the synthetic responses of the fictional demo organisations to a mini form shaped
like the IO Survey (test fixture of test_synthetic.py, rebuilt here).
"""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from iocompendium.evidence.exports import STATUS_SETS, build_export
from iocompendium.questionnaires.models import Questionnaire, QuestionnaireVersion
from iocompendium.questionnaires.structure import iter_nodes, template_path
from iocompendium.registry.models import Organisation
from iocompendium.responses.demo.data import ensure_organisations, load_synthetic_responses
from iocompendium.responses.demo.organisations import ORGANISATIONS
from iocompendium.responses.demo.synthetic import generate
from iocompendium.responses.importing import import_responses
from iocompendium.responses.models import Answer, Response


def _mini_survey() -> dict:
    """The mini form of test_synthetic.py, loaded by path (tests/responses is no package)."""
    path = Path(__file__).with_name("test_synthetic.py")
    spec = importlib.util.spec_from_file_location("responses_synthetic_fixture", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.MINI_SURVEY


MINI_SURVEY = _mini_survey()

pytestmark = pytest.mark.django_db


class Rollback(Exception):
    pass


@pytest.fixture(scope="module")
def generated():
    return generate(MINI_SURVEY)


def publish_mini() -> QuestionnaireVersion:
    questionnaire = Questionnaire.objects.create(slug="mini", title={"en": "Mini"})
    return QuestionnaireVersion.objects.create(
        questionnaire=questionnaire, number=1, structure=MINI_SURVEY, languages=["en"],
        xlsform=b"", fingerprint="synthetic-mini", published_at=timezone.now(),
    )


def stored_answers() -> dict[str, dict[str, str]]:
    found: dict[str, dict[str, str]] = {}
    for acronym, path, value in Answer.objects.values_list(
            "response__organisation__acronym", "path", "value"):
        found.setdefault(acronym, {})[path] = value
    return found


@pytest.mark.parametrize("fmt,suffix", [("wide-xlsx", ".xlsx"), ("wide-csv", ".zip")])
def test_wide_export_reimports_into_an_empty_database_without_loss(generated, tmp_path, fmt,
                                                                      suffix):
    with pytest.raises(Rollback), transaction.atomic():
        version = publish_mini()
        load_synthetic_responses(version, generated)
        expected = stored_answers()
        statuses = dict(Response.objects.values_list("organisation__acronym", "status"))
        _name, content = build_export(fmt, "mini", STATUS_SETS["approved"])
        raise Rollback
    assert Response.objects.count() == Answer.objects.count() == 0  # empty again
    assert sum(len(a) for a in expected.values()) > 36 * 10
    publish_mini()
    ensure_organisations(list(ORGANISATIONS))
    path = tmp_path / f"export{suffix}"
    path.write_bytes(content)
    report = import_responses("mini", path)
    assert report.applied, [str(p) for p in report.errors]
    assert stored_answers() == expected
    assert dict(Response.objects.values_list("organisation__acronym", "status")) == statuses


def test_wide_xlsx_has_a_sheet_per_repeat_with_keys(generated):
    load_synthetic_responses(publish_mini(), generated)
    _name, content = build_export("wide-xlsx", "mini", STATUS_SETS["approved"])
    book = openpyxl.load_workbook(io.BytesIO(content), read_only=True)
    assert book.sheetnames == ["responses", "instruments"]
    main = list(book["responses"].iter_rows(values_only=True))
    assert main[0][:3] == ("_index", "organisation", "_response_status")
    assert "stakeholders_section/stakeholders/academic_unions" in main[0]
    instruments = list(book["instruments"].iter_rows(values_only=True))
    assert instruments[0][:2] == ("_index", "_parent_index")
    index_of = {row[1]: row[0] for row in main[1:]}  # organisation -> _index
    titles = sum(1 for a in stored_answers().values() for p in a if p.endswith("/title"))
    assert len(instruments) - 1 == titles
    first = instruments[1]
    assert first[1] == index_of[first[3]]  # _parent_index points at the organisation's row


def test_long_csv_has_one_row_per_answer(generated):
    version = publish_mini()
    load_synthetic_responses(version, generated)
    name, content = build_export("long-csv", "mini", STATUS_SETS["approved"])
    assert name == "mini-approved-long.csv"
    table = pd.read_csv(io.BytesIO(content), dtype=str, keep_default_na=False)
    assert list(table.columns) == ["organisation", "category", "status", "path", "question",
                                   "repeat_index", "value"]
    assert len(table) == Answer.objects.count()
    assert (table["question"] == table["path"].map(template_path)).all()
    in_repeat = table["path"].str.contains(r"\[")
    assert (table.loc[~in_repeat, "repeat_index"] == "").all()
    assert (table.loc[in_repeat, "repeat_index"]
            == table.loc[in_repeat, "path"].str.extract(r"\[(\d+)\]")[0]).all()
    igo = Organisation.objects.filter(category="igo").values_list("acronym", flat=True)
    assert set(table.loc[table["category"] == "igo", "organisation"]) == set(igo)


def test_status_filter_and_json(generated):
    version = publish_mini()
    load_synthetic_responses(version, generated)
    Response.objects.filter(organisation__acronym="IOIW").update(status="draft")
    Response.objects.filter(organisation__acronym="WSCO").update(status="submitted")
    _name, approved = build_export("json", "mini", STATUS_SETS["approved"])
    document = json.loads(approved)
    assert document["questionnaire"] == "mini" and document["respondents"] == 34
    _name, submitted = build_export("json", "mini", STATUS_SETS["submitted"])
    document = json.loads(submitted)
    assert document["respondents"] == 35
    wsco = next(r for r in document["responses"] if r["organisation"] == "WSCO")
    assert wsco["synthetic"] is True and wsco["status"] == "submitted"
    assert wsco["answers"] == stored_answers()["WSCO"]


def test_data_dictionary_lists_every_question_with_labels_and_choices():
    publish_mini()
    name, content = build_export("dictionary", "mini")
    assert name == "mini-data-dictionary.csv"
    rows = list(csv.DictReader(io.StringIO(content.decode("utf-8"))))
    assert [r["path"] for r in rows] == [ref.path for ref in iter_nodes(MINI_SURVEY)]
    by_path = {r["path"]: r for r in rows}
    legal = by_path["variety/instruments/legal_effect"]
    assert legal["type"] == "select_one" and legal["repeat"] == "variety/instruments"
    assert legal["choices_en"] == "binding=binding; non_binding=non_binding; mixed=mixed; " \
                                  "unknown=unknown"
    assert by_path["stakeholders_section/stakeholders"]["relevant"] == "${engages} = 'yes'"


def test_command_writes_each_format(generated, tmp_path):
    load_synthetic_responses(publish_mini(), generated)
    for fmt in ("long-csv", "wide-csv", "wide-xlsx", "json", "dictionary"):
        output = tmp_path / f"out-{fmt}"
        call_command("responses", "export", "mini", "--format", fmt, "-o", str(output),
                     stdout=io.StringIO())
        assert output.stat().st_size > 100
    with zipfile.ZipFile(tmp_path / "out-wide-csv") as archive:
        assert archive.namelist() == ["responses.csv", "instruments.csv"]


IO_SURVEY = Path(__file__).resolve().parents[2] / "src" / "iocompendium" / "data" / "io_survey.xlsx"


@pytest.mark.skipif(not IO_SURVEY.exists(), reason="the IO Survey form is not shipped yet")
def test_io_survey_demo_data_round_trips_through_the_wide_xlsx(tmp_path):
    from iocompendium.questionnaires.xlsform import read_xlsform

    structure = read_xlsform(IO_SURVEY)

    def publish() -> QuestionnaireVersion:
        questionnaire = Questionnaire.objects.create(slug="io-survey", title={"en": "IO Survey"})
        return QuestionnaireVersion.objects.create(
            questionnaire=questionnaire, number=1, structure=structure, languages=["en", "fr"],
            xlsform=b"", fingerprint="io-survey", published_at=timezone.now(),
        )

    with pytest.raises(Rollback), transaction.atomic():
        load_synthetic_responses(publish(), generate(structure))
        expected = stored_answers()
        _name, content = build_export("wide-xlsx", "io-survey", STATUS_SETS["approved"])
        raise Rollback
    publish()
    ensure_organisations(list(ORGANISATIONS))
    path = tmp_path / "io-survey-wide.xlsx"
    path.write_bytes(content)
    report = import_responses("io-survey", path)
    assert report.applied, [str(p) for p in report.errors[:5]]
    assert report.warnings == []
    assert stored_answers() == expected
    assert sum(len(a) for a in expected.values()) > 36 * 60
