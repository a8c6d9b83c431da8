"""Benchmark: import 100,000 synthetic instruments (CSV -> registry + search index) on SQLite.

    .venv/bin/python benchmarks/instruments_import.py [--n 100000] [--data-dir DIR]

Leaves the data folder in place (default /tmp/iocompendium-bench-instruments) so that
instruments_families.py and instruments_search.py can reuse it.
"""

from __future__ import annotations

import argparse
import os
import shutil
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MAPPING = ROOT / "src" / "iocompendium" / "data" / "mappings" / "synthetic.json"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--data-dir", default="/tmp/iocompendium-bench-instruments")
    args = parser.parse_args()
    data_dir = Path(args.data_dir)
    shutil.rmtree(data_dir, ignore_errors=True)
    data_dir.mkdir(parents=True)
    os.environ["IOCOMPENDIUM_DATA_DIR"] = str(data_dir)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iocompendium.settings")
    import django

    django.setup()
    from django.core.management import call_command

    from iocompendium.instruments import services, synthetic

    call_command("migrate", verbosity=0)
    csv_path = Path(tempfile.gettempdir()) / f"instruments-{args.n}-{args.seed}.csv"
    started = time.perf_counter()
    synthetic.write_csv(csv_path, args.n, args.seed)
    print(f"generate {args.n} rows: {time.perf_counter() - started:.1f} s")
    started = time.perf_counter()
    report = services.import_instruments(csv_path, MAPPING)
    first = time.perf_counter() - started
    print(f"import {report.rows} instruments (new={report.created}): {first:.1f} s")
    started = time.perf_counter()
    again = services.import_instruments(csv_path, MAPPING)
    print(f"re-import, unchanged (updated={again.updated}): {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
