"""The pure composite-indicator layer (no Django), on small synthetic answers.

Every expected value is worked out by hand in the test from the rule stated in
``analysis/indicators/construct.py``; the answers are synthetic.
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from iocompendium.analysis.indicators import (
    Construction,
    Framework,
    FrameworkError,
    Model,
    Node,
    Rule,
    compute,
    monte_carlo,
    score,
    sensitivity,
)


def tree(rules: dict[str, Rule], construction: Construction | None = None,
         weights: dict[str, float] | None = None, categories: dict[str, list[str]] | None = None
         ) -> Framework:
    """composite -> categories -> one sub-category each -> the indicators given."""
    categories = categories or {"cat": list(rules)}
    weights = weights or {}
    nodes = [Node("top", "composite", "", "Top", "Haut")]
    for category, indicators in categories.items():
        nodes.append(Node(category, "category", "top", category, category,
                          weight=weights.get(category, 1.0)))
        nodes.append(Node(f"{category}_sub", "subcategory", category, "s", "s"))
        for name in indicators:
            nodes.append(Node(name, "indicator", f"{category}_sub", name, name,
                              weight=weights.get(name, 1.0), rule=rules[name]))
    return Framework("test", "Test", "Essai", tuple(nodes), construction or Construction())


ANSWERS = pd.DataFrame(
    {
        "s/policy": ["written", "informal", "none", None],
        "s/mechanisms": ["consultation online", "events", "", "consultation"],
        "s/count": ["12", "3", None, "abc"],
        "s/feedback": ["always", "never", None, "sometimes"],
        "s/group": ["igo", "igo", "tgn", "tgn"],
    },
    index=["A", "B", "C", "D"],
)


def raw(rule: Rule, direction: int = 1) -> list:
    framework = tree({"x": rule})
    if direction == -1:
        framework = Framework("t", "t", "t", tuple(
            Node(n.name, n.level, n.parent, n.label_en, n.label_fr, direction=-1, rule=n.rule)
            if n.level == "indicator" else n for n in framework.nodes))
    return [None if math.isnan(v) else v for v in score(framework, ANSWERS)["x"]]


def test_choice_scores_the_value_given_and_keeps_missing_missing():
    rule = Rule("choice", "s/policy", scores={"written": 1.0, "informal": 0.5})
    assert raw(rule) == [1.0, 0.5, 0.0, None]
    assert raw(rule, direction=-1) == [0.0, 0.5, 1.0, None]


def test_choice_on_select_multiple_takes_the_best_selected():
    rule = Rule("choice", "s/mechanisms", scores={"online": 0.5, "consultation": 1.0})
    # C answered nothing (empty string): missing, not 0.
    assert raw(rule) == [1.0, 0.0, None, 1.0]


def test_count_and_cap():
    assert raw(Rule("count", "s/mechanisms")) == [2.0, 1.0, None, 1.0]
    assert raw(Rule("count", "s/mechanisms", choices=("consultation", "events"), cap=2)) == [
        0.5, 0.5, None, 0.5]


def test_number_capped_and_unreadable_is_missing():
    assert raw(Rule("number", "s/count", cap=10)) == [1.0, 0.3, None, None]
    assert raw(Rule("number", "s/count"), direction=-1) == [-12.0, -3.0, None, None]


def test_condition_on_two_questions():
    both = Rule("condition", "s/policy", choices=("written", "informal"),
                question2="s/feedback", choices2=("always", "sometimes"))
    # B: policy ok, feedback never -> 0; C: policy none -> 0 whatever the feedback;
    # D: policy missing -> missing.
    assert raw(both) == [1.0, 0.0, 0.0, None]
    either = Rule("condition", "s/policy", choices=("written",), question2="s/feedback",
                  choices2=("sometimes",), op="or")
    assert raw(either) == [1.0, 0.0, None, 1.0]


RULES = {
    "a": Rule("choice", "s/policy", scores={"written": 1.0, "informal": 0.5}),
    "b": Rule("choice", "s/feedback", scores={"always": 1.0, "sometimes": 0.5}),
}


def test_not_applicable_reweights_and_never_scores_zero():
    result = compute(tree(RULES), ANSWERS)
    composite = result.composite
    assert composite["A"] == pytest.approx(1.0)
    assert composite["B"] == pytest.approx(0.25)
    # C misses b: scored on a alone (0), D misses a: scored on b alone (0.5).
    assert composite["C"] == pytest.approx(0.0)
    assert composite["D"] == pytest.approx(0.5)
    assert bool(result.not_applicable.at["D", "a"]) is True


def test_none_leaves_the_unit_unscored():
    result = compute(tree(RULES, Construction(missing="none")), ANSWERS)
    assert math.isnan(result.composite["C"]) and math.isnan(result.composite["D"])
    assert result.composite["A"] == pytest.approx(1.0)


def test_zero_only_when_the_framework_says_so():
    rules = dict(RULES, b=Rule("choice", "s/feedback", scores={"always": 1.0}, missing="zero"))
    result = compute(tree(rules, Construction(missing="none")), ANSWERS)
    assert result.values.at["C", "b"] == 0.0
    assert result.composite["C"] == pytest.approx(0.0)
    assert math.isnan(result.composite["D"])  # a is missing and a says nothing


def test_mean_and_median_by_group():
    answers = ANSWERS.assign(**{"s/policy": ["written", "informal", None, "written"]})
    construction = Construction(missing="mean", group="s/group")
    result = compute(tree({"a": RULES["a"]}, construction), answers)
    assert result.values.at["C", "a"] == pytest.approx(1.0)  # the tgn mean (D alone)
    alone = Construction(missing="median")
    result = compute(tree({"a": RULES["a"]}, alone), answers)
    assert result.values.at["C", "a"] == pytest.approx(1.0)  # median of 1, .5, 1


def test_winsorisation_clips_numbers_only():
    answers = pd.DataFrame({"n": [str(v) for v in range(1, 21)] + ["1000"]})
    framework = tree({"n": Rule("number", "n")}, Construction(winsorise=0.05))
    values = compute(framework, answers).values["n"]
    expected_high = np.quantile(np.r_[np.arange(1, 21), 1000.0], 0.95)
    assert values.max() == pytest.approx(expected_high)
    assert values.max() < 1000


@pytest.mark.parametrize(
    ("method", "expected"),
    [
        ("none", [12.0, 3.0, 0.0]),
        ("minmax", [1.0, 0.25, 0.0]),
        ("rank", [1.0, 0.5, 0.0]),
        ("target", [1.0, 0.5, 0.0]),
    ],
)
def test_normalisations(method, expected):
    answers = pd.DataFrame({"n": ["12", "3", "0"]})
    nodes = list(tree({"n": Rule("number", "n")}).nodes)
    nodes[-1] = Node("n", "indicator", "cat_sub", "n", "n", rule=Rule("number", "n"), target=6)
    framework = Framework("t", "t", "t", tuple(nodes), Construction(normalisation=method))
    assert compute(framework, answers).values["n"].tolist() == pytest.approx(expected)


def test_zscore_uses_the_sample_sd():
    answers = pd.DataFrame({"n": ["12", "3", "0"]})
    framework = tree({"n": Rule("number", "n")}, Construction(normalisation="zscore"))
    values = np.array([12.0, 3.0, 0.0])
    expected = (values - values.mean()) / values.std(ddof=1)
    assert compute(framework, answers).values["n"].tolist() == pytest.approx(expected.tolist())


def test_manual_weights_and_equal():
    rules = {"a": RULES["a"], "b": RULES["b"]}
    manual = tree(rules, Construction(weighting="manual"), weights={"a": 3.0, "b": 1.0})
    result = compute(manual, ANSWERS)
    assert result.composite["B"] == pytest.approx((3 * 0.5 + 0) / 4)
    equal = compute(manual.with_construction(weighting="equal"), ANSWERS)
    assert equal.composite["B"] == pytest.approx(0.25)


def test_pca_weights_sum_to_one():
    rng = np.random.default_rng(1)
    answers = pd.DataFrame({f"q{i}": rng.integers(0, 10, 40).astype(str) for i in range(3)})
    rules = {f"i{i}": Rule("number", f"q{i}", cap=9) for i in range(3)}
    result = compute(tree(rules, Construction(weighting="pca")), answers)
    weights = [result.weights[f"i{i}"] for i in range(3)]
    assert sum(weights) == pytest.approx(1.0)
    assert len(set(np.round(weights, 6))) > 1  # not simply equal


def test_geometric_rules_for_zeros():
    rules = {"a": RULES["a"], "b": RULES["b"]}
    offset = compute(tree(rules, Construction(aggregation="geometric")), ANSWERS)
    # B: a = 0.5, b = 0 -> sqrt(1.5 * 1) - 1.
    assert offset.composite["B"] == pytest.approx(math.sqrt(1.5) - 1)
    zero = compute(tree(rules, Construction(aggregation="geometric", zero_rule="zero"),
                        categories={"c1": ["a"], "c2": ["b"]}), ANSWERS)
    assert zero.composite["B"] == 0.0
    assert zero.values.at["B", "c1"] == pytest.approx(0.5)  # the other category keeps its
    assert zero.composite["A"] == pytest.approx(1.0)
    with pytest.raises(FrameworkError, match="zscore"):
        compute(tree(rules, Construction(aggregation="geometric", normalisation="zscore")),
                ANSWERS)


def test_scale_and_categories():
    rules = {"a": RULES["a"], "b": RULES["b"]}
    framework = tree(rules, Construction(scale=4), categories={"c1": ["a"], "c2": ["b"]})
    result = compute(framework, ANSWERS)
    row = {r["unit"]: r for r in result.unit_rows()}["B"]
    assert row["categories"] == {"c1": 0.5, "c2": 0.0}
    assert row["score"] == pytest.approx(4 * 0.25)


def test_bad_framework_is_refused_with_a_reason():
    with pytest.raises(FrameworkError, match="normalisation"):
        tree(RULES, Construction(normalisation="log"))
    with pytest.raises(FrameworkError, match="unknown parent"):
        Framework("t", "t", "t", (Node("top", "composite", "", "t", "t"),
                                  Node("x", "indicator", "nowhere", "x", "x", rule=RULES["a"])))


def test_changing_an_answer_changes_only_what_reads_it():
    rules = {"a": RULES["a"], "b": RULES["b"]}
    framework = tree(rules, categories={"c1": ["a"], "c2": ["b"]})
    before = compute(framework, ANSWERS).values
    changed = ANSWERS.copy()
    changed.loc["B", "s/feedback"] = "always"
    after = compute(framework, changed).values
    moved = (before.fillna(-9) != after.fillna(-9))
    assert sorted(moved.stack()[moved.stack()].index.tolist()) == [
        ("B", "b"), ("B", "c2"), ("B", "c2_sub"), ("B", "top")]


def synthetic_model(units: int = 60, seed: int = 3) -> Model:
    rng = np.random.default_rng(seed)
    answers = pd.DataFrame({f"q{i}": rng.integers(0, 6, units).astype(str) for i in range(6)})
    answers.iloc[::7, 2] = None
    rules = {f"i{i}": Rule("number", f"q{i}", cap=5) for i in range(6)}
    framework = tree(rules, categories={"c1": ["i0", "i1", "i2"], "c2": ["i3", "i4", "i5"]})
    return Model(framework, answers)


def test_monte_carlo_is_reproducible_and_intervals_hold_the_median():
    model = synthetic_model()
    first = monte_carlo(model, runs=50, seed=7)
    again = monte_carlo(model, runs=50, seed=7)
    other = monte_carlo(model, runs=50, seed=8)
    assert np.array_equal(first.median_rank, again.median_rank)
    assert np.array_equal(first.p95, again.p95)
    assert not np.array_equal(first.p95, other.p95) or not np.array_equal(first.p5, other.p5)
    assert np.all(first.p5 <= first.median_rank) and np.all(first.median_rank <= first.p95)
    assert np.all(first.p5 >= 1) and np.all(first.p95 <= 60)


def test_sensitivity_indices_for_every_choice():
    model = synthetic_model()
    result = sensitivity(model, runs=64, seed=5)
    again = sensitivity(model, runs=64, seed=5)
    assert [row["choice"] for row in result.indices] == [
        "weights", "weighting", "normalisation", "aggregation", "missing", "winsorise"]
    assert result.indices == again.indices
    assert result.evaluations == 64 * (6 + 2)
    # The missing-data choice matters here (one in seven units misses q2), and total
    # indices are at least about the first-order ones.
    for row in result.indices:
        assert row["total"] >= row["first_order"] - 0.2
