"""Autosave under load: 50 simulated contributors saving for 60 s against `iocompendium serve`.

    .venv/bin/python benchmarks/autosave_load.py [--database sqlite|postgres|both]
        [--contributors 50] [--seconds 60] [--kill-seconds 40]

For each database it sets up a fresh data folder (IO Survey published, one synthetic
organisation, contributor and response per simulated contributor, log-in sessions made
beforehand), starts `iocompendium serve`, and runs two phases:

1. steady load for --seconds: every contributor saves answers back to back, keeping the
   revision each reply returns, like the page's script; afterwards every acknowledged
   save (HTTP 200) must be in the database (final value, and its audit event), and no
   request may have failed with a server error (5xx);
2. crash: the same load for --kill-seconds, the server's process group is killed with
   SIGKILL a third of the way in, restarted, and the load goes on; afterwards every save
   acknowledged before or after the kill must be in the database.

Prints one JSON line per phase; exits non-zero if a check fails. PostgreSQL is used at
postgres://postgres@127.0.0.1:5432/ioc_collection_bench (dropped and re-created).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

REPO = Path(__file__).resolve().parent.parent
PYTHON = str(REPO / ".venv" / "bin" / "python")
IOCOMPENDIUM = str(REPO / ".venv" / "bin" / "iocompendium")
PG_URL = "postgres://postgres@127.0.0.1:5432/ioc_collection_bench"


# --- set-up (shared with autosave_wrk.py) ------------------------------------------------


def environment(data_dir: Path, database_url: str | None) -> dict:
    env = dict(os.environ)
    env["IOCOMPENDIUM_DATA_DIR"] = str(data_dir)
    env["DJANGO_SETTINGS_MODULE"] = "iocompendium.settings"
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    return env


def reset_postgres(url: str) -> None:
    import psycopg

    name = url.rsplit("/", 1)[1]
    with psycopg.connect(url.rsplit("/", 1)[0] + "/postgres", autocommit=True) as connection:
        connection.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        connection.execute(f'CREATE DATABASE "{name}"')


def prepare(data_dir: Path, database_url: str | None, contributors: int) -> list[dict]:
    """Migrate, publish the IO Survey, make contributors and their sessions (subprocess)."""
    if database_url:
        reset_postgres(database_url)
    result = subprocess.run(
        [PYTHON, __file__, "--internal-prepare", str(contributors)],
        env=environment(data_dir, database_url), capture_output=True, text=True, check=False,
    )
    if result.returncode != 0:
        raise SystemExit(f"set-up failed:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _internal_prepare(count: int) -> None:
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.contrib.sessions.backends.db import SessionStore
    from django.core.management import call_command

    from iocompendium.questionnaires.models import Questionnaire
    from iocompendium.questionnaires.structure import iter_questions
    from iocompendium.registry.models import Organisation
    from iocompendium.responses.models import Contributor
    from iocompendium.responses.services import get_or_create_response

    call_command("migrate", verbosity=0)
    version = _io_survey_version()
    text_paths = [ref.path for ref in iter_questions(version.structure)
                  if ref.type == "text" and not ref.repeats][:8]
    sessions = []
    for number in range(1, count + 1):
        organisation, _ = Organisation.objects.get_or_create(
            acronym=f"BENCH-{number:02d}",
            defaults={"name_en": f"Benchmark organisation {number} (synthetic)",
                      "category": "igo", "synthetic": True},
        )
        user = get_user_model().objects.create_user(f"bench{number}", password=None)
        Contributor.objects.create(user=user, organisation=organisation)
        response = get_or_create_response(organisation, version)
        store = SessionStore()
        store["_auth_user_id"] = str(user.pk)
        store["_auth_user_backend"] = "django.contrib.auth.backends.ModelBackend"
        store["_auth_user_hash"] = user.get_session_auth_hash()
        store.create()
        sessions.append({"response": response.pk, "session": store.session_key,
                         "csrf": secrets.token_hex(16), "paths": text_paths})
    print(json.dumps({"form": Questionnaire.objects.get(pk=version.questionnaire_id).slug,
                      "sessions": sessions}))


def _io_survey_version():
    """The published IO Survey (imported by the questionnaires demo step)."""
    from pathlib import Path as _Path

    from iocompendium.questionnaires.models import Questionnaire

    questionnaire = Questionnaire.objects.filter(slug="io-survey").first()
    if questionnaire is None or questionnaire.published_version() is None:
        try:
            from iocompendium.questionnaires import demo
        except ImportError:  # before the IO Survey ships: the tests' synthetic form
            sys.path.insert(0, str(REPO))
            from tests.responses.conftest import make_version

            return make_version()
        from iocompendium.web.management.commands.demo import DemoContext

        demo.run(DemoContext(data_dir=_Path(os.environ["IOCOMPENDIUM_DATA_DIR"]), options={}))
        questionnaire = Questionnaire.objects.get(slug="io-survey")
    return questionnaire.published_version()


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def wait_for_port(port: int, timeout: float = 180) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the server did not start on port {port}")


def wait_until_closed(port: int, timeout: float = 30) -> None:
    """After a SIGKILL, the dying workers may hold the socket for a moment."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                time.sleep(0.05)
        except OSError:
            return


