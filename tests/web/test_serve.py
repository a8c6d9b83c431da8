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
    yield base
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()


def test_serve_answers_in_both_languages_with_organisations_and_static_files(server):
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
