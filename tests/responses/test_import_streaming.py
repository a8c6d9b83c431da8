"""A large import is streamed in chunks and its engine checks are remembered per question:
neither may change what an import reports or writes (issue 11, benchmarks).

The verdicts from memory are compared with a full evaluation of every real REACH row; a
CSV larger than one chunk imports to the same counts as the same rows parsed whole; under
policy strict an error in a late chunk leaves nothing written from earlier chunks."""

from __future__ import annotations

import csv

import pytest

from iocompendium.responses.importing import (
    ProblemLog,
    ResponsePlan,
    import_responses,
    validate_response,
)
from iocompendium.responses.models import Answer, AuditEvent, ImportRun, Response
from iocompendium.responses.tabular import Problem, normalise_header, parse_wide, read_sheets
from iocompendium.responses.tabular.checking import ResponseStates
from iocompendium.responses.tabular.parsing import CHUNK_ROWS, ParseOptions

pytestmark = pytest.mark.django_db

FOLDER = "xlsforms/reach-lbn-msna-2022"


@pytest.fixture
def reach_form(shared_data):
    services = pytest.importorskip("iocompendium.questionnaires.services")
    version, _created = services.import_questionnaire(
        shared_data / FOLDER / "form.xlsx", "reach-stream", publish=True, unit="submission"
    )
    return version


@pytest.mark.parametrize("policy", ["flag", "strict"])
def test_remembered_verdicts_equal_a_full_evaluation_of_every_real_row(
    reach_form, shared_data, policy
):
    structure = reach_form.structure
    parsed = parse_wide(structure, read_sheets(shared_data / FOLDER / "submissions.xlsx"),
                        options=ParseOptions(key="_uuid", policy=policy))
    states = ResponseStates(structure, "en")
    assert states.questions is not None  # the REACH form is one the memory applies to
    compared = 0
    for status in ("approved", "draft"):
        for row in parsed.responses:
            full = ResponsePlan(row, None, "", status, dict(row.answers), flags=dict(row.flags))
            kept = ResponsePlan(row, None, "", status, dict(row.answers), flags=dict(row.flags))
            expected = validate_response(structure, full, "en", policy=policy)
            found = validate_response(structure, kept, "en", policy=policy,
                                      verdicts=states.verdicts(kept.answers))
            assert found == expected, row.row
            assert (kept.answers, kept.flags) == (full.answers, full.flags)
            compared += len(expected)
    assert compared > 1000  # the rows do have problems to compare
    # The second pass over the same rows came from memory: far fewer evaluations.
    assert states.evaluations < len(parsed.responses) * 2


def _cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _reach_csv(shared_data, path, copies: int, *, last_without_key: bool = False) -> int:
    """The real rows written ``copies`` times to a CSV, each copy with its own _uuid
    (``last_without_key``: the very last row has none, an error even under policy flag)."""
    sheet = read_sheets(shared_data / FOLDER / "submissions.xlsx")[0]
    key = [normalise_header(h) for h in sheet.headers].index("_uuid")
    rows = 0
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(sheet.headers)
        for copy in range(copies):
            for _number, cells in sheet.rows:
                cells = [_cell(c) for c in cells]
                cells[key] = f"{cells[key]}-{copy}"
                rows += 1
                if last_without_key and copy == copies - 1 and rows == copies * len(sheet.rows):
                    cells[key] = ""
                writer.writerow(cells)
    return rows


