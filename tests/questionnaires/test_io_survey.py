"""The shipped IO Survey: the names other parts rely on (contracts), both languages,
the size asked for, its skip logic and constraints, and the export/import round trip.

Expected stakeholder labels are copied from the Seed facts table of
``reference/domain.md``, not from the form.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from iocompendium.questionnaires.engine import evaluate
from iocompendium.questionnaires.io_survey_source import io_survey
from iocompendium.questionnaires.structure import iter_nodes, iter_questions
from iocompendium.questionnaires.xlsform import read_xlsform, write_xlsform

IO_SURVEY = Path(__file__).resolve().parents[2] / "src" / "iocompendium" / "data" / "io_survey.xlsx"

SEED_STAKEHOLDERS = [  # (name agreed in the contracts, label of the Seed facts table)
    ("gov_members", "Government representatives of Member countries"),
    ("gov_non_members", "Government representatives of non-Member countries"),
    ("national_regulators", "National regulatory agencies"),
    ("other_domestic", "Other entities at the domestic level"),
    ("igos", "Intergovernmental organisations"),
    ("international_ngos", "International NGOs"),
    ("academic_institutions", "Academic institutions"),
    ("academic_unions", "Academic unions"),
    ("philanthropic_foundations", "Philanthropic foundations"),
    ("business_associations", "International business associations"),
    ("private_sector", "Private sector entities"),
    ("individual_experts", "Individual experts"),
    ("labour_unions", "Labour or trade unions"),
    ("consumers", "Consumers"),
    ("other", "Other"),
]


@pytest.fixture(scope="module")
def survey() -> dict:
    return read_xlsform(IO_SURVEY)


def nodes(structure: dict) -> dict[str, dict]:
    return {ref.path: ref.node for ref in iter_nodes(structure)}


def choice_names(structure: dict, path: str) -> list[str]:
    return [c["name"] for c in structure["choices"][nodes(structure)[path]["choice_list"]]]


def test_settings(survey):
    assert survey["form_id"] == "io_survey"
    assert survey["languages"] == ["en", "fr"]
    assert survey["default_language"] == "en"
    assert set(survey["title"]) == {"en", "fr"}


def test_sections_are_the_agreed_top_level_groups(survey):
    assert [(n["name"], n["type"]) for n in survey["children"]] == [
        ("organisation", "group"), ("variety", "group"), ("implementation", "group"),
        ("evaluation", "group"), ("stakeholders_section", "group"), ("coordination", "group")]


def test_size_and_unique_names(survey):
    questions = list(iter_questions(survey))
    assert 100 <= len(questions) <= 200
    names = Counter(ref.name for ref in iter_nodes(survey))
    assert [name for name, count in names.items() if count > 1] == []


def test_every_text_in_both_languages(survey):
    for ref in iter_nodes(survey):
        node = ref.node
        if ref.type != "calculate":
            assert set(node["label"]) == {"en", "fr"}, ref.path
        for column in ("hint", "constraint_message", "required_message",
                       "soft_constraint_message"):
            assert set(node[column]) in (set(), {"en", "fr"}), (ref.path, column)
    for options in survey["choices"].values():
        for option in options:
            assert set(option["label"]) == {"en", "fr"}
            assert option["label"]["en"] and option["label"]["fr"]


def test_category_codes_match_the_registry(survey):
    from iocompendium.registry.models import Category

    assert choice_names(survey, "organisation/category") == list(Category.values)
    assert nodes(survey)["organisation/category"]["type"] == "select_one"


def test_instruments_repeat(survey):
    by_path = nodes(survey)
    assert by_path["variety/instruments"]["type"] == "repeat"
    children = [(c["name"], c["type"]) for c in by_path["variety/instruments"]["children"]]
    assert children == [("title", "text"), ("instrument_type", "text"),
                        ("legal_effect", "select_one"), ("addressees", "select_multiple"),
                        ("adopting_body", "select_one"), ("year", "integer"),
                        ("status", "select_one"), ("subjects", "text")]
    assert choice_names(survey, "variety/instruments/legal_effect") == [
        "binding", "non_binding", "mixed", "unknown"]
    assert choice_names(survey, "variety/instruments/addressees") == [
        "states", "regulators", "private_operators", "other_ios", "general_public"]
    assert choice_names(survey, "variety/instruments/adopting_body") == [
        "plenary", "governing_council", "technical_committee", "conference_of_parties",
        "secretariat", "other"]
    assert choice_names(survey, "variety/instruments/status") == [
        "in_force", "superseded", "draft", "withdrawn"]


def test_stakeholders_are_the_seed_table(survey):
    node = nodes(survey)["stakeholders_section/stakeholders"]
    assert node["type"] == "select_multiple"
    options = survey["choices"][node["choice_list"]]
    assert [(o["name"], o["label"]["en"]) for o in options] == SEED_STAKEHOLDERS


def test_definition_and_guidelines_choices(survey):
    assert nodes(survey)["stakeholders_section/stakeholder_definition"]["type"] == "select_one"
    assert "understanding_no_definition" in choice_names(
        survey, "stakeholders_section/stakeholder_definition")
    assert set(choice_names(survey, "stakeholders_section/stakeholder_definition")) == {
        "formal_definition", "understanding_no_definition", "no_definition"}
    assert nodes(survey)["coordination/coordination_guidelines"]["type"] == "select_one"
    assert choice_names(survey, "coordination/coordination_guidelines") == ["yes", "no"]


def test_each_theme_has_practice_examples(survey):
    sections = {ref.path.split("/")[0] for ref in iter_questions(survey)
                if ref.name.endswith("_examples") and ref.type == "text"}
    assert sections == {"variety", "implementation", "evaluation", "stakeholders_section",
                        "coordination"}


def test_skip_logic_constraints_and_calculations_exist(survey):
    every = list(iter_nodes(survey))
    assert sum(1 for ref in every if ref.node["relevant"]) >= 20
    assert sum(1 for ref in every if ref.node["constraint"]) >= 8
    assert sum(1 for ref in every if ref.type == "calculate") >= 3
    assert sum(1 for ref in every if ref.node["required"]) >= 8


def test_year_constraint_bounds(survey):
    answers = {"variety/instruments[1]/title": "A", "variety/instruments[1]/year": "1799",
               "variety/instruments[2]/title": "B", "variety/instruments[2]/year": "1800",
               "variety/instruments[3]/title": "C", "variety/instruments[3]/year": "2027"}
    result = evaluate(survey, answers, "fr")
    message = "Indiquez une année entre 1800 et 2026."
    assert result["variety/instruments[1]/year"]["error"] == message
    assert result["variety/instruments[2]/year"]["error"] is None
    assert result["variety/instruments[3]/year"]["error"] is not None
    assert result["variety/instrument_count"]["value"] == "3"


def test_none_is_exclusive(survey):
    path = "coordination/coordination_mechanisms"
    assert evaluate(survey, {path: "none mous"}, "en")[path]["error"]
    assert evaluate(survey, {path: "none"}, "en")[path]["error"] is None
    assert evaluate(survey, {path: "mous meetings"}, "en")[path]["error"] is None


def test_skip_logic_follows_answers(survey):
    path = "coordination/guidelines_focus"
    assert evaluate(survey, {"coordination/coordination_guidelines": "yes"})[path]["relevant"]
    assert not evaluate(survey, {"coordination/coordination_guidelines": "no"})[path]["relevant"]
    assistance = "implementation/assistance_types"
    chosen = evaluate(survey, {"implementation/mechanism_families": "assistance monitoring"})
    assert chosen[assistance]["relevant"] and chosen[assistance]["required"]
    assert not evaluate(survey, {"implementation/mechanism_families": "monitoring"})[
        assistance]["relevant"]


def test_soft_constraint_warns_only(survey):
    answers = {"organisation/year_established": "1990",
               "variety/instruments[1]/title": "A", "variety/instruments[1]/year": "1980"}
    result = evaluate(survey, answers, "en")["variety/instruments[1]/year"]
    assert result["error"] is None
    assert result["warning"] == "This year is before the organisation was established."


def test_shipped_file_matches_its_source(survey):
    source = io_survey()

    def strip(items):
        return [{k: (strip(v) if k == "children" else v) for k, v in n.items() if k != "row"}
                for n in items]

    assert strip(source["children"]) == strip(survey["children"])
    assert source["choices"] == survey["choices"]
    assert source["title"] == survey["title"]


def test_round_trip_through_export(survey, tmp_path):
    write_xlsform(survey, tmp_path / "io.xlsx")
    assert read_xlsform(tmp_path / "io.xlsx") == survey
