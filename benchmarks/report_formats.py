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


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="/tmp/iocompendium-report-bench")
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

    call_command("demo", no_serve=True, verbosity=0)
    print("SYNTHETIC demo data. format | lang | cold s | warm s | bytes")
    for fmt in ["json", "xlsx", "html", "pdf"]:
        for lang in ["en", "fr"]:
            cache.clear()
            selectors._relevance_cache.clear()
            charts._render_json.cache_clear()
            started = time.perf_counter()
            build_report("io-survey", lang=lang, fmt=fmt)
            cold = time.perf_counter() - started
            started = time.perf_counter()
            _name, data = build_report("io-survey", lang=lang, fmt=fmt)
            warm = time.perf_counter() - started
            print(f"{fmt:>5} | {lang} | {cold:6.2f} | {warm:6.2f} | {len(data):,}")


if __name__ == "__main__":
    main()
