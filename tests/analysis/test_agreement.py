"""Agreement statistics against published worked examples (and independent libraries)."""

from __future__ import annotations

import random

import pytest

from iocompendium.analysis.agreement import (
    coding_agreement,
    cohen_kappa,
    krippendorff_alpha_nominal,
    percent_agreement,
)

# Krippendorff, K. (2011). "Computing Krippendorff's Alpha-Reliability", Annenberg School
# for Communication, University of Pennsylvania, section C ("nominal data, any number of
# observers, missing data"): four observers, twelve units, alpha = 0.743.
KRIPPENDORFF_2011_C = [
    [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
    [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
    [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
    [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
]
# Same paper, section A ("binary data, two observers, no missing data"): alpha = 0.095.
KRIPPENDORFF_2011_A = [
    [0, 1, 0, 0, 0, 0, 0, 0, 1, 0],
    [1, 1, 1, 0, 0, 1, 0, 0, 0, 0],
]


def _table(yes_yes: int, yes_no: int, no_yes: int, no_no: int) -> tuple[list[str], list[str]]:
    """Two raters' answers from a 2x2 contingency table (rater A first)."""
    first = ["yes"] * (yes_yes + yes_no) + ["no"] * (no_yes + no_no)
    second = ["yes"] * yes_yes + ["no"] * yes_no + ["yes"] * no_yes + ["no"] * no_no
    return first, second


def test_krippendorff_alpha_nominal_published_example_with_missing_data():
    assert round(krippendorff_alpha_nominal(KRIPPENDORFF_2011_C), 3) == 0.743


def test_krippendorff_alpha_binary_published_example():
    assert round(krippendorff_alpha_nominal(KRIPPENDORFF_2011_A), 3) == 0.095


@pytest.mark.parametrize(
    ("table", "kappa"),
    [
        # Wikipedia, "Cohen's kappa", worked example (grant proposals, 50 readings):
        # p_o = 0.70, p_e = 0.50, kappa = 0.40.
        ((20, 5, 10, 15), 0.4),
        # Same article, "same percentage agreement, different kappa": 0.1304 and 0.2593.
        ((45, 15, 25, 15), 0.1304),
        ((25, 35, 5, 35), 0.2593),
    ],
)
def test_cohen_kappa_published_examples(table, kappa):
    first, second = _table(*table)
    assert round(cohen_kappa(first, second), 4) == kappa


def test_cohen_kappa_matches_scikit_learn_on_random_data():
    from sklearn.metrics import cohen_kappa_score

    rng = random.Random(7)
    first = [rng.choice("abc") for _ in range(200)]
    second = [v if rng.random() < 0.6 else rng.choice("abc") for v in first]
    assert cohen_kappa(first, second) == pytest.approx(cohen_kappa_score(first, second))


def test_alpha_matches_the_krippendorff_package_on_random_data_with_gaps():
    krippendorff = pytest.importorskip("krippendorff")
    import numpy as np

    rng = random.Random(11)
    rows = [[rng.choice([0, 1, 2, None]) for _ in range(300)] for _ in range(3)]
    expected = krippendorff.alpha(
        reliability_data=np.array([[np.nan if v is None else v for v in r] for r in rows]),
        level_of_measurement="nominal",
    )
    assert krippendorff_alpha_nominal(rows) == pytest.approx(expected)


def test_undefined_statistics_are_none():
    assert krippendorff_alpha_nominal([[1, 1, 1], [1, 1, 1]]) is None
    assert cohen_kappa([1, 1], [1, 1]) is None
    assert percent_agreement([[1, None], [None, 2]]) is None
    with pytest.raises(ValueError):
        cohen_kappa([1], [1, 2])


def test_percent_agreement_averages_coder_pairs_per_unit():
    # Unit 1: all three agree (1.0); unit 2: one of three pairs agrees (1/3).
    assert percent_agreement([[1, 1], [1, 0], [1, 0]]) == pytest.approx((1 + 1 / 3) / 2)


def test_coding_agreement_per_code_overall_and_differences():
    # Synthetic: two coders, four answers, codes "a" and "b".
    applied = [
        ("u1", "x", "a"), ("u1", "y", "a"),
        ("u2", "x", "a"), ("u2", "y", "b"),
        ("u3", "x", "b"), ("u3", "y", "b"),
    ]
    assignments = {unit: ["x", "y"] for unit in ("u1", "u2", "u3", "u4")}
    result = coding_agreement(applied, assignments, ["a", "b"])
    # Code a: x = 1,1,0,0 ; y = 1,0,0,0.
    assert result.codes["a"].kappa == pytest.approx(cohen_kappa([1, 1, 0, 0], [1, 0, 0, 0]))
    assert result.codes["a"].percent == pytest.approx(0.75)
    assert result.overall.alpha == pytest.approx(
        krippendorff_alpha_nominal([[1, 1, 0, 0, 0, 0, 1, 0], [1, 0, 0, 0, 0, 1, 1, 0]])
    )
    assert set(result.differing) == {("u2", "a"), ("u2", "b")}
    payload = result.as_dict()
    assert [c["name"] for c in payload["codes"]] == ["a", "b"]
    assert set(payload["overall"]) == {"kappa", "alpha", "percent"}


def test_kappa_is_none_unless_exactly_two_coders():
    applied = [("u1", "x", "a"), ("u1", "y", "a"), ("u2", "z", "a")]
    assignments = {"u1": ["x", "y", "z"], "u2": ["x", "y", "z"]}
    result = coding_agreement(applied, assignments, ["a"])
    assert result.overall.kappa is None and result.codes["a"].kappa is None
    assert result.codes["a"].alpha is not None
