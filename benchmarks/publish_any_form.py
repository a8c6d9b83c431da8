"""Benchmark (issue 12): ``iocompendium publish --no-pdf`` on SYNTHETIC submissions of the
REACH Lebanon 2022 form (target: under 60 s and under 2 GB for 50,000 submissions).

    .venv/bin/python benchmarks/publish_any_form.py --submissions 50000
    .venv/bin/python benchmarks/publish_any_form.py --reuse DATA_DIR --questionnaire SLUG

``--reuse``: time only the publish step on a data folder prepared once, e.g. by
``benchmarks/import_reach_scale.py --rows 50000 --keep /work/bench/i12/scale`` (issue 11's
generator: the real distribution of every column, imported with policy flag, status
approved; data folder ``data-50000``, questionnaire ``reach-scale-50000``). The relevance
cache of the data folder is removed first, so every run evaluates every response.

Otherwise, in a fresh temporary data folder (SQLite): imports the real form, writes N synthetic
submissions (one fictional respondent each, flagged synthetic; a value of the question's
type for every question outside repeats: random choices, numbers, dates, texts; the
engine is not asked, so some answers are not relevant and the relevance step drops them
as it would real stale answers), then runs the ``publish`` command in a fresh process
and reports its wall-clock time, CPU time and peak memory (max RSS of the child).
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FORM = REPO.parent / "shared" / "data" / "xlsforms" / "reach-lbn-msna-2022" / "form.xlsx"
CLI = Path(sys.executable).parent / "iocompendium"
WORDS = ("water", "rent", "debt", "school", "health", "food", "work", "transport")


def value_for(ref, choices: dict, rng: random.Random) -> str:
    kind = ref.type
    if kind in {"select_one", "select_multiple"}:
        names = [c["name"] for c in choices.get(ref.node.get("choice_list", ""), [])]
        if not names:
            return ""
        if kind == "select_one":
            return rng.choice(names)
        return " ".join(rng.sample(names, k=min(len(names), rng.randint(1, 3))))
    if kind == "integer":
        return str(rng.randint(0, 12))
    if kind == "decimal":
        return f"{rng.uniform(0, 500):.2f}"
    if kind == "date":
        return (dt.date(2022, 1, 1) + dt.timedelta(days=rng.randint(0, 364))).isoformat()
    if kind == "text":
        return " ".join(rng.choice(WORDS) for _ in range(rng.randint(1, 6)))
    if kind == "geopoint":
        return f"{rng.uniform(33, 34.6):.5f} {rng.uniform(35.1, 36.6):.5f}"
    return ""


def setup(count: int) -> None:
    import django

    django.setup()
    from django.core.management import call_command

    from iocompendium.questionnaires.services import import_questionnaire
    from iocompendium.questionnaires.structure import iter_questions
    from iocompendium.registry.models import Organisation
    from iocompendium.responses.models import Answer, Response

    call_command("migrate", verbosity=0)
    version, _ = import_questionnaire(FORM, "reach-lbn", publish=True)
    structure = version.structure
    questions = [ref for ref in iter_questions(structure) if not ref.repeats]
    rng = random.Random(12)
    batch = 2000
    for start in range(0, count, batch):
        size = min(batch, count - start)
        organisations = Organisation.objects.bulk_create([
            Organisation(acronym=f"SYN-HH{start + i:06d}", name_en=f"Synthetic household "
                         f"{start + i}", category="other", synthetic=True) for i in range(size)])
        responses = Response.objects.bulk_create([
            Response(organisation=o, version=version, status="approved", synthetic=True)
            for o in organisations])
        answers = []
        for response in responses:
            for ref in questions:
                value = value_for(ref, structure["choices"], rng)
                if value:
                    answers.append(Answer(response=response, path=ref.path, value=value))
        Answer.objects.bulk_create(answers, batch_size=5000)
        print(f"  {start + size:,} submissions written", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--submissions", type=int, default=50_000)
    parser.add_argument("--data-dir", default="")
    parser.add_argument("--reuse", default="", help="A prepared data folder: publish only.")
    parser.add_argument("--questionnaire", default="reach-lbn")
    options = parser.parse_args()
    data_dir = options.reuse or options.data_dir or tempfile.mkdtemp(prefix="ioc-publish-any-")
    os.environ["IOCOMPENDIUM_DATA_DIR"] = data_dir
    os.environ.pop("DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "iocompendium.settings"
    if options.reuse:
        for cached in (Path(data_dir) / "cache").glob("relevance-*.json"):
            cached.unlink()
    else:
        started = time.perf_counter()
        setup(options.submissions)
        print(f"setup: {time.perf_counter() - started:.1f} s ({data_dir})")
    output = Path(data_dir) / "site"
    print(f"load average before: {os.getloadavg()[0]:.1f}", flush=True)
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        started = time.perf_counter()
        child = subprocess.Popen([str(CLI), "publish", "-o", str(output), "--questionnaire",
                                  options.questionnaire, "--no-pdf"], env=dict(os.environ),
                                 stdout=out, stderr=err, text=True)
        # The publish child's own CPU time and peak memory (not those of earlier children).
        _pid, status, usage = os.wait4(child.pid, 0)
        wall = time.perf_counter() - started
        out.seek(0)
        err.seek(0)
        stdout, stderr = out.read(), err.read()
    cpu = usage.ru_utime + usage.ru_stime
    print(stdout.strip().splitlines()[-2:] if stdout else stderr[-2000:])
    what = options.questionnaire if options.reuse else f"{options.submissions:,} submissions"
    print(f"publish --no-pdf, {what}: wall {wall:.1f} s, CPU {cpu:.1f} s "
          f"(user {usage.ru_utime:.1f}, system {usage.ru_stime:.1f}), "
          f"peak RSS {usage.ru_maxrss / 1024:.0f} MB, exit {os.waitstatus_to_exitcode(status)}, "
          f"load average after: {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
