"""Search quality on the evaluation set: nDCG@10, recall@10 and MRR for words only,
vectors only and hybrid, overall and by query type (words / paraphrase / cross-lingual).

Run on a data folder holding the demo plus HUGGO, indexed and embedded::

    iocompendium demo --no-serve --data-dir D --instruments huggo_agreements.csv \\
        --mapping src/iocompendium/data/mappings/huggo.json
    IOCOMPENDIUM_DATA_DIR=D iocompendium search reindex
    IOCOMPENDIUM_DATA_DIR=D python benchmarks/search_eval/evaluate.py [--json]

Relevant records: practices and families by identifier, HUGGO agreements by subject,
the demo's instruments by the topic their title names or by their type
(``instrument_types``).

recall@10 is capped: found relevant records in the first 10 / min(10, relevant records),
so a topic with 90 relevant agreements scores 1.0 when the first 10 are all relevant.
Gains are binary; nDCG's ideal ranking puts min(10, relevant) relevant records first.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import re
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
MODES = ("words", "vectors", "hybrid")


def relevant_set(query: dict) -> set[tuple[str, str]]:
    from iocompendium.instruments.models import Instrument

    found = {("practice", key) for key in query.get("practices", [])}
    found |= {("family", key) for key in query.get("families", [])}
    for subject in query.get("huggo_subjects", []):
        # subjects are stored as "Domain; Subject" (HUGGO's TypeDomain, TypeSubject)
        rows = Instrument.objects.filter(source__name="HUGGO", subjects__icontains=subject)
        for key, subjects in rows.values_list("external_key", "subjects"):
            if subject.casefold() in [s.strip().casefold() for s in subjects.split(";")]:
                found.add(("instrument", key))
    types = [t.casefold() for t in query.get("instrument_types", [])]
    if types:
        rows = Instrument.objects.values_list("external_key", "native_type")
        found |= {("instrument", key) for key, native in rows if native.casefold() in types}
    for topic in query.get("demo_topics", []):
        pattern = re.compile(rf"\b(in|for|of) {re.escape(topic)}$", re.IGNORECASE)
        rows = Instrument.objects.exclude(source__name="HUGGO").values_list("external_key",
                                                                           "title")
        found |= {("instrument", key) for key, title in rows if pattern.search(title)}
    return found


def scores(ranked: list[tuple[str, str]], relevant: set) -> dict[str, float]:
    top = ranked[:10]
    gains = [1.0 if hit in relevant else 0.0 for hit in top]
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    ideal = sum(1 / math.log2(i + 2) for i in range(min(10, len(relevant))))
    first = next((i for i, g in enumerate(gains) if g), None)
    return {
        "ndcg@10": dcg / ideal if ideal else 0.0,
        "recall@10": sum(gains) / min(10, len(relevant)) if relevant else 0.0,
        "mrr": 1.0 / (first + 1) if first is not None else 0.0,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--queries", default=str(HERE / "queries.json"))
    parser.add_argument("--json", action="store_true")
    parser.add_argument("--show", action="store_true", help="Print each query's scores.")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iocompendium.settings")
    import django

    django.setup()
    from iocompendium.search import embedder, hybrid, vectors

    queries = json.loads(Path(args.queries).read_text())["queries"]
    total, done = vectors.counts()
    if done < total:
        sys.exit(f"{total - done} of {total} records are not embedded: "
                 "run 'iocompendium search reindex' first.")
    table: dict[str, dict[str, list[float]]] = {}
    timings: dict[str, float] = {}
    for mode in MODES:
        started = time.perf_counter()
        for query in queries:
            relevant = relevant_set(query)
            if not relevant:
                sys.exit(f"no relevant record found for {query['query']!r}: wrong data set?")
            result = hybrid.search(query["query"], mode=mode, lang=query["lang"], limit=10)
            got = scores([(h.kind, h.key) for h in result.results], relevant)
            for group in ("all", query["type"]):
                for metric, value in got.items():
                    table.setdefault(f"{mode}/{group}", {}).setdefault(metric, []).append(value)
            if args.show:
                print(f"{mode:8} {got['ndcg@10']:.2f} {got['recall@10']:.2f} "
                      f"{query['type']:10} {query['query']}")
        timings[mode] = time.perf_counter() - started
    summary = {
        name: {metric: round(sum(v) / len(v), 3) for metric, v in metrics.items()} | {
            "queries": len(next(iter(metrics.values())))}
        for name, metrics in table.items()
    }
    summary["model"] = embedder.model_id()
    if args.json:
        print(json.dumps(summary, indent=1))
        return
    print(f"model {summary['model']}, {len(queries)} queries")
    print(f"{'mode/queries':24} {'n':>3} {'nDCG@10':>8} {'recall@10':>10} {'MRR':>6}")
    for name, row in summary.items():
        if name == "model":
            continue
        print(f"{name:24} {row['queries']:>3} {row['ndcg@10']:>8.3f} {row['recall@10']:>10.3f} "
              f"{row['mrr']:>6.3f}")


if __name__ == "__main__":
    main()
