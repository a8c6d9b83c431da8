"""Reminders to many organisations are queued in a fixed number of queries (issue 17's
benchmark: 5,000 organisations, 10,000 people), and the rows written in bulk
(``iocompendium.bulk.insert_rows``) are whole: ids, defaults, creation time, texts in each
person's language. SYNTHETIC organisations and form."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from iocompendium.notifications.models import Notification, Preferences
from iocompendium.notifications.reminders import queue_due_reminders
from iocompendium.workspace import services
from iocompendium.workspace.models import ReminderSent
from tests.responses.conftest import make_contributor, make_organisation, make_version

pytestmark = pytest.mark.django_db
OPENS = datetime(2026, 1, 5, 9, 0, tzinfo=UTC)
DEADLINE = datetime(2026, 3, 31, 23, 0, tzinfo=UTC)


def world(django_user_model, count: int, prefix: str):
    version = make_version(slug=f"syn-{prefix.lower()}")
    for n in range(count):
        organisation = make_organisation(f"{prefix}{n:03d}")
        for person in range(2):
            make_contributor(django_user_model, f"{prefix}{n:03d}-{person}", organisation)
    return services.create_round(version, f"R-{prefix}", opens=OPENS, closes=DEADLINE,
                                 reminder_days=[14, 7, 2])


def queries_for(count: int, reminded: int, django_user_model, prefix: str) -> int:
    """Queries to remind the organisations of one round (every organisation with focal
    points takes part), with a single round in the database."""
    round_ = world(django_user_model, count, prefix)
    with CaptureQueriesContext(connection) as captured:
        queued = queue_due_reminders(DEADLINE - timedelta(days=6))
    assert len(queued) == reminded
    assert Notification.objects.count() == 2 * reminded
    round_.delete()
    Notification.objects.all().delete()
    return len(captured.captured_queries)


def test_queries_do_not_grow_with_the_organisations(django_user_model):
    few = queries_for(4, 4, django_user_model, "SYNA")
    assert queries_for(40, 44, django_user_model, "SYNB") == few


def test_rows_written_in_bulk_are_whole(django_user_model):
    world(django_user_model, 3, "SYNC")
    french = django_user_model.objects.get(username="SYNC001-0")
    Preferences.objects.create(user=french, language="fr")
    before = datetime.now(UTC)
    queued = queue_due_reminders(DEADLINE - timedelta(days=6))
    rows = [row for item in queued for row in item.notifications]
    assert len(rows) == 6
    stored = {row.pk: row for row in Notification.objects.all()}
    assert sorted(stored) == sorted(row.pk for row in rows)
    for row in stored.values():
        assert row.attempts == 0 and row.claim_token == "" and row.error == ""
        assert row.sent_at is None and row.read_at is None
        assert row.created_at >= before - timedelta(seconds=5)
        assert row.subject.startswith("[SYNC")
        assert "/unsubscribe/" in row.body
    french_row = Notification.objects.get(user=french)
    assert french_row.language == "fr" and "/fr/" in french_row.url
    assert "n'a pas encore soumis" in french_row.body
    # Six days before the deadline the latest point due is 7 days; the 14-day point is
    # recorded with it (never sent later), the 2-day point is still to come.
    assert {row.event.rsplit(":", 1)[1] for row in stored.values()} == {"7"}
    assert sorted(ReminderSent.objects.values_list("days_before", flat=True)) == [7, 7, 7,
                                                                                 14, 14, 14]
