"""``iocompendium reminders run [--now ISO-DATETIME]``: send every reminder that is due."""

from __future__ import annotations

from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from iocompendium.notifications.reminders import queue_due_reminders
from iocompendium.notifications.services import send_pending


def parse_moment(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as error:
        raise CommandError(f"--now: not an ISO date-time: {text!r}.") from error
    if timezone.is_naive(moment):
        moment = timezone.make_aware(moment, timezone.get_default_timezone())
    return moment


class Command(BaseCommand):
    help = ("Reminders: 'run' sends every reminder due at or before now (or --now) not sent "
            "yet, never to an organisation that has submitted; prints what it sent.")

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["run"])
        parser.add_argument("--now", help="The moment to run at (ISO 8601; default: now).")

    def handle(self, *args, **options):
        now = parse_moment(options["now"]) if options["now"] else timezone.now()
        queued = queue_due_reminders(now)
        sent = {row.pk for row in send_pending(now)}
        for item in queued:
            delivered = [row for row in item.notifications if row.pk in sent]
            addresses = ", ".join(row.email for row in delivered) or "no e-mail sent"
            self.stdout.write(f"reminder {item.label}: {addresses}")
        self.stdout.write(f"{len(queued)} reminder(s) due; {len(sent)} message(s) sent.")
