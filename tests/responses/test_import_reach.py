"""Real submissions of a past survey round: REACH Lebanon MSNA 2022 (632 households).

Their layout is KoboToolbox's analysis export (bare names, `question.choice` 0/1 columns,
R-mangled headers). The import must recognise it with --key and report, row by row and
column by column, what does not fit the form, without crashing and without writing.
Expected problem cells are computed independently here with pandas.
"""

from __future__ import annotations

import io

import pandas as pd
import pytest
from django.core.management import CommandError, call_command

from iocompendium.questionnaires.structure import iter_questions
from iocompendium.registry.models import Organisation
from iocompendium.responses.importing import import_responses
from iocompendium.responses.models import Answer, Response
from iocompendium.responses.tabular import parse_wide, read_sheets

pytestmark = pytest.mark.django_db

FOLDER = "xlsforms/reach-lbn-msna-2022"


@pytest.fixture
def reach_form(shared_data):
    services = pytest.importorskip("iocompendium.questionnaires.services")
    version, _created = services.import_questionnaire(shared_data / FOLDER / "form.xlsx",
                                                      "reach-lbn", publish=True)
    return version


@pytest.mark.slow
def test_reach_submissions_are_recognised_and_misfits_reported(reach_form, shared_data):
    submissions = shared_data / FOLDER / "submissions.xlsx"
    report = import_responses("reach-lbn", submissions, key="_uuid", organisation="REACH-LBN")
    table = pd.read_excel(submissions, dtype=str)
    assert len(table) == 632

    # Independently: every non-empty select_one cell whose value is not a choice.
    structure = reach_form.structure
    expected = set()
    for ref in iter_questions(structure):
        if ref.type != "select_one" or ref.name not in table.columns:
            continue
        names = {c["name"] for c in structure["choices"].get(ref.node["choice_list"], [])}
        if ref.node.get("or_other"):
            names.add("other")
        column = table[ref.name]
        for position in column.index[column.notna() & ~column.isin(names)]:
            expected.add((position + 2, ref.name))  # header is spreadsheet row 1
    errors = {(p.row, p.column) for p in report.errors}
    assert expected, "the real data has values outside the form's choices"
    assert expected <= errors
    # Every problem names its sheet, a data row and a column.
    for problem in report.problems:
        assert problem.sheet == "Sheet1" and problem.column
        assert 2 <= problem.row <= 633 or (problem.row == 1 and problem.severity == "warning")
    # The layout was recognised: no 0/1 column or metadata column is reported as unknown.
    unknown = {p.column for p in report.warnings if p.row == 1}
    assert not [c for c in unknown if "." in c or c.startswith(("X_", "X.U.FEFF"))]
    # All or nothing.
    assert not report.applied
    assert Response.objects.count() == Answer.objects.count() == 0
    assert not Organisation.objects.filter(acronym="REACH-LBN").exists()


def test_reach_command_reports_and_exits_non_zero(reach_form, shared_data, tmp_path):
    # The first 30 households (the full file is read by the test above).
    table = pd.read_excel(shared_data / FOLDER / "submissions.xlsx", dtype=str, nrows=30)
    path = tmp_path / "first-30.xlsx"
    table.to_excel(path, index=False)
    out = io.StringIO()
    with pytest.raises(CommandError, match="Nothing imported"):
        call_command("responses", "import", "reach-lbn", str(path), "--key", "X_uuid",
                     "--organisation", "REACH-LBN", stdout=out)
    lines = out.getvalue().splitlines()
    assert len(lines) >= 30  # at least the unknown neighbourhood code of every row
    assert all(line.startswith(("error: sheet 'Sheet1', row ", "warning: sheet 'Sheet1', row "))
               for line in lines)
    rows = {int(line.split("row ")[1].split(",")[0]) for line in lines if line.startswith("error")}
    assert rows <= set(range(2, 32))
    # The answers themselves are read: select_multiple from its space-separated column.
    parsed = parse_wide(reach_form.structure, read_sheets(path), key="_uuid")
    livelihood = next(r.path for r in iter_questions(reach_form.structure)
                      if r.name == "primary_livelihood")
    assert [p.answers.get(livelihood, "") for p in parsed.responses] == [
        " ".join(str(v).split()) if isinstance(v, str) else "" for v in table["primary_livelihood"]
    ]
