"""``iocompendium serve``: gunicorn and whitenoise on a real data folder, in a subprocess."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import time
import urllib.error
import urllib.request

import pytest

from tests.conftest import iocompendium_command, subprocess_environment


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as response:  # noqa: S310 - local URL
            return response.status, response.read().decode("utf-8")
    except urllib.error.HTTPError as error:
        return error.code, ""


@pytest.fixture
def server(migrated_data_dir):
    port = free_port()
    env = subprocess_environment()
    process = subprocess.Popen(  # noqa: S603 - fixed command
        [*iocompendium_command(), "serve", "--port", str(port), "--workers", "1",
         "--data-dir", str(migrated_data_dir)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(base + "/en/", timeout=5)  # noqa: S310 - local URL
            break
        except (urllib.error.URLError, ConnectionError, TimeoutError):
            if process.poll() is not None or time.monotonic() > deadline:
                process.kill()
                pytest.fail(f"serve did not start: {process.stdout.read().decode()[-2000:]}")
            time.sleep(0.5)
    yield base, process
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=20)
    except ProcessLookupError:  # a test killed the server already
        pass
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def task_workers(parent_pid: int) -> list[int]:
    """Pids of the ``db_worker`` processes whose parent is ``parent_pid``."""
    found = []
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                ppid = int(stat.read().rsplit(")", 1)[1].split()[1])
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                arguments = cmdline.read().split(b"\0")
        except (OSError, IndexError, ValueError):
            continue
        if ppid == parent_pid and b"db_worker" in arguments:
            found.append(int(entry))
    return found


def running(pid: int) -> bool:
    """Whether ``pid`` is a live process (a zombie waiting for its parent is not)."""
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def wait_for(condition, seconds: float = 20) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False


def test_serve_runs_the_background_task_worker_and_stops_it(server):
    _base, process = server
    assert wait_for(lambda: len(task_workers(process.pid)) == 1)
    worker = task_workers(process.pid)[0]
    process.kill()  # SIGKILL to gunicorn alone: the worker must not outlive it
    process.wait()
    assert wait_for(lambda: not running(worker))


def test_serve_answers_in_both_languages_with_organisations_and_static_files(server):
    server, _process = server
    for lang in ("en", "fr"):
        status, html = get(f"{server}/{lang}/")
        assert status == 200
        assert f'<html lang="{lang}">' in html
    status, html = get(f"{server}/en/organisations/")
    assert status == 200
    organisation_links = re.findall(r'<th scope="row"><a href="/en/organisations/', html)
    assert len(organisation_links) >= 40
    stylesheet = re.search(r'<link rel="stylesheet" href="([^"]+)"', html)[1]
    status, css = get(server + stylesheet)
    assert status == 200 and ":focus-visible" in css
    assert get(f"{server}/en/no-such-page/")[0] == 404
