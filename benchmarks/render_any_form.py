"""Render time of the REACH 2024 form's largest section for a respondent (issue 12;
target: median under 100 ms), in English and French.

    .venv/bin/python benchmarks/render_any_form.py [--runs 30]

In a fresh temporary data folder (SQLite): imports the real REACH 2024 MSNA form, makes a
synthetic organisation and its contributor, starts a response (the server fills its
metadata), then times GET of every section page through Django's test client (session,
middleware, the engine's evaluation, choice filters, template) and reports the largest
section's median and 95th percentile, wall and CPU (this process's CPU time: the machine's
other work does not count), with the load average and the peak resident memory.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FORM = (REPO.parent / "shared" / "data" / "xlsforms" / "reach-msna-2024"
        / "REACH_2024_MSNA-kobo-tool_draft_v11.xlsx")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30)
    options = parser.parse_args()
    os.environ["IOCOMPENDIUM_DATA_DIR"] = tempfile.mkdtemp(prefix="ioc-render-any-")
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "iocompendium.settings"
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from iocompendium.questionnaires.services import import_questionnaire
    from iocompendium.registry.models import Organisation
    from iocompendium.responses import selectors, services
    from iocompendium.responses.models import Contributor

    call_command("migrate", verbosity=0)
    version, _created = import_questionnaire(FORM, "reach-2024", publish=True)
    organisation = Organisation.objects.create(
        acronym="RENDER-R", name_en="Render benchmark organisation (synthetic)",
        category="other", synthetic=True)
    user = get_user_model().objects.create_user("render", password=None)
    Contributor.objects.create(user=user, organisation=organisation)
    response = services.get_or_create_response(organisation, version)
    client = Client()
    client.force_login(user)
    form = selectors.compiled_form(version.pk)
    results = []
    for lang in ("en", "fr"):
        for section in form.sections:
            url = f"/{lang}/responses/{response.pk}/section/{section.name}/"
            client.get(url)  # warm: compiled form, templates
            timings, cpu = [], []
            for _ in range(options.runs):
                started, cpu_started = time.perf_counter(), time.process_time()
                page = client.get(url)
                timings.append(time.perf_counter() - started)
                cpu.append(time.process_time() - cpu_started)
            assert page.status_code == 200, page.status_code
            results.append({
                "lang": lang, "section": section.name,
                "questions_on_page": page.content.decode().count('class="question '),
                "median_ms": round(1000 * statistics.median(timings), 1),
                "p95_ms": round(1000 * sorted(timings)[int(0.95 * len(timings))], 1),
                "cpu_median_ms": round(1000 * statistics.median(cpu), 1)})
    for row in results:
        print(json.dumps(row))
    for lang in ("en", "fr"):
        largest = max((r for r in results if r["lang"] == lang),
                      key=lambda row: row["questions_on_page"])
        print(json.dumps({"largest_section": largest["section"], "lang": lang,
                          "questions_on_page": largest["questions_on_page"],
                          "render_median_ms": largest["median_ms"],
                          "render_p95_ms": largest["p95_ms"],
                          "render_cpu_median_ms": largest["cpu_median_ms"],
                          "runs": options.runs}))
    print(json.dumps({"load_average": [round(x, 2) for x in os.getloadavg()],
                      "peak_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
                                           / 1024),
                      "total_cpu_s": round(time.process_time(), 1)}))


if __name__ == "__main__":
    sys.exit(main())
