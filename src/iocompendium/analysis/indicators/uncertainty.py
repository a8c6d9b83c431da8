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

Speed (5,000 units, 100 indicators: docs/benchmarks.md): only the missing-data
treatment, the winsorisation and the normalisation change the indicator matrix, so the
runs are grouped by that combination, whose matrix, deepest-level input, PCA weights and
member counts are prepared once; a run then only weights, aggregates (matrix products)
and ranks. ``workers`` processes share the groups; every run's ranks depend on its draw
alone, so the results are the same for any number of workers, and the same as computing
every run from scratch (tests/analysis/test_indicators_fast_path.py).
"""

from __future__ import annotations

import math
import mmap
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from threadpoolctl import threadpool_limits

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
from .framework import Construction, Framework
from .scoring import score

CHOICES = ("weights", "weighting", "normalisation", "aggregation", "missing", "winsorise")
WEIGHT_SPREAD = 0.25
WEIGHT_SETS = 64
# Below this many ranks (runs x units) a second process costs more than it saves.
PARALLEL_FROM = 1_000_000
QUANTILE_COLUMNS = 512  # units summarised at a time (bounds the sorted copy's memory)

Job = tuple[np.ndarray | None, dict]  # (weight factors, picked alternatives)


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


@dataclass
class Prepared:
    """Steps 1-3 under one (missing, winsorise, normalisation) combination, and the
    deepest level's input (with its weights and counts once a run has needed them)."""

    indicators: np.ndarray
    na: np.ndarray
    first: LevelInput


class Model:
    """Runs the framework under any combination of choices, reusing what does not change.

    Only the missing-data treatment, the winsorisation and the normalisation change the
    indicator matrix; it is prepared once per combination of the three (``Prepared``),
    and every run with that combination only weights and aggregates it."""

    def __init__(self, framework: Framework, answers: pd.DataFrame) -> None:
        self.framework = framework
        self.space = Space.of(framework)
        self.plan = Plan.of(framework)
        self.raw = score(framework, answers)
        self.groups = group_of(answers, framework.construction)
        self.index = answers.index
        self._prepared: dict[tuple, Prepared] = {}
        self._treated: dict[object, tuple[np.ndarray, np.ndarray]] = {}
        self.nominal = self.ranks(self.run(None, {}))

    def construction(self, pick: dict[str, object]) -> Construction:
        """The framework's construction with the picked alternatives."""
        nominal = self.framework.construction
        return nominal.with_(
            normalisation=pick.get("normalisation", nominal.normalisation),
            weighting=pick.get("weighting", nominal.weighting),
            aggregation=pick.get("aggregation", nominal.aggregation),
            winsorise=pick.get("winsorise", nominal.winsorise),
        )

    def _key(self, pick: dict[str, object]) -> tuple:
        construction = self.construction(pick)
        return (pick.get("missing"), construction.winsorise, construction.normalisation)

    def prepared(self, pick: dict[str, object]) -> Prepared:
        key = self._key(pick)
        if key not in self._prepared:
            missing, construction = pick.get("missing"), self.construction(pick)
            if missing not in self._treated:
                self._treated[missing] = treat_missing(
                    self.framework, self.raw, self.groups, construction, missing)
            indicators, na = indicator_matrix(
                self.framework, self.raw, self.groups, construction, missing,
                treated=self._treated[missing])
            first = first_level_input(self.plan, indicators, na, construction.zero_rule)
            self._prepared[key] = Prepared(indicators, na, first)
        return self._prepared[key]

    def run(self, factors: np.ndarray | None, pick: dict[str, object]) -> np.ndarray:
        """Composite scores under the picked alternatives (missing keys: the framework's)."""
        prepared = self.prepared(pick)
        values, _, _ = aggregate(self.plan, prepared.indicators, prepared.na,
                                 self.construction(pick), factors, prepared.first)
        return values[:, self.plan.root]

    @staticmethod
    def ranks(scores: np.ndarray) -> np.ndarray:
        return rank_array(scores)

    def perturbation(self, rng: np.random.Generator) -> np.ndarray:
        return rng.uniform(1 - WEIGHT_SPREAD, 1 + WEIGHT_SPREAD, len(self.plan.names))

    def rank_jobs(self, jobs: list[Job], workers: int = 1) -> np.ndarray:
        """The ranks of every unit under every job (jobs x units).

        Jobs are run grouped by their indicator matrix, so that one matrix is held at a
        time; with ``workers`` > 1 the groups are shared among that many processes (this
        one and forked ones writing into shared memory). A job's ranks depend on the job
        alone, so the result is the same whatever the number of workers, and a job
        repeated (the same weight factors and alternatives: the Sobol sample's discrete
        choices often repeat a row) is run once. Ranks are whole numbers, kept exactly
        as float32 to halve the memory."""
        seen: dict[tuple, int] = {}
        first_of = [seen.setdefault((id(factors), tuple(sorted(pick.items()))), i)
                    for i, (factors, pick) in enumerate(jobs)]
        if len(seen) < len(jobs):
            ranks = self.rank_jobs([jobs[i] for i in seen.values()], workers)
            row = {i: r for r, i in enumerate(seen.values())}
            return ranks[[row[i] for i in first_of]]
        shares = _shares(self, jobs, workers)
        shape = (len(jobs), len(self.index))
        with threadpool_limits(limits=1, user_api="blas"):
            # One BLAS thread: the products are small, and threads spinning on a shared
            # machine cost more CPU than they save (measured: 54 ms a run, 20 ms on one).
            if len(shares) < 2:
                ranks = np.empty(shape, dtype=np.float32)
                for share in shares:
                    self._fill(jobs, share, ranks)
                return ranks
            return self._rank_in_processes(jobs, shares, shape)

    def _fill(self, jobs: list[Job], share: list[int], ranks: np.ndarray) -> None:
        current = None
        for i in share:
            factors, pick = jobs[i]
            if self._key(pick) != current:
                # The share runs group by group: the last group's matrices are done with.
                self._prepared.clear()
                current = self._key(pick)
            ranks[i] = self.ranks(self.run(factors, pick))
        self._prepared.clear()

    def _rank_in_processes(self, jobs: list[Job], shares: list[list[int]],
                           shape: tuple[int, int]) -> np.ndarray:
        global _SHARED
        size = shape[0] * shape[1] * np.dtype(np.float32).itemsize
        ranks = np.frombuffer(mmap.mmap(-1, max(size, 1)), dtype=np.float32,
                              count=shape[0] * shape[1]).reshape(shape)
        _SHARED = (self, jobs, ranks)
        try:
            with ProcessPoolExecutor(len(shares) - 1,
                                     mp_context=multiprocessing.get_context("fork")) as pool:
                futures = [pool.submit(_fill_shared, share) for share in shares[1:]]
                self._fill(jobs, shares[0], ranks)
                for future in futures:
                    future.result()  # re-raises a worker's error (e.g. a FrameworkError)
        finally:
            _SHARED = None
        return ranks


