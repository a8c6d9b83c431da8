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


def _fail(message: str, status: int = 1) -> None:
    sys.stderr.write(f"iocompendium: {message}\n")
    sys.exit(status)


def main(argv: list[str] | None = None) -> None:
    argv = list(sys.argv if argv is None else argv)
    argv[0] = "iocompendium"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iocompendium.settings")
    argv = _apply_data_dir_option(argv)
    show_traceback = "--traceback" in argv

    from iocompendium.datadir import DataDirError

    try:
        import django
        from django.core.management import execute_from_command_line

        django.setup()
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
