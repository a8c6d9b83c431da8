"""Render time of the largest section of the IO Survey (the whole page, server side).

    .venv/bin/python benchmarks/render_section.py [--instruments 10] [--runs 30]

In a fresh temporary data folder (SQLite): imports and publishes the IO Survey, makes a
synthetic organisation whose response lists --instruments instruments (every instrument
question answered), then times GET of every section page through Django's test client
(session, middleware, evaluation by the engine, template) and reports the largest
section's median and 95th percentile, with the engine's evaluation alone for scale.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--instruments", type=int, default=10)
    parser.add_argument("--runs", type=int, default=30)
    options = parser.parse_args()
    os.environ["IOCOMPENDIUM_DATA_DIR"] = tempfile.mkdtemp(prefix="ioc-render-")
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "iocompendium.settings"
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from django.test import Client

    from iocompendium.questionnaires.services import import_questionnaire
    from iocompendium.registry.models import Organisation
    from iocompendium.responses import formtree, selectors, services
    from iocompendium.responses.models import Contributor

    call_command("migrate", verbosity=0)
    version, _created = import_questionnaire(
        REPO / "src" / "iocompendium" / "data" / "io_survey.xlsx", "io-survey", publish=True
    )
    organisation = Organisation.objects.create(
        acronym="RENDER-A", name_en="Render benchmark organisation (synthetic)",
        category="igo", synthetic=True,
    )
    user = get_user_model().objects.create_user("render", password=None)
    Contributor.objects.create(user=user, organisation=organisation)
    response = services.get_or_create_response(organisation, version)
    _fill_instruments(services, response, user, options.instruments)

    client = Client()
    client.force_login(user)
    form = selectors.compiled_form(version.pk)
    results = []
    for section in form.sections:
        url = f"/en/responses/{response.pk}/section/{section.name}/"
        client.get(url)  # warm: compiled form, templates
        timings = []
        for _ in range(options.runs):
            started = time.perf_counter()
            page = client.get(url)
            timings.append(time.perf_counter() - started)
        assert page.status_code == 200, page.status_code
        questions = page.content.decode().count('class="question ')
        results.append({"section": section.name, "questions_on_page": questions,
                        "median_ms": round(1000 * statistics.median(timings), 1),
                        "p95_ms": round(1000 * sorted(timings)[int(0.95 * len(timings))], 1)})
    answers = selectors.answers_of(response)
    started = time.perf_counter()
    for _ in range(options.runs):
        formtree.evaluate(form, answers, "en")
    evaluation_ms = round(1000 * (time.perf_counter() - started) / options.runs, 1)
    largest = max(results, key=lambda row: row["questions_on_page"])
    for row in results:
        print(json.dumps(row))
    print(json.dumps({"largest_section": largest["section"],
                      "questions_on_page": largest["questions_on_page"],
                      "render_median_ms": largest["median_ms"], "render_p95_ms": largest["p95_ms"],
                      "engine_evaluation_ms": evaluation_ms, "answers": len(answers),
                      "instruments": options.instruments, "runs": options.runs}))


def _fill_instruments(services, response, user, count: int) -> None:
    """Answer every question of each instrument with a valid synthetic value."""
    form = services.compiled_form(response.version_id)
    repeat = form.refs["variety/instruments"]
    for number in range(1, count + 1):
        services.add_instance(response, "variety/instruments", user=user)
        for child in repeat.node["children"]:
            path = f"variety/instruments[{number}]/{child['name']}"
            value = _value_for(form, child, number)
            if value:
                services.save_answer(response, path, value, user=user, base_revision=None)


def _value_for(form, node: dict, number: int) -> str:
    if node["type"] in {"select_one", "select_multiple"}:
        choices = form.structure["choices"].get(node["choice_list"], [])
        return choices[number % len(choices)]["name"] if choices else ""
    if node["type"] == "integer":
        return str(1990 + number)
    if node["type"] == "text":
        return f"Synthetic instrument {number}"
    return ""


if __name__ == "__main__":
    sys.exit(main())
