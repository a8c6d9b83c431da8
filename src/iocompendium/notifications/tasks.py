"""The task worker's job: send what is due, and come back for the retries."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone
from django_tasks import task


@task()
def send_notifications_task() -> int:
    """Send every due notification; returns how many were sent."""
    from iocompendium.notifications.services import enqueue_sending, next_retry_at, send_pending

    sent = send_pending()
    retry_at = next_retry_at()
    if retry_at is not None and retry_at > timezone.now():
        # A failure backs off: come back when the next retry falls due.
        enqueue_sending(run_after=retry_at + timedelta(seconds=1))
    return len(sent)