def start_server(data_dir: Path, database_url: str | None, port: int,
                 extra: list[str] | None = None) -> subprocess.Popen:
    """`iocompendium serve` in its own process group (so a SIGKILL reaches every worker)."""
    with open(data_dir / "server.log", "ab") as log:  # access log and errors, for a look
        process = subprocess.Popen(
            [IOCOMPENDIUM, "serve", "--host", "127.0.0.1", "--port", str(port), *(extra or [])],
            env=environment(data_dir, database_url), stdout=log, stderr=log,
            start_new_session=True,
        )
    wait_for_port(port)
    return process


def stop_server(process: subprocess.Popen, sig: int = signal.SIGTERM) -> None:
    try:
        os.killpg(process.pid, sig)
    except ProcessLookupError:
        return
    process.wait(timeout=30)


# --- the simulated contributors -------------------------------------------------------------


@dataclass
class Tally:
    acknowledged: list = field(default_factory=list)  # (response, path, value, revision)
    conflicts: int = 0
    server_errors: int = 0
    other_statuses: int = 0
    connection_errors: int = 0
    latencies: list = field(default_factory=list)


def contributor(number: int, session: dict, port: int, deadline: float, tally: Tally,
                lock: threading.Lock) -> None:
    url = f"/en/responses/{session['response']}/autosave/"
    headers = {"Cookie": f"sessionid={session['session']}; csrftoken={session['csrf']}",
               "X-CSRFToken": session["csrf"], "Referer": f"http://127.0.0.1:{port}/",
               "Content-Type": "application/x-www-form-urlencoded"}
    revisions = dict.fromkeys(session["paths"], 0)
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    sequence = 0
    while time.monotonic() < deadline:
        path = session["paths"][sequence % len(session["paths"])]
        value = f"c{number}-s{sequence}"
        body = urlencode({"path": path, "value": value, "revision": revisions[path],
                          "section": path.split("/", 1)[0]})
        started = time.monotonic()
        try:
            connection.request("POST", url, body, headers)
            reply = connection.getresponse()
            data = reply.read()
        except (OSError, http.client.HTTPException):
            with lock:
                tally.connection_errors += 1
            connection.close()
            time.sleep(0.3)
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            continue
        elapsed = time.monotonic() - started
        with lock:
            tally.latencies.append(elapsed)
            if reply.status == 200:
                revision = json.loads(data)["revision"]
                revisions[path] = revision
                tally.acknowledged.append((session["response"], path, value, revision))
                sequence += 1
            elif reply.status == 409:
                # A save committed just before a crash, never acknowledged: take the
                # stored revision and go on, as the page's "keep my answer" does.
                revisions[path] = json.loads(data)["revision"]
                tally.conflicts += 1
            elif reply.status >= 500:
                tally.server_errors += 1
            else:
                tally.other_statuses += 1
    connection.close()


def run_load(sessions: list[dict], port: int, seconds: float,
             during=None) -> Tally:
    tally, lock = Tally(), threading.Lock()
    deadline = time.monotonic() + seconds
    threads = [threading.Thread(target=contributor,
                                args=(n, s, port, deadline, tally, lock), daemon=True)
               for n, s in enumerate(sessions, start=1)]
    for thread in threads:
        thread.start()
    if during is not None:
        during()
    for thread in threads:
        thread.join()
    return tally


