"""Benchmark: the results report in each format on the demo data (SYNTHETIC responses of
36 fictional organisations to the IO Survey).

Sets up the demo in its own data folder (``iocompendium demo --no-serve``), then times
each format and language twice: *cold* (caches emptied: relevance by the engine for every
response, analysis, charts) and *warm* (as the dashboard after the first visit).

    .venv/bin/python benchmarks/report_formats.py [--data-dir /tmp/report-bench]
"""

from __future__ import annotations

import argparse
import os
import time
from pathlib import Path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="/tmp/iocompendium-report-bench")
    parser.add_argument("--skip-demo", action="store_true",
                        help="The data folder already holds the demo.")
    options = parser.parse_args()
    os.environ["IOCOMPENDIUM_DATA_DIR"] = options.data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iocompendium.settings")
    import django

    django.setup()
    from django.core.cache import cache
    from django.core.management import call_command

    from iocompendium.analysis import charts
    from iocompendium.evidence import selectors
    from iocompendium.evidence.services import build_report

    if not options.skip_demo:
        call_command("demo", no_serve=True, verbosity=0)
    # CPU time too: on a shared machine the wall time mostly measures the neighbours.
    print("SYNTHETIC demo data. format | lang | cold wall s | cold CPU s | warm wall s "
          "| warm CPU s | bytes")
    for fmt in ["json", "xlsx", "html", "pdf"]:
        for lang in ["en", "fr"]:
            cache.clear()
            selectors._relevance_cache.clear()
            for stored in (Path(options.data_dir) / "cache").glob("relevance-*.json"):
                stored.unlink()
            charts._render_json.cache_clear()
            cold = _timed(build_report, "io-survey", lang=lang, fmt=fmt)
            warm = _timed(build_report, "io-survey", lang=lang, fmt=fmt)
            size = len(build_report("io-survey", lang=lang, fmt=fmt)[1])
            print(f"{fmt:>5} | {lang} | {cold[0]:6.2f} | {cold[1]:6.2f} | {warm[0]:6.2f} "
                  f"| {warm[1]:6.2f} | {size:,}", flush=True)


def _timed(work, *args, **kwargs) -> tuple[float, float]:
    """(wall seconds, CPU seconds of this process) of one call."""
    wall, cpu = time.perf_counter(), time.process_time()
    work(*args, **kwargs)
    return time.perf_counter() - wall, time.process_time() - cpu


if __name__ == "__main__":
    main()
