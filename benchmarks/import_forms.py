"""Benchmark: reading and importing XLSForms (issue 3).

Times ``read_xlsform`` (pyxform parsing + structure + expression check) on the REACH
2024 MSNA form (548 survey rows, real third-party data in ../shared/data) and on the
shipped IO Survey, then the full ``import_questionnaire`` (read + fingerprint + database
write of a new version) into a throw-away SQLite database.

    .venv/bin/python benchmarks/import_forms.py [--runs 5]
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
REACH_2024 = (REPO.parent / "shared" / "data" / "xlsforms" / "reach-msna-2024"
              / "REACH_2024_MSNA-kobo-tool_draft_v11.xlsx")
IO_SURVEY = REPO / "src" / "iocompendium" / "data" / "io_survey.xlsx"


def timed(function, runs: int) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of ``runs`` calls."""
    walls, cpus = [], []
    for _ in range(runs):
        wall, cpu = time.perf_counter(), time.process_time()
        function()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return walls, cpus


def report(label: str, walls: list[float], cpus: list[float]) -> None:
    print(f"{label}: wall median {statistics.median(walls) * 1000:.0f} ms "
          f"(min {min(walls) * 1000:.0f} ms), CPU median {statistics.median(cpus) * 1000:.0f} ms"
          f" over {len(walls)} runs")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    if not REACH_2024.is_file():
        sys.exit(f"The REACH 2024 form is not at {REACH_2024}.")
    data_dir = tempfile.mkdtemp(prefix="iocompendium-bench-")
    os.environ["IOCOMPENDIUM_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iocompendium.settings")
    import django
    from django.core.management import call_command

    django.setup()
    call_command("migrate", interactive=False, verbosity=0)
    from iocompendium.questionnaires.models import Questionnaire
    from iocompendium.questionnaires.services import import_questionnaire
    from iocompendium.questionnaires.xlsform import read_xlsform

    for label, path in (("REACH 2024 MSNA (548 rows)", REACH_2024), ("IO Survey", IO_SURVEY)):
        report(f"read_xlsform {label}", *timed(lambda p=path: read_xlsform(p), args.runs))

        def import_fresh(p: Path = path) -> None:
            # A new questionnaire each time, so every run writes a version.
            slug = f"bench-{time.perf_counter_ns()}"
            import_questionnaire(p, slug)

        report(f"import_questionnaire {label}", *timed(import_fresh, args.runs))
    print(f"({Questionnaire.objects.count()} questionnaires written to a throw-away database)")
    shutil.rmtree(data_dir, ignore_errors=True)


if __name__ == "__main__":
    main()
