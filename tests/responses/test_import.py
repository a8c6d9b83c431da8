"""Spreadsheet import of responses (issue 4.7) on a small hand-made form.

The form, the organisations and every answer here are synthetic test fixtures.
"""

from __future__ import annotations

import io
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from iocompendium.questionnaires.models import Questionnaire, QuestionnaireVersion
from iocompendium.registry.models import Organisation
from iocompendium.responses.importing import ImportFailed, import_responses
from iocompendium.responses.models import Answer, AuditEvent, Response

pytestmark = pytest.mark.django_db


def node(kind: str, name: str, children=None, **extra) -> dict:
    base = {
        "type": kind, "name": name, "row": 0, "label": {"en": name, "fr": f"{name} (fr)"},
        "hint": {}, "relevant": "", "required": "", "required_message": {}, "constraint": "",
        "constraint_message": {}, "soft_constraint": "", "soft_constraint_message": {},
        "calculation": "", "default": "", "read_only": "", "choice_list": "",
        "choice_filter": "", "or_other": False, "appearance": "", "repeat_count": "",
        "parameters": {},
    }
    base.update(extra)
    if children is not None:
        base["children"] = children
    return base


def choices(*names: str) -> list[dict]:
    return [{"name": n, "label": {"en": n.title(), "fr": f"{n} (fr)"}, "extra": {}} for n in names]


SMALL_FORM = {
    "form_id": "small", "form_version": "1", "title": {"en": "Small", "fr": "Petit"},
    "default_language": "en", "languages": ["en", "fr"],
    "choices": {
        "category": choices("igo", "tgn", "private"),
        "yes_no": choices("yes", "no"),
        "actors": choices("states", "firms", "experts"),
        "effect": choices("binding", "non_binding"),
    },
    "children": [
        node("group", "profile", [
            node("select_one", "category", choice_list="category", required="yes"),
            node("integer", "staff", constraint=". >= 0 and . <= 10000",
                 constraint_message={"en": "Staff must be between 0 and 10000."}),
            node("date", "founded"),
            node("decimal", "budget"),
            node("calculate", "double_staff", calculation="${staff} * 2"),
        ]),
        node("group", "practice", [
            node("select_one", "has_guidelines", choice_list="yes_no", required="yes"),
            node("text", "guidelines_examples", relevant="${has_guidelines} = 'yes'",
                 required="yes"),
            node("select_multiple", "actors", choice_list="actors"),
        ]),
        node("group", "variety", [
            node("repeat", "instruments", [
                node("text", "title", required="yes"),
                node("select_one", "legal_effect", choice_list="effect"),
                node("integer", "year", constraint=". >= 1900 and . <= 2030"),
            ]),
        ]),
    ],
}

MAIN_HEADERS = ["_index", "organisation", "profile/category", "profile/staff", "profile/founded",
                "profile/budget", "practice/has_guidelines", "practice/guidelines_examples",
                "practice/actors"]
REPEAT_HEADERS = ["_index", "_parent_index", "variety/instruments/title",
                  "variety/instruments/legal_effect", "variety/instruments/year"]


@pytest.fixture
def small_form() -> QuestionnaireVersion:
    questionnaire = Questionnaire.objects.create(slug="small", title={"en": "Small"})
    return QuestionnaireVersion.objects.create(
        questionnaire=questionnaire, number=1, structure=SMALL_FORM, languages=["en", "fr"],
        xlsform=b"", fingerprint="synthetic", published_at=timezone.now(),
    )


@pytest.fixture
def organisations() -> list[Organisation]:
    return [
        Organisation.objects.create(acronym=acronym, name_en=f"{acronym} (synthetic test)",
                                    category="igo", synthetic=True)
        for acronym in ("ALPHA", "BETA")
    ]


