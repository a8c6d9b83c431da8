"""Time of ``iocompendium demo --no-serve`` on an empty data folder (a few runs, median).

Usage: .venv/bin/python benchmarks/demo_startup.py [--runs 3] [--keep]

Each run uses a new temporary data folder and the embedded SQLite database (DATABASE_URL
is unset). Also prints the per-step times of the first run (``--verbosity 2``), so the
steps that dominate are visible as later issues add theirs. Target: under 15 s.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def iocompendium() -> list[str]:
    script = Path(sys.executable).with_name("iocompendium")
    return [str(script)] if script.exists() else [sys.executable, "-m", "iocompendium.cli"]


def one_run(folder: Path) -> tuple[float, str]:
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    started = time.perf_counter()
    done = subprocess.run(  # noqa: S603 - fixed command
        [*iocompendium(), "demo", "--no-serve", "--verbosity", "2", "--data-dir", str(folder)],
        env=env, capture_output=True, text=True, check=False,
    )
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        sys.exit(f"demo failed:\n{done.stderr[-2000:]}")
    return elapsed, done.stdout


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--keep", action="store_true", help="Keep the data folders.")
    args = parser.parse_args()
    times = []
    for number in range(args.runs):
        folder = Path(tempfile.mkdtemp(prefix="iocompendium-demo-bench-"))
        try:
            elapsed, output = one_run(folder)
        finally:
            if not args.keep:
                shutil.rmtree(folder, ignore_errors=True)
        times.append(elapsed)
        print(f"run {number + 1}: {elapsed:.1f} s")
        if number == 0:
            for line in output.splitlines():
                if re.match(r"\s+(step|migrate)", line):
                    print(line)
    print(f"median of {len(times)} runs: {statistics.median(times):.1f} s "
          f"(min {min(times):.1f}, max {max(times):.1f}); target under 15 s")


if __name__ == "__main__":
    main()
