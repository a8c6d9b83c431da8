"""Autosave against its floor, under wrk (closed loop), on SQLite and PostgreSQL.

    .venv/bin/python benchmarks/autosave_wrk.py [--database sqlite|postgres|both]
        [--seconds 20] [--connections 10 50] [--workers N --threads N]

Side by side in one run, for each database and number of connections:
- the floor: a minimal Django view writing one row per request (benchmarks/floor_app),
  served by gunicorn with the same workers, threads and options as `iocompendium serve`;
- the real autosave endpoint served by `iocompendium serve`: session authentication,
  CSRF, access check, path and value validation, revision check, answer write, audit
  event, re-evaluation of the IO Survey by the expression engine, JSON reply.
wrk runs one thread per connection so each connection is one contributor who keeps the
revision its last reply returned (a stale revision would be refused with 409).
--workers/--threads try other gunicorn settings (default: `serve`'s own), given to the
floors and to `serve` alike so the comparison stays fair.
Prints the figures as JSON lines and a Markdown table (p50/p95/p99 latency, saves per
second, ratios to the floor). Target: >= 0.7x the floor's saves/s, p99 <= 1.5x.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

sys.path.insert(0, str(Path(__file__).resolve().parent))

from autosave_load import (  # noqa: E402
    PG_URL,
    PYTHON,
    environment,
    free_port,
    prepare,
    reset_postgres,
    start_server,
    stop_server,
    wait_for_port,
)

BENCHMARKS = Path(__file__).resolve().parent
WRK = "/usr/bin/wrk"
FLOOR_PG_URL = "postgres://postgres@127.0.0.1:5432/ioc_collection_floor"

LUA_COMMON = r"""
local counter = 0
local threads = {}
function setup(thread)
  counter = counter + 1
  thread:set("id", counter)
  table.insert(threads, thread)
end
function done(summary, latency, requests)
  local ok, conflicts = 0, 0
  for _, thread in ipairs(threads) do
    ok = ok + (thread:get("ok") or 0)
    conflicts = conflicts + (thread:get("conflicts") or 0)
  end
  io.write(string.format(
    '{"requests": %d, "ok": %d, "conflicts": %d, "duration_us": %d, "non_2xx": %d, ' ..
    '"p50_us": %d, "p95_us": %d, "p99_us": %d, "socket_errors": %d}\n',
    summary.requests, ok, conflicts, summary.duration, summary.errors.status,
    latency:percentile(50), latency:percentile(95), latency:percentile(99),
    summary.errors.connect + summary.errors.read + summary.errors.write +
    summary.errors.timeout))
end
"""

LUA_FLOOR = LUA_COMMON + r"""
function init(args)
  ok, conflicts, sequence = 0, 0, 0
end
function request()
  sequence = sequence + 1
  return wrk.format("POST", "/save/",
    {["Content-Type"] = "application/x-www-form-urlencoded"},
    "value=w" .. id .. "-" .. sequence)
end
function response(status, headers, body)
  if status == 200 then ok = ok + 1 end
end
"""

LUA_STACK_FLOOR = LUA_COMMON + r"""
function init(args)
  ok, conflicts, sequence = 0, 0, 0
  local s = sessions[id]
  headers = {["Content-Type"] = "application/x-www-form-urlencoded",
             ["Cookie"] = s.cookie, ["X-CSRFToken"] = s.csrf}
end
function request()
  sequence = sequence + 1
  return wrk.format("POST", "/en/save/", headers, "value=w" .. id .. "-" .. sequence)
end
function response(status, headers, body)
  if status == 200 then ok = ok + 1 end
end
"""

LUA_AUTOSAVE = LUA_COMMON + r"""
function init(args)
  ok, conflicts, sequence, revision = 0, 0, 0, 0
  local s = sessions[id]
  url, path, section = s.url, s.path, s.section
  headers = {["Content-Type"] = "application/x-www-form-urlencoded",
             ["Cookie"] = s.cookie, ["X-CSRFToken"] = s.csrf}
end
function request()
  sequence = sequence + 1
  return wrk.format("POST", url, headers,
    "path=" .. path .. "&section=" .. section .. "&revision=" .. revision ..
    "&value=w" .. id .. "-" .. sequence)
