"""Benchmark (issue 11): import N SYNTHETIC REACH Lebanon 2022 submissions; answers/s and
peak memory as N grows.

    .venv/bin/python benchmarks/import_reach_scale.py [--rows 5000 20000 50000] [--keep DIR]

For each N: ``benchmarks/reach_synthetic.py`` writes N synthetic rows (CSV, drawn from the
real distribution of each column), then a fresh data folder gets the form (unit
"submission") and ``iocompendium responses import`` runs in a child process with policy
"flag", the about_half recode and status approved. Prints wall and CPU time, the answers
stored (and audit events), answers per second (wall and CPU) and the child's peak resident
memory. SQLite by default; with DATABASE_URL set, PostgreSQL (each N under its own slug in
that database, so use a scratch database).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from reach_synthetic import FORM, generate  # noqa: E402

RECODES = "question,from,to\npay_water_charges_when,about_half,about_half_pay\n"
CLI = str(Path(sys.executable).with_name("iocompendium"))


def run(*args: str, data_dir: Path) -> tuple[subprocess.CompletedProcess, float, float, int]:
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.perf_counter()
    done = subprocess.run([CLI, *args, "--data-dir", str(data_dir)], capture_output=True,
                          text=True, check=False)
    wall = time.perf_counter() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    if done.returncode:
        raise SystemExit(f"{' '.join(args[:3])} failed: {done.stderr[-2000:]}")
    return done, wall, cpu, after.ru_maxrss  # ru_maxrss: the largest child so far, KiB


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[5_000, 20_000, 50_000])
    parser.add_argument("--keep", help="Folder for the CSV files and data folders (kept).")
    options = parser.parse_args()
    work = Path(options.keep or tempfile.mkdtemp(prefix="ioc-reach-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    recodes = work / "recodes.csv"
    recodes.write_text(RECODES, encoding="utf-8")
    database = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
    print(f"{database}; load average {os.getloadavg()[0]:.1f}; folder {work}")
    print("rows     answers  audit events   wall s    CPU s  answers/s wall  answers/s CPU  "
          "peak RSS MB")
    for rows in options.rows:
        csv_path = work / f"reach-SYNTHETIC-{rows}.csv"
        if not csv_path.exists():
            generate(csv_path, rows, 2022)
        data_dir = work / f"data-{rows}"
        slug = f"reach-scale-{rows}"
        run("migrate", "-v0", data_dir=data_dir)
        run("form", "import", str(FORM), "--slug", slug, "--unit", "submission", "--publish",
            data_dir=data_dir)
        done, wall, cpu, peak = run(
            "responses", "import", slug, str(csv_path), "--policy", "flag", "--recode",
            str(recodes), "--status", "approved", "--json", data_dir=data_dir)
        report = json.loads(done.stdout)
        answers = report["answers"]["written"]
        events = answers + report["responses"]["created"]
        print(f"{rows:>6} {answers:>10,} {events:>13,} {wall:8.1f} {cpu:8.1f} "
              f"{answers / wall:>15,.0f} {answers / cpu:>14,.0f} {peak / 1024:>12,.0f}")


if __name__ == "__main__":
    main()
