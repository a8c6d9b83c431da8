"""The analysis layer against the hand-computed figures of the SYNTHETIC tiny form
(tests/analysis/fixtures.py: organisations A, B (IGO), C, D (network); D answered nothing)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pandas as pd
import pytest

from iocompendium.analysis.charts import ChartTexts, chart_specs, render_svg
from iocompendium.analysis.relevance import relevance_table
from iocompendium.analysis.tables import analyse, analyse_languages
from tests.analysis.fixtures import (
    ANSWERS_BY_ORGANISATION,
    STRUCTURE,
    relevance,
    respondents,
    tidy,
)


@pytest.fixture(scope="module")
def analysis():
    return analyse(STRUCTURE, tidy(), respondents=respondents(), relevance=relevance())


def counts(table):
    return {o.name: o.count for o in table.options}


def test_multiple_response_counts_organisations_per_option_in_form_order(analysis):
    table = analysis.table("actors")
    assert (table.denominator, table.answered) == (4, 3)
    assert [o.name for o in table.options] == ["a", "b", "c"]
    assert counts(table) == {"a": 2, "b": 2, "c": 1}  # a: A, B; b: A, C; c: C
    assert table.options[0].share == pytest.approx(2 / 3)


def test_frequency_lists_unchosen_options_with_zero(analysis):
    assert counts(analysis.table("definition")) == {"formal": 2, "understanding": 1, "none": 0}


def test_denominator_is_the_organisations_the_question_applied_to(analysis):
    table = analysis.table("practice_examples")
    assert (table.denominator, table.answered) == (2, 2)  # A and C; B's answer is stale
    assert [(q.organisation, q.text) for q in table.quotes] == [
        ("A", "We consult <everyone> & publish"), ("C", "Public comment")]


def test_without_relevance_everyone_is_asked_and_stale_answers_count():
    table = analyse(STRUCTURE, tidy(), respondents=respondents()).table("practice_examples")
    assert (table.denominator, table.answered) == (4, 3)


def test_number_and_date_summaries(analysis):
    # staff 10, 20, 40: quartiles by linear interpolation (pandas' default) 15 and 30
    assert analysis.table("staff").summary == {
        "n": 3, "mean": pytest.approx(70 / 3), "median": 20.0, "q1": 15.0, "q3": 30.0,
        "min": 10.0, "max": 40.0, "distribution": [
            {"low": 10.0, "high": 10.0, "count": 1}, {"low": 20.0, "high": 20.0, "count": 1},
            {"low": 40.0, "high": 40.0, "count": 1}]}
    # 1999-01-01 and 2001-05-01 span under five years: counted per month
    assert analysis.table("founded").summary == {
        "n": 2, "earliest": "1999-01-01", "latest": "2001-05-01",
        "distribution": [{"period": "1999-01", "count": 1}, {"period": "2001-05", "count": 1}]}


def test_questions_in_a_repeat_count_instances(analysis):
    effect = analysis.table("effect")
    assert (effect.denominator, effect.answered, effect.answered_instances) == (2, 2, 3)
    assert counts(effect) == {"binding": 2, "non_binding": 1}
    assert [o.organisations for o in effect.options] == [2, 1]
    kinds = analysis.table("type")
    assert kinds.kind == "text_counts"  # "Standard" and "standard " are one type...
    # ...but no type is shared by two organisations: nothing worth a count table.
    assert (kinds.options, kinds.summary) == ([], {"distinct": 2, "listed": 0})


def test_instances_per_organisation(analysis):
    table = analysis.table("instruments")
    assert table.per_organisation == [("A", 2), ("B", 1)]
    assert table.summary["instances"] == 3 and table.answered == 2
    assert table.summary["mean"] == pytest.approx(3 / 4)  # C and D have none
    assert table.summary["median"] == pytest.approx(0.5)


def test_crosstab_by_category(analysis):
    crosstab = analysis.table("actors").crosstab
    assert crosstab.categories == ["igo", "tgn"]
    assert crosstab.answered_by_category == {"igo": 2, "tgn": 1}
    rows = {name: row for name, _label, row in crosstab.rows}
    assert rows["a"] == {"igo": 2} and rows["b"] == {"igo": 1, "tgn": 1}
    assert crosstab.share(rows["b"], "igo") == pytest.approx(0.5)


def test_tables_are_grouped_by_theme_in_form_order(analysis):
    assert [t.theme.path for t in analysis.themes] == ["org", "stake", "variety"]
    assert [t.name for t in analysis.themes[2].tables] == ["instruments", "type", "effect"]
    assert analysis.respondents == 4 and analysis.respondents_by_category == {"igo": 2, "tgn": 2}


def test_labels_follow_the_language():
    french = analyse(STRUCTURE, tidy(), lang="fr", respondents=respondents())
    assert french.table("actors").label == "Quels acteurs ?"
    assert french.table("definition").options[0].label == "Formelle"


def test_one_analysis_relabelled_equals_an_analysis_per_language():
    options = {"respondents": respondents(), "relevance": relevance()}
    both = analyse_languages(STRUCTURE, tidy(), ("en", "fr"), **options)
    for lang in ("en", "fr"):
        assert both[lang] == analyse(STRUCTURE, tidy(), lang=lang, **options)
    assert both["fr"].table("definition").options[0].label == "Formelle"
    assert both["fr"].themes[0].theme != both["en"].themes[0].theme or \
        both["fr"].table("actors").label != both["en"].table("actors").label


def test_categorical_answers_give_the_same_tables(analysis):
    """The evidence layer hands the answers over with categorical text columns."""
    answers = tidy().astype({column: "category" for column in
                             ("organisation", "category", "path", "question")})
    assert analyse(STRUCTURE, answers, respondents=respondents(),
                   relevance=relevance()) == analysis


def test_relevance_table_from_an_evaluator():
    def evaluate(structure, answers):
        """A hand-written stand-in for the engine: examples apply when formal."""
        states = {"stake/definition": {"relevant": True}}
        states["stake/practice_examples"] = {
            "relevant": answers.get("stake/definition") == "formal"}
        for path in answers:
            if "instruments[" in path:
                states[path] = {"relevant": True}
        return states

    frame = relevance_table(STRUCTURE, ANSWERS_BY_ORGANISATION.items(), evaluate)
    examples = frame[frame["question"] == "stake/practice_examples"]
    assert sorted(examples["organisation"]) == ["A", "C"]
    assert sorted(frame[frame["question"] == "variety/instruments/effect"]["organisation"]) \
        == ["A", "B"]


def test_empty_answers_give_zero_tables():
    empty = pd.DataFrame(columns=tidy().columns)
    table = analyse(STRUCTURE, empty, respondents=respondents()).table("actors")
    assert (table.denominator, table.answered, counts(table)) == (4, 0, {"a": 0, "b": 0, "c": 0})


def test_charts_are_well_formed_svg_with_escaped_labels(analysis):
    specs = chart_specs(analysis.table("actors"), ChartTexts(organisations="Organisations"),
                        {"igo": "IGO & <co>"})
    assert set(specs) == {"bars", "crosstab"}
    assert specs["bars"]["layer"][0]["encoding"]["y"]["sort"] == "-x"  # sorted bars
    for spec in specs.values():
        svg = render_svg(spec)
        root = ET.fromstring(svg)  # noqa: S314 - our own chart
        texts = {element.text for element in root.iter("{http://www.w3.org/2000/svg}text")}
        assert "Which actors?" in texts
    assert "Actor <A> & co" in {
        e.text for e in ET.fromstring(render_svg(specs["bars"])).iter(  # noqa: S314
            "{http://www.w3.org/2000/svg}text")}


def test_text_in_a_repeat_with_all_values_different_lists_no_counts():
    answers = {"A": {"variety/instruments[1]/type": "One", "variety/instruments[2]/type": "Two"}}
    frame = tidy(answers)
    table = analyse(STRUCTURE, frame).table("type")
    assert (table.options, table.summary) == ([], {"distinct": 2, "listed": 0})


def test_keywords_in_a_repeat_are_counted_one_by_one():
    answers = {"A": {"variety/instruments[1]/type": "data; health"},
               "B": {"variety/instruments[1]/type": "Data"}}
    table = analyse(STRUCTURE, tidy(answers)).table("type")
    assert [(o.name, o.count, o.organisations) for o in table.options] == [
        ("data", 2, 2), ("health", 1, 1)]


def test_the_category_question_gets_no_crosstab(analysis):
    assert analysis.table("category").crosstab is None
