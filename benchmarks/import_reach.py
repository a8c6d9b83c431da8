"""Benchmark (issue 11): import of the real REACH Lebanon 2022 submissions (632 rows).

    .venv/bin/python benchmarks/import_reach.py [--input submissions.xlsx] [--keep DIR]

In a temporary data folder (SQLite, or PostgreSQL when DATABASE_URL is set): imports the
form with unit "submission", then ``responses import`` of the unchanged submissions.xlsx
(or ``--input``) with policy "flag" and the about_half recode; prints the wall and CPU time
of each phase (read, parse, engine checks evaluated in full and remembered per question,
whole import), the counts and the peak resident memory. Needs ../shared/data beside the
checkout.
"""

from __future__ import annotations

import argparse
import os
import resource
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
    parser.add_argument("--input", default=str(FOLDER / "submissions.xlsx"),
                        help="The submissions file (default: the real REACH file).")
    options = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f} (1 min)")
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
    from iocompendium.responses.tabular.checking import ResponseStates
    from iocompendium.responses.tabular.parsing import ParseOptions
    from iocompendium.responses.tabular.recodes import parse_recodes

    slug = f"reach-lbn-bench-{int(time.time())}"
    version, _ = import_questionnaire(
        FOLDER / "form.xlsx", slug, publish=True, unit="submission"
    )
    submissions = Path(options.input)
    sheets = timed("read submissions.xlsx (calamine)", read_sheets, submissions)
    parsed = timed(
        "parse and check every cell",
        parse_wide,
        version.structure,
        sheets,
        options=ParseOptions(key="_uuid", policy="flag", recodes=parse_recodes(RECODES)),
    )
    count = len(parsed.responses)
    timed(
        f"engine in full: {count} responses",
        lambda: [evaluate(version.structure, r.answers, "en") for r in parsed.responses],
    )
    states = ResponseStates(version.structure, "en")
    timed(
        f"engine, remembered per question: {count}",
        lambda: [states.verdicts(r.answers) for r in parsed.responses],
    )
    report = timed(
        "whole import (read, check, write, audit)",
        import_responses,
        slug,
        submissions,
        policy="flag",
        recodes=parse_recodes(RECODES),
        status="approved",
    )
    counts = report.as_json()
    print(
        f"rows {counts['rows']}, values in file {counts['values_in_file']}, stored "
        f"{counts['stored']}, skipped {counts['skipped']}, flags {counts['flags']}; "
        f"answers written {counts['answers']['written']}"
    )
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(f"peak RSS {peak:,.0f} MB (the whole script); load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
