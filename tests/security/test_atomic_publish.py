"""Defect 4 of issue 13: publishing is all or nothing.

Before: ``publish`` deleted the previous site's folders, then wrote the new one in place;
killed after 4 s it left one file of 147. Now the site is built beside the target and
swapped in (``iocompendium.atomic.replaced_folder``): a failure injected mid-build, a
SIGKILL of a real ``publish`` process mid-build, and a kill between the two renames of the
fallback swap all leave the previous site whole."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from iocompendium import atomic
from iocompendium.compendium import publishing
from tests.conftest import run_iocompendium, subprocess_environment


def snapshot(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


def leftovers(target: Path) -> list[str]:
    return sorted(p.name for p in target.parent.iterdir()
                  if p.name.startswith(f".{target.name}.") and not p.name.endswith(".lock"))


@pytest.mark.django_db
def test_a_failure_mid_build_leaves_the_previous_site(tmp_path, monkeypatch):
    site = tmp_path / "site"
    publishing.publish(site, with_pdf=False)
    (site / "marker.txt").write_text("previous")  # only the previous site has it
    before = snapshot(site)
    assert len(before) > 10

    def broken(*args, **kwargs):
        raise RuntimeError("disk full (injected)")

    monkeypatch.setattr(publishing, "write_data_package", broken)
    with pytest.raises(RuntimeError, match="injected"):
        publishing.publish(site, with_pdf=False)
    assert snapshot(site) == before
    assert leftovers(site) == []


@pytest.mark.django_db
def test_a_successful_publish_replaces_the_whole_site(tmp_path):
    site = tmp_path / "site"
    publishing.publish(site, with_pdf=False)
    (site / "en" / "stale.html").write_text("from an older build")
    result = publishing.publish(site, with_pdf=False)
    assert not (site / "en" / "stale.html").exists()
    assert all(path.is_file() and site in path.parents for path in result.data_files)
    assert (site / "index.html").is_file() and leftovers(site) == []


def test_a_kill_between_the_fallback_renames_is_repaired(tmp_path, monkeypatch):
    """Where renameat2 is missing, the previous folder is renamed aside first; a run
    killed right then leaves it aside, and the next run moves it back before building."""
    target = tmp_path / "out"
    target.mkdir()
    (target / "page.html").write_text("previous")
    monkeypatch.setattr(atomic, "_exchange", lambda first, second: False)
    real_rename = os.rename

    def killed_after_first(source, destination):
        real_rename(source, destination)
        if Path(destination).name.startswith(".out.previous-"):
            raise KeyboardInterrupt("killed (injected)")

    monkeypatch.setattr(atomic.os, "rename", killed_after_first)
    with pytest.raises(KeyboardInterrupt), atomic.replaced_folder(target) as build:
        (build / "page.html").write_text("new")
    assert not target.exists()  # the moment a kill can leave
    monkeypatch.setattr(atomic.os, "rename", real_rename)
    with pytest.raises(RuntimeError), atomic.replaced_folder(target):
        assert (target / "page.html").read_text() == "previous"  # repaired first
        raise RuntimeError("the next build fails too")
    assert (target / "page.html").read_text() == "previous"
    assert leftovers(target) == []


SLOW_PUBLISH = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    import django
    django.setup()
    from django.core.management import call_command
    from iocompendium.compendium import publishing
    real = publishing.write_data_package

    def slow(output, *args):
        # Half the new site is written when this runs: tell the test, then wait to be killed.
        Path(sys.argv[2]).write_text(str(output))
        time.sleep(120)
        return real(output, *args)

    publishing.write_data_package = slow
    call_command("publish", "-o", sys.argv[1], "--no-pdf", "--allow-empty", "--verbosity", "0")
""")


@pytest.mark.slow
def test_sigkill_of_a_publish_process_leaves_the_previous_site(migrated_data_dir, tmp_path):
    site = tmp_path / "site"
    # No response in this data folder: --allow-empty (issue 12) publishes it anyway.
    done = run_iocompendium("publish", "-o", str(site), "--no-pdf", "--allow-empty",
                            "--data-dir", str(migrated_data_dir))
    assert done.returncode == 0, done.stderr
    before = snapshot(site)
    marker = tmp_path / "building.txt"
    env = {**subprocess_environment(), "IOCOMPENDIUM_DATA_DIR": str(migrated_data_dir),
           "DJANGO_SETTINGS_MODULE": "iocompendium.settings"}
    process = subprocess.Popen([sys.executable, "-c", SLOW_PUBLISH, str(site), str(marker)],
                               env=env, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 120
        while not marker.exists():
            assert process.poll() is None, process.stderr.read().decode()
            assert time.monotonic() < deadline, "the publish never reached its data step"
            time.sleep(0.05)
        building = Path(marker.read_text())
        assert building != site and any(building.rglob("*.html"))  # killed mid-build
        process.send_signal(signal.SIGKILL)
        process.wait(timeout=30)
    finally:
        if process.poll() is None:
            process.kill()
        process.stderr.close()
    assert snapshot(site) == before
    # No response in this data folder: --allow-empty (issue 12) publishes it anyway.
    done = run_iocompendium("publish", "-o", str(site), "--no-pdf", "--allow-empty",
                            "--data-dir", str(migrated_data_dir))
    assert done.returncode == 0, done.stderr
    assert leftovers(site) == [] and (site / "index.html").is_file()
