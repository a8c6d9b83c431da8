"""Benchmark: composite indicators at scale (issue 14).

SYNTHETIC data made here (no database): 5,000 units answering 100 questions (40
select_one, 30 select_multiple, 30 integers, some missing), and a framework of 100
indicators in 3 levels below the composite (4 categories, 20 sub-categories, 100
indicators; choice, count, number and condition rules). Times, each the best of
``--repeat`` runs:

* compute: scoring + missing data + normalisation + weighting + aggregation;
* Monte Carlo: ``--runs`` replications over the six uncertain choices, ranks and 5-95 %;
* sensitivity: Sobol first-order and total indices (SALib) of the six choices, base
  sample ``--base`` (so base x 8 evaluations).

    .venv/bin/python benchmarks/indicators_scale.py
    .venv/bin/python benchmarks/indicators_scale.py --units 500 --runs 100 --base 64
"""

from __future__ import annotations

import argparse
import json
import os
import time

import numpy as np
import pandas as pd

from iocompendium.analysis.indicators import (
    Construction,
    Framework,
    Model,
    Node,
    Rule,
    compute,
    monte_carlo,
    sensitivity,
)

CHOICES = ["a", "b", "c", "d", "e"]


def synthetic_answers(units: int, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    columns: dict[str, np.ndarray] = {}
    for i in range(40):
        values = rng.choice(CHOICES, units).astype(object)
        values[rng.random(units) < 0.05] = None
        columns[f"one_{i}"] = values
    for i in range(30):
        picks = rng.random((units, len(CHOICES))) < 0.4
        columns[f"many_{i}"] = np.array(
            [" ".join(c for c, p in zip(CHOICES, row, strict=True) if p) for row in picks],
            dtype=object)
    for i in range(30):
        values = rng.poisson(5, units).astype(object)
        values[rng.random(units) < 0.05] = None
        columns[f"num_{i}"] = values
    columns["group"] = rng.choice(["g1", "g2", "g3"], units)
    return pd.DataFrame(columns, index=[f"U{n:05d}" for n in range(units)])


def synthetic_framework() -> Framework:
    nodes = [Node("composite", "composite", "", "Composite", "Composite")]
    rules: list[Rule] = []
    for i in range(40):
        if i % 4 == 3:
            rules.append(Rule("condition", f"one_{i}", choices=("a", "b"),
                              question2=f"many_{i % 30}", choices2=("c",)))
        else:
            rules.append(Rule("choice", f"one_{i}", scores={"a": 1.0, "b": 0.5}))
    rules += [Rule("count", f"many_{i}", cap=3) for i in range(30)]
    rules += [Rule("number", f"num_{i}", cap=10) for i in range(30)]
    for c in range(4):
        nodes.append(Node(f"cat{c}", "category", "composite", f"C{c}", f"C{c}"))
        for s in range(5):
            sub = f"sub{c}_{s}"
            nodes.append(Node(sub, "subcategory", f"cat{c}", sub, sub))
            for k in range(5):
                n = c * 25 + s * 5 + k
                nodes.append(Node(f"ind{n}", "indicator", sub, f"I{n}", f"I{n}",
                                  weight=1 + (n % 3), rule=rules[n]))
    construction = Construction(missing="mean", group="group", normalisation="minmax",
                                weighting="manual", winsorise=0.05)
    return Framework("bench", "Benchmark", "Banc d'essai", tuple(nodes), construction)


def best_cpu(fn, repeat: int) -> tuple[float, float]:
    """(best wall time, best CPU time of this process) over ``repeat`` runs: on a shared
    machine the CPU time says what the work costs, the wall time what the load made of it."""
    walls, cpus = [], []
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return min(walls), min(cpus)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--base", type=int, default=512)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    answers = synthetic_answers(args.units)
    framework = synthetic_framework()
    figures = {"units": args.units, "indicators": len(framework.indicators)}
    wall, cpu = best_cpu(lambda: compute(framework, answers), args.repeat)
    figures["compute_s"], figures["compute_cpu_s"] = round(wall, 3), round(cpu, 3)
    started = time.perf_counter()
    model = Model(framework, answers)
    figures["model_setup_s"] = round(time.perf_counter() - started, 3)
    figures["monte_carlo_runs"] = args.runs
    wall, cpu = best_cpu(lambda: monte_carlo(model, args.runs, seed=1), 1)
    figures["monte_carlo_s"], figures["monte_carlo_cpu_s"] = round(wall, 2), round(cpu, 2)
    figures["sensitivity_base"] = args.base
    started, cpu = time.perf_counter(), time.process_time()
    result = sensitivity(model, args.base, seed=1)
    figures["sensitivity_evaluations"] = result.evaluations
    figures["sensitivity_s"] = round(time.perf_counter() - started, 2)
    figures["sensitivity_cpu_s"] = round(time.process_time() - cpu, 2)
    figures["indices"] = [
        {k: (round(v, 3) if isinstance(v, float) else v) for k, v in row.items()}
        for row in result.indices]
    figures["load_average_after"] = [round(x, 2) for x in os.getloadavg()]
    print(json.dumps(figures, indent=2))


if __name__ == "__main__":
    main()
