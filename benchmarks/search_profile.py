"""Profile the search page in process on a prepared data folder (issue 15).

    IOCOMPENDIUM_DATA_DIR=DIR .venv/bin/python benchmarks/search_profile.py \
        [--mode hybrid|words] [--rounds 2] [--top 35] [--no-profile]

Requests /en/search/ through Django's test client (middleware, view, template: all a
web worker does but the socket) for the queries of ``search_semantic.py``, after one
warm-up request that loads the model, the vectors and the facet tables. Prints the CPU
time per request (``time.process_time``) beside the wall time, then cProfile's
functions by cumulative time (unless ``--no-profile``).
"""

from __future__ import annotations

import argparse
import cProfile
import os
import pstats
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iocompendium.settings")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--mode", default="hybrid", choices=["hybrid", "words", "vectors"])
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--top", type=int, default=35)
    parser.add_argument("--no-profile", action="store_true")
    parser.add_argument("--slowest", type=int, default=8,
                        help="print the queries of the N most costly requests (CPU)")
    args = parser.parse_args()

    import django

    django.setup()
    from django.test import Client
    from search_semantic import QUERIES

    client = Client(HTTP_HOST="localhost")
    client.get("/en/search/", {"q": "warm up", "mode": args.mode})
    profile = None if args.no_profile else cProfile.Profile()
    wall, cpu, asked = [], [], []
    for _ in range(args.rounds):
        for text in QUERIES:
            started, started_cpu = time.perf_counter(), time.process_time()
            if profile:
                profile.enable()
            response = client.get("/en/search/", {"q": text, "mode": args.mode})
            if profile:
                profile.disable()
            assert response.status_code == 200, response.status_code
            wall.append(1000 * (time.perf_counter() - started))
            cpu.append(1000 * (time.process_time() - started_cpu))
            asked.append(text)
    for name, values in (("wall", wall), ("CPU", cpu)):
        values = sorted(values)
        print(f"{args.mode} {name}: {len(values)} requests, p50 {statistics.median(values):.1f} "
              f"ms, p95 {values[int(0.95 * (len(values) - 1))]:.1f} ms, "
              f"mean {statistics.fmean(values):.1f} ms")
    for ms, text in sorted(zip(cpu, asked, strict=True), reverse=True)[: args.slowest]:
        print(f"  {ms:6.1f} ms CPU  {text}")
    print(f"load average: {os.getloadavg()}")
    if profile:
        pstats.Stats(profile).sort_stats("cumulative").print_stats(args.top)


if __name__ == "__main__":
    main()
