"""Benchmark: qualitative coding at scale (issue 16). SYNTHETIC data only.

In its own data folder (SQLite), makes a synthetic questionnaire with one free-text
question, N synthetic organisations each with an answer of about 30 words (EN and FR
sentences mixed), a codebook of 10 codes and 3 fictional coders, then times:

1. the coding page of the question with 1,000 answers (server time of one GET through
   Django's test client, the coder's own segments shown; median of 10);
2. agreement (kappa, alpha, percentage per code and overall) over 5,000 segments by
   3 coders, read from the database;
3. suggestions (TF-IDF nearest coded neighbours) for 1,000 uncoded answers;
4. the .qdpx export of 10,000 segments (zip with project.qde and the sources).

    .venv/bin/python benchmarks/coding.py [--data-dir /tmp/iocompendium-coding-bench]
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import tempfile
import time
from pathlib import Path

WORDS = [
    "stakeholders", "businesses", "NGOs", "governments", "members", "observers", "experts",
    "industry", "consumers", "regulators", "academics", "définition", "parties", "prenantes",
    "entreprises", "États", "organisations", "written", "understanding", "practice",
    "affected", "standards", "meetings", "comments", "consultation",
]


def _timed(work, *args, **kwargs):
    wall, cpu = time.perf_counter(), time.process_time()
    result = work(*args, **kwargs)
    return time.perf_counter() - wall, time.process_time() - cpu, result


def _load_scikit_learn() -> tuple:
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.metrics.pairwise import linear_kernel

    return TfidfVectorizer, linear_kernel


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", default="/tmp/iocompendium-coding-bench")
    options = parser.parse_args()
    shutil.rmtree(options.data_dir, ignore_errors=True)
    os.environ["IOCOMPENDIUM_DATA_DIR"] = options.data_dir
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "iocompendium.settings")
    import django

    django.setup()
    from django.core.management import call_command
    from django.test import Client
    from django.urls import reverse

    from iocompendium.coding import refi, selectors, services, suggestions
    from iocompendium.coding.models import Assignment, Code, Segment
    from iocompendium.questionnaires.models import Questionnaire, QuestionnaireVersion
    from iocompendium.registry.models import Organisation
    from iocompendium.responses.models import Answer, Response

    call_command("migrate", verbosity=0)
    rng = random.Random(16)
    questionnaire = Questionnaire.objects.create(slug="bench-coding", title={"en": "Bench"})
    structure = {"form_id": "bench", "form_version": "1", "title": {"en": "Bench"},
                 "default_language": "en", "languages": ["en"], "choices": {}, "children": [
                     {"type": "text", "name": "views", "label": {"en": "Views?"},
                      "relevant": "", "choice_list": "", "children": []}]}
    version = QuestionnaireVersion.objects.create(
        questionnaire=questionnaire, number=1, structure=structure, languages=["en"],
        xlsform=b"", fingerprint="bench-coding")
    total = 2_000
    organisations = Organisation.objects.bulk_create([
        Organisation(acronym=f"BENCH{i}", name_en=f"Synthetic {i}", synthetic=True,
                     category=rng.choice(["igo", "tgn", "private"])) for i in range(total)])
    responses = Response.objects.bulk_create([
        Response(organisation=o, version=version, status="approved", synthetic=True)
        for o in organisations])
    Answer.objects.bulk_create([
        Answer(response=r, path="views", value=" ".join(rng.choice(WORDS) for _ in range(30)))
        for r in responses])
    answers = list(Answer.objects.filter(path="views").order_by("pk"))
    codebook = services.create_codebook("bench", "Bench codes", questionnaire)
    codes = [services.save_code(codebook, f"code{i}", questions=["views"]) for i in range(10)]
    from django.contrib.auth import get_user_model

    users = [get_user_model().objects.create_user(f"bench-coder-{i}") for i in range(3)]
    coders = [services.grant_coder(u, granted_by=None, fictional=True) for u in users]
    first, second = answers[:1000], answers[1000:]

    def segments_for(batch, count):
        made = []
        for index in range(count):
            answer = batch[index % len(batch)]
            coder = coders[index % 3]
            start = rng.randrange(0, 40)
            made.append(Segment(code=rng.choice(codes), answer=answer, coder=coder,
                                start=start, end=start + 20, text=answer.value[start:start + 20]))
        return made

    # 1. and 2.: 5,000 segments by 3 coders on the first 1,000 answers, all assigned.
    Assignment.objects.bulk_create([Assignment(codebook=codebook, answer=a, coder=c)
                                    for a in first for c in coders])
    Segment.objects.bulk_create(segments_for(first, 5000), batch_size=2000)
    client = Client()
    client.force_login(users[0])
    url = reverse("coding:code", kwargs={"slug": codebook.slug}) + "?question=views"
    client.get(url)  # warm-up
    times = [_timed(client.get, url)[:2] for _ in range(10)]
    page = client.get(url)
    wall_ms = statistics.median(t[0] for t in times) * 1000
    cpu_ms = statistics.median(t[1] for t in times) * 1000
    print(f"SYNTHETIC. Coding page, {len(first) + len(second)} answers listed "
          f"({len(page.content):,} bytes): median {wall_ms:.0f} ms wall, {cpu_ms:.0f} ms CPU")
    # The page lists every answer of the question: time it with 1,000 answers too.
    Answer.objects.filter(pk__in=[a.pk for a in second]).update(path="other")
    client.get(url)
    times = [_timed(client.get, url)[:2] for _ in range(10)]
    print(f"Coding page, 1,000 answers: median {statistics.median(t[0] for t in times)*1000:.0f}"
          f" ms wall, {statistics.median(t[1] for t in times)*1000:.0f} ms CPU")
    wall, cpu, result = _timed(selectors.agreement, codebook)
    print(f"Agreement, {Segment.objects.count():,} segments, 3 coders, 10 codes: {wall:.3f} s "
          f"wall, {cpu:.3f} s CPU (overall alpha {result.overall.alpha:.3f})")
    # 3.: suggestions for the 1,000 answers nobody coded.
    Answer.objects.filter(pk__in=[a.pk for a in second]).update(path="views")
    # scikit-learn is loaded once per process (the first suggestions a worker makes); its
    # import is timed apart so that the figure below is the work itself.
    wall, cpu, _modules = _timed(_load_scikit_learn)
    print(f"Loading scikit-learn (once per process): {wall:.3f} s wall, {cpu:.3f} s CPU")
    wall, cpu, made = _timed(suggestions.suggest, codebook)
    print(f"Suggestions for 1,000 uncoded answers: {wall:.3f} s wall, {cpu:.3f} s CPU "
          f"({made:,} suggestions stored)")
    # 4.: 10,000 segments exported.
    Segment.objects.bulk_create(segments_for(second, 5000), batch_size=2000)
    with tempfile.TemporaryDirectory() as folder:
        target = Path(folder) / "bench.qdpx"
        wall, cpu, summary = _timed(refi.export_project, codebook, target)
        print(f".qdpx export, {summary.segments:,} segments, {summary.sources:,} sources: "
              f"{wall:.3f} s wall, {cpu:.3f} s CPU ({target.stat().st_size:,} bytes)")
    assert Code.objects.filter(codebook=codebook).count() == 10


if __name__ == "__main__":
    main()
