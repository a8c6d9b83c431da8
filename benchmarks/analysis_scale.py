"""Benchmark: the whole analysis (every table) as the number of answers grows.

SYNTHETIC data: tidy answer tables generated directly here (no database), for a
synthetic form shaped like the IO Survey: six sections, 24 questions of every analysed
type, an instruments repeat group of 8 questions. About 150 answers per organisation,
so 750,000 answers = 5,000 organisations. A relevance table (every question relevant,
instrument questions for organisations with instruments) is given, as in the web app.

Each size runs in a fresh process so that its peak memory (max RSS) is its own.

    .venv/bin/python benchmarks/analysis_scale.py            # 1k, 10k, 100k, 750k
    .venv/bin/python benchmarks/analysis_scale.py --answers 50000
    .venv/bin/python benchmarks/analysis_scale.py --relevance 100   # engine cost per response
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time

import numpy as np
import pandas as pd

SIZES = [1_000, 10_000, 100_000, 750_000]
CATEGORIES = ["igo", "tgn", "private", "convention", "supranational", "other"]
SECTIONS = ["organisation", "variety", "implementation", "evaluation", "stakeholders_section",
            "coordination"]
INSTRUMENT_QUESTIONS = 8


def _node(type_, name, **extra):
    node = {"type": type_, "name": name, "label": {"en": name, "fr": name}, "relevant": "",
            "choice_list": "", "children": []}
    node.update(extra)
    return node


def synthetic_structure() -> dict:
    choices = {f"list{i}": [{"name": f"o{j}", "label": {"en": f"Option {j}", "fr": f"Choix {j}"}}
                            for j in range(15 if i == 0 else 5)] for i in range(4)}
    kinds = ["select_one", "select_multiple", "integer", "text"]
    sections = []
    for s, section in enumerate(SECTIONS):
        children = [
            _node(kinds[q % 4], f"{section}_q{q}", choice_list=f"list{q % 4}")
            for q in range(4)
        ]
        if section == "variety":
            children.append(_node("repeat", "instruments", children=[
                _node("select_one", "legal_effect", choice_list="list1"),
                _node("select_multiple", "addressees", choice_list="list3"),
                _node("text", "instrument_type"),
                _node("integer", "year"),
                _node("text", "title"),
                _node("select_one", "status", choice_list="list2"),
                _node("date", "adopted"),
                _node("text", "subjects"),
            ]))
        sections.append(_node("group", section, children=children))
        del s
    return {"default_language": "en", "languages": ["en", "fr"], "choices": choices,
            "children": sections}


def synthetic_answers(target: int, seed: int = 5) -> tuple[pd.DataFrame, pd.DataFrame,
                                                           pd.DataFrame]:
    """(tidy answers, respondents, relevance) with about ``target`` answers."""
    from iocompendium.questionnaires.structure import iter_questions

    rng = np.random.default_rng(seed)
    structure = synthetic_structure()
    plain = [r for r in iter_questions(structure) if not r.repeats]
    in_repeat = [r for r in iter_questions(structure) if r.repeats]
    organisations = max(1, round(target / 150))
    instruments = rng.integers(0, 33, organisations)  # mean 16 x 8 questions + 24 = ~150
    orgs = np.array([f"SYN{i:05d}" for i in range(organisations)])
    categories = rng.choice(CATEGORIES, organisations)
    frames = []
    for ref in plain:
        frames.append(pd.DataFrame({"organisation": orgs, "category": categories,
                                    "path": ref.path, "question": ref.path,
                                    "value": _values(ref, organisations, rng)}))
    owner = np.repeat(np.arange(organisations), instruments)
    index = np.concatenate([np.arange(1, n + 1) for n in instruments]) if len(owner) else owner
    for ref in in_repeat:
        name = ref.path.split("/")[-1]
        paths = pd.Series([f"variety/instruments[{i}]/{name}" for i in index], dtype="object")
        frames.append(pd.DataFrame({"organisation": orgs[owner], "category": categories[owner],
                                    "path": paths, "question": ref.path,
                                    "value": _values(ref, len(owner), rng)}))
    answers = pd.concat(frames, ignore_index=True).head(target)
    answers["status"] = "approved"
    answers["repeat_index"] = None
    respondents = pd.DataFrame({"organisation": orgs, "category": categories})
    relevant = answers[["organisation", "question"]].drop_duplicates().assign(relevant=True)
    return answers, respondents, relevant


def _values(ref, n: int, rng) -> np.ndarray:
    if ref.type == "select_one":
        return rng.choice([f"o{j}" for j in range(5)], n)
    if ref.type == "select_multiple":
        picks = rng.random((n, 5)) < 0.5
        return np.array([" ".join(f"o{j}" for j in range(5) if row[j]) or "o0" for row in picks])
    if ref.type == "integer":
        return rng.integers(1950, 2026, n).astype(str)
    if ref.type == "date":
        return np.array([f"20{y:02d}-0{m}-1{d}" for y, m, d in
                         zip(rng.integers(0, 26, n), rng.integers(1, 10, n),
                             rng.integers(0, 10, n), strict=True)])
    return rng.choice(["Standard", "Guideline", "Recommendation", "Model law",
                       "We consult members on every draft.", "Decision"], n)


def run_one(answers_target: int) -> dict:
    from iocompendium.analysis.tables import analyse

    answers, respondents, relevant = synthetic_answers(answers_target)
    started, cpu_started = time.perf_counter(), time.process_time()
    analysis = analyse(synthetic_structure(), answers, respondents=respondents,
                       relevance=relevant)
    elapsed = time.perf_counter() - started
    cpu = time.process_time() - cpu_started
    peak_mib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {"answers": len(answers), "organisations": len(respondents),
            "tables": len(analysis.tables), "seconds": round(elapsed, 2),
            "cpu_seconds": round(cpu, 2),
            "peak_rss_mib": round(peak_mib)}


def relevance_cost(sample: int) -> None:
    """The engine's cost per response on the real IO Survey (SYNTHETIC demo answers):
    what the first computation of the denominators costs, before the relevance cache."""
    from pathlib import Path

    from iocompendium.analysis.relevance import relevance_table
    from iocompendium.questionnaires.engine import evaluate
    from iocompendium.questionnaires.xlsform import read_xlsform
    from iocompendium.responses.demo.organisations import scaled_organisations
    from iocompendium.responses.demo.synthetic import generate

    form = Path(__file__).resolve().parents[1] / "src/iocompendium/data/io_survey.xlsx"
    structure = read_xlsform(form)
    responses = generate(structure, organisations=scaled_organisations(sample))
    pairs = [(r.organisation.acronym, r.answers) for r in responses]
    started, cpu_started = time.perf_counter(), time.process_time()
    table = relevance_table(structure, pairs, evaluate)
    per_response = (time.perf_counter() - started) / len(pairs)
    cpu_per_response = (time.process_time() - cpu_started) / len(pairs)
    print(f"relevance by the engine, IO Survey: {per_response * 1000:.1f} ms wall, "
          f"{cpu_per_response * 1000:.1f} ms CPU per response ({len(pairs)} responses, "
          f"{len(table):,} relevant pairs); 5,000 organisations cold: about "
          f"{cpu_per_response * 5000:.0f} s of CPU")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--answers", type=int, help="One size only (in this process).")
    parser.add_argument("--relevance", type=int, metavar="N",
                        help="Measure the engine's relevance cost on N responses instead.")
    options = parser.parse_args()
    if options.relevance:
        relevance_cost(options.relevance)
        return
    if options.answers:
        print(json.dumps(run_one(options.answers)))
        return
    print("SYNTHETIC data. answers | organisations | tables | wall s | CPU s | peak RSS MiB")
    for size in SIZES:
        out = subprocess.run([sys.executable, __file__, "--answers", str(size)],
                             check=True, capture_output=True, text=True).stdout
        row = json.loads(out)
        print(f"{row['answers']:>9,} | {row['organisations']:>6,} | {row['tables']:>3} | "
              f"{row['seconds']:>6.2f} | {row['cpu_seconds']:>6.2f} | {row['peak_rss_mib']:>6,}")


if __name__ == "__main__":
    main()
