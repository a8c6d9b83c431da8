"""The ``iocompendium`` command: Django's management commands, with no set-up needed.

Every error reaches the user as one sentence and a non-zero exit status; ``--traceback``
shows the Python traceback for debugging.
"""

from __future__ import annotations

import os
import sys


def _apply_data_dir_option(argv: list[str]) -> list[str]:
    """Honour ``--data-dir DIR`` on any command: settings read the folder at start-up.

    The option is taken out of the arguments, so commands need not declare it.
    """
    remaining: list[str] = []
    skip_next = False
    for index, arg in enumerate(argv):
        if skip_next:
            skip_next = False
        elif arg == "--data-dir":
            if index + 1 >= len(argv):
                _fail("--data-dir needs a folder: --data-dir DIR.", 2)
            os.environ["IOCOMPENDIUM_DATA_DIR"] = argv[index + 1]
            skip_next = True
        elif arg.startswith("--data-dir="):
            os.environ["IOCOMPENDIUM_DATA_DIR"] = arg.split("=", 1)[1]
        else:
            remaining.append(arg)
    return remaining


HELP_WORDS = {"-h", "--help", "help"}
DJANGO_SUBCOMMAND = "django"
# Product commands that only read data (None: every action of the command). They never
# create a missing data folder: a wrong --data-dir must not leave an empty folder behind.
READ_ONLY_COMMANDS: dict[str, set[str] | None] = {
    "report": None,
    "serve": None,
    "organisations": {"export"},
    "responses": {"export"},
    "jurisdictions": {"list"},
    "form": {"export"},
    "search": {"query", "status"},
    "instruments": {"search", "runs", "types"},
}
# Commands that bring a database up to date themselves, or run before it is.
SETS_UP_ITS_DATABASE = {"migrate", "demo", "makemigrations", "showmigrations", "check",
                        "sqlmigrate", "help", "version", "serve"}


def read_only_command(argv: list[str]) -> str | None:
    """``"organisations export"`` when argv runs a command that only reads data, else None."""
    words = [arg for arg in argv[1:] if not arg.startswith("-")][:2]
    if not words or words[0] not in READ_ONLY_COMMANDS:
        return None
    actions = READ_ONLY_COMMANDS[words[0]]
    if actions is None:
        return words[0]
    if len(words) > 1 and words[1] in actions:
        return " ".join(words)
    return None


def _refuse_a_missing_data_dir(argv: list[str]) -> None:
    """A command that only reads data says so in one sentence instead of creating a folder."""
    from pathlib import Path

    from iocompendium.datadir import DEFAULT_DATA_DIR

    command = read_only_command(argv)
    if command is None or HELP_WORDS & set(argv):
        return
    folder = Path(os.environ.get("IOCOMPENDIUM_DATA_DIR") or DEFAULT_DATA_DIR).expanduser()
    folder = folder.resolve()
    if not folder.exists():
        _fail(
            f"the data folder {folder} does not exist, and '{command}' only reads data, so it "
            f"does not create one: give the folder you use with --data-dir, or create this one "
            f"with 'iocompendium migrate --data-dir {folder}' (or 'iocompendium demo')."
        )


def _refuse_an_older_database(argv: list[str]) -> None:
    """A data folder made by an older version (some migrations applied, not all): one
    sentence saying how to bring it up to date, before the command fails half-way."""
    words = [arg for arg in argv[1:] if not arg.startswith("-")]
    if not words or words[0] in SETS_UP_ITS_DATABASE or words[0] == DJANGO_SUBCOMMAND:
        return
    from django.db import DatabaseError, connection
    from django.db.migrations.executor import MigrationExecutor

    try:
        executor = MigrationExecutor(connection)
        applied = executor.loader.applied_migrations
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError:
        return  # unreachable database: the command's own error says so
    if applied and pending:
        from django.conf import settings

        _fail(
            f"the data folder {settings.DATA_DIR} was made by an older version of iocompendium "
            f"({len(pending)} database change(s) to apply): run 'iocompendium migrate "
            f"--data-dir {settings.DATA_DIR}' once to bring it up to date (your data is kept), "
            "then run this command again."
        )


