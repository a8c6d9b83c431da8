"""The indicators' view-model (dashboard, unit page, report section, methods) in both
languages, on a SYNTHETIC framework and synthetic answers (no database)."""

from __future__ import annotations

import pandas as pd
import pytest
from django.utils import translation

from iocompendium.indicators import presenting
from tests.analysis.test_indicator_presentation import ANSWERS, FRAMEWORK


def source(**changes) -> presenting.Source:
    values = dict(
        framework=FRAMEWORK, version=3, questionnaire="synthetic-small", answers=ANSWERS,
        labels={"A": "Synthetic A", "B": "Synthetic B", "C": "Synthetic C"},
        organisations={"A": 1, "B": 2, "C": 3},
        countries=[{"unit": "FRA", "label": "France", "year": 2021, "score": 1.2,
                    "categories": {"adoption": 0.7, "transparency": 0.5}}],
        attribution="OECD (2021), iREG (test attribution)", synthetic=True,
    )
    values.update(changes)
    return presenting.Source(**values)


def test_dashboard_scores_ranks_and_charts():
    view = presenting.dashboard(source(), runs=50, seed=1)
    assert [row.unit for row in view.rows] == ["A", "B", "C"]
    assert [row.score for row in view.rows][:2] == [pytest.approx(1.5)] * 2
    assert [row.unit for row in view.not_scored] == ["C"]
    assert view.countries[0].label == "France" and view.countries[0].score == 1.2
    assert view.maximum == 2.0  # the framework's scale: IOs and countries on one axis
    assert view.comparable == [("policy", "Policy", "iREG 1.1")]
    assert "<svg" in view.stacked_svg and "<svg" in view.rank_svg
    assert "France (2021)" in view.stacked_svg
    assert view.rows[0].median_rank is not None and view.runs == 50
    policy = next(line for line in view.indicators if line.name == "policy")
    assert policy.answered == 2 and policy.not_applicable == 1 and policy.mean == 0.75
    assert policy.category == "Adoption"


def test_dashboard_preview_uses_the_edited_framework():
    edited = FRAMEWORK.with_construction(weighting="manual").with_weights({"adoption": 3.0})
    view = presenting.dashboard(source(), runs=0, charts=False, framework=edited)
    a = next(row for row in view.rows if row.unit == "A")
    # A: (3 * 1 + 1 * .5) / 4 * 2 = 1.75; the saved framework still gives 1.5.
    assert a.score == pytest.approx(1.75)
    assert view.rank_svg == "" and view.stacked_svg == ""


def test_unit_page_traces_every_score_in_french():
    with translation.override("fr"):
        page = presenting.unit_page(source(), "B")
        policy = next(item for item in page.lines if item["line"].indicator == "policy")
        assert policy["label"] == "Politique" and policy["pairs"] == [("s/policy", "informal")]
        assert policy["status"] == "noté d'après la réponse"
        assert page.label == "Synthetic B"


def test_report_section_and_methods():
    view = presenting.dashboard(source(), runs=20, seed=3, charts=False)
    section = presenting.report_section(view)
    assert section["framework"] == "synthetic" and section["version"] == 3
    assert section["attribution"].startswith("OECD")
    assert section["units"][2] == {"unit": "C", "label": "Synthetic C", "score": None,
                                   "rank": None, "median_rank": None,
                                   "rank_interval": [None, None],
                                   "categories": {"adoption": None, "transparency": None}}
    no_countries = presenting.report_section(presenting.dashboard(
        source(countries=[]), runs=0, charts=False))
    assert no_countries["attribution"] == "" and no_countries["caveat"] == ""
    with translation.override("fr"):
        data = presenting.methods_view(FRAMEWORK)
        assert data["title"] == "Synthétique"
        assert ("Agrégation", "moyenne arithmétique") in data["choices"]


def test_a_unit_label_is_escaped_in_the_chart():
    view = presenting.dashboard(source(labels={"A": "<b>A</b>"}), runs=0)
    assert "<b>A</b>" not in view.stacked_svg and "&lt;b&gt;A&lt;/b&gt;" in view.stacked_svg


def test_empty_answers_do_not_fail():
    empty = pd.DataFrame(columns=["s/policy", "s/feedback"])
    view = presenting.dashboard(source(answers=empty, countries=[]), runs=50)
    assert view.rows == [] and view.stacked_svg == "" and view.rank_svg == ""


def test_many_units_get_the_distribution_instead_of_one_bar_each():
    # 100 synthetic units: 40 score 2.0 (written, always), 60 score 1.0 (informal, sometimes).
    many = pd.DataFrame(
        {"s/policy": ["written"] * 40 + ["informal"] * 60,
         "s/feedback": ["always"] * 40 + ["sometimes"] * 60},
        index=[f"U{i:03d}" for i in range(100)])
    view = presenting.dashboard(source(answers=many, labels={}, countries=[]), runs=10)
    assert view.many and view.stacked_svg == "" and view.rank_svg == ""
    assert "<svg" in view.distribution_svg
    assert len(view.rows) == 100 and view.rows[0].median_rank is not None