def workbook(path: Path, sheets: dict[str, list[list]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for name, rows in sheets.items():
        sheet = book.create_sheet(name)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def good_sheets() -> dict[str, list[list]]:
    return {
        "responses": [
            MAIN_HEADERS,
            [1, "ALPHA", "igo", 120, "1961-05-02", 12.5, "yes", "Written MoU guidelines.",
             "states experts"],
            [2, "BETA", "tgn", 7, None, None, "no", None, "firms"],
        ],
        "instruments": [
            REPEAT_HEADERS,
            [1, 1, "Convention on tides", "binding", 1975],
            [2, 1, "Guidelines on waves", "non_binding", 2001],
            [3, 2, "Principles of storage", None, 2019],
        ],
    }


def answers_of(acronym: str) -> dict[str, str]:
    return dict(Answer.objects.filter(response__organisation__acronym=acronym)
                .values_list("path", "value"))


def test_wide_workbook_is_imported_with_repeats_and_audit(tmp_path, small_form, organisations):
    path = workbook(tmp_path / "in.xlsx", good_sheets())
    report = import_responses("small", path)
    assert report.applied and not report.errors
    assert answers_of("ALPHA") == {
        "profile/category": "igo", "profile/staff": "120", "profile/founded": "1961-05-02",
        "profile/budget": "12.5", "practice/has_guidelines": "yes",
        "practice/guidelines_examples": "Written MoU guidelines.",
        "practice/actors": "states experts",
        "variety/instruments[1]/title": "Convention on tides",
        "variety/instruments[1]/legal_effect": "binding", "variety/instruments[1]/year": "1975",
        "variety/instruments[2]/title": "Guidelines on waves",
        "variety/instruments[2]/legal_effect": "non_binding",
        "variety/instruments[2]/year": "2001",
    }
    assert answers_of("BETA")["variety/instruments[1]/title"] == "Principles of storage"
    assert set(Response.objects.values_list("status", flat=True)) == {"approved"}
    events = AuditEvent.objects.filter(action="answer")
    assert events.count() == Answer.objects.count() == 13 + 6  # BETA: 4 + 2 in its instrument
    assert set(events.values_list("via", flat=True)) == {"import"}


def test_same_file_twice_changes_nothing(tmp_path, small_form, organisations):
    path = workbook(tmp_path / "in.xlsx", good_sheets())
    import_responses("small", path)
    before = (list(Answer.objects.values_list("path", "value", "revision").order_by("id")),
              AuditEvent.objects.count())
    report = import_responses("small", path)
    after = (list(Answer.objects.values_list("path", "value", "revision").order_by("id")),
             AuditEvent.objects.count())
    assert after == before
    assert report.responses_unchanged == 2 and report.answers_written == 0
    assert Response.objects.count() == 2


def test_changed_cell_and_removed_instance_are_recorded(tmp_path, small_form, organisations):
    import_responses("small", workbook(tmp_path / "a.xlsx", good_sheets()))
    sheets = good_sheets()
    sheets["responses"][1][3] = 130  # ALPHA's staff
    del sheets["instruments"][2]  # ALPHA's second instrument
    report = import_responses("small", workbook(tmp_path / "b.xlsx", sheets))
    assert report.applied
    staff = Answer.objects.get(response__organisation__acronym="ALPHA", path="profile/staff")
    assert (staff.value, staff.revision) == ("130", 2)
    event = AuditEvent.objects.get(path="profile/staff", old_value="120")
    assert (event.new_value, event.via) == ("130", "import")
    assert "variety/instruments[2]/title" not in answers_of("ALPHA")
    assert AuditEvent.objects.filter(path="variety/instruments[2]/title", new_value="").exists()


def test_every_error_is_reported_by_sheet_row_and_column_and_nothing_written(
        tmp_path, small_form, organisations):
    sheets = good_sheets()
    sheets["responses"][1][3] = "many"  # not an integer
    sheets["responses"][1][4] = "02/05/1961"  # not YYYY-MM-DD
    sheets["responses"][1][8] = "states aliens"  # unknown choice
    sheets["responses"][2][3] = -4  # breaks the constraint
    sheets["responses"][2][6] = "yes"  # makes the examples required, but they are missing
    sheets["responses"].append([3, "GAMMA", "igo", 1, None, None, "no", None, None])
    sheets["instruments"].append([4, 9, "Orphan", None, 1990])  # no parent row 9
    sheets["instruments"].append([5, 2, "Too old", None, 1800])  # constraint
    report = import_responses("small", workbook(tmp_path / "bad.xlsx", sheets))
    assert not report.applied
    where = {(p.sheet, p.row, p.column) for p in report.errors}
    assert where == {
        ("responses", 2, "profile/staff"),
        ("responses", 2, "profile/founded"),
        ("responses", 2, "practice/actors"),
        ("responses", 3, "profile/staff"),
        ("responses", 3, "practice/guidelines_examples"),
        ("responses", 4, "organisation"),
        ("instruments", 5, "_parent_index"),
        ("instruments", 6, "variety/instruments/year"),
    }
    messages = {(p.row, p.column): p.message for p in report.errors}
    assert "Staff must be between 0 and 10000." in messages[(3, "profile/staff")]
    assert "GAMMA" in messages[(4, "organisation")]
    assert Response.objects.count() == Answer.objects.count() == AuditEvent.objects.count() == 0


def test_kobo_layout_bare_names_and_choice_columns(tmp_path, small_form, organisations):
    """Kobo's export: _uuid/_index metadata, bare names, one 0/1 column per choice."""
    main = [
        ["start", "_uuid", "_index", "organisation", "category", "staff", "has_guidelines",
         "guidelines_examples", "actors/states", "actors/firms", "actors.experts",
         "double_staff", "_submission_time"],
        ["2018-05-01", "u-1", 1, "ALPHA", "igo", "3", "yes", "Ex.", 1, 0, 1, "6", "2018-05-02"],
        ["2018-05-01", "u-2", 2, "BETA", "private", "4", "no", None, False, True, False, "8",
         None],
    ]
    repeat = [["_index", "_parent_index", "_parent_table_name", "title", "year"],
              [1, 2, "responses", "Standard on pallets", 2010]]
    path = workbook(tmp_path / "kobo.xlsx", {"Small survey": main, "instruments": repeat})
    report = import_responses("small", path)
    assert report.applied, [str(p) for p in report.problems]
    assert answers_of("ALPHA")["practice/actors"] == "states experts"
    assert answers_of("BETA")["practice/actors"] == "firms"
    assert answers_of("BETA")["variety/instruments[1]/year"] == "2010"
    assert "profile/double_staff" not in answers_of("ALPHA")  # calculated, not imported


def test_space_separated_and_choice_columns_must_agree(tmp_path, small_form, organisations):
    main = [["organisation", "category", "has_guidelines", "actors", "actors/states"],
            ["ALPHA", "igo", "no", "firms", 1]]
    report = import_responses("small", workbook(tmp_path / "x.xlsx", {"r": main}))
    assert [(p.sheet, p.row, p.column) for p in report.errors] == [("r", 2, "practice/actors")]


def test_draft_may_leave_required_questions_empty(tmp_path, small_form, organisations):
    main = [["organisation", "profile/staff"], ["ALPHA", 5]]
    path = workbook(tmp_path / "draft.xlsx", {"r": main})
    assert not import_responses("small", path).applied  # required answers missing
    report = import_responses("small", path, status="draft")
    assert report.applied
    assert Response.objects.get().status == "draft"


def test_zip_of_csv_files(tmp_path, small_form, organisations):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("responses.csv", "\ufefforganisation;profile/category;practice/"
                         "has_guidelines\nALPHA;tgn;no\n")
        archive.writestr("instruments.csv", "organisation,title\nALPHA,First\nALPHA,Second\n")
    path = tmp_path / "wide.zip"
    path.write_bytes(buffer.getvalue())
    report = import_responses("small", path)
    assert report.applied, [str(p) for p in report.problems]
    assert answers_of("ALPHA")["variety/instruments[2]/title"] == "Second"


def test_unreadable_file_and_unknown_questionnaire_are_one_sentence(tmp_path, small_form):
    bad = tmp_path / "bad.xlsx"
    bad.write_bytes(b"not a workbook")
    with pytest.raises(ImportFailed, match="not a readable .xlsx"):
        import_responses("small", bad)
    with pytest.raises(ImportFailed, match="No questionnaire 'nope'"):
        import_responses("nope", bad)


def test_command_reports_row_by_row_and_fails(tmp_path, small_form, organisations):
    sheets = good_sheets()
    sheets["responses"][2][2] = "martian"
    path = workbook(tmp_path / "bad.xlsx", sheets)
    out = io.StringIO()
    with pytest.raises(CommandError, match="Nothing imported: 1 error"):
        call_command("responses", "import", "small", str(path), stdout=out)
    assert "sheet 'responses', row 3, column 'profile/category'" in out.getvalue()
    call_command("responses", "import", "small", str(workbook(tmp_path / "ok.xlsx", good_sheets())),
                 stdout=out)
    assert "2 response(s) created" in out.getvalue()


def test_command_line_never_shows_a_traceback(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "iocompendium", "responses", "import", "small",
         str(tmp_path / "missing.xlsx"), "--data-dir", str(tmp_path / "data")],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "missing.xlsx" in result.stderr


def test_response_is_saved_after_its_answers_for_post_save_receivers(
        tmp_path, small_form, organisations):
    """Receivers of post_save (the instruments registry) must see the imported answers."""
    from django.db.models.signals import post_save

    seen: dict[str, int] = {}

    def receiver(sender, instance, **kwargs):
        seen[instance.organisation.acronym] = instance.answers.count()

    post_save.connect(receiver, sender=Response, dispatch_uid="test-import-order")
    try:
        import_responses("small", workbook(tmp_path / "in.xlsx", good_sheets()))
    finally:
        post_save.disconnect(dispatch_uid="test-import-order", sender=Response)
    assert seen == {"ALPHA": 13, "BETA": 6}


def test_missing_organisations_can_be_created_on_request(tmp_path, small_form, organisations):
    sheets = good_sheets()
    sheets["responses"].append([3, "GAMMA", "private", 2, None, None, "no", None, None])
    path = workbook(tmp_path / "gamma.xlsx", sheets)
    assert not import_responses("small", path).applied  # refused by default
    report = import_responses("small", path, create_organisations=True)
    assert report.applied and report.notes == ["Created the organisation 'GAMMA'."]
    gamma = Organisation.objects.get(acronym="GAMMA")
    assert (gamma.category, gamma.name_en) == ("private", "GAMMA")
    assert answers_of("GAMMA")["profile/staff"] == "2"
