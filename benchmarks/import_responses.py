"""Benchmark: spreadsheet import of responses (issue 4.7) and the demo data set (issue 5.5).

    .venv/bin/python benchmarks/import_responses.py [--organisations 1000] [--keep DIR]

Works in a temporary data folder (SQLite, or PostgreSQL when DATABASE_URL is set):
publishes the IO Survey, generates the 36 synthetic responses, loads them, exports the
wide XLSX and imports it into a second copy of the questionnaire (first import, then the
same file again); then does the same with N organisations (the 36 synthetic responses
repeated under numbered fictional acronyms). Prints one line per step.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
IO_SURVEY = REPO / "src" / "iocompendium" / "data" / "io_survey.xlsx"


def timed(label: str, function, *args, **kwargs):
    started, cpu = time.perf_counter(), time.process_time()
    result = function(*args, **kwargs)
    elapsed = time.perf_counter() - started
    # CPU time of this process: less sensitive than wall time to a busy shared machine.
    print(f"{label:<58} {elapsed:8.2f} s wall {time.process_time() - cpu:8.2f} s CPU")
    return result, elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[1])
    parser.add_argument("--organisations", type=int, default=1000)
    parser.add_argument("--keep", help="Data folder to use (kept afterwards).")
    options = parser.parse_args()
    folder = Path(options.keep or tempfile.mkdtemp(prefix="ioc-bench-import-"))
    os.environ["IOCOMPENDIUM_DATA_DIR"] = str(folder)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iocompendium.settings")
    sys.path.insert(0, str(REPO / "src"))
    import django

    django.setup()
    from django.core.management import call_command

    from iocompendium.evidence.exports import build_wide_xlsx, load_records
    from iocompendium.questionnaires.services import import_questionnaire
    from iocompendium.responses.demo.data import ensure_organisations, load_synthetic_responses
    from iocompendium.responses.demo.organisations import scaled_organisations
    from iocompendium.responses.demo.synthetic import generate
    from iocompendium.responses.importing import import_responses
    from iocompendium.responses.models import Answer
    from iocompendium.responses.tabular import ResponseRecord

    print(f"data folder {folder}; database {django.db.connection.vendor}; "
          f"load average {os.getloadavg()[0]:.1f}")
    call_command("migrate", interactive=False, verbosity=0)
    version, _ = import_questionnaire(IO_SURVEY, "io-survey", publish=True)
    import_questionnaire(IO_SURVEY, "io-survey-copy", publish=True)
    import_questionnaire(IO_SURVEY, "io-survey-scaled", publish=True)
    responses, _ = timed("generate 36 synthetic responses (engine-checked)", generate,
                         version.structure)
    timed("load them as approved responses (bulk)", load_synthetic_responses, version, responses)
    _version, structure, records = load_records("io-survey", ["approved"])
    content, _ = timed("build the wide XLSX export of 36", build_wide_xlsx, structure, records)
    answers36 = sum(len(r.answers) for r in records)
    path = folder / "wide-36.xlsx"
    path.write_bytes(content)
    report, seconds = timed(f"import the wide XLSX of 36 ({answers36} answers)",
                            import_responses, "io-survey-copy", path)
    assert report.applied, report.errors[:5]
    print(f"{'':<58} {answers36 / seconds:8.0f} answers/s")
    timed("import the same file again (no change)", import_responses, "io-survey-copy", path)

    count = options.organisations
    organisations = scaled_organisations(count)
    ensure_organisations(list(organisations))
    scaled = [
        ResponseRecord(organisation=o.acronym, answers=records[i % len(records)].answers,
                       status="approved")
        for i, o in enumerate(organisations)
    ]
    content, _ = timed(f"build the wide XLSX of {count}", build_wide_xlsx, structure, scaled)
    path = folder / f"wide-{count}.xlsx"
    path.write_bytes(content)
    answers = sum(len(r.answers) for r in scaled)
    before = Answer.objects.count()
    report, seconds = timed(f"import the wide XLSX of {count} ({answers} answers)",
                            import_responses, "io-survey-scaled", path)
    assert report.applied and Answer.objects.count() - before == answers
    print(f"{'':<58} {answers / seconds:8.0f} answers/s  ({len(content) / 1e6:.1f} MB file)")
    timed(f"import the same {count} again (no change)", import_responses, "io-survey-scaled",
          path)


if __name__ == "__main__":
    main()
