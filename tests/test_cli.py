"""Bad input on the command line: one clear sentence, a non-zero exit, no traceback.

Each case runs the real ``iocompendium`` command in a subprocess, on SQLite.
"""

from __future__ import annotations

import sqlite3

import pytest

from tests.conftest import run_iocompendium


def assert_clean_failure(done, *words: str) -> None:
    assert done.returncode != 0
    assert "Traceback" not in done.stderr + done.stdout
    for word in words:
        assert word in done.stderr, done.stderr


def test_unknown_command_option(tmp_path):
    done = run_iocompendium("check", "--no-such-option", "--data-dir", str(tmp_path))
    assert_clean_failure(done, "unrecognized arguments: --no-such-option")


def test_data_dir_option_needs_a_value():
    done = run_iocompendium("check", "--data-dir")
    assert_clean_failure(done, "--data-dir needs a folder")


def test_data_folder_that_is_a_file(tmp_path):
    a_file = tmp_path / "file"
    a_file.write_text("not a folder")
    done = run_iocompendium("check", "--data-dir", str(a_file))
    assert_clean_failure(done, "is a file, not a folder")


def test_data_folder_that_cannot_be_created(tmp_path):
    a_file = tmp_path / "file"
    a_file.write_text("not a folder")
    done = run_iocompendium("check", "--data-dir", str(a_file / "inside"))
    assert_clean_failure(done, "cannot be created")


def test_data_folder_that_is_not_writable():
    # /proc refuses new files even to root (permission bits would not stop root).
    done = run_iocompendium("check", env={"IOCOMPENDIUM_DATA_DIR": "/proc"})
    assert_clean_failure(done, "/proc is not writable")


def test_unreachable_database(tmp_path):
    done = run_iocompendium("migrate", "--data-dir", str(tmp_path),
                            env={"DATABASE_URL": "postgres://postgres@127.0.0.1:1/x"})
    assert_clean_failure(done, "the database cannot be reached", "DATABASE_URL")


def test_command_on_a_data_folder_never_migrated(tmp_path):
    done = run_iocompendium("organisations", "export", "-o", str(tmp_path / "o.csv"),
                            "--data-dir", str(tmp_path / "new"))
    assert_clean_failure(done, "iocompendium migrate")
    assert not (tmp_path / "o.csv").exists()


def test_serve_refuses_a_data_folder_never_migrated(tmp_path):
    done = run_iocompendium("serve", "--port", "1", "--data-dir", str(tmp_path))
    assert_clean_failure(done, "not up to date", "iocompendium migrate")


def test_malformed_organisations_file_names_every_row_and_writes_nothing(
        migrated_data_dir, tmp_path):
    database = migrated_data_dir / "db.sqlite3"

    def snapshot():
        with sqlite3.connect(database) as connection:
            return connection.execute(
                "SELECT acronym, name_en, category, website, verified "
                "FROM registry_organisation ORDER BY acronym").fetchall()

    before = snapshot()
    assert len(before) >= 40
    bad = tmp_path / "bad.csv"
    bad.write_text(
        "acronym,name_en,name_fr,category,membership,website,verified\n"
        "OECD,Changed name,,igo,,https://www.oecd.org,true\n"
        "NEWORG,A new organisation,,nonsense,,,false\n"
        "WTO,Changed too,,igo,,ftp//broken,true\n",
        encoding="utf-8",
    )
    done = run_iocompendium("organisations", "load", str(bad),
                            "--data-dir", str(migrated_data_dir))
    assert_clean_failure(done, "line 3, column category", "line 4, column website",
                         "nothing was loaded")
    assert "line 2" not in done.stderr
    assert snapshot() == before


@pytest.mark.parametrize("content, words", [
    (b"\x00\x01binary", "not a readable .xlsx"),
])
def test_damaged_xlsx_is_one_sentence(migrated_data_dir, tmp_path, content, words):
    path = tmp_path / "orgs.xlsx"
    path.write_bytes(content)
    done = run_iocompendium("organisations", "load", str(path),
                            "--data-dir", str(migrated_data_dir))
    assert_clean_failure(done, words)


def test_help_lists_the_product_commands_grouped_by_app(tmp_path):
    """Derived from the installed apps (not a list kept by hand); Django's own commands
    are behind 'iocompendium django'."""
    done = run_iocompendium("--help", "--data-dir", str(tmp_path))
    assert done.returncode == 0, done.stderr
    text = done.stdout
    assert "registry:\n  jurisdictions" in text and "questionnaires:\n  form" in text
    assert "iocompendium django --help" in text
    assert "createsuperuser" not in text.split("Django's own commands")[0]
    django_help = run_iocompendium("django", "--help", "--data-dir", str(tmp_path))
    assert "migrate" in django_help.stdout
    for command in ("report", "form", "django migrate"):
        shown = run_iocompendium(*command.split(), "--help", "--data-dir", str(tmp_path))
        assert "--data-dir" in shown.stdout, command


def test_the_whole_demo_runs_as_the_readme_says(tmp_path):
    # The README's first command, every step of it (the apps' own tests cover each step's
    # content; this one catches a step that no longer runs beside the others).
    done = run_iocompendium("demo", "--no-serve", "--data-dir", str(tmp_path), timeout=900)
    assert done.returncode == 0, done.stderr[-3000:]
    assert "Traceback" not in done.stderr + done.stdout
    assert "Demo ready" in done.stdout
    for folder in ("compendium/index.html", "generated/reports"):
        assert (tmp_path / folder).exists(), folder


@pytest.mark.parametrize("command", [
    ["report", "--format", "json", "-o", "out.json"],
    ["responses", "export", "io-survey", "--format", "json", "-o", "out.json"],
    ["organisations", "export", "-o", "out.csv"],
])
def test_a_command_that_only_reads_does_not_create_a_missing_data_folder(tmp_path, command):
    missing = tmp_path / "typo"
    done = run_iocompendium(*command, "--data-dir", str(missing), cwd=tmp_path)
    assert_clean_failure(done, "does not exist", "only reads data", "iocompendium migrate")
    assert not missing.exists()


def test_a_command_that_writes_data_creates_the_data_folder(tmp_path):
    new = tmp_path / "new"
    done = run_iocompendium("migrate", "--verbosity", "0", "--data-dir", str(new))
    assert done.returncode == 0, done.stderr
    assert (new / "db.sqlite3").exists()


def test_a_data_folder_made_by_an_older_version_says_how_to_update_it(tmp_path):
    # An older version: the responses app's last migration not applied yet.
    for args in (["migrate", "--verbosity", "0"],
                 ["django", "migrate", "responses", "0002", "--verbosity", "0"]):
        done = run_iocompendium(*args, "--data-dir", str(tmp_path))
        assert done.returncode == 0, done.stderr
    done = run_iocompendium("organisations", "export", "-o", str(tmp_path / "o.csv"),
                            "--data-dir", str(tmp_path))
    assert_clean_failure(done, "made by an older version", "iocompendium migrate",
                         "your data is kept")
    assert not (tmp_path / "o.csv").exists()
    done = run_iocompendium("migrate", "--verbosity", "0", "--data-dir", str(tmp_path))
    assert done.returncode == 0, done.stderr
    done = run_iocompendium("organisations", "export", "-o", str(tmp_path / "o.csv"),
                            "--data-dir", str(tmp_path))
    assert done.returncode == 0, done.stderr
    assert (tmp_path / "o.csv").exists()
