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
