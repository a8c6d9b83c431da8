"""Benchmark (issue 11): import of the real REACH Lebanon 2022 submissions (632 rows).

    .venv/bin/python benchmarks/import_reach.py [--keep DIR]

In a temporary data folder (SQLite, or PostgreSQL when DATABASE_URL is set): imports the
form with unit "submission", then ``responses import`` of the unchanged submissions.xlsx
with policy "flag" and the about_half recode; prints the time of each phase (read, parse,
engine checks, whole import) and the counts. Needs ../shared/data beside the checkout.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FOLDER = REPO.parent / "shared" / "data" / "xlsforms" / "reach-lbn-msna-2022"
RECODES = "question,from,to\npay_water_charges_when,about_half,about_half_pay\n"


def timed(label: str, function, *args, **kwargs):
    started, cpu = time.perf_counter(), time.process_time()
    result = function(*args, **kwargs)
    elapsed = time.perf_counter() - started
    print(f"{label:<44} {elapsed:8.2f} s wall {time.process_time() - cpu:8.2f} s CPU")
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--keep", help="Data folder to use (kept afterwards).")
    options = parser.parse_args()
    os.environ["IOCOMPENDIUM_DATA_DIR"] = options.keep or tempfile.mkdtemp(prefix="ioc-reach-")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iocompendium.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from iocompendium.questionnaires.engine import evaluate
    from iocompendium.questionnaires.services import import_questionnaire
    from iocompendium.responses.importing import import_responses
    from iocompendium.responses.tabular import parse_wide, read_sheets
    from iocompendium.responses.tabular.parsing import ParseOptions
    from iocompendium.responses.tabular.recodes import parse_recodes

    version, _ = import_questionnaire(
        FOLDER / "form.xlsx", "reach-lbn-bench", publish=True, unit="submission"
    )
    submissions = FOLDER / "submissions.xlsx"
    sheets = timed("read submissions.xlsx (calamine)", read_sheets, submissions)
    parsed = timed(
        "parse and check every cell",
        parse_wide,
        version.structure,
        sheets,
        options=ParseOptions(key="_uuid", policy="flag", recodes=parse_recodes(RECODES)),
    )
    timed(
        "engine: 632 responses (constraints, required)",
        lambda: [evaluate(version.structure, r.answers, "en") for r in parsed.responses],
    )
    report = timed(
        "whole import (read, check, write, audit)",
        import_responses,
        "reach-lbn-bench",
        submissions,
        policy="flag",
        recodes=parse_recodes(RECODES),
        status="approved",
    )
    counts = report.as_json()
    print(
        f"rows {counts['rows']}, values in file {counts['values_in_file']}, stored "
        f"{counts['stored']}, skipped {counts['skipped']}, flags {counts['flags']}"
    )


if __name__ == "__main__":
    main()
