"""Benchmark: search latency over HTTP, ours (SQLite FTS5) vs Datasette on the same rows.

    .venv/bin/python benchmarks/instruments_search.py [--data-dir DIR] [--rounds 5]

Run instruments_import.py (and instruments_families.py) first. Both servers run on
localhost, one process each: ours is gunicorn (1 worker, 1 thread) serving
/en/instruments/search.json; Datasette serves a copy of the same instruments in its own
SQLite file with its own FTS (sqlite-utils enable-fts) through its JSON API. Each query
asks both for the total, the first 20 results and the same facet counts (Datasette's
_facet / _facet_array on the same columns); Datasette's table API does not rank, so its
ranked first page is also measured through its SQL API.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sqlite3
import statistics
import subprocess
import sys
import time
import urllib.parse
import urllib.request
from pathlib import Path

VENV_BIN = Path(sys.executable).parent
WORDS = ["regulatory", "safety", "fisheries", "climate", "customs", "banking", "aviation",
         "recommendation", "standard", "monitoring", "transparency", "conformity", "tobacco",
         "metrology", "cooperation", "quality", "risk", "guidelines", "protocol", "labour"]


def queries(seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    single = list(WORDS)
    pairs = [f"{rng.choice(WORDS)} {rng.choice(WORDS)}" for _ in range(15)]
    phrases = ['"food safety"', '"road safety"', '"data protection"', '"anti bribery"',
               '"air pollution"']
    return single + pairs + phrases


def export_for_datasette(source_db: Path, target: Path) -> None:
    target.unlink(missing_ok=True)
    con = sqlite3.connect(source_db)
    rows = con.execute(
        "SELECT i.external_key, i.title, i.other_titles, i.native_type, i.subjects, "
        "coalesce(o.acronym, i.organisation_name), i.text_excerpt, "
        "coalesce(o.category, ''), coalesce(f.number, ''), i.legal_effect, "
        "CASE WHEN i.year IS NULL THEN '' ELSE (i.year / 10 * 10) || 's' END "
        "FROM instruments_instrument i "
        "LEFT JOIN registry_organisation o ON o.id = i.organisation_id "
        "LEFT JOIN instruments_family f ON f.id = i.family_id"
    ).fetchall()
    con.close()
    out = sqlite3.connect(target)
    out.execute(
        "CREATE TABLE instruments (key TEXT PRIMARY KEY, title TEXT, other_titles TEXT, "
        "type TEXT, subjects TEXT, organisation TEXT, text_excerpt TEXT, category TEXT, "
        "family TEXT, legal_effect TEXT, decade TEXT, subject_list TEXT)"
    )
    out.executemany(
        "INSERT INTO instruments VALUES (?,?,?,?,?,?,?,?,?,?,?,?)",
        [(*row, json.dumps([s.strip() for s in row[4].split(";") if s.strip()]))
         for row in rows],
    )
    out.commit()
    out.close()
    subprocess.run(
        [str(VENV_BIN / "sqlite-utils"), "enable-fts", str(target), "instruments", "title",
         "other_titles", "type", "subjects", "organisation", "text_excerpt", "--fts5",
         "--create-triggers"],
        check=True,
    )


def wait_for(url: str, seconds: float = 60) -> None:
    deadline = time.time() + seconds
    while time.time() < deadline:
        try:
            urllib.request.urlopen(url, timeout=5).read()
            return
        except OSError:
            time.sleep(0.5)
    raise SystemExit(f"server at {url} did not start")


def measure(urls: list[str], rounds: int) -> tuple[list[float], list[int]]:
    times: list[float] = []
    totals: list[int] = []
    for _ in range(rounds):
        for url in urls:
            started = time.perf_counter()
            body = urllib.request.urlopen(url, timeout=60).read()
            times.append((time.perf_counter() - started) * 1000)
            data = json.loads(body)
            totals.append(int(data.get("total", data.get("filtered_table_rows_count", -1))))
    return times, totals


def summary(name: str, times: list[float]) -> str:
    ordered = sorted(times)
    p95 = ordered[int(0.95 * (len(ordered) - 1))]
    median = statistics.median(ordered)
    return f"{name}: p50 {median:.1f} ms, p95 {p95:.1f} ms ({len(times)} requests)"


def slow_queries(texts: list[str], times: list[float], totals: list[int],
                 limit_ms: float = 20.0) -> str:
    """Which queries make the p95: each query's median over the rounds, if above limit."""
    n = len(texts)
    medians = [statistics.median(times[i::n]) for i in range(n)]
    slow = sorted(((m, t, q) for m, t, q in zip(medians, totals, texts, strict=True)
                   if m > limit_ms), reverse=True)
    lines = [f"ours, queries with a median over {limit_ms:.0f} ms: {len(slow)} of {n}"]
    lines += [f"  {q}: {m:.1f} ms, {t} matches" for m, t, q in slow]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--data-dir", default="/tmp/iocompendium-bench-instruments")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--port", type=int, default=8765)
    args = parser.parse_args()
    data_dir = Path(args.data_dir)
    copy = data_dir / "datasette.db"
    export_for_datasette(data_dir / "db.sqlite3", copy)
    env = dict(os.environ, IOCOMPENDIUM_DATA_DIR=str(data_dir))
    ours = subprocess.Popen(
        [str(VENV_BIN / "gunicorn"), "iocompendium.wsgi:application", "-b",
         f"127.0.0.1:{args.port}", "-w", "1", "--threads", "1", "--log-level", "warning"],
        env=env,
    )
    theirs = subprocess.Popen(
        [str(VENV_BIN / "datasette"), "serve", str(copy), "-p", str(args.port + 1),
         "--setting", "sql_time_limit_ms", "10000", "--setting", "facet_time_limit_ms", "10000",
         "--setting", "suggest_facets", "off"],
        stdout=subprocess.DEVNULL, stderr=(data_dir / "datasette.log").open("w"),
    )
    try:
        ours_base = f"http://127.0.0.1:{args.port}/en/instruments/search.json"
        theirs_base = f"http://127.0.0.1:{args.port + 1}/datasette/instruments.json"
        wait_for(ours_base)
        wait_for(theirs_base)
        facets = ["organisation", "category", "family", "type", "legal_effect", "decade"]
        ours_urls = [f"{ours_base}?q={urllib.parse.quote(q)}" for q in queries()]
        # Datasette's table API filters on the FTS match in primary-key order: it does
        # not rank (a "_sort_by_desc" parameter only costs a redirect). Its ranked page
        # is asked through its SQL API, with the same bm25 weights as ours.
        theirs_urls = [
            f"{theirs_base}?_search={urllib.parse.quote(q)}&_size=20"
            f"&{'&'.join('_facet=' + f for f in facets)}&_facet_array=subject_list"
            "&_extra=count"
            for q in queries()
        ]
        theirs_plain = [
            f"{theirs_base}?_search={urllib.parse.quote(q)}&_size=20" for q in queries()
        ]
        ranked_sql = (
            "select rowid, title from instruments_fts where instruments_fts match "
            "escape_fts(:q) order by bm25(instruments_fts, 10.0, 1.0, 1.0, 1.0, 1.0, 1.0) "
            "limit 20"
        )
        sql_base = f"http://127.0.0.1:{args.port + 1}/datasette.json"
        theirs_ranked = [
            f"{sql_base}?sql={urllib.parse.quote(ranked_sql)}&q={urllib.parse.quote(q)}"
            for q in queries()
        ]
        measure(ours_urls[:5], 1)  # warm-up
        measure(theirs_urls[:5], 1)
        our_times, our_totals = measure(ours_urls, args.rounds)
        their_times, their_totals = measure(theirs_urls, args.rounds)
        plain_times, _ = measure(theirs_plain, args.rounds)
        ranked_times, _ = measure(theirs_ranked, args.rounds)
        print(summary("ours (total + 7 facets + 20 ranked results with snippets)", our_times))
        print(summary("datasette (count + 6 facets + facet_array + 20 results)", their_times))
        print(summary("datasette (20 results in key order, no facets)", plain_times))
        print(summary("datasette SQL API (20 results ranked by bm25, no count)", ranked_times))
        n = len(queries())
        same = sum(a == b for a, b in zip(our_totals[:n], their_totals[:n], strict=True))
        print(f"queries with the same total in both: {same} of {n}")
        print(slow_queries(queries(), our_times, our_totals[:n]))
    finally:
        ours.terminate()
        theirs.terminate()
        ours.wait()
        theirs.wait()


if __name__ == "__main__":
    main()
