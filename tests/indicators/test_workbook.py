"""The framework spreadsheet: round trip, versions, and every class of problem with its
sheet, row and reason (nothing stored when there is one)."""

from __future__ import annotations

import io

import openpyxl
import pytest

from iocompendium.indicators import services, workbook
from iocompendium.indicators.models import Framework, FrameworkVersion
from iocompendium.indicators.workbook import WorkbookError

from .conftest import SHIPPED, write_framework

pytestmark = pytest.mark.django_db

SETTINGS = {"slug": "mini", "title::English (en)": "Mini", "title::Français (fr)": "Mini FR",
            "questionnaire": "io-survey", "version": "1", "missing": "na"}
E = "evaluation/"


def good_tree() -> list[list]:
    return [
        ["mini", "composite", None, "Mini", "Mini FR", None, None, None, None],
        ["practice", "category", "mini", "Practice", "Pratique", None, None, None, None],
        ["ex_ante_done", "indicator", "practice", "Ex ante", "Ex ante", 2, None, None,
         "1C5_P"],
        ["guidance", "indicator", "practice", "Guidance", "Orientations", 1, None, None, None],
    ]


def good_rules() -> list[list]:
    return [
        ["ex_ante_done", "choice", E + "ex_ante", "always=1 frequently=0.5", None, None,
         None, None, None, None],
        ["guidance", "choice", E + "evaluation_guidance", "yes=1", None, None, None, None,
         None, None],
    ]


def problems_of(tmp_path, tree=None, rules=None, settings=None):
    path = write_framework(tmp_path / "f.xlsx", tree or good_tree(), rules or good_rules(),
                           settings or SETTINGS)
    with pytest.raises(WorkbookError) as caught:
        services.import_framework_file(path)
    assert not Framework.objects.exists() and not FrameworkVersion.objects.exists()
    found: dict[tuple, str] = {}
    for problem in caught.value.problems:
        key = (problem.sheet, problem.row, problem.code)
        found[key] = f"{found[key]} | {problem.message}" if key in found else problem.message
    return found


def test_a_hand_written_framework_imports_and_exports_unchanged(io_survey, tmp_path):
    path = write_framework(tmp_path / "mini.xlsx", good_tree(), good_rules(), SETTINGS)
    imported = services.import_framework_file(path)
    assert imported.created and imported.version.number == 1
    data, name = services.export_framework("mini")
    assert data == path.read_bytes() and name == "mini.xlsx"
    # The same file again: no new version.
    assert not services.import_framework_file(path).created
    # A weight changed: a new version, exported as edited.
    tree = good_tree()
    tree[2][5] = 3
    edited = write_framework(tmp_path / "mini-v2.xlsx", tree, good_rules(), SETTINGS)
    again = services.import_framework_file(edited)
    assert again.created and again.version.number == 2
    assert services.export_framework("mini")[0] == edited.read_bytes()
    assert services.export_framework("mini", 1)[0] == path.read_bytes()
    node = next(n for n in again.version.definition["nodes"] if n["name"] == "ex_ante_done")
    assert node["weight"] == 3 and node["mirrors"] == "1C5_P"


def test_shipped_frameworks_import_and_round_trip(io_survey):
    imported = services.import_shipped()
    assert sorted(i.version.framework.slug for i in imported) == [
        "ireg-ex-ante-assessment", "ireg-ex-post-evaluation", "ireg-stakeholder-engagement"]
    for item in imported:
        slug = item.version.framework.slug
        data, _ = services.export_framework(slug)
        assert data == (SHIPPED / f"{slug}.xlsx").read_bytes()
        definition, problems = workbook.read(data)
        assert not problems
        # The writer and the reader agree: a definition written and read back is the same.
        rewritten, problems = workbook.read(workbook.workbook_bytes(definition))
        assert not problems and rewritten == definition
        # Four iREG categories, every indicator traced to an IO Survey question.
        framework = workbook.to_framework(definition)
        assert [c.name for c in framework.categories] == [
            "systematic_adoption", "methodology", "oversight", "transparency"]
        assert all(n.rule.question.startswith(("evaluation/", "stakeholders_section/"))
                   for n in framework.indicators)
        assert any(n.mirrors for n in framework.indicators)
        # A pure Framework (as the web editor changes it) written back reads the same.
        back = workbook.definition_of(framework, "io-survey", definition["version"],
                                      definition["country_composite"])
        again, problems = workbook.read(workbook.workbook_bytes(back))
        assert not problems and workbook.to_framework(again) == framework


def test_unknown_question_and_choice_not_in_list(io_survey, tmp_path):
    rules = good_rules()
    rules[0][2] = E + "no_such_question"
    rules[1][3] = "yes=1 perhaps=0.5"
    found = problems_of(tmp_path, rules=rules)
    assert "no question 'evaluation/no_such_question'" in found[("rules", 2, "unknown_question")]
    assert "'perhaps' is not a choice" in found[("rules", 3, "choice_not_in_list")]


