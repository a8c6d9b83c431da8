"""``iocompendium form import|export|evaluate``: output shapes and exit statuses.

Most tests call the command in-process; a few run the real ``iocompendium`` launcher in
a subprocess to check exit statuses and that no traceback ever reaches the user.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command

from iocompendium.questionnaires.models import QuestionnaireVersion
from iocompendium.questionnaires.structure import iter_questions
from iocompendium.questionnaires.xlsform import read_xlsform

IO_SURVEY = Path(__file__).resolve().parents[2] / "src" / "iocompendium" / "data" / "io_survey.xlsx"
REACH_2024 = Path("xlsforms/reach-msna-2024/REACH_2024_MSNA-kobo-tool_draft_v11.xlsx")


def run_form(*args: str) -> str:
    out = StringIO()
    call_command("form", *args, stdout=out)
    return out.getvalue()


def run_cli(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    env = dict(os.environ, IOCOMPENDIUM_DATA_DIR=str(tmp_path / "data"))
    env.pop("DATABASE_URL", None)
    return subprocess.run(
        [sys.executable, "-c", "from iocompendium.cli import main; main()", "form", *args],
        capture_output=True, text=True, env=env, timeout=120)


def write_json(path: Path, value) -> Path:
    path.write_text(json.dumps(value), encoding="utf-8")
    return path


def write_form(path: Path, survey_rows: list[list[str]]) -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = "survey"
    for row in survey_rows:
        sheet.append(row)
    workbook.save(path)
    return path


# --- import / export ----------------------------------------------------------------

@pytest.mark.django_db
def test_import_prints_a_summary_then_unchanged():
    first = run_form("import", str(IO_SURVEY), "--slug", "io-survey")
    structure = read_xlsform(IO_SURVEY)
    questions = sum(1 for _ in iter_questions(structure))
    assert "new version 1" in first and f"{questions} questions" in first
    assert "6 groups" in first and "1 repeats" in first and "en, fr" in first
    second = run_form("import", str(IO_SURVEY), "--slug", "io-survey")
    assert "unchanged" in second
    assert QuestionnaireVersion.objects.count() == 1


@pytest.mark.django_db
def test_import_json_summary():
    summary = json.loads(run_form("import", str(IO_SURVEY), "--json", "--publish"))
    assert summary["slug"] == "io-survey" and summary["version"] == 1
    assert summary["created"] is True and summary["published"] is True
    assert summary["groups"] == 6 and summary["repeats"] == 1
    assert summary["languages"] == ["en", "fr"]
    assert summary["questions"] == sum(1 for _ in iter_questions(read_xlsform(IO_SURVEY)))


@pytest.mark.django_db
def test_import_refuses_bad_calc_naming_the_calculation(shared_data):
    with pytest.raises(CommandError) as caught:
        run_form("import", str(shared_data / "xlsforms/pyxform-examples/bad_calc.xlsx"))
    assert "calculation" in str(caught.value) and "row 2" in str(caught.value)
    assert QuestionnaireVersion.objects.count() == 0


@pytest.mark.django_db
def test_export_then_import_gives_the_same_structure(tmp_path):
    run_form("import", str(IO_SURVEY), "--slug", "io-survey")
    run_form("export", "io-survey", "-o", str(tmp_path / "out.xlsx"))
    assert read_xlsform(tmp_path / "out.xlsx") == QuestionnaireVersion.objects.get().structure
    run_form("export", "io-survey", "--version", "1", "-o", str(tmp_path / "v1.xlsx"))
    assert (tmp_path / "v1.xlsx").is_file()


@pytest.mark.django_db
def test_export_of_unknown_questionnaire_or_version(tmp_path):
    with pytest.raises(CommandError, match="no questionnaire 'nothing'"):
        run_form("export", "nothing", "-o", str(tmp_path / "x.xlsx"))
    run_form("import", str(IO_SURVEY))
    with pytest.raises(CommandError, match="version 9"):
        run_form("export", "io-survey", "--version", "9", "-o", str(tmp_path / "x.xlsx"))


# --- evaluate -------------------------------------------------------------------------

def test_evaluate_reach_2024(shared_data, tmp_path):
    form = shared_data / REACH_2024
    answers = write_json(tmp_path / "answers.json", {
        "introduction/consent": "yes", "introduction/enum_age": "17",
        "consented/demographics/hh_size": "2",
        "consented/demographics/roster[1]/ind_age": "30",
        "consented/demographics/roster[2]/ind_age": "4",
    })
    english = json.loads(run_form("evaluate", str(form), "--answers", str(answers),
                                  "--lang", "en"))
    french = json.loads(run_form("evaluate", str(form), "--answers", str(answers),
                                 "--lang", "fr"))
    assert all(set(result) == {"relevant", "required", "value", "error"}
               for result in english.values())
    # The form's own rule: the age must be between 18 and 120 (messages from its sheet).
    assert english["introduction/enum_age"]["error"] == "Age must be between 18 and 120"
    assert french["introduction/enum_age"]["error"] == "L'âge doit être compris entre 18 et 120 ans"
    # consent_no_note applies only when consent is 'no'.
    assert english["introduction/consent_no_note"]["relevant"] is False
    assert english["consented/demographics/roster[2]/ind_age"]["value"] == "4"
    # Calculate questions are included: ind_pos is position(..) inside the roster.
    assert english["consented/demographics/roster[2]/ind_pos"]["value"] == "2"
    assert "consented/demographics/roster[3]/ind_age" not in english


def test_evaluate_io_survey_paths_and_calculations(tmp_path):
    answers = write_json(tmp_path / "answers.json", {
        "variety/instruments[1]/title": "Standard A",
        "variety/instruments[2]/title": "Recommendation B",
        "stakeholders_section/stakeholders": "igos consumers other",
    })
    result = json.loads(run_form("evaluate", str(IO_SURVEY), "--answers", str(answers)))
    assert result["variety/instruments[2]/title"]["value"] == "Recommendation B"
    assert result["variety/instrument_count"]["value"] == "2"
    assert result["stakeholders_section/stakeholder_count"]["value"] == "3"
    assert result["stakeholders_section/stakeholders_other"]["relevant"] is True
    assert result["organisation/name"] == {"relevant": True, "required": True, "value": "",
                                           "error": "Please answer this question."}


@pytest.mark.parametrize("content, fragment", [
    (None, "does not exist"),
    ("{not json", "not valid JSON"),
    ("[1, 2]", "one JSON object"),
    ('{"organisation/name": 3}', "not a string"),
])
def test_evaluate_refuses_bad_answers_with_status_2(tmp_path, content, fragment):
    answers = tmp_path / "answers.json"
    if content is not None:
        answers.write_text(content)
    with pytest.raises(CommandError) as caught:
        run_form("evaluate", str(IO_SURVEY), "--answers", str(answers))
    assert caught.value.returncode == 2 and fragment in str(caught.value)


def test_evaluate_refuses_bad_forms_with_status_2(shared_data, tmp_path):
    answers = write_json(tmp_path / "answers.json", {})
    for form in (shared_data / "xlsforms/pyxform-examples/bad_calc.xlsx",
                 tmp_path / "missing.xlsx"):
        with pytest.raises(CommandError) as caught:
            run_form("evaluate", str(form), "--answers", str(answers))
        assert caught.value.returncode == 2


def test_cli_exit_statuses_and_one_json_object(tmp_path):
    answers = write_json(tmp_path / "answers.json", {"organisation/staff": "-1"})
    done = run_cli(tmp_path, "evaluate", str(IO_SURVEY), "--answers", str(answers),
                   "--lang", "fr")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["organisation/staff"]["error"] == "Le personnel ne peut pas être négatif."
    (tmp_path / "bad.json").write_text("{")
    bad = run_cli(tmp_path, "evaluate", str(IO_SURVEY), "--answers", str(tmp_path / "bad.json"))
    assert bad.returncode == 2 and bad.stdout == ""
    assert "Traceback" not in bad.stderr and len(bad.stderr.strip().splitlines()) == 1


GARBAGE_EXPRESSIONS = ["((((", "${", "1 +* 2", "concat(", "'unclosed", "if(1,2)",
                       "selected(${a})", "${a}[", "::", "1 div 0", "\u0000", "©∂ƒ",
                       "format-date(${a}, '%Q')", "regex(${a}, '[')", "-" * 500]


def test_no_traceback_whatever_the_expression(tmp_path):
    """Malformed expressions in a form: a CommandError with status 2 (one sentence, which
    the launcher prints without a traceback); valid odd ones evaluate."""
    answers = write_json(tmp_path / "answers.json", {"a": "x", "b": "y"})
    for index, expression in enumerate(GARBAGE_EXPRESSIONS):
        form = write_form(tmp_path / f"form{index}.xlsx", [
            ["type", "name", "label", "calculation", "constraint"],
            ["text", "a", "A"],
            ["calculate", "c", "", expression.replace("\u0000", "")],
            ["text", "b", "B", "", expression.replace("\u0000", "")],
        ])
        try:
            output = run_form("evaluate", str(form), "--answers", str(answers))
        except CommandError as error:
            assert error.returncode == 2, (expression, str(error))
            assert str(error).strip(), expression
        else:
            assert set(json.loads(output)) == {"a", "c", "b"}, expression


def test_garbage_form_file_gives_status_2(tmp_path):
    form = tmp_path / "form.xlsx"
    form.write_bytes(b"PK\x03\x04 this is not a workbook")
    answers = write_json(tmp_path / "answers.json", {})
    done = run_cli(tmp_path, "evaluate", str(form), "--answers", str(answers))
    assert done.returncode == 2 and "Traceback" not in done.stderr
