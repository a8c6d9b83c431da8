"""Reminders before deadlines: the rounds' schedules and the meetings' action items."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from django.db import transaction

from iocompendium.notifications.models import Kind, Notification
from iocompendium.notifications.selectors import focal_points_by_organisation
from iocompendium.notifications.services import Link, Tell, notify, notify_many
from iocompendium.workspace import services as workspace_services
from iocompendium.workspace.models import ActionItem

ACTION_DUE_DAYS = 2


@dataclass
class Queued:
    what: str  # "round" or "action"
    label: str  # what the command prints
    notifications: list[Notification]


def queue_due_reminders(now: datetime) -> list[Queued]:
    """Queue every reminder due at or before ``now`` that was not queued before."""
    due = workspace_services.due_reminders(now)
    focal = focal_points_by_organisation([r.organisation.pk for r in due])
    tells = [_reminder(reminder, focal.get(reminder.organisation.pk, ())) for reminder in due]
    with transaction.atomic():
        workspace_services.mark_reminded(due)
        rows = notify_many(tells, now=now)
    by_event: dict[str, list[Notification]] = {}
    for row in rows:
        by_event.setdefault(row.event, []).append(row)
    queued = [
        Queued("round", f"{r.organisation.acronym} ({r.round.label}, {r.days_before} days "
               f"before {r.deadline:%Y-%m-%d})", by_event.get(tell.event, []))
        for r, tell in zip(due, tells, strict=True)
    ]
    queued.extend(_queue_due_actions(now))
    return queued


def _reminder(reminder, recipients) -> Tell:
    organisation = reminder.organisation
    round_ = reminder.round
    return Tell(
        Kind.REMINDER, f"reminder:{round_.pk}:{organisation.pk}:{reminder.days_before}",
        tuple(recipients), Link("responses:index", {}),
        {"organisation": organisation.acronym, "acronym": organisation.acronym,
         "round": f"{round_.version.questionnaire.slug} {round_.label}",
         "deadline": f"{reminder.deadline:%Y-%m-%d}"},
    )


def _queue_due_actions(now: datetime) -> list[Queued]:
    horizon = (now + timedelta(days=ACTION_DUE_DAYS)).date()
    queued = []
    actions = ActionItem.objects.filter(status=ActionItem.Status.OPEN, owner__isnull=False,
                                        due__isnull=False, due__lte=horizon)
    for action in actions.select_related("meeting", "owner"):
        rows = notify(Kind.ACTION_DUE, f"action_due:{action.pk}:{action.due}", [action.owner],
                      link=Link("workspace:meeting", {"pk": action.meeting_id},
                                f"action-{action.pk}"), now=now,
                      params={"meeting": action.meeting.title_en, "title": action.title,
                              "due": f"{action.due:%Y-%m-%d}"})
        if rows:
            queued.append(Queued("action", f"{action.owner.get_username()}: {action.title}",
                                 rows))
    return queued