def verify(data_dir: Path, database_url: str | None, tally: Tally) -> dict:
    """Every acknowledged save is stored: final values, and one audit event each."""
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False) as handle:
        json.dump(tally.acknowledged, handle)
    result = subprocess.run([PYTHON, __file__, "--internal-verify", handle.name],
                            env=environment(data_dir, database_url), capture_output=True,
                            text=True, check=False)
    os.unlink(handle.name)
    if result.returncode != 0:
        raise SystemExit(f"verification failed to run:\n{result.stderr[-3000:]}")
    return json.loads(result.stdout.strip().splitlines()[-1])


def _internal_verify(path: str) -> None:
    import django

    django.setup()
    from iocompendium.responses.models import Answer, AuditEvent

    acknowledged = json.loads(Path(path).read_text())
    last: dict[tuple, tuple] = {}
    for response, question, value, revision in acknowledged:
        key = (response, question)
        if key not in last or revision > last[key][1]:
            last[key] = (value, revision)
    stored = {(a, p): (v, r) for a, p, v, r in
              Answer.objects.values_list("response_id", "path", "value", "revision")}
    missing_final = [
        key for key, (value, revision) in last.items()
        if key not in stored or stored[key][1] < revision
        or (stored[key][1] == revision and stored[key][0] != value)
    ]
    audited = set(AuditEvent.objects.filter(action="answer").values_list(
        "response_id", "path", "new_value"))
    missing_audit = [entry for entry in acknowledged
                     if (entry[0], entry[1], entry[2]) not in audited]
    print(json.dumps({"acknowledged": len(acknowledged),
                      "missing_final_values": len(missing_final),
                      "missing_audit_events": len(missing_audit)}))


def percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))] if ordered else 0.0


def summary(name: str, database: str, seconds: float, tally: Tally, check: dict) -> dict:
    return {
        "phase": name, "database": database, "seconds": seconds,
        "acknowledged_saves": len(tally.acknowledged),
        "saves_per_second": round(len(tally.acknowledged) / seconds, 1),
        "p50_ms": round(1000 * percentile(tally.latencies, 0.50), 1),
        "p95_ms": round(1000 * percentile(tally.latencies, 0.95), 1),
        "p99_ms": round(1000 * percentile(tally.latencies, 0.99), 1),
        "server_errors": tally.server_errors, "conflicts": tally.conflicts,
        "other_statuses": tally.other_statuses, "connection_errors": tally.connection_errors,
        **check,
    }


def run_database(database: str, contributors: int, seconds: float, kill_seconds: float) -> bool:
    database_url = PG_URL if database == "postgres" else None
    data_dir = Path(tempfile.mkdtemp(prefix=f"ioc-autosave-{database}-"))
    setup = prepare(data_dir, database_url, contributors)
    sessions = setup["sessions"]
    port = free_port()
    server = start_server(data_dir, database_url, port)
    ok = True
    try:
        tally = run_load(sessions, port, seconds)
        check = verify(data_dir, database_url, tally)
        result = summary("steady", database, seconds, tally, check)
        print(json.dumps(result), flush=True)
        ok &= (result["server_errors"] == 0 and check["missing_final_values"] == 0
               and check["missing_audit_events"] == 0 and result["acknowledged_saves"] > 0)

        killed = {}

        def crash_and_restart() -> None:
            time.sleep(kill_seconds / 3)
            stop_server(killed.setdefault("server", server), signal.SIGKILL)
            killed["at"] = time.monotonic()
            wait_until_closed(port)
            killed["server"] = start_server(data_dir, database_url, port)
            killed["restart_seconds"] = round(time.monotonic() - killed["at"], 1)

        tally = run_load(sessions, port, kill_seconds, during=crash_and_restart)
        server = killed["server"]
        check = verify(data_dir, database_url, tally)
        result = summary("sigkill", database, kill_seconds, tally, check)
        result["restart_seconds"] = killed["restart_seconds"]
        print(json.dumps(result), flush=True)
        ok &= (result["server_errors"] == 0 and check["missing_final_values"] == 0
               and check["missing_audit_events"] == 0)
    finally:
        stop_server(server)
    return ok


def main() -> None:
    if len(sys.argv) > 2 and sys.argv[1] == "--internal-prepare":
        _internal_prepare(int(sys.argv[2]))
        return
    if len(sys.argv) > 2 and sys.argv[1] == "--internal-verify":
        _internal_verify(sys.argv[2])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--contributors", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--kill-seconds", type=float, default=40)
    options = parser.parse_args()
    databases = ["sqlite", "postgres"] if options.database == "both" else [options.database]
    ok = all([run_database(db, options.contributors, options.seconds, options.kill_seconds)
              for db in databases])
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
