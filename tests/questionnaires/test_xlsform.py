"""read_xlsform / write_xlsform on the shared real XLSForms and on small synthetic forms.

Expected values are read from the spreadsheets directly with openpyxl (independently of
pyxform and of the reader under test) or written by hand into the synthetic forms.
"""

from __future__ import annotations

import re
import warnings
from functools import lru_cache
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from iocompendium.questionnaires.engine import check_structure
from iocompendium.questionnaires.structure import iter_nodes, iter_questions
from iocompendium.questionnaires.xlsform import XLSFormError, read_xlsform, write_xlsform

XLSFORMS = Path(__file__).resolve().parents[2].parent / "shared" / "data" / "xlsforms"
REACH_2024 = "reach-msna-2024/REACH_2024_MSNA-kobo-tool_draft_v11.xlsx"
LEBANON = "reach-lbn-msna-2022/form.xlsx"
BAD_CALC = "pyxform-examples/bad_calc.xlsx"
SHARED_FORMS = sorted(
    str(p.relative_to(XLSFORMS)) for p in XLSFORMS.glob("**/*.xlsx")
    if p.name != "submissions.xlsx" and p.name != "bad_calc.xlsx"
) if XLSFORMS.is_dir() else []


@lru_cache(maxsize=8)
def read_shared(relative: str) -> dict:
    return read_xlsform(XLSFORMS / relative)


