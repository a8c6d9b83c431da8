"""Check on a real data folder that the in-process word ranking (search.wordindex) is
FTS5's: for every query of the search benchmarks, every match ranked both ways.

    IOCOMPENDIUM_DATA_DIR=DIR .venv/bin/python benchmarks/search_words_check.py

For each query of ``search_semantic.py`` and of ``search_eval/queries.json`` (and each
word of them alone): the full ranking of ``bm25(search_fts, 10.0, 1.0)`` in SQL (ORDER BY
rank, rowid, no LIMIT) and the in-process one must hold the same ids in the same order
with the same scores (floats compared with ==). Prints the time of both, the load of
the index, and exits 1 on any difference.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iocompendium.settings")


def main() -> None:
    import django

    django.setup()
    from django.db import connection
    from search_semantic import QUERIES

    from iocompendium.search import wordindex
    from iocompendium.search.backends.sqlite import RANK, fts5_query
    from iocompendium.search.types import parse_query

    texts = list(QUERIES)
    texts += [q["query"] for q in json.loads((HERE / "search_eval" / "queries.json")
                                            .read_text())["queries"]]
    texts += sorted({w for t in list(texts) for w in parse_query(t).words})
    started, cpu = time.perf_counter(), time.process_time()
    index = wordindex.load()
    print(f"index loaded: {len(index.terms)} terms, {len(index.docs)} postings, "
          f"{index.row_count} records; wall {time.perf_counter() - started:.2f} s, CPU "
          f"{time.process_time() - cpu:.2f} s")
    compared = differ = phrases = matches = 0
    ours = theirs = 0.0
    with connection.cursor() as cursor:
        for text in texts:
            terms = parse_query(text)
            tokens = wordindex.query_tokens(terms)
            if tokens is None:
                phrases += bool(terms)
                continue
            cpu = time.process_time()
            mine = index.ranked(tokens, None, 10**9)[1]
            ours += time.process_time() - cpu
            cpu = time.process_time()
            cursor.execute(f"SELECT rowid, {RANK} AS rank FROM search_fts "  # noqa: S608 - a constant
                           "WHERE search_fts MATCH %s ORDER BY rank, rowid", [fts5_query(terms)])
            engine = [(row[0], -row[1]) for row in cursor.fetchall()]
            theirs += time.process_time() - cpu
            compared += 1
            matches += len(engine)
            if mine != engine:
                differ += 1
                print(f"DIFFERENT: {text!r}: {len(mine)} / {len(engine)} matches")
    print(f"{compared} queries compared ({matches} matches ranked), {differ} different; "
          f"{phrases} left to FTS5 (phrases or words of several tokens); CPU: in process "
          f"{ours:.2f} s, FTS5 {theirs:.2f} s (every match ranked and returned); "
          f"load average {os.getloadavg()}")
    sys.exit(1 if differ else 0)


if __name__ == "__main__":
    main()
