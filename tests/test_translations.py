"""Every user-facing string of every app is in its French catalogue, translated.

For each app with a ``locale`` folder, Django's ``makemessages`` runs on a copy of the
app (so a string added to a template or to Python code but never extracted is caught),
then every message must have a French translation that is not fuzzy, and the compiled
``.mo`` must be as new as the ``.po`` it comes from. Needs GNU gettext (Debian package
``gettext``, installed by ``.ci/run``)."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import pytest
from django.core.management import call_command

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "iocompendium"
APPS = sorted(p.parent.name for p in PACKAGE.glob("*/locale"))

pytestmark = pytest.mark.skipif(shutil.which("xgettext") is None,
                                reason="GNU gettext is not installed")


def untranslated(po_text: str) -> list[str]:
    """The msgids of the entries without a French text, or marked fuzzy."""
    problems = []
    for entry in po_text.split("\n\n")[1:]:
        if entry.lstrip().startswith("#~"):
            continue  # obsolete: no longer in the source
        msgid = " ".join(re.findall(r'^(?:msgid|")(.*)$', entry, re.MULTILINE))[:80]
        if "#, fuzzy" in entry or re.search(r'^msgstr(\[\d\])? ""\Z', entry.strip(),
                                             re.MULTILINE):
            problems.append(msgid)
    return problems


@pytest.mark.parametrize("app", APPS)
def test_every_string_of_the_app_is_translated_to_french(app, tmp_path, monkeypatch):
    copy = tmp_path / app
    shutil.copytree(PACKAGE / app, copy, ignore=shutil.ignore_patterns("__pycache__"))
    monkeypatch.chdir(copy)
    call_command("makemessages", locale=["fr"], verbosity=0, no_location=True)
    po = (copy / "locale" / "fr" / "LC_MESSAGES" / "django.po").read_text("utf-8")
    missing = untranslated(po)
    assert not missing, (
        f"{app}: {len(missing)} message(s) without a French translation (run makemessages "
        f"in src/iocompendium/{app} and translate them): {missing[:10]}"
    )


@pytest.mark.parametrize("app", APPS)
def test_compiled_catalogue_matches_its_source(app, tmp_path):
    """The shipped .mo is what compilemessages makes of the shipped .po."""
    folder = PACKAGE / app / "locale" / "fr" / "LC_MESSAGES"
    compiled = tmp_path / "django.mo"
    subprocess.run(  # noqa: S603 - fixed command, our own files
        ["msgfmt", "--check-format", "-o", str(compiled), str(folder / "django.po")],  # noqa: S607
        check=True,
    )
    assert compiled.read_bytes() == (folder / "django.mo").read_bytes(), (
        f"{app}: django.mo is out of date; run compilemessages"
    )