def test_a_file_of_several_chunks_imports_like_the_same_rows_parsed_whole(
    reach_form, shared_data, tmp_path
):
    path = tmp_path / "reach.csv"
    rows = _reach_csv(shared_data, path, 2)
    assert rows > 2 * CHUNK_ROWS
    whole = parse_wide(reach_form.structure, read_sheets(path),
                       options=ParseOptions(key="_uuid", policy="flag"))
    report = import_responses("reach-stream", path, policy="flag", key="_uuid")
    assert report.applied, [str(p) for p in report.errors[:5]]
    counts = report.as_json()
    assert counts["rows"] == rows == len(whole.responses)
    assert counts["values_in_file"] == whole.counts.values_in_file
    assert counts["values_in_file"] == counts["stored"] + sum(counts["skipped"].values())
    assert Response.objects.filter(version=reach_form).count() == rows
    assert Answer.objects.filter(response__version=reach_form).count() == (
        report.answers_written
    )
    # One audit event per change: each answer written and each response's status.
    assert AuditEvent.objects.filter(response__version=reach_form).count() == (
        report.answers_written + report.responses_created
    )
    run = ImportRun.objects.get(pk=report.import_run)
    assert run.counts["rows"] == rows and run.counts["stored"] == counts["stored"]
    again = import_responses("reach-stream", path, policy="flag", key="_uuid")
    assert again.responses_unchanged == rows and again.answers_written == 0


def test_strict_policy_rolls_back_earlier_chunks_and_reports_every_row(
    reach_form, shared_data, tmp_path
):
    path = tmp_path / "reach.csv"
    rows = _reach_csv(shared_data, path, 2)
    dry = import_responses("reach-stream", path, policy="strict", key="_uuid", dry_run=True)
    report = import_responses("reach-stream", path, policy="strict", key="_uuid")
    assert report.errors and not report.applied and report.import_run is None
    assert Response.objects.filter(version=reach_form).count() == 0
    assert ImportRun.objects.count() == 0 and AuditEvent.objects.count() == 0
    # Every problem is reported, as by the check, down to the last rows of the file.
    assert [str(p) for p in report.problems] == [str(p) for p in dry.problems]
    assert max(p.row for p in report.errors) > rows - 10
    assert report.responses_created == 0 and report.answers_written == 0


def test_an_error_in_the_last_chunk_rolls_back_the_chunks_written_before(
    reach_form, shared_data, tmp_path
):
    path = tmp_path / "reach.csv"
    rows = _reach_csv(shared_data, path, 2, last_without_key=True)
    report = import_responses("reach-stream", path, policy="flag", key="_uuid")
    assert [(p.row, p.severity) for p in report.errors] == [(rows + 1, "error")]
    assert not report.applied and report.summary().startswith("Nothing imported")
    assert Response.objects.count() == Answer.objects.count() == AuditEvent.objects.count() == 0
    assert ImportRun.objects.count() == 0


def test_problems_beyond_the_memory_limit_are_kept_in_order(monkeypatch):
    monkeypatch.setattr(ProblemLog, "KEEP", 3)
    log = ProblemLog()
    problems = [Problem("s", row, "c", "x", "warning" if row % 2 else "error")
                for row in range(10)]
    log.extend(problems)
    assert list(log) == problems and len(log) == 10
    assert log.of("error") == [p for p in problems if p.severity == "error"]


# --------------------------------------------------------------------------- reading fast


def _parsed(structure, sheets, policy):
    parsed = parse_wide(structure, sheets, options=ParseOptions(key="_uuid", policy=policy))
    rows = [(p.key, p.answers, p.flags, p.locations, p.rejected, p.cells, p.stored)
            for p in parsed.responses]
    return rows, [str(p) for p in parsed.problems], parsed.counts.as_dict()


@pytest.mark.parametrize("policy", ["flag", "strict"])
def test_a_row_read_by_kind_gives_what_reading_it_cell_by_cell_gives(
    reach_form, shared_data, tmp_path, monkeypatch, policy
):
    from iocompendium.responses.tabular import parsing

    path = tmp_path / "reach.csv"
    _reach_csv(shared_data, path, 1)
    # Some 0/1 cells spelt otherwise, one that is no 0/1 at all (that row is read cell by
    # cell), and a disagreement between a select_multiple and its 0/1 columns.
    with path.open(encoding="utf-8", newline="") as handle:
        records = list(csv.reader(handle))
    headers = records[0]
    flags = [i for i, h in enumerate(headers) if "." in h and not h.startswith("X")]
    for number, record in enumerate(records[1:40], start=1):
        position = flags[number % len(flags)]
        record[position] = {"0": "FALSE", "1": "True", "": "no"}.get(record[position], "0")
    records[5][flags[3]] = "maybe"
    records[7][flags[0]] = "1" if records[7][flags[0]] in {"0", "FALSE"} else "0"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle).writerows(records)
    fast = _parsed(reach_form.structure, read_sheets(path), policy)
    monkeypatch.setattr(parsing, "_bits", lambda cells: False)  # every row cell by cell
    slow = _parsed(reach_form.structure, read_sheets(path), policy)
    assert fast == slow
    assert any("is not 0 or 1" in p for p in fast[1])
    assert any("disagree" in p for p in fast[1])