# The model, jobs and shared rank array of a parallel run, inherited by the forked workers.
_SHARED: tuple[Model, list[Job], np.ndarray] | None = None


def _fill_shared(share: list[int]) -> bool:
    model, jobs, ranks = _SHARED
    model._fill(jobs, share, ranks)
    return True


def _shares(model: Model, jobs: list[Job], workers: int) -> list[list[int]]:
    """The jobs' indices grouped by indicator matrix, the groups dealt to ``workers``
    shares (largest group first, to the share with the fewest jobs)."""
    groups: dict[tuple, list[int]] = {}
    for i, (_, pick) in enumerate(jobs):
        groups.setdefault(model._key(pick), []).append(i)
    if workers > 1 and "fork" not in multiprocessing.get_all_start_methods():
        workers = 1  # the workers inherit the model by forking
    shares: list[list[int]] = [[] for _ in range(max(1, min(workers, len(groups))))]
    for group in sorted(groups.values(), key=len, reverse=True):
        min(shares, key=len).extend(group)
    return [share for share in shares if share]


def default_workers(units: int, runs: int) -> int:
    """Two processes (the machine's cores permitting) when the analysis is large enough
    to gain from them, else one."""
    if units * runs < PARALLEL_FROM:
        return 1
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    return max(1, min(2, cores or 1))


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


def draws(model: Model, runs: int, seed: int) -> list[Job]:
    """``runs`` random combinations of the choices, from the seed."""
    rng = np.random.default_rng(seed)
    jobs: list[Job] = []
    for _ in range(runs):
        pick = {name: alternatives[rng.integers(len(alternatives))]
                for name, alternatives in model.space.alternatives.items()}
        jobs.append((model.perturbation(rng), pick))
    return jobs


def monte_carlo(model: Model, runs: int, seed: int, workers: int = 1) -> Uncertainty:
    """``runs`` random combinations of the choices: ranks per unit, median and 5-95 %."""
    ranks = model.rank_jobs(draws(model, runs, seed), workers)
    return _summarise(model, ranks, runs, seed)


def _summarise(model: Model, ranks: np.ndarray, runs: int, seed: int) -> Uncertainty:
    parts = [column_quantiles(ranks[:, start: start + QUANTILE_COLUMNS].astype(float),
                              [0.5, 0.05, 0.95])
             for start in range(0, max(ranks.shape[1], 1), QUANTILE_COLUMNS)]
    median, p5, p95 = (np.concatenate([part[i] for part in parts]) for i in range(3))
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


def sensitivity(model: Model, runs: int, seed: int, workers: int = 1) -> Sensitivity:
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
    jobs: list[Job] = []
    for row in sample:
        picks = [min(int(u), size - 1) for u, size in zip(row, sizes, strict=True)]
        jobs.append((weight_sets[picks[0]], {
            name: model.space.alternatives[name][k]
            for name, k in zip(names[1:], picks[1:], strict=True)}))
    ranks = model.rank_jobs(jobs, workers)
    shift = np.empty(len(sample))
    ranked = ~np.isnan(model.nominal)
    for r in range(len(sample)):
        diff = np.abs(ranks[r].astype(float) - model.nominal)[ranked]
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
