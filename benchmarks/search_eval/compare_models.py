"""Compare the embedding models on the evaluation set, vectors only, on one corpus: every
practice, family and demo instrument plus a sample of HUGGO agreements (all those judged
relevant to some query and as many others, drawn at random with a fixed seed), so that
the slower model can be measured in minutes. Embeds in memory; the index is not touched.

    IOCOMPENDIUM_DATA_DIR=D python benchmarks/search_eval/compare_models.py \\
        --models use-m3 e5-small --others 600
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--models", nargs="+", default=["use-m3", "e5-small"])
    parser.add_argument("--others", type=int, default=600)
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iocompendium.settings")
    import django

    django.setup()
    from django.db import connection
    from evaluate import relevant_set, scores

    from iocompendium.instruments.models import Instrument
    from iocompendium.search import embedder as embedders
    from iocompendium.search.vectors import parts_of

    queries = json.loads((HERE / "queries.json").read_text())["queries"]
    judged = [relevant_set(q) for q in queries]
    wanted = set().union(*judged)
    with connection.cursor() as cursor:
        cursor.execute("SELECT d.kind, d.key, d.title, d.body FROM search_document d "
                       "WHERE d.kind IN ('practice', 'family', 'instrument') ORDER BY d.id")
        docs = cursor.fetchall()
    huggo = set(Instrument.objects.filter(source__name="HUGGO")
                .values_list("external_key", flat=True))
    pool = [d for d in docs if d[0] == "instrument" and d[1] in huggo
            and ("instrument", d[1]) not in wanted]
    chosen = set(random.Random(args.seed).sample(range(len(pool)), min(args.others, len(pool))))
    corpus = [d for d in docs if not (d[0] == "instrument" and d[1] in huggo)
              or ("instrument", d[1]) in wanted]
    corpus += [pool[i] for i in sorted(chosen)]
    ids = [(kind, key) for kind, key, _, _ in corpus]
    print(f"corpus: {len(corpus)} records, {len(queries)} queries", flush=True)
    for name in args.models:
        started = time.perf_counter()
        model = embedders.get_embedder(name)
        loaded = time.perf_counter() - started
        owner, texts = [], []
        for row, (_, _, title, body) in enumerate(corpus):
            for text in parts_of(title, body or ""):
                owner.append(row)
                texts.append(text)
        started = time.perf_counter()
        matrix = np.concatenate([model.embed(texts[i : i + 64])
                                 for i in range(0, len(texts), 64)])
        seconds = time.perf_counter() - started
        owner_array = np.array(owner)
        table: dict[str, list[dict]] = {}
        for query, relevant in zip(queries, judged, strict=True):
            per_part = matrix @ model.embed_query(query["query"])
            best = np.full(len(corpus), -2.0)
            np.maximum.at(best, owner_array, per_part)
            top = np.argsort(-best)[:10]
            got = scores([ids[i] for i in top], relevant)
            for group in ("all", query["type"]):
                table.setdefault(group, []).append(got)
        print(f"{model.model_id}: load {loaded:.1f} s, {len(texts)} texts in {seconds:.1f} s "
              f"({len(texts) / seconds:.1f} texts/s, one thread)")
        for group, rows in table.items():
            means = {m: sum(r[m] for r in rows) / len(rows) for m in rows[0]}
            print(f"  {group:11} n={len(rows):3} " + "  ".join(
                f"{m} {v:.3f}" for m, v in means.items()), flush=True)


if __name__ == "__main__":
    main()
