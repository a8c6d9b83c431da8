"""Server time of the home page under ``iocompendium serve`` (median and 95th percentile).

Usage: .venv/bin/python benchmarks/home_page.py [--requests 200] [--url URL]

Without --url: makes a data folder (migrate + the shipped organisations), starts
``iocompendium serve --workers 1`` on a free port, measures, then stops the server.
The time is the round trip of one GET /en/ on a kept-alive local connection, requests
sent one after the other, after 10 warm-up requests.
"""

from __future__ import annotations

import argparse
import http.client
import os
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.parse
from contextlib import contextmanager
from pathlib import Path

ORGANISATIONS = Path(__file__).resolve().parent.parent / "src/iocompendium/data/organisations.csv"


def iocompendium() -> list[str]:
    script = Path(sys.executable).with_name("iocompendium")
    return [str(script)] if script.exists() else [sys.executable, "-m", "iocompendium.cli"]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextmanager
def served_data_folder():
    folder = Path(tempfile.mkdtemp(prefix="iocompendium-home-bench-"))
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    for args in (["migrate", "-v", "0"], ["organisations", "load", str(ORGANISATIONS)]):
        subprocess.run([*iocompendium(), *args, "--data-dir", str(folder)],  # noqa: S603
                       env=env, check=True, capture_output=True)
    port = free_port()
    log = open(folder / "serve.log", "wb")  # noqa: SIM115 - closed when the server stops
    server = subprocess.Popen(  # noqa: S603 - fixed command
        [*iocompendium(), "serve", "--port", str(port), "--workers", "1",
         "--data-dir", str(folder)],
        env=env, stdout=log, stderr=subprocess.STDOUT, start_new_session=True,
    )
    url = f"http://127.0.0.1:{port}/en/"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/en/")
                connection.getresponse().read()
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    log.close()
                    tail = (folder / "serve.log").read_text(errors="replace")[-2000:]
                    raise SystemExit(f"the server did not start:\n{tail}") from None
                time.sleep(0.5)
        yield url
    finally:
        if server.poll() is None:
            os.killpg(server.pid, signal.SIGTERM)
            server.wait(timeout=30)
        log.close()
        shutil.rmtree(folder, ignore_errors=True)


def measure(url: str, requests: int) -> list[float]:
    parts = urllib.parse.urlsplit(url)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    times = []
    for number in range(requests + 10):
        started = time.perf_counter()
        connection.request("GET", parts.path or "/")
        response = connection.getresponse()
        response.read()
        elapsed = time.perf_counter() - started
        if response.status != 200:
            sys.exit(f"GET {url} answered {response.status}")
        if number >= 10:
            times.append(elapsed * 1000)
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--url", help="Measure this running server instead of starting one.")
    args = parser.parse_args()
    if args.url:
        times = measure(args.url, args.requests)
    else:
        with served_data_folder() as url:
            times = measure(url, args.requests)
    times.sort()
    p95 = times[min(len(times) - 1, int(round(0.95 * len(times))) - 1)]
    print(f"GET /en/ x {len(times)}: median {statistics.median(times):.1f} ms, "
          f"p95 {p95:.1f} ms, max {times[-1]:.1f} ms")


if __name__ == "__main__":
    main()
