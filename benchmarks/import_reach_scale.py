"""Benchmark (issue 11): import N SYNTHETIC REACH Lebanon 2022 submissions; answers/s and
peak memory as N grows.

    .venv/bin/python benchmarks/import_reach_scale.py [--rows 5000 20000 50000]
        [--input BIG.csv] [--work DIR] [--format csv|xlsx]

``--input``: a CSV written once by ``benchmarks/reach_synthetic.py --rows 50000 -o
BIG.csv`` (about 85 MB); the first N rows of it are copied to
``DIR/reach-SYNTHETIC-N.csv`` once and reused (``--format xlsx``: written as an .xlsx by
``reach_synthetic_xlsx.py``, to measure the streamed .xlsx reading). Without it, each N is
generated (``reach_synthetic.generate``). For each N a fresh data folder gets the form
(unit "submission") and ``iocompendium responses import`` runs in a child process with
policy "flag", the about_half recode and status approved. Prints, per N: answers written
(and audit events), wall and CPU time of the child, answers per second (wall and CPU) and
the child's own peak resident memory (``wait4``), then whether memory stayed flat. SQLite
by default; with DATABASE_URL set, PostgreSQL (each N under its own slug in that database:
use a scratch database).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from reach_synthetic import FORM, generate  # noqa: E402
from reach_synthetic_xlsx import write_xlsx  # noqa: E402

RECODES = "question,from,to\npay_water_charges_when,about_half,about_half_pay\n"
CLI = str(Path(sys.executable).with_name("iocompendium"))


def run(*args: str, data_dir: Path) -> tuple[str, float, float, float]:
    """(stdout, wall s, CPU s, peak RSS MB) of one child ``iocompendium`` command."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        child = subprocess.Popen([CLI, *args, "--data-dir", str(data_dir)], stdout=out,
                                 stderr=err, text=True)
        _pid, status, usage = os.wait4(child.pid, 0)  # this child's own resource usage
        wall = time.perf_counter() - started
        child.returncode = os.waitstatus_to_exitcode(status)
        out.seek(0)
        err.seek(0)
        if child.returncode:
            raise SystemExit(f"{' '.join(args[:3])} failed: {err.read()[-2000:]}")
        return out.read(), wall, usage.ru_utime + usage.ru_stime, usage.ru_maxrss / 1024


def first_rows(source: Path, target: Path, rows: int) -> None:
    """The header and the first ``rows`` records of ``source`` (records, not lines)."""
    with source.open(encoding="utf-8", newline="") as inp, \
            target.open("w", encoding="utf-8", newline="") as out:
        reader, writer = csv.reader(inp), csv.writer(out)
        writer.writerow(next(reader))
        for written, record in enumerate(reader):
            if written == rows:
                break
            writer.writerow(record)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[5_000, 20_000, 50_000])
    parser.add_argument("--input", help="A synthetic CSV of at least max(--rows) rows.")
    parser.add_argument("--work", "--keep", dest="work",
                        help="Folder for the CSV files and data folders (kept).")
    parser.add_argument("--format", choices=["csv", "xlsx"], default="csv",
                        help="Import the rows as a CSV (default) or an .xlsx workbook.")
    options = parser.parse_args()
    work = Path(options.work or tempfile.mkdtemp(prefix="ioc-reach-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    recodes = work / "recodes.csv"
    recodes.write_text(RECODES, encoding="utf-8")
    database = "PostgreSQL" if os.environ.get("DATABASE_URL") else "SQLite"
    print(f"{database} ({options.format}); load average {os.getloadavg()[0]:.1f} (1 min); "
          f"folder {work}")
    print("  rows     answers  audit events   wall s    CPU s  answers/s wall  answers/s CPU"
          "  peak RSS MB")
    peaks = []
    for rows in options.rows:
        csv_path = work / f"reach-SYNTHETIC-{rows}.csv"
        if not csv_path.exists():
            if options.input:
                first_rows(Path(options.input), csv_path, rows)
            else:
                generate(csv_path, rows, 2022)
        if options.format == "xlsx":
            xlsx_path = csv_path.with_suffix(".xlsx")
            if not xlsx_path.exists():
                write_xlsx(csv_path, rows, xlsx_path)
            csv_path = xlsx_path
        data_dir = work / f"data-{database.lower()}-{rows}-{int(time.time())}"
        slug = f"reach-scale-{rows}-{int(time.time())}"
        run("migrate", "-v0", data_dir=data_dir)
        run("form", "import", str(FORM), "--slug", slug, "--unit", "submission", "--publish",
            data_dir=data_dir)
        out, wall, cpu, peak = run(
            "responses", "import", slug, str(csv_path), "--policy", "flag", "--recode",
            str(recodes), "--status", "approved", "--json", data_dir=data_dir)
        report = json.loads(out)
        answers = report["answers"]["written"]
        events = answers + report["responses"]["created"]
        peaks.append(peak)
        print(f"{rows:>6} {answers:>11,} {events:>13,} {wall:8.1f} {cpu:8.1f} "
              f"{answers / wall:>15,.0f} {answers / cpu:>14,.0f} {peak:>12,.0f}", flush=True)
    if len(peaks) > 1:
        growth = peaks[-1] / peaks[0]
        print(f"peak RSS from {options.rows[0]:,} to {options.rows[-1]:,} rows: x{growth:.2f} "
              f"(rows x{options.rows[-1] / options.rows[0]:.0f}); load average now "
              f"{os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