end
function response(status, headers, body)
  local stored = body:match('"revision": (%d+)')
  if stored then revision = tonumber(stored) end
  if status == 200 then ok = ok + 1 elseif status == 409 then conflicts = conflicts + 1 end
  if status ~= 200 and not reported then
    reported = true
    io.stderr:write("autosave answered " .. status .. ": " .. body:sub(1, 300) .. "\n")
  end
end
"""


def lua_sessions(sessions: list[dict], question: int = 0) -> str:
    """The contributors as a Lua table; each connection saves its own ``question``."""
    rows = []
    for session in sessions:
        path = session["paths"][question]
        rows.append(
            "{{url={}, cookie={}, csrf={}, path={}, section={}}}".format(*(
                json.dumps(value) for value in (
                    f"/en/responses/{session['response']}/autosave/",
                    f"sessionid={session['session']}; csrftoken={session['csrf']}",
                    session["csrf"], quote(path, safe=""), quote(path.split("/")[0], safe=""),
                )
            ))
        )
    return "sessions = {\n" + ",\n".join(rows) + "\n}\n"


SERVER: dict[str, int] = {}  # --workers / --threads when given


def start_floor(data_dir: Path, database_url: str | None, port: int, *,
                stack: bool = False) -> subprocess.Popen:
    """The bare floor (own database), or with ``stack`` the floor inside the app's stack."""
    env = dict(os.environ)
    env.pop("DATABASE_URL", None)
    env["PYTHONPATH"] = str(BENCHMARKS)
    if stack:
        env.update(environment(data_dir, database_url))
        env["PYTHONPATH"] = str(BENCHMARKS)
        env["DJANGO_SETTINGS_MODULE"] = "floor_app.settings_stack"
    elif database_url:
        reset_postgres(FLOOR_PG_URL)
        env["DJANGO_SETTINGS_MODULE"] = "floor_app.settings"
        env["FLOOR_DATABASE_URL"] = FLOOR_PG_URL
    else:
        env["DJANGO_SETTINGS_MODULE"] = "floor_app.settings"
        env["FLOOR_SQLITE_PATH"] = str(data_dir / "floor.sqlite3")
    subprocess.run([PYTHON, str(BENCHMARKS / "floor_app" / "create_table.py")], env=env,
                   check=True, capture_output=True)
    workers, threads = serve_defaults()
    workers, threads = SERVER.get("workers", workers), SERVER.get("threads", threads)
    process = subprocess.Popen(
        [PYTHON, "-m", "gunicorn", "floor_app.wsgi:application",
         "--bind", f"127.0.0.1:{port}", "--workers", str(workers), "--threads", str(threads),
         "--access-logfile", "-", "--graceful-timeout", "5", "--timeout", "120"],
        env=env, cwd=BENCHMARKS, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    wait_for_port(port)
    return process


def serve_defaults() -> tuple[int, int]:
    """The workers and threads `iocompendium serve` chooses on this machine."""
    from iocompendium.web.management.commands.serve import default_threads, default_workers

    return default_workers(), default_threads()


def run_wrk(script: str, port: int, connections: int, seconds: float) -> dict:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as handle:
        handle.write(script)
    try:
        result = subprocess.run(
            [WRK, "-t", str(connections), "-c", str(connections), "-d", f"{int(seconds)}s",
             "--timeout", "30s", "-s", handle.name, f"http://127.0.0.1:{port}"],
            capture_output=True, text=True, check=True,
        )
        if result.stderr.strip():
            print(result.stderr.strip().splitlines()[0], file=sys.stderr)
    finally:
        os.unlink(handle.name)
    figures = json.loads(result.stdout.strip().splitlines()[-1])
    seconds_measured = figures["duration_us"] / 1e6
    return {
        "requests": figures["requests"], "saves": figures["ok"],
        "conflicts": figures["conflicts"], "non_2xx": figures["non_2xx"],
        "socket_errors": figures["socket_errors"],
        "saves_per_second": round(figures["ok"] / seconds_measured, 1),
        "p50_ms": round(figures["p50_us"] / 1000, 1),
        "p95_ms": round(figures["p95_us"] / 1000, 1),
        "p99_ms": round(figures["p99_us"] / 1000, 1),
    }


def run_database(database: str, connection_counts: list[int], seconds: float) -> list[dict]:
    database_url = PG_URL if database == "postgres" else None
    data_dir = Path(tempfile.mkdtemp(prefix=f"ioc-wrk-{database}-"))
    setup = prepare(data_dir, database_url, max(connection_counts))
    app_port, floor_port, stack_port = free_port(), free_port(), free_port()
    app = start_server(data_dir, database_url, app_port, extra=[
        f"--{name}={value}" for name, value in SERVER.items()])
    floor = start_floor(data_dir, database_url, floor_port)
    stack = start_floor(data_dir, database_url, stack_port, stack=True)
    rows = []
    try:
        sessions = setup["sessions"]
        autosave_script = lua_sessions(sessions) + LUA_AUTOSAVE
        stack_script = lua_sessions(sessions) + LUA_STACK_FLOOR
        run_wrk(LUA_FLOOR, floor_port, 4, 3)  # warm-up: imports, connections, caches
        run_wrk(stack_script, stack_port, 4, 3)
        # (the warm-up saves another question, so measured runs start at revision 0)
        run_wrk(lua_sessions(sessions, question=1) + LUA_AUTOSAVE, app_port, 4, 3)
        for connections in connection_counts:
            floor_figures = run_wrk(LUA_FLOOR, floor_port, connections, seconds)
            time.sleep(1)
            stack_figures = run_wrk(stack_script, stack_port, connections, seconds)
            time.sleep(1)
            app_figures = run_wrk(autosave_script, app_port, connections, seconds)
            time.sleep(1)
            row = {
                "database": database, "connections": connections, "form": setup["form"],
                "server": dict(zip(("workers", "threads"), serve_defaults(), strict=True),
                               **SERVER),
                "floor": floor_figures, "floor_in_stack": stack_figures,
                "autosave": app_figures,
                "throughput_ratio": ratio(app_figures, floor_figures, "saves_per_second"),
                "p99_ratio": ratio(app_figures, floor_figures, "p99_ms"),
                "throughput_ratio_stack": ratio(app_figures, stack_figures, "saves_per_second"),
                "p99_ratio_stack": ratio(app_figures, stack_figures, "p99_ms"),
            }
            print(json.dumps(row), flush=True)
            rows.append(row)
    finally:
        stop_server(app)
        stop_server(floor)
        stop_server(stack)
    return rows


def ratio(numerator: dict, denominator: dict, key: str) -> float:
    return round(numerator[key] / max(denominator[key], 0.1), 2)


def markdown(rows: list[dict]) -> str:
    lines = [
        "| database | connections | server | saves/s | p50 ms | p95 ms | p99 ms | non-2xx |",
        "|---|---:|---|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        for name in ("floor", "floor_in_stack", "autosave"):
            figures = row[name]
            lines.append(
                f"| {row['database']} | {row['connections']} | {name} | "
                f"{figures['saves_per_second']} | {figures['p50_ms']} | {figures['p95_ms']} | "
                f"{figures['p99_ms']} | {figures['non_2xx']} |"
            )
    lines.append("")
    lines.append("| database | connections | saves/s vs floor | p99 vs floor | "
                 "saves/s vs floor in stack | p99 vs floor in stack |")
    lines.append("|---|---:|---:|---:|---:|---:|")
    for row in rows:
        lines.append(f"| {row['database']} | {row['connections']} | "
                     f"{row['throughput_ratio']}x | {row['p99_ratio']}x | "
                     f"{row['throughput_ratio_stack']}x | {row['p99_ratio_stack']}x |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--seconds", type=float, default=20)
    parser.add_argument("--connections", type=int, nargs="+", default=[10, 50])
    parser.add_argument("--workers", type=int, help="gunicorn workers (default: serve's)")
    parser.add_argument("--threads", type=int, help="threads per worker (default: serve's)")
    options = parser.parse_args()
    SERVER.update({name: getattr(options, name) for name in ("workers", "threads")
                   if getattr(options, name)})
    if not os.path.exists(WRK):
        raise SystemExit(f"wrk not found at {WRK}: install Debian's wrk package.")
    databases = ["sqlite", "postgres"] if options.database == "both" else [options.database]
    rows = []
    for database in databases:
        rows += run_database(database, options.connections, options.seconds)
    print(markdown(rows))


if __name__ == "__main__":
    main()
