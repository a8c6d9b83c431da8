"""``iocompendium notifications send``: send every pending notification now."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from iocompendium.notifications.services import send_pending


class Command(BaseCommand):
    help = "Notifications: 'send' sends every pending notification and prints what it sent."

    def add_arguments(self, parser):
        parser.add_argument("action", choices=["send"], help="send: flush pending notifications")

    def handle(self, *args, **options):
        if options["action"] != "send":
            raise CommandError("Unknown action.")
        sent = send_pending()
        for row in sent:
            self.stdout.write(f"sent {row.kind} to {row.email}: {row.subject}")
        self.stdout.write(f"{len(sent)} notification(s) sent.")
