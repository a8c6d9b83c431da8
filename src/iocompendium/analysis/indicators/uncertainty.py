"""Uncertainty and sensitivity analysis over the construction choices.

The uncertain choices (``CHOICES``) and their alternatives:

* ``weights``: every node's weight multiplied by a factor drawn uniformly in
  [1 - spread, 1 + spread] (spread 0.25);
* ``weighting``: the framework's method, equal, manual, PCA;
* ``normalisation``: the framework's, none, min-max, rank (z-scores are left out: the
  geometric alternative cannot take negative values);
* ``aggregation``: arithmetic, geometric;
* ``missing``: the framework's treatment, "not applicable", mean, median (rules whose
  treatment is ``zero`` keep it: that is the framework's meaning, not an imputation);
* ``winsorise``: the framework's fraction, none, 5 %.

``monte_carlo`` draws ``runs`` independent combinations from the seed and gives each
unit's median rank and 5-95 % rank interval. ``sensitivity`` uses SALib's Saltelli
sampling and Sobol estimators on the same choices (each a factor uniform on [0, k) read
as the alternative ``floor(u)``; ``weights`` reads one of 64 perturbation sets drawn from
the seed), with the mean absolute rank shift from the nominal ranking as the output, and
gives the first-order and total index of each choice.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from .construct import (
    LevelInput,
    Plan,
    aggregate,
    column_quantiles,
    first_level_input,
    group_of,
    indicator_matrix,
    rank_array,
    treat_missing,
)
from .framework import Framework
from .scoring import score

CHOICES = ("weights", "weighting", "normalisation", "aggregation", "missing", "winsorise")
WEIGHT_SPREAD = 0.25
WEIGHT_SETS = 64


def _unique(values: list) -> list:
    out: list = []
    for value in values:
        if value not in out:
            out.append(value)
    return out


@dataclass
class Space:
    """The alternatives of every choice, the framework's own first."""

    framework: Framework
    alternatives: dict[str, list] = field(default_factory=dict)

    @classmethod
    def of(cls, framework: Framework) -> Space:
        nominal = framework.construction
        normalisation = nominal.normalisation if nominal.normalisation != "zscore" else "minmax"
        return cls(framework, {
            "weighting": _unique([nominal.weighting, "equal", "manual", "pca"]),
            "normalisation": _unique([normalisation, "none", "minmax", "rank"]),
            "aggregation": _unique([nominal.aggregation, "arithmetic", "geometric"]),
            "missing": _unique([None, "na", "mean", "median"]),
            "winsorise": _unique([nominal.winsorise, 0.0, 0.05]),
        })


class Model:
    """Runs the framework under any combination of choices, reusing what does not change."""

    def __init__(self, framework: Framework, answers: pd.DataFrame) -> None:
        self.framework = framework
        self.space = Space.of(framework)
        self.plan = Plan.of(framework)
        self.raw = score(framework, answers)
        self.groups = group_of(answers, framework.construction)
        self.index = answers.index
        self._matrices: dict[tuple, tuple[np.ndarray, np.ndarray, LevelInput]] = {}
        self._treated: dict[object, tuple[np.ndarray, np.ndarray]] = {}
        self.nominal = self.ranks(self.run(None, {}))

    def run(self, factors: np.ndarray | None, pick: dict[str, object]) -> np.ndarray:
        """Composite scores under the picked alternatives (missing keys: the framework's)."""
        nominal = self.framework.construction
        construction = nominal.with_(
            normalisation=pick.get("normalisation", nominal.normalisation),
            weighting=pick.get("weighting", nominal.weighting),
            aggregation=pick.get("aggregation", nominal.aggregation),
            winsorise=pick.get("winsorise", nominal.winsorise),
        )
        missing = pick.get("missing")
        key = (missing, construction.winsorise, construction.normalisation)
        if key not in self._matrices:
            if missing not in self._treated:
                self._treated[missing] = treat_missing(
                    self.framework, self.raw, self.groups, construction, missing)
            indicators, na = indicator_matrix(
                self.framework, self.raw, self.groups, construction, missing,
                treated=self._treated[missing])
            prepared = first_level_input(self.plan, indicators, na, construction.zero_rule)
            self._matrices[key] = (indicators, na, prepared)
        indicators, na, prepared = self._matrices[key]
        values, _, _ = aggregate(self.plan, indicators, na, construction, factors, prepared)
        return values[:, self.plan.root]

    @staticmethod
    def ranks(scores: np.ndarray) -> np.ndarray:
        return rank_array(scores)

    def perturbation(self, rng: np.random.Generator) -> np.ndarray:
        return rng.uniform(1 - WEIGHT_SPREAD, 1 + WEIGHT_SPREAD, len(self.plan.names))


