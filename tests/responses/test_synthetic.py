"""The synthetic demo data set: coherent, deterministic, calibrated on the Seed facts.

Counts are recomputed here with plain pandas over the generated answers; the expected
figures are copied from the Seed facts table of reference/domain.md (the specification).
The mini form below is a synthetic test fixture shaped like the IO Survey.
"""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from iocompendium.questionnaires.engine import evaluate
from iocompendium.questionnaires.structure import template_path
from iocompendium.responses.demo.organisations import ORGANISATIONS
from iocompendium.responses.demo.synthetic import generate

REPO = Path(__file__).resolve().parents[2]
IO_SURVEY = REPO / "src" / "iocompendium" / "data" / "io_survey.xlsx"

# Seed facts (reference/domain.md), in the option order of the contract.
SEED_STAKEHOLDERS = {
    "gov_members": 29, "gov_non_members": 27, "national_regulators": 29, "other_domestic": 26,
    "igos": 35, "international_ngos": 33, "academic_institutions": 27, "academic_unions": 16,
    "philanthropic_foundations": 19, "business_associations": 31, "private_sector": 28,
    "individual_experts": 28, "labour_unions": 14, "consumers": 19, "other": 13,
}


def node(kind, name, children=None, **extra):
    base = {"type": kind, "name": name, "label": {"en": name, "fr": name}, "relevant": "",
            "required": "", "constraint": "", "calculation": "", "default": "",
            "choice_list": "", "choice_filter": "", "repeat_count": "", "parameters": {}}
    base.update(extra)
    if children is not None:
        base["children"] = children
    return base


def options(*names):
    return [{"name": n, "label": {"en": n}, "extra": {}} for n in names]


MINI_SURVEY = {
    "form_id": "mini", "default_language": "en", "languages": ["en"],
    "choices": {
        "category": options("igo", "tgn", "private", "convention", "supranational", "other"),
        "yes_no": options("yes", "no"),
        "stakeholders": options(*SEED_STAKEHOLDERS),
        "definition": options("formal_definition", "understanding_no_definition",
                              "no_definition"),
        "effect": options("binding", "non_binding", "mixed", "unknown"),
        "addressees": options("states", "regulators", "private_operators", "other_ios",
                              "general_public"),
        "body": options("plenary", "governing_council", "technical_committee",
                        "conference_of_parties", "secretariat", "other"),
        "status": options("in_force", "superseded", "draft", "withdrawn"),
    },
    "children": [
        node("group", "organisation", [
            node("select_one", "category", choice_list="category", required="yes"),
            node("integer", "staff", constraint=". > 0 and . < 5000"),
        ]),
        node("group", "variety", [
            node("repeat", "instruments", [
                node("text", "title", required="yes"),
                node("text", "instrument_type"),
                node("select_one", "legal_effect", choice_list="effect"),
                node("select_multiple", "addressees", choice_list="addressees"),
                node("select_one", "adopting_body", choice_list="body"),
                node("integer", "year", constraint=". >= 1945 and . <= 2026"),
                node("select_one", "status", choice_list="status"),
                node("text", "subjects"),
            ]),
        ]),
        node("group", "stakeholders_section", [
            node("select_one", "engages", choice_list="yes_no"),
            node("select_multiple", "stakeholders", choice_list="stakeholders",
                 relevant="${engages} = 'yes'"),
            node("text", "stakeholders_other", relevant="selected(${stakeholders}, 'other')"),
            node("select_one", "stakeholder_definition", choice_list="definition",
                 relevant="${engages} = 'yes'"),
            node("text", "engagement_examples", relevant="${engages} = 'yes'"),
        ]),
        node("group", "coordination", [
            node("select_one", "coordinates", choice_list="yes_no"),
            node("select_one", "coordination_guidelines", choice_list="yes_no",
                 relevant="${coordinates} = 'yes'"),
            node("text", "guidelines_examples", relevant="${coordination_guidelines} = 'yes'"),
        ]),
    ],
}


def long_table(responses) -> pd.DataFrame:
    return pd.DataFrame(
        [(r.organisation.acronym, r.organisation.category, path, template_path(path), value)
         for r in responses for path, value in r.answers.items()],
        columns=["organisation", "category", "path", "question", "value"],
    )


