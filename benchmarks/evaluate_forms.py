"""Benchmark: evaluate() on one full synthetic response of the IO Survey and REACH 2024.

Run: .venv/bin/python benchmarks/evaluate_forms.py [--runs 50]

For each form: read it with the XLSForm reader, build one synthetic response that answers
every question (5 instances per repeat), then time
``evaluate`` (all relevance, required, constraints, calculations and defaults) and print
the median, with the first (cold-cache) run apart.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "src"))

from iocompendium.questionnaires.engine import evaluate  # noqa: E402
from iocompendium.questionnaires.expressions import compile_expression  # noqa: E402
from iocompendium.questionnaires.structure import iter_nodes, iter_questions  # noqa: E402

FORMS = {
    "IO Survey": REPO / "src" / "iocompendium" / "data" / "io_survey.xlsx",
    "REACH 2024 MSNA": REPO.parent / "shared" / "data" / "xlsforms" / "reach-msna-2024"
    / "REACH_2024_MSNA-kobo-tool_draft_v11.xlsx",
}


def synthetic_answers(structure: dict, seed: int = 2026, instances: int = 5) -> dict[str, str]:
    """One plausible answer for every question (synthetic, deterministic)."""
    rng = random.Random(seed)
    answers: dict[str, str] = {}
    # Questions that size a repeat (repeat_count = ${name}) get `instances`.
    count_names = {
        ref.node["repeat_count"].strip()[2:-1] for ref in iter_nodes(structure)
        if ref.type == "repeat" and ref.node.get("repeat_count", "").strip().startswith("${")
    }

    def answer(node: dict) -> str | None:
        kind = node["type"]
        names = [c["name"] for c in structure["choices"].get(node.get("choice_list", ""), [])]
        if kind == "select_one" and names:
            # 'yes' where offered, so that consent and filter questions open their sections
            return "yes" if "yes" in names else rng.choice(names)
        if kind == "select_multiple" and names:
            return " ".join(rng.sample(names, k=min(len(names), rng.randint(1, 3))))
        if kind == "integer":
            return str(instances) if node["name"] in count_names else str(rng.randint(1, 6))
        if kind == "decimal":
            return f"{rng.uniform(0, 100):.2f}"
        if kind == "date":
            return f"2026-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}"
        if kind in ("text", "string"):
            return rng.choice(["yes", "none", "Synthetic answer", "42"])
        return None

    def walk(nodes: list[dict], prefix: str) -> None:
        for node in nodes:
            if node["type"] == "repeat":
                count = instances
                count_name = node.get("repeat_count", "").strip()
                if count_name.startswith("${"):
                    given = answers.get(_path_of(structure, count_name[2:-1]), "")
                    count = int(given) if given.isdigit() else instances
                for index in range(1, count + 1):
                    walk(node["children"], f"{prefix}{node['name']}[{index}]/")
            elif node["type"] == "group":
                walk(node["children"], f"{prefix}{node['name']}/")
            elif not node.get("calculation"):
                value = answer(node)
                if value is not None:
                    answers[prefix + node["name"]] = value

    walk(structure["children"], "")
    return answers


def _path_of(structure: dict, name: str) -> str:
    return next((ref.path for ref in iter_questions(structure) if ref.name == name), name)


def measure(label: str, path: Path, runs: int) -> None:
    try:
        from iocompendium.questionnaires.xlsform import read_xlsform
    except ImportError:
        print(f"{label}: skipped (the XLSForm reader is not available)")
        return
    if not path.exists():
        print(f"{label}: skipped ({path} not found)")
        return
    structure = read_xlsform(path)
    answers = synthetic_answers(structure)
    compile_expression.cache_clear()
    start = time.perf_counter()
    result = evaluate(structure, answers, structure.get("default_language") or None)
    cold = time.perf_counter() - start
    timings, cpu = [], []
    for _ in range(runs):
        start, start_cpu = time.perf_counter(), time.process_time()
        evaluate(structure, answers, structure.get("default_language") or None)
        timings.append(time.perf_counter() - start)
        cpu.append(time.process_time() - start_cpu)
    errors = sum(1 for item in result.values() if item["error"])
    # CPU time is printed too: on a shared machine wall time includes waiting for a core.
    print(f"{label}: {len(result)} question paths, {len(answers)} answers, {errors} errors; "
          f"first run {cold * 1000:.1f} ms; median of {runs} runs "
          f"{statistics.median(timings) * 1000:.2f} ms wall (min {min(timings) * 1000:.2f} ms), "
          f"{statistics.median(cpu) * 1000:.2f} ms CPU")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=50)
    options = parser.parse_args()
    for label, path in FORMS.items():
        measure(label, path, options.runs)


if __name__ == "__main__":
    main()