# --------------------------------------------------------------------------- .xlsx streamed


def _rows_as_text(sheets):
    from iocompendium.responses.tabular.parsing import _text

    def trimmed(cells):
        cells = [_text(c) for c in cells]
        while cells and cells[-1] == "":
            cells.pop()
        return cells

    return [(s.name, s.headers, [(n, trimmed(c)) for n, c in s.rows]) for s in sheets]


def _streamed(monkeypatch):
    from iocompendium.responses.tabular import reading

    monkeypatch.setattr(reading, "STREAM_XLSX_BYTES", 0)


def test_a_large_xlsx_is_streamed_and_reads_as_calamine_reads_it(shared_data, monkeypatch):
    from iocompendium.responses.tabular.xlsx import XlsxRows

    path = shared_data / FOLDER / "submissions.xlsx"
    whole = read_sheets(path)
    assert isinstance(whole[0].rows, list)  # 5 MB of XML: read whole by calamine
    _streamed(monkeypatch)
    streamed = read_sheets(path)
    assert isinstance(streamed[0].rows, XlsxRows)
    assert _rows_as_text(streamed) == _rows_as_text(whole)
    assert len(streamed[0].headers) == len(whole[0].headers) == 348


def test_streamed_xlsx_cells_read_as_calamine_reads_them(tmp_path, monkeypatch):
    import datetime as dt

    import openpyxl

    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "data"
    # The table starts at B3; an empty row inside it; shared strings, numbers, dates.
    sheet["B3"], sheet["C3"], sheet["D3"], sheet["E3"], sheet["F3"] = (
        "_uuid", "when", "amount", "agreed", "note")
    sheet.append([None, "a", dt.date(2021, 7, 5), 12.0, True, "line\r\nnext"])
    sheet.append([])
    sheet.append([None, "b", dt.datetime(2021, 7, 5, 10, 30), 0.25, False, "a & b < c"])
    sheet.append([None, "c", None, -3, None, "café 2024"])
    other = workbook.create_sheet("second")
    other.append(["x", "y"])
    other.append([1, "z"])
    path = tmp_path / "cells.xlsx"
    workbook.save(path)
    whole = _rows_as_text(read_sheets(path))
    _streamed(monkeypatch)
    streamed = _rows_as_text(read_sheets(path))
    assert streamed == whole
    assert streamed[0][2][0] == (4, ["", "a", "2021-07-05", "12", "1", "line\r\nnext"])
    assert [n for n, _cells in streamed[0][2]] == [4, 6, 7]


def test_a_streamed_xlsx_of_the_1904_date_system_reads_as_calamine_reads_it(
    tmp_path, monkeypatch
):
    import datetime as dt

    import openpyxl
    from openpyxl.utils.datetime import CALENDAR_MAC_1904

    workbook = openpyxl.Workbook()
    workbook.epoch = CALENDAR_MAC_1904
    sheet = workbook.active
    sheet.append(["_uuid", "when"])
    sheet.append(["a", dt.date(2021, 7, 5)])
    sheet.append(["b", dt.datetime(1999, 12, 31, 23, 0)])
    path = tmp_path / "mac.xlsx"
    workbook.save(path)
    whole = _rows_as_text(read_sheets(path))
    _streamed(monkeypatch)
    streamed = _rows_as_text(read_sheets(path))
    assert streamed == whole
    assert streamed[0][2][0] == (2, ["a", "2021-07-05"])


