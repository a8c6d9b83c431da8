"""Benchmark (issue 17): reminders for 5,000 organisations and 10,000 people, queued and
sent through a local SMTP server (aiosmtpd), and the round comparison for 5,000
organisations.

Usage: .venv/bin/python benchmarks/notifications_reminders.py [--organisations 5000]
       [--people-per-organisation 2] [--answers 30]
Runs on a fresh SQLite data folder (or DATABASE_URL). SYNTHETIC data only.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import subprocess
import sys
import tempfile
import time
from datetime import timedelta

os.environ.setdefault("IOCOMPENDIUM_DATA_DIR", tempfile.mkdtemp(prefix="iocomp-bench-"))
os.environ["DJANGO_SETTINGS_MODULE"] = "iocompendium.settings"

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.utils import timezone  # noqa: E402

from iocompendium.notifications.email_url import parse_email_url  # noqa: E402
from iocompendium.notifications.reminders import queue_due_reminders  # noqa: E402
from iocompendium.notifications.services import send_pending  # noqa: E402
from iocompendium.questionnaires.models import Questionnaire, QuestionnaireVersion  # noqa: E402
from iocompendium.registry.models import Organisation  # noqa: E402
from iocompendium.responses.models import Answer, Contributor, Response  # noqa: E402
from iocompendium.workspace import selectors  # noqa: E402
from iocompendium.workspace.models import Round, RoundResponse  # noqa: E402

SERVER = """
import signal, sys, time
from aiosmtpd.controller import Controller

class Counter:
    count = 0
    async def handle_DATA(self, server, session, envelope):
        Counter.count += 1
        return "250 OK"

controller = Controller(Counter(), hostname="127.0.0.1", port=int(sys.argv[1]))
controller.start()
try:
    while True:
        time.sleep(0.2)
except KeyboardInterrupt:
    controller.stop()
    print(Counter.count)
"""


def structure(questions: int) -> dict:
    choice = [{"name": n, "label": {"en": n}, "extra": {}} for n in ("a", "b", "c")]
    return {"form_id": "bench", "form_version": "1", "title": {"en": "Bench"},
            "default_language": "en", "languages": ["en"], "choices": {"abc": choice},
            "children": [{"type": "select_one", "name": f"q{i}", "label": {"en": f"Q{i}"},
                          "choice_list": "abc", "children": []} for i in range(questions)]}


def populate(organisations: int, people: int, answers: int):
    questionnaire = Questionnaire.objects.create(slug="bench", title={"en": "Bench"})
    version = QuestionnaireVersion.objects.create(
        questionnaire=questionnaire, number=1, structure=structure(answers), languages=["en"],
        xlsform=b"", fingerprint="bench-1", published_at=timezone.now())
    orgs = Organisation.objects.bulk_create([
        Organisation(acronym=f"SYN{i:05d}", name_en=f"Synthetic {i}", category="igo",
                     synthetic=True) for i in range(organisations)], batch_size=1000)
    users = get_user_model().objects.bulk_create([
        get_user_model()(username=f"fp{i:05d}-{j}", email=f"fp{i:05d}-{j}@example.org",
                         password="!") for i in range(organisations) for j in range(people)],
        batch_size=1000)
    Contributor.objects.bulk_create([Contributor(user=u, organisation=orgs[k // people])
                                     for k, u in enumerate(users)], batch_size=1000)
    now = timezone.now()
    first = Round.objects.create(version=version, label="R1", opens=now - timedelta(days=800),
                                 closes=now - timedelta(days=700))
    second = Round.objects.create(version=version, label="R2", opens=now - timedelta(days=30),
                                  closes=now + timedelta(days=6), reminder_days=[14, 7, 2],
                                  previous=first)
    for round_, title in ((first, "R1"), (second, "R2")):
        # Every organisation answered round 1; 10% have already submitted round 2 (the
        # others have drafts: they are the ones reminded).
        submitted = len(orgs) if round_ is first else len(orgs) // 10
        responses = Response.objects.bulk_create([
            Response(organisation=o, version=version, title=title,
                     status="approved" if k < submitted else "draft")
            for k, o in enumerate(orgs)], batch_size=1000)
        RoundResponse.objects.bulk_create([RoundResponse(round=round_, response=r)
                                           for r in responses], batch_size=1000)
        Answer.objects.bulk_create([
            Answer(response=r, path=f"q{q}", value="abc"[(k + q + (title == "R2")) % 3])
            for k, r in enumerate(responses) for q in range(answers)], batch_size=5000)
    return first, second


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--organisations", type=int, default=5000)
    parser.add_argument("--people-per-organisation", type=int, default=2)
    parser.add_argument("--answers", type=int, default=30)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    started = time.perf_counter()
    first, second = populate(args.organisations, args.people_per_organisation, args.answers)
    print(f"set-up: {time.perf_counter() - started:.1f} s "
          f"({settings.DATABASES['default']['ENGINE'].rsplit('.', 1)[-1]})")

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    # The SMTP server runs in its own process (its own interpreter lock), as a real one would.
    server = subprocess.Popen([sys.executable, "-c", SERVER, str(port)],
                              stdout=subprocess.PIPE, text=True)
    time.sleep(2)
    for name, value in parse_email_url(f"smtp://127.0.0.1:{port}",
                                       default_outbox="/tmp").items():
        setattr(settings, name, value)
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}

    started, cpu = time.perf_counter(), time.process_time()
    queued = queue_due_reminders(timezone.now())
    queue_seconds, queue_cpu = time.perf_counter() - started, time.process_time() - cpu
    messages = sum(len(item.notifications) for item in queued)
    print(f"queue: {len(queued)} organisations reminded, {messages} notifications in "
          f"{queue_seconds:.2f} s wall, {queue_cpu:.2f} s CPU of this process (target < 5 s)")

    started, cpu = time.perf_counter(), time.process_time()
    sent = send_pending()
    send_seconds, send_cpu = time.perf_counter() - started, time.process_time() - cpu
    server.send_signal(signal.SIGINT)
    received = server.communicate(timeout=30)[0].strip()
    print(f"send: {len(sent)} messages in {send_seconds:.1f} s = "
          f"{len(sent) / send_seconds:.0f} messages/s ({send_cpu:.1f} s CPU of this process); "
          f"server received {received} "
          "(target >= 100/s)")
    Response.objects.filter(round_link__round=second).update(status="approved")

    started, cpu = time.perf_counter(), time.process_time()
    comparison = selectors.compare(first, second)
    compare_seconds, compare_cpu = time.perf_counter() - started, time.process_time() - cpu
    started = time.perf_counter()
    selectors.comparison_context(first, second)
    page_seconds = time.perf_counter() - started
    print(f"round comparison: {comparison.units_both} organisations in both rounds, "
          f"{len(comparison.questions)} questions in {compare_seconds:.2f} s "
          f"({compare_cpu:.2f} s CPU) "
          f"(page context {page_seconds:.2f} s; target < 5 s)")


if __name__ == "__main__":
    sys.exit(main())
