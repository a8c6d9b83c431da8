"""Profile the autosave endpoint in-process: where one save's CPU goes.

    .venv/bin/python benchmarks/autosave_profile.py [--saves 300] [--database sqlite|postgres]
        [--profiler cprofile|pyinstrument|garbage|none]

Sets up a fresh data folder as autosave_wrk.py does (IO Survey, one contributor and a
log-in session), then posts --saves autosaves through Django's test client with the real
middleware (session, CSRF enforced, authentication, locale), one revision after another
like the page's script. Prints the CPU milliseconds per save, the garbage collector's runs
(full collections pause every thread of a worker) and the profile's top entries;
"garbage" lists the kinds of objects only the cyclic collector frees.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from autosave_load import PG_URL, environment, prepare  # noqa: E402


def run(saves: int, profiler: str) -> None:
    import django

    django.setup()
    from django.test import Client

    setup = json.loads(os.environ["AUTOSAVE_PROFILE_SETUP"])
    session = setup["sessions"][0]
    client = Client(enforce_csrf_checks=True)
    client.cookies["sessionid"] = session["session"]
    client.cookies["csrftoken"] = session["csrf"]
    url = f"/en/responses/{session['response']}/autosave/"
    path = session["paths"][0]
    revision = 0

    def save(number: int) -> None:
        nonlocal revision
        reply = client.post(url, {"path": path, "section": path.split("/")[0],
                                  "revision": revision, "value": f"v{number}"},
                            HTTP_X_CSRFTOKEN=session["csrf"])
        if reply.status_code != 200:
            raise SystemExit(f"autosave answered {reply.status_code}: {reply.content[:300]!r}")
        revision = reply.json()["revision"]

    for number in range(20):  # warm-up: imports, compiled form, connections
        save(number)
    gc_pauses = watch_garbage_collector()
    started_cpu, started = time.process_time(), time.perf_counter()
    if profiler == "cprofile":
        import cProfile
        import pstats

        with cProfile.Profile() as profile:
            for number in range(saves):
                save(1000 + number)
        pstats.Stats(profile).sort_stats("cumulative").print_stats(45)
    elif profiler == "pyinstrument":
        from pyinstrument import Profiler

        with Profiler(interval=0.0005) as profile:
            for number in range(saves):
                save(1000 + number)
        print(profile.output_text(unicode=False, color=False, show_all=False))
    elif profiler == "garbage":  # which objects only the cyclic collector frees
        import collections
        import gc

        gc.collect()
        gc.set_debug(gc.DEBUG_SAVEALL)
        for number in range(saves):
            save(1000 + number)
        gc.collect()
        kinds = collections.Counter(type(thing).__qualname__ for thing in gc.garbage)
        print(json.dumps({"cyclic_garbage_per_save": {
            kind: round(count / saves, 1) for kind, count in kinds.most_common(15)}}))
        gc.set_debug(0)
        gc.garbage.clear()
    else:
        for number in range(saves):
            save(1000 + number)
    cpu = (time.process_time() - started_cpu) / saves * 1000
    wall = (time.perf_counter() - started) / saves * 1000
    print(json.dumps({"saves": saves, "profiler": profiler, "cpu_ms_per_save": round(cpu, 2),
                      "wall_ms_per_save": round(wall, 2), "gc_runs": len(gc_pauses),
                      "gc_ms_per_save": round(sum(gc_pauses) / saves * 1000, 3),
                      "gc_longest_ms": round(max(gc_pauses, default=0) * 1000, 1),
                      "gc_full_runs": len(full_collections),
                      "gc_full_ms": [round(pause * 1000, 1) for pause in full_collections]}))


def watch_garbage_collector() -> list[float]:
    """Durations of the cyclic garbage collector's runs from now on (they pause every
    thread of a worker: a source of latency tails)."""
    import gc

    pauses: list[float] = []
    started = [0.0]

    def callback(phase: str, info: dict) -> None:
        if phase == "start":
            started[0] = time.perf_counter()
        else:
            pauses.append(time.perf_counter() - started[0])
            if info["generation"] == 2:
                full_collections.append(pauses[-1])

    gc.callbacks.append(callback)
    return pauses


full_collections: list[float] = []  # the runs over the whole heap (generation 2)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=300)
    parser.add_argument("--database", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--profiler", choices=["cprofile", "pyinstrument", "garbage", "none"],
                        default="cprofile")
    parser.add_argument("--internal-run", action="store_true", help=argparse.SUPPRESS)
    options = parser.parse_args()
    if options.internal_run:
        run(options.saves, options.profiler)
        return
    database_url = PG_URL if options.database == "postgres" else None
    data_dir = Path(tempfile.mkdtemp(prefix="ioc-profile-"))
    setup = prepare(data_dir, database_url, 1)
    env = environment(data_dir, database_url)
    env["AUTOSAVE_PROFILE_SETUP"] = json.dumps(setup)
    argv = [sys.executable, __file__, "--internal-run", "--saves", str(options.saves),
            "--profiler", options.profiler]
    os.execve(sys.executable, argv, env)  # noqa: S606 - fixed argv, no shell


if __name__ == "__main__":
    main()