def assert_calibrated(responses) -> None:
    table = long_table(responses)
    assert table["organisation"].nunique() == 36
    chosen = table[table["question"] == "stakeholders_section/stakeholders"]
    assert chosen["organisation"].nunique() == 36  # answered by all 36
    counts = chosen["value"].str.split().explode().value_counts()
    assert counts.reindex(list(SEED_STAKEHOLDERS)).tolist() == list(SEED_STAKEHOLDERS.values())
    definition = table[table["question"] == "stakeholders_section/stakeholder_definition"]
    assert len(definition) == 36
    assert (definition["value"] == "understanding_no_definition").sum() == 12
    guidelines = table[table["question"] == "coordination/coordination_guidelines"]
    assert len(guidelines) == 36
    assert (guidelines["value"] == "yes").sum() == 13


def assert_coherent(structure, responses) -> None:
    for response in responses:
        results = evaluate(structure, response.answers, "en")
        for path, value in response.answers.items():
            assert results[path]["relevant"], (response.organisation.acronym, path)
            assert results[path]["error"] is None, (response.organisation.acronym, path, value)
        missing = [p for p, r in results.items() if r["relevant"] and r["error"]]
        assert missing == [], (response.organisation.acronym, missing)


@pytest.fixture(scope="module")
def mini_responses():
    return generate(MINI_SURVEY)


def test_mini_survey_is_calibrated(mini_responses):
    assert_calibrated(mini_responses)


def test_mini_survey_answers_are_coherent(mini_responses):
    assert_coherent(MINI_SURVEY, mini_responses)
    # The generator made the calibrated questions apply by answering their conditions.
    table = long_table(mini_responses)
    assert set(table[table["question"] == "stakeholders_section/engages"]["value"]) == {"yes"}
    # "other" stakeholders have their free-text follow-up answered, the others do not.
    other = table[table["question"] == "stakeholders_section/stakeholders_other"]
    assert other["organisation"].nunique() == 13


def test_instruments_and_categories_are_plausible(mini_responses):
    table = long_table(mini_responses)
    titles = table[table["question"] == "variety/instruments/title"]
    per_organisation = titles.groupby("organisation").size()
    assert per_organisation.between(2, 6).all() and len(per_organisation) == 36
    categories = table[table["question"] == "organisation/category"].set_index("organisation")
    assert categories["value"].value_counts().to_dict() == {
        "igo": 21, "tgn": 6, "private": 4, "convention": 4, "supranational": 1}
    assert (categories["value"] == categories["category"]).all()
    years = table[table["question"] == "variety/instruments/year"]["value"].astype(int)
    assert years.between(1945, 2026).all()


def test_generation_is_deterministic(mini_responses):
    again = generate(MINI_SURVEY)
    assert [r.answers for r in again] == [r.answers for r in mini_responses]
    other_seed = generate(MINI_SURVEY, seed=7)
    assert [r.answers for r in other_seed] != [r.answers for r in mini_responses]
    assert_calibrated(other_seed)


def test_organisations_are_fictional():
    real = REPO / "src" / "iocompendium" / "data" / "organisations.csv"
    with real.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    real_acronyms = {row["acronym"].upper() for row in rows}
    real_names = {row["name_en"].lower() for row in rows}
    assert len({o.acronym for o in ORGANISATIONS}) == 36
    for organisation in ORGANISATIONS:
        assert organisation.synthetic
        assert organisation.acronym.upper() not in real_acronyms
        assert organisation.name_en.lower() not in real_names


@pytest.mark.skipif(not IO_SURVEY.exists(), reason="the IO Survey form is not shipped yet")
def test_io_survey_is_calibrated_and_coherent():
    from iocompendium.questionnaires.xlsform import read_xlsform

    structure = read_xlsform(IO_SURVEY)
    responses = generate(structure)
    assert_calibrated(responses)
    assert_coherent(structure, responses)
    table = long_table(responses)
    examples = table[table["question"].str.endswith("_examples")]
    assert examples["organisation"].nunique() > 30
