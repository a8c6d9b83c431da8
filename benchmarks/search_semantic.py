"""Benchmark: search by meaning on N synthetic instruments plus the demo (issue 15).

    .venv/bin/python benchmarks/search_semantic.py [--n 100000] [--data-dir DIR]
        [--reuse | --skip-setup | --skip-embed] [--rounds 3]

Prepare once (demo + 100,000 instruments + embedding: about 10 minutes on one core),
then time the HTTP part alone on the prepared folder (a few minutes):

    .venv/bin/python benchmarks/search_semantic.py --data-dir /work/bench/i15/data100k
    .venv/bin/python benchmarks/search_semantic.py --data-dir /work/bench/i15/data100k --reuse

1. set-up (unless --skip-setup or --reuse): the demo (without serving), then N synthetic
   instruments generated and imported (their text index is written by the import);
2. embedding (unless --skip-embed or --reuse): ``iocompendium search reindex
   --embed-only``, timed (texts per second); resumable, so a run stopped here continues;
3. index size: the vectors' bytes and rows, and the database file;
4. HTTP: gunicorn (1 worker, 1 thread) serving /en/search/ (results grouped by kind,
   counts per kind and language); the same queries in hybrid and in words-only mode,
   alternately, in the same run, after one warm-up request that loads the model and the
   vectors. Per mode: p50/p95 of the wall time, and of the worker's CPU time per request
   (its threads' scheduler time, nanoseconds, /proc/PID/task/*/schedstat), for round 1
   (every query new to the worker: its embedding and word rankings not remembered yet)
   and for all rounds;
5. an index change (``search reindex --kind family``: the families rewritten, new
   document ids, texts unchanged) and the first hybrid request after it, which reloads
   the vector index incrementally;
6. memory: the worker's resident set size (and its peak) with the model and vectors.
Prints the machine, the load average before and after, wall and CPU figures.
"""

from __future__ import annotations

import argparse
import os
import resource
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
MAPPING = ROOT / "src" / "iocompendium" / "data" / "mappings" / "synthetic.json"
QUERIES = [
    "consultation des parties prenantes sur les projets de normes",
    "how do IOs check that members apply their standards",
    "food safety", "sécurité alimentaire", "fisheries", "pêche côtière", "data protection",
    "protection des données", "risk assessment", "évaluation des risques",
    "monitoring of implementation", "suivi de la mise en œuvre", "customs cooperation",
    "coopération douanière", "aviation safety", "sécurité aérienne", "climate", "climat",
    "metrology", "métrologie", "road safety standards", "normes de sécurité routière",
    "banking supervision", "supervision bancaire", "tobacco control", "lutte antitabac",
    "transparency", "transparence", "labour standards", "normes du travail",
    "air pollution", "pollution de l'air", "guidelines on quality", "lignes directrices",
    "recommendation on regulatory policy", "politique réglementaire", "conformity",
    "conformité", "ex post evaluation", "évaluation ex post",
]


def run(args: list[str], env: dict, *, quiet: bool = False) -> float:
    started = time.perf_counter()
    subprocess.run([str(VENV_BIN / "iocompendium"), *args], env=env, check=True,
                   stdout=subprocess.DEVNULL if quiet else None,
                   stderr=subprocess.DEVNULL if quiet else None)
    return time.perf_counter() - started


def setup(data_dir: Path, n: int, env: dict) -> None:
    run(["demo", "--no-serve"], env)
    csv_path = data_dir / f"instruments-{n}.csv"
    run(["instruments", "generate", "-n", str(n), "-o", str(csv_path), "--seed", "1"], env)
    seconds = run(["instruments", "import", str(csv_path), "--mapping", str(MAPPING)], env)
    print(f"import of {n} instruments (text index included): {seconds:.1f} s", flush=True)


def counts(db: Path) -> tuple[int, int, int]:
    con = sqlite3.connect(db)
    docs = con.execute("SELECT count(*) FROM search_document").fetchone()[0]
    rows, size = con.execute("SELECT count(*), coalesce(sum(length(vector)), 0) "
                             "FROM search_vector").fetchone()
    con.close()
    return docs, rows, size


def worker_pid(parent: int) -> int | None:
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            fields = dict(line.split(":", 1) for line in status.read_text().splitlines()
                          if ":" in line)
        except OSError:
            continue
        if fields.get("PPid", "").strip() == str(parent):
            return int(status.parent.name)
    return None


def cpu_seconds(pid: int | None) -> float:
    """CPU time of a process, every thread, in seconds (0 when unknown), to the nanosecond
    (the scheduler's count; /proc/PID/stat counts in 10 ms ticks): on a machine shared
    with other work, what a request cost, beside its wall time."""
    if pid is None:
        return 0.0
    total = 0
    for task in Path(f"/proc/{pid}/task").glob("*/schedstat"):
        try:
            total += int(task.read_text().split()[0])
        except (OSError, ValueError, IndexError):
            continue
    return total / 1e9


def memory_of(pid: int | None) -> tuple[int, int]:
    """(resident set size, its peak) of a process, in KiB."""
    if pid is None:
        return 0, 0
    fields = dict(line.split(":", 1) for line in Path(f"/proc/{pid}/status").read_text()
                  .splitlines() if ":" in line)
    return (int(fields.get("VmRSS", "0 kB").split()[0]),
            int(fields.get("VmHWM", "0 kB").split()[0]))


def percentiles(values: list[float]) -> str:
    values = sorted(values)
    if not values:
        return "-"
    p95 = values[int(0.95 * (len(values) - 1))]
    return f"p50 {statistics.median(values):6.1f} ms, p95 {p95:6.1f} ms"