@dataclass
class Uncertainty:
    units: list
    nominal_rank: np.ndarray
    median_rank: np.ndarray
    p5: np.ndarray
    p95: np.ndarray
    runs: int
    seed: int

    def rows(self) -> dict:
        return {
            unit: {
                "nominal_rank": _int(self.nominal_rank[i]),
                "median_rank": _float(self.median_rank[i]),
                "rank_interval": [_float(self.p5[i]), _float(self.p95[i])],
            }
            for i, unit in enumerate(self.units)
        }


def _float(value: float) -> float | None:
    return None if np.isnan(value) else float(value)


def _int(value: float) -> int | None:
    return None if np.isnan(value) else int(value)


def monte_carlo(model: Model, runs: int, seed: int) -> Uncertainty:
    """``runs`` random combinations of the choices: ranks per unit, median and 5-95 %."""
    rng = np.random.default_rng(seed)
    ranks = np.empty((runs, len(model.index)))
    for r in range(runs):
        pick = {name: alternatives[rng.integers(len(alternatives))]
                for name, alternatives in model.space.alternatives.items()}
        ranks[r] = model.ranks(model.run(model.perturbation(rng), pick))
    return _summarise(model, ranks, runs, seed)


def _summarise(model: Model, ranks: np.ndarray, runs: int, seed: int) -> Uncertainty:
    median, p5, p95 = column_quantiles(ranks, [0.5, 0.05, 0.95])
    return Uncertainty(list(model.index), model.nominal, median, p5, p95, runs, seed)


@dataclass
class Sensitivity:
    indices: list[dict]  # [{"choice", "first_order", "total"}]
    uncertainty: Uncertainty
    base: int
    evaluations: int


def sobol_base(runs: int) -> int:
    """The Saltelli base sample: the largest power of two not above ``runs`` (at least 8)."""
    return max(8, 2 ** int(math.floor(math.log2(max(runs, 1)))))


def sensitivity(model: Model, runs: int, seed: int) -> Sensitivity:
    """First-order and total Sobol indices of each choice on the mean absolute rank shift.

    The rank distribution per unit (median, 5-95 %) is taken over the same evaluations."""
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample

    names = list(CHOICES)
    sizes = [WEIGHT_SETS] + [len(model.space.alternatives[n]) for n in names[1:]]
    problem = {"num_vars": len(names), "names": names,
               "bounds": [[0.0, float(size)] for size in sizes]}
    base = sobol_base(runs)
    sample = sobol_sample.sample(problem, base, calc_second_order=False, seed=seed)
    rng = np.random.default_rng(seed)
    weight_sets = [np.ones(len(model.plan.names))] + [
        model.perturbation(rng) for _ in range(WEIGHT_SETS - 1)]
    ranks = np.empty((len(sample), len(model.index)))
    shift = np.empty(len(sample))
    ranked = ~np.isnan(model.nominal)
    for r, row in enumerate(sample):
        picks = [min(int(u), size - 1) for u, size in zip(row, sizes, strict=True)]
        pick = {name: model.space.alternatives[name][k]
                for name, k in zip(names[1:], picks[1:], strict=True)}
        ranks[r] = model.ranks(model.run(weight_sets[picks[0]], pick))
        diff = np.abs(ranks[r] - model.nominal)[ranked]
        shift[r] = float(np.nanmean(diff)) if diff.size and not np.isnan(diff).all() else 0.0
    if np.allclose(shift, shift[0]):
        # No choice moves any rank: every index is 0 (SALib would divide by a zero variance).
        indices = [{"choice": n, "first_order": 0.0, "total": 0.0} for n in names]
    else:
        analysis = sobol_analyze.analyze(problem, shift, calc_second_order=False, seed=seed)
        indices = [
            {"choice": n, "first_order": float(analysis["S1"][i]),
             "total": float(analysis["ST"][i])}
            for i, n in enumerate(names)
        ]
    return Sensitivity(indices, _summarise(model, ranks, len(sample), seed), base, len(sample))
