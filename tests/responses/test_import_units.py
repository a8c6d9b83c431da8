"""A past round imported as it comes: the real REACH Lebanon 2022 form and its 632 real
submissions (unit "submission", policy "keep and flag", a recode for ``about_half``), the
same data in ODK Central's CSV layout (made here from the file), and the report's tables
compared with independent pandas counts of the file."""

from __future__ import annotations

import json

import pandas as pd
import pytest
from django.core.management import call_command

from iocompendium.evidence import reporting, services
from iocompendium.questionnaires.services import import_questionnaire
from iocompendium.questionnaires.structure import iter_questions
from iocompendium.registry.models import Organisation
from iocompendium.responses.approval import approve_import
from iocompendium.responses.importing import import_responses
from iocompendium.responses.models import Answer, AuditEvent, ImportRun, Response
from iocompendium.responses.tabular.parsing import answerable
from iocompendium.responses.tabular.recodes import parse_recodes

pytestmark = [pytest.mark.django_db]

FOLDER = "xlsforms/reach-lbn-msna-2022"
RECODES = "question,from,to\npay_water_charges_when,about_half,about_half_pay\n"


@pytest.fixture
def reach(shared_data):
    version, _ = import_questionnaire(
        shared_data / FOLDER / "form.xlsx", "reach-lbn", publish=True, unit="submission"
    )
    return version


@pytest.fixture
def table(shared_data) -> pd.DataFrame:
    return pd.read_excel(shared_data / FOLDER / "submissions.xlsx", dtype=str, engine="calamine")


def choices_of(structure, ref) -> set[str]:
    names = {c["name"] for c in structure["choices"].get(ref.node["choice_list"], [])}
    return names | ({"other"} if ref.node.get("or_other") else set())


@pytest.mark.slow
def test_reach_round_imports_with_flags_recodes_and_counts(reach, shared_data, table):
    report = import_responses(
        "reach-lbn", shared_data / FOLDER / "submissions.xlsx", policy="flag",
        recodes=parse_recodes(RECODES),
    )
    assert report.applied and not report.errors
    counts = report.as_json()
    # Nothing lost: every non-empty cell (counted here with pandas) is stored or skipped.
    assert counts["rows"] == len(table) == 632
    assert counts["values_in_file"] == int(table.notna().sum().sum())
    assert counts["values_in_file"] == counts["stored"] + sum(counts["skipped"].values())
    assert counts["skipped"]["respondent_column"] == 632  # _uuid
    assert counts["recoded"] == 35
    assert counts["layout"]["source"] == "kobotoolbox" and counts["layout"]["byte_order_mark"]
    # One response per household, keyed by _uuid; no organisation created.
    assert Response.objects.count() == 632 and not Organisation.objects.exists()
    assert set(Response.objects.values_list("unit_key", flat=True)) == set(table["X_uuid"])
    assert Answer.objects.exclude(value="").count() == counts["stored"]
    flagged = Answer.objects.exclude(flag=None).exclude(flag="missing_required")
    assert flagged.count() == counts["flagged"]
    # Independently: select_one values outside their list (after the recode) are flagged.
    structure = reach.structure
    expected = 0
    for ref in iter_questions(structure):
        if ref.type == "select_one" and ref.name in table.columns:
            column = table[ref.name].replace({"about_half": "about_half_pay"}) if (
                ref.name == "pay_water_charges_when") else table[ref.name]
            expected += int((column.notna() & ~column.isin(choices_of(structure, ref))).sum())
    assert Answer.objects.filter(flag="not_in_list", path__in=[
        r.path for r in iter_questions(structure) if r.type == "select_one"]).count() == expected
    run = ImportRun.objects.get()
    assert run.policy == "flag" and run.recodes[0]["to"] == "about_half_pay"
    assert run.counts["stored"] == counts["stored"]
    assert AuditEvent.objects.filter(action="answer").count() == Answer.objects.count()
    # Approving the round: one action, one audit event per response.
    Response.objects.update(status="draft")
    assert approve_import(run, user=None) == 632
    assert AuditEvent.objects.filter(action="status", new_value="approved").count() >= 632
    check_tables_against_file(structure, table)


