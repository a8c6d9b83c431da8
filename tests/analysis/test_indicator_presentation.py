"""What the dashboard shows of a computed framework (pure layer), on synthetic answers.

Every expected value is worked out by hand from the rules in
``analysis/indicators/presentation.py`` and ``construct.py``.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET  # noqa: S405 - our own renderer's output

import pandas as pd
import pytest

from iocompendium.analysis.charts import render_svg
from iocompendium.analysis.indicators import Construction, Framework, Node, Rule, compute
from iocompendium.analysis.indicators.charts import (
    RankChartTexts,
    ScoreChartTexts,
    rank_interval_spec,
    stacked_scores_spec,
)
from iocompendium.analysis.indicators.presentation import (
    COUNTRY,
    IO,
    comparable_indicators,
    country_rows,
    methods,
    score_rows,
    stack_parts,
    trace,
)

# Synthetic: two categories of one indicator each, iREG-like scale (sum of categories).
FRAMEWORK = Framework("synthetic", "Synthetic", "Synthétique", (
    Node("top", "composite", "", "Top", "Haut"),
    Node("adoption", "category", "top", "Adoption", "Adoption"),
    Node("adoption_sub", "subcategory", "adoption", "s", "s"),
    Node("policy", "indicator", "adoption_sub", "Policy", "Politique",
         rule=Rule("choice", "s/policy", scores={"written": 1.0, "informal": 0.5}),
         mirrors="iREG 1.1"),
    Node("transparency", "category", "top", "Transparency", "Transparence"),
    Node("transparency_sub", "subcategory", "transparency", "s", "s"),
    Node("feedback", "indicator", "transparency_sub", "Feedback", "Retour",
         rule=Rule("choice", "s/feedback", scores={"always": 1.0, "sometimes": 0.5})),
), Construction(scale=2.0))

ANSWERS = pd.DataFrame(
    {"s/policy": ["written", "informal", None], "s/feedback": ["sometimes", "always", None]},
    index=["A", "B", "C"],
)


def test_stack_parts_add_up_to_the_composite():
    parts = stack_parts(1.5, {"x": 1.0, "y": 0.5}, {"x": 0.5, "y": 0.5})
    assert parts == pytest.approx({"x": 1.0, "y": 0.5})
    # A category without a value takes no part; no composite: no bar.
    assert stack_parts(1.0, {"x": 1.0, "y": None}, {}) == {"x": 1.0}
    assert stack_parts(None, {"x": 1.0}, {}) == {}
    # Geometric-like composite that is not the sum: shares rescaled to it.
    assert sum(stack_parts(0.9, {"x": 1.0, "y": 0.5}, {}).values()) == pytest.approx(0.9)


def test_score_rows_best_first_with_parts_and_ranks():
    result = compute(FRAMEWORK, ANSWERS)
    rows = score_rows(result, labels={"A": "Org A"},
                      uncertainty={"A": {"median_rank": 1.5, "rank_interval": [1.0, 2.0]}})
    # A: (1 + .5) / 2 * 2 = 1.5; B: (.5 + 1) / 2 * 2 = 1.5; C: nothing answered -> unscored.
    # A and B tie at 1.5 (ties share the best rank; shown by label: "B" < "Org A").
    assert [row.unit for row in rows] == ["B", "A", "C"]
    assert [row.rank for row in rows] == [1, 1, None]
    a = next(row for row in rows if row.unit == "A")
    assert a.label == "Org A" and a.kind == IO
    assert a.score == pytest.approx(1.5)
    assert a.parts == pytest.approx({"adoption": 1.0, "transparency": 0.5})
    assert a.rank == 1 and a.median_rank == 1.5 and a.rank_interval == (1.0, 2.0)
    c = rows[-1]
    assert c.unit == "C" and c.score is None and c.parts == {} and c.rank is None


def test_country_rows_keep_the_published_composite():
    rows = country_rows(
        [{"unit": "FRA", "year": 2021, "score": 2.4,
          "categories": {"adoption": 0.8, "transparency": 1.6}},
         {"unit": "DEU", "year": 2021, "score": None,
          "categories": {"adoption": 0.5, "transparency": 0.5}}],
        ["adoption", "transparency"], labels={"FRA": "France"})
    assert [row.unit for row in rows] == ["FRA", "DEU"]
    assert rows[0].label == "France" and rows[0].kind == COUNTRY and rows[0].year == "2021"
    assert rows[0].parts == pytest.approx({"adoption": 0.8, "transparency": 1.6})
    assert rows[1].score == pytest.approx(1.0)  # no published composite: sum of categories


def test_trace_gives_the_answer_behind_every_score():
    result = compute(FRAMEWORK, ANSWERS)
    b = trace(result, ANSWERS, "B")
    assert b.score == pytest.approx(1.5)
    policy = next(line for line in b.lines if line.indicator == "policy")
    assert policy.answers == ("informal",) and policy.raw == 0.5 and policy.status == "scored"
    assert policy.path == ("adoption", "adoption_sub") and policy.mirrors == "iREG 1.1"
    c = trace(result, ANSWERS, "C")
    # Nothing answered, "not applicable" by default: never a zero.
    assert all(line.status == "not_applicable" and line.value is None for line in c.lines)
    assert c.score is None
    zero = compute(FRAMEWORK.with_construction(missing="zero"), ANSWERS)
    assert {line.status for line in trace(zero, ANSWERS, "C").lines} == {"zero"}
    none = compute(FRAMEWORK.with_construction(missing="none"), ANSWERS)
    assert {line.status for line in trace(none, ANSWERS, "C").lines} == {"missing"}
    mean = compute(FRAMEWORK.with_construction(missing="mean"), ANSWERS)
    c_mean = trace(mean, ANSWERS, "C")
    assert {line.status for line in c_mean.lines} == {"imputed"}
    assert next(x for x in c_mean.lines if x.indicator == "policy").value == pytest.approx(0.75)


def test_comparable_indicators_and_methods():
    assert [node.name for node in comparable_indicators(FRAMEWORK)] == ["policy"]
    data = methods(FRAMEWORK)
    assert [n["name"] for n in data["nodes"]] == [
        "top", "adoption", "adoption_sub", "policy", "transparency", "transparency_sub",
        "feedback"]
    assert data["construction"]["scale"] == 2.0
    assert data["nodes"][3]["rule"]["scores"] == {"written": 1.0, "informal": 0.5}


def test_stacked_chart_puts_ios_and_countries_on_one_axis_and_escapes_labels():
    result = compute(FRAMEWORK, ANSWERS)
    rows = score_rows(result, labels={"A": "<script>alert(1)</script>"}) + country_rows(
        [{"unit": "FRA", "year": 2021, "score": 1.6,
          "categories": {"adoption": 0.8, "transparency": 0.8}}],
        ["adoption", "transparency"], labels={"FRA": "France"})
    texts = ScoreChartTexts(caveat="The questions differ.")
    spec = stacked_scores_spec(
        rows, [("adoption", "Adoption"), ("transparency", "Transparency")], texts, maximum=2.0)
    assert spec["encoding"]["x"]["scale"]["domain"] == [0, 2.0]
    assert spec["title"]["subtitle"] == ["The questions differ."]
    # One ranking of IOs and countries: the country (1.6) above the IOs (1.5 each).
    order = list(dict.fromkeys(v["unit"] for v in spec["data"]["values"]))
    assert order == ["France (2021)", "<script>alert(1)</script>", "B"]
    units = {v["unit"] for v in spec["data"]["values"]}
    assert units == {"<script>alert(1)</script>", "B", "France (2021)"}  # C unscored: out
    svg = render_svg(spec)
    ET.fromstring(svg)  # noqa: S314
    assert "<script>" not in svg and "France (2021)" in svg
    assert "The questions differ." in svg


def test_rank_chart_orders_by_median_rank():
    result = compute(FRAMEWORK, ANSWERS)
    rows = score_rows(result, uncertainty={
        "A": {"median_rank": 2.0, "rank_interval": [1.0, 2.0]},
        "B": {"median_rank": 1.0, "rank_interval": [1.0, 2.0]}})
    spec = rank_interval_spec(rows, RankChartTexts())
    assert [v["unit"] for v in spec["data"]["values"]] == ["B", "A"]
    assert "<svg" in render_svg(spec)


def test_distribution_counts_every_scored_unit_once():
    from iocompendium.analysis.indicators.charts import DistributionTexts, distribution_spec
    from iocompendium.analysis.indicators.presentation import ScoreRow

    rows = [ScoreRow(str(i), str(i), IO, score, {}, {}) for i, score in
            enumerate([0.0, 0.05, 0.5, 0.99, 1.0, 1.0, None])]
    spec = distribution_spec(rows, DistributionTexts(), maximum=1.0, bins=4)
    counts = [v["count"] for v in spec["data"]["values"]]
    # Bins [0, .25) [.25, .5) [.5, .75) [.75, 1]: the maximum falls in the last bin.
    assert counts == [2, 0, 1, 3]
    assert "<svg" in render_svg(spec)
