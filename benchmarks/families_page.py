"""Benchmark: server time of the families page (and its methods page) on the stored run
of 100,000 instruments (run instruments_import.py and instruments_families.py first).

    .venv/bin/python benchmarks/families_page.py [--data-dir DIR] [--repeat 30]

Server time is the time Django takes to answer the request in process (test client:
URL routing, middleware, view, template), without network or browser.
"""

from __future__ import annotations

import argparse
import os
import statistics
import time


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", default="/tmp/iocompendium-bench-instruments")
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    os.environ["IOCOMPENDIUM_DATA_DIR"] = args.data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iocompendium.settings")
    import django

    django.setup()
    from django.test import Client

    from iocompendium.instruments.models import Instrument

    client = Client(HTTP_HOST="localhost")
    print(f"{Instrument.objects.count()} instruments")
    for url in ["/en/instruments/families/", "/fr/instruments/families/",
                "/en/instruments/families/?source=Synthetic",
                "/en/instruments/families/methods/", "/en/instruments/families/1/"]:
        client.get(url)  # warm caches and templates
        times, cpu = [], []
        for _ in range(args.repeat):
            started, started_cpu = time.perf_counter(), time.process_time()
            reply = client.get(url)
            times.append(1000 * (time.perf_counter() - started))
            cpu.append(1000 * (time.process_time() - started_cpu))
            assert reply.status_code == 200, (url, reply.status_code)
        times.sort()
        print(f"{url}: median {statistics.median(times):.1f} ms, "
              f"p95 {times[int(0.95 * (len(times) - 1))]:.1f} ms, CPU of the process median "
              f"{statistics.median(cpu):.1f} ms, {len(reply.content)} bytes")


if __name__ == "__main__":
    main()