def machine() -> str:
    model = next((line.split(":", 1)[1].strip() for line in
                  Path("/proc/cpuinfo").read_text().splitlines()
                  if line.startswith("model name")), "?")
    return f"{os.cpu_count()} cores ({model}), Python {sys.version.split()[0]}"


def timed_get(url: str, worker: int | None, timeout: float = 120) -> tuple[float, float]:
    """(wall ms, worker CPU ms) of one request."""
    before = cpu_seconds(worker)
    started = time.perf_counter()
    urllib.request.urlopen(url, timeout=timeout).read()  # noqa: S310 - localhost
    return 1000 * (time.perf_counter() - started), 1000 * (cpu_seconds(worker) - before)


def http(data_dir: Path, env: dict, rounds: int, port: int = 8765) -> None:
    server = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "iocompendium.wsgi", "--workers", "1", "--threads", "1",
         "--bind", f"127.0.0.1:{port}", "--timeout", "300"],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}/en/search/"
        deadline = time.time() + 120
        while True:
            try:
                urllib.request.urlopen(base, timeout=5).read()  # noqa: S310 - localhost
                break
            except OSError:
                if time.time() > deadline:
                    raise
                time.sleep(0.5)
        worker = worker_pid(server.pid)
        wall, cpu = timed_get(base + "?q=warm+up&mode=hybrid", worker, timeout=300)
        print(f"first hybrid request (loads the model and the vectors): wall {wall / 1000:.1f}"
              f" s, worker CPU {cpu / 1000:.1f} s", flush=True)
        times: dict[tuple[str, int], list[float]] = {}
        cpus: dict[tuple[str, int], list[float]] = {}
        for round_ in range(1, rounds + 1):
            for text in QUERIES:
                for mode in ("hybrid", "words"):
                    url = base + "?" + urllib.parse.urlencode({"q": text, "mode": mode})
                    wall, cpu = timed_get(url, worker)
                    times.setdefault((mode, round_), []).append(wall)
                    cpus.setdefault((mode, round_), []).append(cpu)
        for mode in ("hybrid", "words"):
            for label, chosen in (("round 1 (new queries)", [1]),
                                  (f"all {rounds} rounds", list(range(1, rounds + 1)))):
                wall = [v for r in chosen for v in times[(mode, r)]]
                cpu = [v for r in chosen for v in cpus[(mode, r)]]
                print(f"{mode:6} {label:22}: {len(wall):4} requests; wall {percentiles(wall)};"
                      f" worker CPU {percentiles(cpu)}, mean {statistics.fmean(cpu):.1f} ms",
                      flush=True)
        rss, peak = memory_of(worker)
        print(f"worker memory, model and vectors loaded: RSS {rss / 1024:.0f} MiB "
              f"(peak {peak / 1024:.0f} MiB)", flush=True)
        changed = run(["search", "reindex", "--kind", "family"], env, quiet=True)
        url = base + "?" + urllib.parse.urlencode({"q": QUERIES[0], "mode": "hybrid"})
        wall, cpu = timed_get(url, worker)
        again, again_cpu = timed_get(url, worker)
        print(f"index change (search reindex --kind family, {changed:.1f} s), then the first "
              f"hybrid request (incremental reload): wall {wall:.0f} ms, worker CPU {cpu:.0f} "
              f"ms; the same request again: wall {again:.0f} ms, CPU {again_cpu:.0f} ms",
              flush=True)
        rss, peak = memory_of(worker)
        print(f"worker memory after the reload: RSS {rss / 1024:.0f} MiB (peak "
              f"{peak / 1024:.0f} MiB)", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--data-dir", default="/tmp/iocompendium-bench-search")
    parser.add_argument("--reuse", action="store_true",
                        help="a data folder prepared by an earlier run: only the HTTP part")
    parser.add_argument("--skip-setup", action="store_true")
    parser.add_argument("--skip-embed", action="store_true")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    data_dir = Path(args.data_dir)
    db = data_dir / "db.sqlite3"
    if args.reuse and not db.exists():
        sys.exit(f"--reuse: no prepared data folder at {data_dir} (run once without --reuse)")
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "IOCOMPENDIUM_DATA_DIR": str(data_dir),
           "DJANGO_SETTINGS_MODULE": "iocompendium.settings"}
    print(f"machine: {machine()}; load average {os.getloadavg()}", flush=True)
    started, started_cpu = time.perf_counter(), resource.getrusage(resource.RUSAGE_CHILDREN)
    if not (args.skip_setup or args.reuse):
        setup(data_dir, args.n, env)
    if not (args.skip_embed or args.reuse):
        before = counts(db)
        seconds = run(["search", "reindex", "--embed-only"], env)
        after = counts(db)
        print(f"embedding: {after[0]} records, {after[1] - before[1]} vectors written in "
              f"{seconds:.0f} s ({after[1] - before[1]} texts, "
              f"{(after[1] - before[1]) / max(seconds, 1e-9):.0f} texts/s, one thread)",
              flush=True)
    docs, rows, size = counts(db)
    print(f"index: {docs} records, {rows} vectors, {size / 2**20:.0f} MiB of vectors; "
          f"database file {db.stat().st_size / 2**20:.0f} MiB", flush=True)
    http(data_dir, env, args.rounds)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    child_cpu = (children.ru_utime + children.ru_stime
                 - started_cpu.ru_utime - started_cpu.ru_stime)
    print(f"whole run: wall {time.perf_counter() - started:.0f} s; CPU of the commands and "
          f"the server {child_cpu:.0f} s; this script {time.process_time():.1f} s; "
          f"load average {os.getloadavg()}", flush=True)


if __name__ == "__main__":
    main()
