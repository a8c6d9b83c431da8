"""Benchmark: composite indicators at scale (issue 14).

SYNTHETIC data made here (no database): 5,000 units answering 100 questions (40
select_one, 30 select_multiple, 30 integers, some missing), and a framework of 100
indicators in 3 levels below the composite (4 categories, 20 sub-categories, 100
indicators; choice, count, number and condition rules). Steps:

* compute: scoring + missing data + normalisation + weighting + aggregation (best of
  ``--repeat``);
* Monte Carlo: ``--runs`` replications over the six uncertain choices, ranks and 5-95 %;
* sensitivity: Sobol first-order and total indices (SALib) of the six choices, base
  sample ``--base`` (so base x 8 evaluations).

Each step prints its wall time, its CPU time (this process and its worker processes,
user + system) and its peak RSS; the JSON at the end holds the same. The Monte Carlo and
Sobol runs use ``--workers`` processes (default: two when the machine has two cores).
Takes about a minute on a quiet two-core machine.

    .venv/bin/python benchmarks/indicators_scale.py
    .venv/bin/python benchmarks/indicators_scale.py --units 500 --runs 100 --base 64
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
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
    default_workers,
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


def _peak_rss_mib() -> tuple[float, float]:
    """(this process's peak RSS since the last reset, the largest child's peak) in MiB."""
    child = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    try:
        with open("/proc/self/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024, child
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, child


def _reset_peak_rss() -> None:
    """Linux: start the peak RSS (VmHWM) again from the current RSS, so that each step
    reports its own peak; elsewhere the peaks are the process's so far."""
    try:
        with open("/proc/self/clear_refs", "w") as clear:
            clear.write("5")
    except OSError:
        pass


def _cpu() -> float:
    """CPU seconds (user + system) of this process and of its finished children (the
    Monte Carlo and Sobol workers)."""
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def step(figures: dict, name: str, fn, repeat: int = 1):
    """Run ``fn`` ``repeat`` times; record the best wall and CPU seconds and the peak RSS.

    On a shared machine the CPU time says what the work costs, the wall time what the
    load made of it."""
    walls, cpus, result = [], [], None
    _reset_peak_rss()
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), _cpu()
        result = fn()
        walls.append(time.perf_counter() - wall)
        cpus.append(_cpu() - cpu)
    own, child = _peak_rss_mib()
    figures[name] = {"wall_s": round(min(walls), 3), "cpu_s": round(min(cpus), 3),
                     "peak_rss_mib": round(own, 1), "largest_child_rss_mib": round(child, 1)}
    print(f"{name}: wall {min(walls):.2f} s, CPU {min(cpus):.2f} s, peak RSS {own:.0f} MiB "
          f"(largest worker so far {child:.0f} MiB)", file=sys.stderr, flush=True)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--units", type=int, default=5000)
    parser.add_argument("--runs", type=int, default=1000)
    parser.add_argument("--base", type=int, default=512)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--workers", type=int, default=None,
                        help="processes for the Monte Carlo and Sobol runs (default: two "
                             "when the cores allow and the analysis is large enough)")
    args = parser.parse_args()
    figures: dict = {"units": args.units, "started_utc": time.strftime(
        "%Y-%m-%d %H:%M:%S", time.gmtime()), "load_average_before": _load()}
    answers = step(figures, "synthetic_data", lambda: synthetic_answers(args.units))
    framework = synthetic_framework()
    figures["indicators"] = len(framework.indicators)
    step(figures, "compute", lambda: compute(framework, answers), args.repeat)
    model = step(figures, "model_setup", lambda: Model(framework, answers))
    workers = args.workers or default_workers(args.units, args.runs)
    figures["workers"] = workers
    figures["monte_carlo_runs"] = args.runs
    step(figures, "monte_carlo", lambda: monte_carlo(model, args.runs, seed=1, workers=workers))
    figures["sensitivity_base"] = args.base
    result = step(figures, "sensitivity",
                  lambda: sensitivity(model, args.base, seed=1, workers=workers))
    figures["sensitivity_evaluations"] = result.evaluations
    figures["indices"] = [
        {k: (round(v, 3) if isinstance(v, float) else v) for k, v in row.items()}
        for row in result.indices]
    figures["load_average_after"] = _load()
    print(json.dumps(figures, indent=2))


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


if __name__ == "__main__":
    main()