def sheet_rows(path: Path, sheet: str = "survey") -> tuple[list[str], list[tuple]]:
    """The header and the rows of a sheet, as openpyxl reads them."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # openpyxl's note on unsupported Excel extensions
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=True)
        rows = list(workbook[sheet].iter_rows(values_only=True))
        workbook.close()
    header = [str(cell).strip() if cell is not None else "" for cell in rows[0]]
    return header, rows


def cleaned(cell) -> str:
    """A cell as XLSForm tools clean text by default (pyxform's ``clean_text_values``
    setting): typographic quotes become plain quotes, no-break spaces plain spaces and
    runs of spaces one space."""
    text = str(cell).replace("\xa0", " ").strip()
    for smart, plain in (("\u2018", "'"), ("\u2019", "'"), ("\u201c", '"'), ("\u201d", '"')):
        text = text.replace(smart, plain)
    return re.sub(" +", " ", text.replace("\xa0", " "))


def write_sheets(path: Path, sheets: dict[str, list[list]]) -> Path:
    workbook = openpyxl.Workbook()
    workbook.remove(workbook.active)
    for title, rows in sheets.items():
        sheet = workbook.create_sheet(title)
        for row in rows:
            sheet.append(row)
            for cell in sheet[sheet.max_row]:
                if isinstance(cell.value, str) and cell.value.startswith("="):
                    cell.data_type = "s"  # text, not an Excel formula
    workbook.save(path)
    return path


def without_rows(nodes: list[dict]) -> list[dict]:
    return [{k: (without_rows(v) if k == "children" else v) for k, v in n.items() if k != "row"}
            for n in nodes]


# --- the shared real forms -----------------------------------------------------------

@pytest.mark.parametrize("relative", SHARED_FORMS)
def test_every_shared_form_imports(shared_data, relative):
    structure = read_shared(relative)
    assert structure["children"], "the form has questions"
    assert structure["languages"]
    assert check_structure(structure) == []


def test_there_are_shared_forms_to_test(shared_data):
    assert len(SHARED_FORMS) >= 10


def test_bad_calc_is_refused_pointing_at_its_calculation(shared_data):
    with pytest.raises(XLSFormError) as caught:
        read_xlsform(shared_data / "xlsforms" / BAD_CALC)
    header, rows = sheet_rows(shared_data / "xlsforms" / BAD_CALC)
    calc_row = next(i for i, row in enumerate(rows, start=1)
                    if row[header.index("type")] == "calculate")
    problems = caught.value.problems
    assert [(p.sheet, p.row, p.column) for p in problems] == [("survey", calc_row, "calculation")]
    assert "badcalc" in problems[0].message
    assert f"row {calc_row}" in str(caught.value) and "calculation" in str(caught.value)


def test_reach_2024_has_both_languages_and_its_repeats(shared_data):
    structure = read_shared(REACH_2024)
    assert structure["languages"] == ["english", "french"]
    header, rows = sheet_rows(shared_data / "xlsforms" / REACH_2024)
    type_col = header.index("type")
    begin_repeats = [row[header.index("name")] for row in rows[1:]
                     if str(row[type_col] or "").strip() in ("begin_repeat", "begin repeat")]
    repeats = [ref.name for ref in iter_nodes(structure) if ref.type == "repeat"]
    assert repeats == begin_repeats and len(repeats) == 4
    # Every question's row in the structure is the row of that name in the sheet, and
    # its labels are the sheet's label::english / label::french cells.
    name_col, en_col, fr_col = (header.index(c) for c in ("name", "label::english",
                                                          "label::french"))
    for ref in iter_nodes(structure):
        row = rows[ref.node["row"] - 1]
        assert str(row[name_col]).strip() == ref.name
        if row[en_col]:
            assert ref.node["label"]["english"] == cleaned(row[en_col])
        if row[fr_col]:
            assert ref.node["label"]["french"] == cleaned(row[fr_col])


def test_reach_2024_constraint_messages_are_bilingual(shared_data):
    structure = read_shared(REACH_2024)
    enum_age = next(ref.node for ref in iter_nodes(structure) if ref.name == "enum_age")
    assert enum_age["constraint"] == ". >= 18 and . <= 120"
    assert enum_age["constraint_message"] == {
        "english": "Age must be between 18 and 120",
        "french": "L'âge doit être compris entre 18 et 120 ans"}
    assert enum_age["required"].lower() == "true"


def test_lebanon_form_reads_english_and_arabic_codes(shared_data):
    structure = read_shared(LEBANON)
    assert structure["languages"] == ["en", "ar"]
    assert structure["default_language"] == "en"
    labelled = [ref for ref in iter_questions(structure) if ref.node["label"]]
    assert labelled and all(set(ref.node["label"]) <= {"en", "ar"} for ref in labelled)
    assert any("ar" in ref.node["label"] for ref in labelled)


def test_or_other_is_kept_as_a_flag(shared_data):
    structure = read_shared("pyxform-examples/or_other.xlsx")
    names = [ref.name for ref in iter_nodes(structure)]
    assert names == ["fav_color", "fav_pastel"]  # pyxform's generated "_other" is dropped
    assert structure["children"][0]["or_other"] is True
    assert structure["children"][1]["or_other"] is False
    # The sheet's own choices only: pyxform's added "other" is not a choice of the list.
    assert [c["name"] for c in structure["choices"]["colors"]] == [
        "red", "green", "blue", "mauve", "apricot"]
    assert structure["choices"]["colors"][3]["extra"] == {"pastel": "yes"}


def test_choice_filters_and_extra_columns(shared_data):
    structure = read_shared("pyxform-examples/choice_filter_test.xlsx")
    county = structure["children"][1]
    assert county["choice_filter"] == "${state}=cf"
    assert structure["choices"]["counties"][0] == {
        "name": "king", "label": {"default": "King"}, "extra": {"cf": "washington"}}


def test_loop_is_expanded_like_pyxform(shared_data):
    structure = read_shared("pyxform-examples/loop.xlsx")
    loop = structure["children"][1]
    assert loop["type"] == "group" and loop["name"] == "loop_toilet_types"
    assert [g["name"] for g in loop["children"]] == [
        "pit_latrine_with_slab", "open_pit_latrine", "bucket_system", "other"]
    assert loop["children"][0]["children"][0]["label"] == {
        "english": "How many Pit latrine with slab are on the premises?"}


def test_external_choices_and_generated_table_list_rows(shared_data):
    external = read_shared("pyxform-examples/case_insensitivity.xlsx")
    assert [ref.type for ref in iter_nodes(external)] == [
        "select_one", "select_one_external", "osm"]
    spec = read_shared("pyxform-examples/xlsform_spec_test.xlsx")
    assert not [ref for ref in iter_nodes(spec) if ref.name.startswith("reserved_name")]
    assert all(ref.node["row"] for ref in iter_nodes(spec))


def test_case_insensitive_headers(shared_data):
    structure = read_shared("pyxform-examples/case_insensitivity.xlsx")
    assert [ref.node["row"] for ref in iter_nodes(structure)] == [2, 3, 4]
    assert structure["languages"] == ["EN"]


@pytest.mark.parametrize("relative", SHARED_FORMS)
def test_shared_forms_round_trip(shared_data, tmp_path, relative):
    structure = read_shared(relative)
    write_xlsform(structure, tmp_path / "export.xlsx")
    again = read_xlsform(tmp_path / "export.xlsx")
    if relative.endswith("loop.xlsx"):
        # A (deprecated) "begin loop" is read as pyxform expands it: one group per
        # choice, all from the loop's rows; the export writes them on rows of their own.
        assert without_rows(again["children"]) == without_rows(structure["children"])
        assert {k: v for k, v in again.items() if k != "children"} == {
            k: v for k, v in structure.items() if k != "children"}
    else:
        assert again == structure


# --- synthetic forms (written here) ------------------------------------------------

SYNTHETIC_SURVEY = [
    ["type", "name", "label::English (en)", "label::French (fr)", "hint::English (en)",
     "required", "required_message::English (en)", "relevant", "constraint",
     "constraint_message::English (en)", "constraint_message::French (fr)", "calculation",
     "default", "read_only", "soft_constraint", "soft_constraint_message::English (en)",
     "repeat_count", "choice_filter", "appearance"],
    ["begin_group", "details", "Details", "Détails"],
    ["integer", "age", "Age", "Âge", "In years", "yes", "Age please", "", ". >= 0",
     "Not negative", "Pas négatif", "", "", "", ". < 100", "Really that old?"],
    ["select_one yn", "works", "Works?", "Travaille ?", "", "", "", "${age} >= 16"],
    ["text", "job", "Job", "Emploi", "", "", "", "${works} = 'yes'", "", "", "", "", "none",
     "", "", "", "", "", "multiline"],
    ["end_group"],
    ["begin_repeat", "people", "Person", "Personne", "", "", "", "", "", "", "", "", "", "",
     "", "", "2"],
    ["text", "pname", "Name", "Nom"],
    ["begin_repeat", "pets", "Pet", "Animal"],
    ["select_one kind", "pet_kind", "Kind", "Espèce", "", "", "", "", "", "", "", "", "", "",
     "", "", "", "size = 'small'"],
    ["end_repeat"],
    ["end_repeat"],
    ["calculate", "n_people", "", "", "", "", "", "", "", "", "", "count(${people})", "", "yes"],
    ["select_multiple kind or_other", "liked", "Liked", "Aimés"],
]
SYNTHETIC_CHOICES = [
    ["list_name", "name", "label::English (en)", "label::French (fr)", "size"],
    ["yn", "yes", "Yes", "Oui"], ["yn", "no", "No", "Non"],
    ["kind", "cat", "Cat", "Chat", "small"], ["kind", "horse", "Horse", "Cheval", "big"],
]
SYNTHETIC_SETTINGS = [["form_title", "form_title::French (fr)", "form_id", "version",
                       "default_language"],
                      ["Synthetic form", "Formulaire synthétique", "synthetic_form", "7",
                       "English (en)"]]


@pytest.fixture
def synthetic_form(tmp_path) -> Path:
    """A small synthetic XLSForm using every supported column (invented content)."""
    return write_sheets(tmp_path / "synthetic.xlsx", {
        "survey": SYNTHETIC_SURVEY, "choices": SYNTHETIC_CHOICES, "settings": SYNTHETIC_SETTINGS})


def test_synthetic_form_structure(synthetic_form):
    structure = read_xlsform(synthetic_form)
    assert structure["form_id"] == "synthetic_form"
    assert structure["form_version"] == "7"
    assert structure["title"] == {"en": "Synthetic form", "fr": "Formulaire synthétique"}
    assert structure["languages"] == ["en", "fr"]
    assert structure["default_language"] == "en"
    paths = [ref.path for ref in iter_nodes(structure)]
    assert paths == ["details", "details/age", "details/works", "details/job", "people",
                     "people/pname", "people/pets", "people/pets/pet_kind", "n_people", "liked"]
    nodes = {ref.path: ref.node for ref in iter_nodes(structure)}
    age = nodes["details/age"]
    assert age["row"] == 3 and age["type"] == "integer"
    assert age["label"] == {"en": "Age", "fr": "Âge"} and age["hint"] == {"en": "In years"}
    assert age["required"] == "yes" and age["required_message"] == {"en": "Age please"}
    assert age["constraint"] == ". >= 0"
    assert age["constraint_message"] == {"en": "Not negative", "fr": "Pas négatif"}
    assert age["soft_constraint"] == ". < 100"
    assert age["soft_constraint_message"] == {"en": "Really that old?"}
    assert nodes["details/works"]["relevant"] == "${age} >= 16"
    assert nodes["details/works"]["choice_list"] == "yn"
    job = nodes["details/job"]
    assert (job["default"], job["appearance"]) == ("none", "multiline")
    assert nodes["people"]["repeat_count"] == "2" and nodes["people"]["row"] == 7
    assert nodes["people/pets/pet_kind"]["choice_filter"] == "size = 'small'"
    assert nodes["n_people"]["calculation"] == "count(${people})"
    assert nodes["n_people"]["read_only"] == "yes"
    assert nodes["liked"]["or_other"] is True and nodes["liked"]["type"] == "select_multiple"
    assert structure["choices"]["kind"][0] == {
        "name": "cat", "label": {"en": "Cat", "fr": "Chat"}, "extra": {"size": "small"}}


def test_synthetic_form_round_trips(synthetic_form, tmp_path):
    structure = read_xlsform(synthetic_form)
    write_xlsform(structure, tmp_path / "again.xlsx")
    assert read_xlsform(tmp_path / "again.xlsx") == structure


def test_single_colon_language_spelling(tmp_path):
    path = write_sheets(tmp_path / "colon.xlsx", {
        "survey": [["type", "name", "label:en", "label:fr"], ["text", "q", "Q", "Q fr"]]})
    structure = read_xlsform(path)
    assert structure["languages"] == ["en", "fr"]
    assert structure["children"][0]["label"] == {"en": "Q", "fr": "Q fr"}


def test_form_without_languages_uses_default(tmp_path):
    path = write_sheets(tmp_path / "plain.xlsx", {
        "survey": [["type", "name", "label"], ["text", "q", "Question"]]})
    structure = read_xlsform(path)
    assert structure["languages"] == ["default"]
    assert structure["children"][0]["label"] == {"default": "Question"}


def test_unknown_reference_is_refused_with_its_place(tmp_path):
    path = write_sheets(tmp_path / "unknown.xlsx", {"survey": [
        ["type", "name", "label", "relevant"],
        ["text", "a", "A"],
        ["text", "b", "B", "${nope} = 'x'"],
    ]})
    with pytest.raises(XLSFormError) as caught:
        read_xlsform(path)
    [problem] = caught.value.problems
    assert (problem.sheet, problem.row, problem.column) == ("survey", 3, "relevant")
    assert "nope" in problem.message


def test_every_problem_is_listed(tmp_path):
    path = write_sheets(tmp_path / "two.xlsx", {"survey": [
        ["type", "name", "label", "constraint", "calculation"],
        ["integer", "a", "A", ". >>= 1"],
        ["calculate", "b", "", "", "${a} +"],
    ]})
    with pytest.raises(XLSFormError) as caught:
        read_xlsform(path)
    assert [(p.row, p.column) for p in caught.value.problems] == [
        (2, "constraint"), (3, "calculation")]


def test_pyxform_errors_become_xlsform_errors_with_the_row(tmp_path):
    path = write_sheets(tmp_path / "unmatched.xlsx", {"survey": [
        ["type", "name", "label"], ["text", "q", "Q"], ["end_group"]]})
    with pytest.raises(XLSFormError) as caught:
        read_xlsform(path)
    assert caught.value.problems[0].row == 3
    assert "end_group" in caught.value.problems[0].message
    bad_type = write_sheets(tmp_path / "badtype.xlsx", {"survey": [
        ["type", "name", "label"], ["text", "q", "Q"], ["not_a_type", "r", "R"]]})
    with pytest.raises(XLSFormError) as caught:
        read_xlsform(bad_type)
    assert caught.value.problems[0].row == 3


@pytest.mark.parametrize("content", [b"", b"not a spreadsheet at all", b"PK\x03\x04broken"])
def test_garbage_files_raise_xlsform_error(tmp_path, content):
    path = tmp_path / "garbage.xlsx"
    path.write_bytes(content)
    with pytest.raises(XLSFormError):
        read_xlsform(path)


def test_missing_file_and_wrong_suffix(tmp_path):
    with pytest.raises(XLSFormError, match="does not exist"):
        read_xlsform(tmp_path / "absent.xlsx")
    (tmp_path / "form.txt").write_text("type,name\n")
    with pytest.raises(XLSFormError, match="not an XLSForm"):
        read_xlsform(tmp_path / "form.txt")


def test_csv_form(tmp_path):
    path = tmp_path / "form.csv"
    path.write_text("survey,,,\n,type,name,label\n,integer,n,Number\n,text,t,Text\n")
    structure = read_xlsform(path)
    assert [(ref.name, ref.type) for ref in iter_nodes(structure)] == [
        ("n", "integer"), ("t", "text")]


def test_formula_like_text_survives_export(tmp_path):
    path = write_sheets(tmp_path / "formula.xlsx", {"survey": [
        ["type", "name", "label", "required"], ["text", "q", "=not a formula", "yes"]]})
    structure = read_xlsform(path)
    write_xlsform(structure, tmp_path / "out.xlsx")
    assert read_xlsform(tmp_path / "out.xlsx") == structure
    assert structure["children"][0]["label"] == {"default": "=not a formula"}


def test_without_rows_helper_ignores_only_rows():
    assert without_rows([{"row": 1, "name": "a", "children": [{"row": 2, "name": "b"}]}]) == [
        {"name": "a", "children": [{"name": "b"}]}]


# --- robustness: any spreadsheet gives a structure or an XLSFormError -------------------

CELL_TEXT = st.one_of(
    st.sampled_from(["text", "integer", "select_one yn", "select_multiple yn", "begin_group",
                     "end_group", "begin_repeat", "end_repeat", "calculate", "note", "", "yes",
                     "${a}", ". > 1", "selected(${a}, 'yes')", "a", "b", "g", "(", "'"]),
    st.text(st.characters(blacklist_categories=("Cc", "Cs")), max_size=12),
)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(rows=st.lists(st.lists(CELL_TEXT, min_size=2, max_size=5), max_size=6))
def test_arbitrary_sheets_never_crash_the_reader(tmp_path, rows):
    """SYNTHETIC random survey sheets: the reader returns or raises XLSFormError."""
    path = write_sheets(tmp_path / "random.xlsx", {
        "survey": [["type", "name", "label", "relevant", "constraint"], *rows],
        "choices": [["list_name", "name", "label"], ["yn", "yes", "Yes"], ["yn", "no", "No"]],
    })
    try:
        structure = read_xlsform(path)
    except XLSFormError as error:
        assert error.problems and str(error)
    else:
        assert check_structure(structure) == []