def check_tables_against_file(structure, table: pd.DataFrame) -> None:
    """Every select table of the report equals plain pandas counts of the file."""
    content = services.content_for("reach-lbn", "approved", "en", with_charts=False)
    document = reporting.json_document(content)
    assert document["unit"] == {"name": "submission", "label": "submissions"}
    assert document["respondents"] == 632
    compared = 0
    for ref in iter_questions(structure):
        if ref.type not in {"select_one", "select_multiple"} or ref.name not in table.columns:
            continue
        if not answerable(ref):
            continue
        entry = document["tables"][ref.name]
        column = table[ref.name]
        if ref.name == "pay_water_charges_when":
            column = column.replace({"about_half": "about_half_pay"})
        names = choices_of(structure, ref)
        given = column.dropna()
        if ref.type == "select_one":
            valid = given[given.isin(names)]
            counts = valid.value_counts()
        else:
            tokens = given.str.split()
            valid = given[tokens.map(lambda t, names=names: set(t) <= names)]
            counts = valid.str.split().explode().value_counts()
        invalid = len(given) - len(valid)
        # Values given where the form's skip logic says the question does not apply are
        # stored but not counted (relevance); the file has none on compared questions.
        assert entry["answered"] == len(valid), ref.name
        assert {o["name"]: o["count"] for o in entry["options"] if o["count"]} == {
            str(k): int(v) for k, v in counts.items()
        }, ref.name
        flagged = {f["problem"]: f["count"] for f in entry["flagged"]}
        assert flagged.get("not_in_list", 0) == invalid, ref.name
        compared += 1
    assert compared == 99  # every select question of the form with a column in the file


def odk_central_csv(structure, table: pd.DataFrame) -> str:
    """The same submissions as ODK Central exports them: full paths joined with '-',
    SubmissionDate, KEY and meta-instanceID, no 0/1 columns."""
    paths = {ref.name: ref.path for ref in iter_questions(structure)}
    frame = pd.DataFrame()
    frame["SubmissionDate"] = table["X_submission_time"]
    for column in table.columns:
        name = column.replace("X.U.FEFF.", "")
        if name in paths:
            frame[paths[name].replace("/", "-")] = table[column]
    frame["meta-instanceID"] = "uuid:" + table["X_uuid"]
    frame["KEY"] = "uuid:" + table["X_uuid"]
    return frame.to_csv(index=False)


@pytest.mark.slow
def test_odk_central_csv_layout_imports_to_the_same_counts(reach, shared_data, table, tmp_path):
    path = tmp_path / "reach-odk-central.csv"
    path.write_text(odk_central_csv(reach.structure, table), encoding="utf-8")
    recodes = tmp_path / "recodes.csv"
    recodes.write_text(RECODES, encoding="utf-8")
    kobo = import_responses(
        "reach-lbn", shared_data / FOLDER / "submissions.xlsx", policy="flag",
        recodes=parse_recodes(RECODES), dry_run=True,
    ).as_json()
    call_command(
        "responses", "import", "reach-lbn", str(path), "--key", "KEY", "--policy", "flag",
        "--recode", str(recodes), "--status", "approved", "--json",
        stdout=(out := __import__("io").StringIO()),
    )
    odk = json.loads(out.getvalue())
    assert odk["layout"]["source"] == "odk_central" and odk["layout"]["group_separator"] == "-"
    assert odk["values_in_file"] == odk["stored"] + sum(odk["skipped"].values())
    assert (odk["rows"], odk["stored"], odk["flagged"], odk["flags"]) == (
        kobo["rows"], kobo["stored"], kobo["flagged"], kobo["flags"]
    )
    assert Response.objects.filter(status="approved").count() == 632
    check_tables_against_file(reach.structure, table)


def test_exports_and_report_name_submissions_by_their_key(db, tmp_path):
    """SYNTHETIC: a two-question form whose unit is "submission"; the wide export and the
    report name each response by its key, not by an organisation."""
    import openpyxl

    from iocompendium.evidence.exports import build_export
    from iocompendium.evidence.selectors import STATUS_SETS

    book = openpyxl.Workbook()
    survey = book.active
    survey.title = "survey"
    survey.append(["type", "name", "label::English (en)"])
    survey.append(["select_one yn", "ok", "OK?"])
    choices = book.create_sheet("choices")
    choices.append(["list_name", "name", "label::English (en)"])
    choices.append(["yn", "yes", "Yes"])
    choices.append(["yn", "no", "No"])
    settings = book.create_sheet("settings")
    settings.append(["form_id", "respondent_unit", "respondent_unit_label::English (en)"])
    settings.append(["tiny", "submission", "households"])
    form = tmp_path / "tiny.xlsx"
    book.save(form)
    import_questionnaire(form, "tiny", publish=True)
    data = tmp_path / "data.csv"
    data.write_text("_uuid,ok\nu1,yes\nu2,maybe\nu3,no\n", encoding="utf-8")
    report = import_responses("tiny", data, policy="flag")
    assert report.applied and report.key_column == "_uuid"
    _name, content = build_export("long-csv", "tiny", STATUS_SETS["approved"])
    assert "u1" in content.decode() and "u2" in content.decode()
    document = reporting.json_document(services.content_for("tiny", "approved", "en",
                                                            with_charts=False))
    assert document["unit"] == {"name": "submission", "label": "households"}
    table = document["tables"]["ok"]
    assert (table["denominator"], table["answered"]) == (3, 2)
    assert table["flagged"] == [{"problem": "not_in_list", "count": 1}]
