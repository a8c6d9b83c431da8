"""Benchmark: search by meaning on N synthetic instruments plus the demo (issue 15).

    .venv/bin/python benchmarks/search_semantic.py [--n 100000] [--data-dir DIR]
        [--skip-setup] [--skip-embed] [--rounds 3]

1. set-up (unless --skip-setup): the demo (without serving), then N synthetic
   instruments generated and imported (their text index is written by the import);
2. embedding: ``iocompendium search reindex --embed-only``, timed (texts per second);
   resumable, so a run stopped here continues where it was;
3. index size: the vectors' bytes and rows, and the database file;
4. HTTP: gunicorn (1 worker, 1 thread) serving /en/search/ (results grouped by kind,
   counts per kind and language); the same queries in hybrid and in words-only mode,
   alternately, p50/p95 of each after one warm-up request that loads the model;
5. memory: the worker's resident set size with the model and the vectors loaded.
"""

from __future__ import annotations

import argparse
import os
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


def run(args: list[str], env: dict) -> float:
    started = time.perf_counter()
    subprocess.run([str(VENV_BIN / "iocompendium"), *args], env=env, check=True)
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


def rss_of_children(parent: int) -> int:
    total = 0
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
        except OSError:
            continue
        fields = dict(line.split(":", 1) for line in text.splitlines() if ":" in line)
        if fields.get("PPid", "").strip() == str(parent):
            total = max(total, int(fields.get("VmRSS", "0 kB").split()[0]))
    return total


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
    """User + system CPU time of a process (0 when unknown): on a machine shared with
    other work, the CPU a request cost, beside its wall time."""
    if pid is None:
        return 0.0
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


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
        started = time.perf_counter()
        urllib.request.urlopen(base + "?q=warm+up&mode=hybrid", timeout=300).read()  # noqa: S310
        print(f"first hybrid request (loads the model and the vectors): "
              f"{time.perf_counter() - started:.1f} s", flush=True)
        times: dict[str, list[float]] = {"hybrid": [], "words": []}
        cpu: dict[str, float] = {"hybrid": 0.0, "words": 0.0}
        worker = worker_pid(server.pid)
        for _ in range(rounds):
            for text in QUERIES:
                for mode in ("hybrid", "words"):
                    url = base + "?" + urllib.parse.urlencode({"q": text, "mode": mode})
                    before = cpu_seconds(worker)
                    started = time.perf_counter()
                    urllib.request.urlopen(url, timeout=60).read()  # noqa: S310
                    times[mode].append(1000 * (time.perf_counter() - started))
                    cpu[mode] += cpu_seconds(worker) - before
        for mode, values in times.items():
            if not values:
                continue
            values.sort()
            p95 = values[int(0.95 * (len(values) - 1))]
            print(f"{mode:6}: {len(values)} requests, p50 {statistics.median(values):.1f} ms, "
                  f"p95 {p95:.1f} ms; worker CPU {1000 * cpu[mode] / len(values):.1f} ms "
                  f"per request on average", flush=True)
        print(f"worker memory (RSS, model and vectors loaded): "
              f"{rss_of_children(server.pid) / 1024:.0f} MiB", flush=True)
    finally:
        server.terminate()
        server.wait(timeout=30)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000)
    parser.add_argument("--data-dir", default="/tmp/iocompendium-bench-search")
    parser.add_argument("--skip-setup", action="store_true")
    parser.add_argument("--skip-embed", action="store_true")
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    data_dir = Path(args.data_dir)
    data_dir.mkdir(parents=True, exist_ok=True)
    env = {**os.environ, "IOCOMPENDIUM_DATA_DIR": str(data_dir),
           "DJANGO_SETTINGS_MODULE": "iocompendium.settings"}
    if not args.skip_setup:
        setup(data_dir, args.n, env)
    db = data_dir / "db.sqlite3"
    if not args.skip_embed:
        before = counts(db)
        seconds = run(["search", "reindex", "--embed-only"], env)
        after = counts(db)
        print(f"embedding: {after[0]} records, {after[1] - before[1]} vectors written in "
              f"{seconds:.0f} s ({after[1] - before[1]} texts, "
              f"{(after[1] - before[1]) / seconds:.0f} texts/s, one thread)", flush=True)
    docs, rows, size = counts(db)
    print(f"index: {docs} records, {rows} vectors, {size / 2**20:.0f} MiB of vectors; "
          f"database file {db.stat().st_size / 2**20:.0f} MiB", flush=True)
    http(data_dir, env, args.rounds)


if __name__ == "__main__":
    main()