def _damaged(source, target, cut: int | None = None, replace: tuple[bytes, bytes] | None = None):
    import zipfile

    with zipfile.ZipFile(source) as inp, zipfile.ZipFile(target, "w") as out:
        for item in inp.infolist():
            data = inp.read(item)
            if item.filename.startswith("xl/worksheets/"):
                if cut is not None:
                    data = data[:cut]
                if replace is not None:
                    data = data.replace(*replace, 1)
            out.writestr(item, data)


def test_a_damaged_streamed_xlsx_is_refused_before_anything_is_written(
    reach_form, shared_data, tmp_path, monkeypatch
):
    from iocompendium.responses.importing import ImportFailed

    path = tmp_path / "damaged.xlsx"
    size = (shared_data / FOLDER / "submissions.xlsx").stat().st_size
    _damaged(shared_data / FOLDER / "submissions.xlsx", path, cut=size * 3)
    _streamed(monkeypatch)
    with pytest.raises(ImportFailed, match="not a readable .xlsx workbook"):
        import_responses("reach-stream", path, policy="flag", key="_uuid")
    assert Response.objects.count() == AuditEvent.objects.count() == ImportRun.objects.count() == 0


def test_a_too_long_cell_of_a_streamed_xlsx_is_refused_with_its_row(
    shared_data, tmp_path, monkeypatch
):
    from iocompendium.responses.tabular import TabularFileError
    from iocompendium.web import limits

    path = tmp_path / "long.xlsx"
    long = "x" * (limits.MAX_ANSWER_LENGTH + 1)
    _damaged(shared_data / FOLDER / "submissions.xlsx", path,
             replace=(b"<t>collect:0uAiKDfbbpqENdqw</t>", f"<t>{long}</t>".encode()))
    _streamed(monkeypatch)
    with pytest.raises(TabularFileError, match=r"row 2: a cell holds 20,001 characters"):
        read_sheets(path)


def test_a_streamed_xlsx_imports_like_the_same_file_read_whole(
    reach_form, shared_data, monkeypatch
):
    path = shared_data / FOLDER / "submissions.xlsx"
    whole = import_responses("reach-stream", path, policy="flag", key="_uuid", dry_run=True)
    _streamed(monkeypatch)
    streamed = import_responses("reach-stream", path, policy="flag", key="_uuid")
    assert streamed.applied
    assert {**streamed.as_json(), "applied": None, "dry_run": None, "import_run": None} == {
        **whole.as_json(), "applied": None, "dry_run": None, "import_run": None}
    assert [str(p) for p in streamed.problems] == [str(p) for p in whole.problems]
    assert Answer.objects.filter(response__version=reach_form).count() == (
        streamed.answers_written)


def test_a_reused_form_evaluator_gives_what_evaluate_gives_row_after_row(
    reach_form, shared_data
):
    from iocompendium.questionnaires.engine import FormEvaluator, evaluate, prepare

    structure = reach_form.structure
    parsed = parse_wide(structure, read_sheets(shared_data / FOLDER / "submissions.xlsx"),
                        options=ParseOptions(key="_uuid", policy="flag"))
    evaluator = FormEvaluator(structure, "en", prepared=prepare(structure))
    for row in parsed.responses[:40]:  # one instance, its values reset for each row
        assert evaluator.evaluate(row.answers) == evaluate(structure, row.answers, "en")
    row = parsed.responses[0]
    some = {"water_source/water_sources", "water_expenditure_usage/pump_hours"}
    assert evaluator.evaluate(row.answers, some) == {
        path: state for path, state in evaluate(structure, row.answers, "en").items()
        if path in some}


def test_a_form_evaluator_refuses_a_form_with_repeats():
    from iocompendium.questionnaires.engine import FormEvaluator

    structure = {"children": [{"type": "repeat", "name": "r", "children": [
        {"type": "text", "name": "t"}]}], "choices": {}}
    with pytest.raises(ValueError, match="repeat"):
        FormEvaluator(structure)