def product_commands() -> dict[str, list[tuple[str, str]]]:
    """The product's own commands grouped by app, derived from the installed apps: a
    command added under ``iocompendium.<app>.management.commands`` appears by itself."""
    from django.core.management import get_commands, load_command_class

    groups: dict[str, list[tuple[str, str]]] = {}
    for name, app in sorted(get_commands().items()):
        if not app.startswith("iocompendium."):
            continue
        try:
            summary = (load_command_class(app, name).help or "").strip().splitlines()
        except Exception:  # noqa: BLE001 - a broken command must not break the help
            summary = []
        groups.setdefault(app.split(".", 1)[1], []).append((name, summary[0] if summary else ""))
    return dict(sorted(groups.items()))


def print_help() -> None:
    lines = [
        "usage: iocompendium COMMAND [options] [--data-dir DIR]",
        "",
        "The data folder is ./iocompendium-data unless --data-dir DIR or "
        "IOCOMPENDIUM_DATA_DIR says otherwise; DATABASE_URL switches to PostgreSQL.",
        "'iocompendium COMMAND --help' explains a command.",
    ]
    for app, commands in product_commands().items():
        lines += ["", f"{app}:"]
        lines += [f"  {name:<16} {summary}" for name, summary in commands]
    lines += [
        "",
        "Django's own commands (migrate, createsuperuser, shell, check...):",
        f"  iocompendium {DJANGO_SUBCOMMAND} --help      lists them; "
        f"iocompendium {DJANGO_SUBCOMMAND} COMMAND runs one.",
    ]
    sys.stdout.write("\n".join(lines) + "\n")


def _show_data_dir_in_every_help() -> None:
    """Every subcommand's --help lists --data-dir (the launcher reads it before Django)."""
    from django.core.management.base import BaseCommand

    original = BaseCommand.create_parser

    def create_parser(self, prog_name, subcommand, **kwargs):
        parser = original(self, prog_name, subcommand, **kwargs)
        if not any("--data-dir" in action.option_strings for action in parser._actions):
            parser.add_argument(
                "--data-dir", metavar="DIR",
                help="Data folder (default ./iocompendium-data, or IOCOMPENDIUM_DATA_DIR).",
            )
        return parser

    BaseCommand.create_parser = create_parser


def _fail(message: str, status: int = 1) -> None:
    sys.stderr.write(f"iocompendium: {message}\n")
    sys.exit(status)


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "iocompendium"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iocompendium.settings")
    argv = _apply_data_dir_option(argv)
    show_traceback = "--traceback" in argv
    _refuse_a_missing_data_dir(argv)

    from iocompendium.datadir import DataDirError

    try:
        import django
        from django.core.management import execute_from_command_line

        django.setup()
        if len(argv) == 1 or argv[1] in HELP_WORDS:
            print_help()
            return
        if argv[1] == DJANGO_SUBCOMMAND:
            argv = [argv[0], *argv[2:]] if len(argv) > 2 else [argv[0], "help"]
        _show_data_dir_in_every_help()
        if not HELP_WORDS & set(argv):
            _refuse_an_older_database(argv)
        execute_from_command_line(argv)
    except DataDirError as error:
        _fail(str(error))
    except KeyboardInterrupt:
        _fail("interrupted.", 130)
    except SystemExit:
        raise
    except Exception as error:  # noqa: BLE001 - the user must never see a traceback
        if show_traceback:
            raise
        _fail(describe_error(error))


def describe_error(error: Exception) -> str:
    """One plain sentence for an unexpected error."""
    from django.db import OperationalError
    from django.db.utils import ProgrammingError

    text = str(error).strip().splitlines()[0] if str(error).strip() else type(error).__name__
    if isinstance(error, OperationalError):
        if "no such table" in text or "does not exist" in text:
            return (
                f"the database is not set up ({text}): run 'iocompendium migrate' "
                "(or 'iocompendium demo') first."
            )
        return (
            f"the database cannot be reached ({text}): check DATABASE_URL, "
            "or unset it to use the embedded SQLite database."
        )
    if isinstance(error, ProgrammingError):
        return f"the database is not set up ({text}): run 'iocompendium migrate' first."
    return f"{text} (run again with --traceback for details)."


if __name__ == "__main__":
    main()
