"""The uncertainty analysis's fast path against the straightforward computation.

The Monte Carlo and the Sobol analysis keep the indicator matrix of every (missing,
winsorise, normalisation) combination, the deepest level's weights and counts, group the
runs by matrix and may share them among processes. Here every run is recomputed from
scratch (scoring, missing data, normalisation, weighting and aggregation with nothing
kept), and the ranks, rank intervals and Sobol indices must be exactly the same.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from SALib.analyze import sobol as sobol_analyze
from SALib.sample import sobol as sobol_sample

from iocompendium.analysis.indicators import (
    Construction,
    Framework,
    Model,
    Node,
    Rule,
    monte_carlo,
    sensitivity,
)
from iocompendium.analysis.indicators.construct import (
    Plan,
    aggregate,
    column_quantiles,
    group_of,
    indicator_matrix,
    rank_array,
)
from iocompendium.analysis.indicators.scoring import score
from iocompendium.analysis.indicators.uncertainty import WEIGHT_SETS, draws

UNITS = 40


def answers() -> pd.DataFrame:
    """Few distinct answers (many ties), some missing, two groups."""
    rng = np.random.default_rng(11)
    data = {f"q{i}": rng.integers(0, 4, UNITS).astype(str).astype(object) for i in range(6)}
    data["q1"][::5] = None
    data["q4"][1::6] = None
    data["q5"][::9] = None
    data["q3"][::7] = ["40", "12", "9", "25", "7", "60"]  # outliers, for the winsorisation
    data["group"] = np.where(rng.random(UNITS) < 0.5, "g1", "g2")
    return pd.DataFrame(data, index=[f"u{n:02d}" for n in range(UNITS)])


def framework(construction: Construction) -> Framework:
    """Indicators at two depths (i3 directly under its category), a manual weight of 0,
    a rule that scores missing answers 0, an uncapped number with outliers, a group for
    the imputation."""
    def indicator(name: str, parent: str, question: str, weight: float = 1.0,
                  missing: str = "", cap: float | None = 3) -> Node:
        return Node(name, "indicator", parent, name, name, weight=weight,
                    rule=Rule("number", question, cap=cap, missing=missing))

    nodes = (
        Node("top", "composite", "", "Top", "Haut"),
        Node("c1", "category", "top", "c1", "c1", weight=2.0),
        Node("s1", "subcategory", "c1", "s1", "s1"),
        indicator("i0", "s1", "q0", 2.0),
        indicator("i1", "s1", "q1", 1.0),
        indicator("i2", "s1", "q2", 0.0),
        indicator("i3", "c1", "q3", 3.0, cap=None),
        Node("c2", "category", "top", "c2", "c2"),
        Node("s2", "subcategory", "c2", "s2", "s2"),
        indicator("i4", "s2", "q4", 1.0),
        indicator("i5", "s2", "q5", 2.0, missing="zero"),
    )
    return Framework("fast", "Fast", "Rapide", nodes, construction)


CONSTRUCTIONS = [
    Construction(missing="none", group="group", normalisation="minmax", weighting="manual",
                 winsorise=0.1),
    Construction(missing="median", group="group", normalisation="rank", weighting="pca",
                 aggregation="geometric", zero_rule="zero"),
]


def straightforward_ranks(model: Model, factors: np.ndarray | None, pick: dict) -> np.ndarray:
    """One run with nothing kept from another: every step from the answers' scores."""
    nominal = model.framework.construction
    construction = nominal.with_(
        normalisation=pick["normalisation"], weighting=pick["weighting"],
        aggregation=pick["aggregation"], winsorise=pick["winsorise"])
    indicators, na = indicator_matrix(
        model.framework, score(model.framework, ANSWERS), group_of(ANSWERS, construction),
        construction, pick["missing"])
    plan = Plan.of(model.framework)
    values, _, _ = aggregate(plan, indicators, na, construction, factors)
    return rank_array(values[:, plan.root])


ANSWERS = answers()


@pytest.mark.parametrize("construction", CONSTRUCTIONS)
def test_monte_carlo_matches_the_straightforward_computation(construction):
    model = Model(framework(construction), ANSWERS)
    jobs = draws(model, 120, seed=3)
    expected = np.array([straightforward_ranks(model, f, pick) for f, pick in jobs])
    assert len({model._key(pick) for _, pick in jobs}) > 10  # many matrices kept and reused
    if construction.missing == "none":
        assert np.isnan(expected).any() and not np.isnan(expected).all()  # unscored units
    median, p5, p95 = column_quantiles(expected, [0.5, 0.05, 0.95])
    for workers in (1, 2):
        assert np.array_equal(model.rank_jobs(jobs, workers), expected, equal_nan=True)
        result = monte_carlo(model, 120, seed=3, workers=workers)
        assert np.array_equal(result.median_rank, median, equal_nan=True)
        assert np.array_equal(result.p5, p5, equal_nan=True)
        assert np.array_equal(result.p95, p95, equal_nan=True)
    assert np.allclose(np.nanquantile(expected, 0.95, axis=0), p95, equal_nan=True)


@pytest.mark.parametrize("construction", CONSTRUCTIONS)
def test_sobol_indices_match_the_straightforward_computation(construction):
    model = Model(framework(construction), ANSWERS)
    names = ["weights", "weighting", "normalisation", "aggregation", "missing", "winsorise"]
    sizes = [WEIGHT_SETS] + [len(model.space.alternatives[n]) for n in names[1:]]
    problem = {"num_vars": 6, "names": names, "bounds": [[0.0, float(k)] for k in sizes]}
    sample = sobol_sample.sample(problem, 32, calc_second_order=False, seed=9)
    rng = np.random.default_rng(9)
    weight_sets = [np.ones(len(model.plan.names))] + [
        rng.uniform(0.75, 1.25, len(model.plan.names)) for _ in range(WEIGHT_SETS - 1)]
    nominal = straightforward_ranks(model, None, {
        "missing": None, **{n: getattr(construction, n) for n in names[1:4]},
        "winsorise": construction.winsorise})
    assert np.array_equal(model.nominal, nominal, equal_nan=True)
    ranks, shift = [], []
    for row in sample:
        k = [min(int(u), size - 1) for u, size in zip(row, sizes, strict=True)]
        pick = {n: model.space.alternatives[n][i] for n, i in zip(names[1:], k[1:],
                                                                  strict=True)}
        ranks.append(straightforward_ranks(model, weight_sets[k[0]], pick))
        shift.append(np.nanmean(np.abs(ranks[-1] - nominal)[~np.isnan(nominal)]))
    analysis = sobol_analyze.analyze(problem, np.array(shift), calc_second_order=False, seed=9)
    median, p5, p95 = column_quantiles(np.array(ranks), [0.5, 0.05, 0.95])
    for workers in (1, 2):
        result = sensitivity(model, 32, seed=9, workers=workers)
        assert [row["choice"] for row in result.indices] == names
        assert [row["first_order"] for row in result.indices] == list(analysis["S1"])
        assert [row["total"] for row in result.indices] == list(analysis["ST"])
        assert np.array_equal(result.uncertainty.median_rank, median, equal_nan=True)
        assert np.array_equal(result.uncertainty.p5, p5, equal_nan=True)
        assert np.array_equal(result.uncertainty.p95, p95, equal_nan=True)
