"""Benchmark: ``iocompendium publish`` on the demo (SYNTHETIC data: 36 fictional
organisations' survey responses and the demo's synthetic practices): the static site, the
two PDFs and the data package together. Target: under 60 s.

Uses an existing demo data folder (``iocompendium demo --no-serve --data-dir DIR`` first,
or pass ``--setup``), then runs the command in a fresh process and reports wall-clock and
CPU time (the CPU time tells how much of the wall time was waiting for a busy machine).

    .venv/bin/python benchmarks/publish.py --data-dir /tmp/compendium-data [--setup]
"""

from __future__ import annotations

import argparse
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

CLI = Path(sys.executable).parent / "iocompendium"


def run(args: list[str], data_dir: str) -> float:
    env = {**os.environ, "IOCOMPENDIUM_DATA_DIR": data_dir}
    started = time.perf_counter()
    subprocess.run([str(CLI), *args], env=env, check=True, stdout=subprocess.DEVNULL,
                   stderr=subprocess.DEVNULL)
    return time.perf_counter() - started


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="/tmp/iocompendium-publish-bench")
    parser.add_argument("--setup", action="store_true", help="Run the demo first.")
    parser.add_argument("--runs", type=int, default=2)
    options = parser.parse_args()
    if options.setup:
        run(["demo", "--no-serve"], options.data_dir)
    print("SYNTHETIC demo data. run | variant | wall s | cpu s | pages | pdf bytes")
    for variant, extra in (("site+pdf+data", []), ("site+data (no pdf)", ["--no-pdf"])):
        for number in range(1, options.runs + 1):
            with tempfile.TemporaryDirectory() as folder:
                before = resource.getrusage(resource.RUSAGE_CHILDREN)
                wall = run(["publish", "-o", folder, *extra], options.data_dir)
                after = resource.getrusage(resource.RUSAGE_CHILDREN)
                cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
                pages = len(list(Path(folder).rglob("*.html")))
                pdf = sum(p.stat().st_size for p in Path(folder).rglob("*.pdf"))
                print(f"{number} | {variant} | {wall:.1f} | {cpu:.1f} | {pages} | {pdf}")


if __name__ == "__main__":
    main()