def test_rules_that_can_never_score(io_survey, tmp_path):
    rules = good_rules()
    rules[0][3] = "never=1 always=0"  # fine: never scores 1
    rules[1][3] = "yes=0 no=0"
    extra_tree = good_tree() + [
        ["cond", "indicator", "practice", "C", "C", None, None, None, None],
        ["cnt", "indicator", "practice", "N", "N", None, None, None, None],
    ]
    rules += [
        ["cond", "condition", E + "ex_ante", None, "always", None, E + "ex_ante", "never",
         None, None],
        ["cnt", "count", E + "ex_ante", None, "always", 2, None, None, None, None],
    ]
    found = problems_of(tmp_path, tree=extra_tree, rules=rules)
    assert ("rules", 2, "never_scores") not in found
    assert "can never score" in found[("rules", 3, "never_scores")]
    assert "can never score" in found[("rules", 4, "never_scores")]
    assert "never reach its full score" in found[("rules", 5, "never_scores")]


def test_wrong_type_bad_values_and_tree_problems(io_survey, tmp_path):
    tree = good_tree() + [
        ["orphan", "indicator", "nowhere", "O", "O", "heavy", 2, None, None],
        ["practice", "category", "mini", "Again", "Encore", None, None, None, None],
        ["no_rule_here", "indicator", "practice", "X", "X", None, None, None, None],
    ]
    rules = good_rules() + [
        ["orphan", "number", E + "ex_ante", None, None, None, None, None, None, None],
        ["ghost", "choice", E + "ex_ante", "always=1", None, None, None, None, None, None],
        ["ex_ante_done", "choice", E + "ex_ante", "always=1", None, None, None, None, None,
         None],
    ]
    found = problems_of(tmp_path, tree=tree, rules=rules,
                        settings={**SETTINGS, "normalisation": "cubic"})
    assert "a number rule reads a number" in found[("rules", 4, "wrong_type")]
    assert "not an indicator of the tree" in found[("rules", 5, "rule_without_indicator")]
    assert "already has a rule" in found[("rules", 6, "duplicate")]
    assert "'heavy' is not a number" in found[("tree", 6, "bad_value")]
    assert "direction is 1 or -1" in found[("tree", 6, "bad_value")]
    assert "'nowhere' is not a node" in found[("tree", 6, "unknown_parent")]
    assert "already used" in found[("tree", 7, "duplicate")]
    assert "no row in the rules sheet" in found[("tree", 8, "no_rule")]
    assert "normalisation 'cubic'" in found[("settings", 2, "bad_value")]


def test_unknown_questionnaire_missing_sheet_and_unreadable_file(io_survey, tmp_path):
    found = problems_of(tmp_path, settings={**SETTINGS, "questionnaire": "nope"})
    assert "no questionnaire 'nope'" in found[("settings", 2, "unknown_questionnaire")]
    book = openpyxl.Workbook()
    book.active.title = "tree"
    buffer = io.BytesIO()
    book.save(buffer)
    with pytest.raises(WorkbookError) as caught:
        services.import_framework(buffer.getvalue(), "x.xlsx")
    codes = {(p.sheet, p.code) for p in caught.value.problems}
    assert ("rules", "missing_sheet") in codes and ("settings", "missing_sheet") in codes
    with pytest.raises(WorkbookError) as caught:
        services.import_framework(b"not a workbook", "x.xlsx")
    assert caught.value.problems[0].code == "unreadable"


def test_the_guide_worked_example(io_survey, tmp_path):
    """The example of docs/guide/indicators.md imports and scores as the guide says."""
    from iocompendium.registry.models import Organisation
    from iocompendium.responses.models import Answer, Response

    tree = [
        ["mini", "composite", None, "Assessment", "Évaluation", None, None, None, None],
        ["practice", "category", "mini", "Practice", "Pratique", None, None, None, None],
        ["openness", "category", "mini", "Openness", "Ouverture", None, None, None, None],
        ["assesses", "indicator", "practice", "Assesses before adopting",
         "Évalue avant d'adopter", 2, None, None, None],
        ["guidance", "indicator", "practice", "Written guidance", "Orientations écrites", 1,
         None, None, None],
        ["published", "indicator", "openness", "Evaluations published",
         "Évaluations publiées", None, None, None, None],
    ]
    rules = [
        ["assesses", "choice", E + "ex_ante", "always=1 frequently=0.67 sometimes=0.33",
         None, None, None, None, None, None],
        ["guidance", "condition", E + "ex_post", None, "always frequently sometimes", None,
         E + "evaluation_guidance", "yes", None, None],
        ["published", "choice", E + "evaluation_published", "always=1 sometimes=0.5", None,
         None, None, None, None, "zero"],
    ]
    settings = {"slug": "mini", "title::English (en)": "Assessment",
                "title::Français (fr)": "Évaluation", "questionnaire": "io-survey",
                "weighting": "manual", "scale": 2}
    services.import_framework_file(write_framework(tmp_path / "mini.xlsx", tree, rules,
                                                   settings))
    organisation = Organisation.objects.create(acronym="EXAMPLE", name_en="Example (synthetic)",
                                               category="igo", synthetic=True)
    response = Response.objects.create(organisation=organisation, version=io_survey,
                                       status="approved", synthetic=True)
    for path, value in (("ex_ante", "frequently"), ("ex_post", "sometimes"),
                        ("evaluation_guidance", "yes"), ("evaluation_published", "sometimes")):
        Answer.objects.create(response=response, path=E + path, value=value)
    unit = services.compute("mini").units[0]
    assert unit["categories"]["practice"] == pytest.approx((2 * 0.67 + 1) / 3)
    assert unit["categories"]["openness"] == pytest.approx(0.5)
    assert unit["score"] == pytest.approx(((2 * 0.67 + 1) / 3 + 0.5) / 2 * 2)
    assert round(unit["score"], 2) == 1.28
