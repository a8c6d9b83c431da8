"""Reads of notifications: who to tell, a person's list, the secretariat's outbox."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.contrib.auth.models import AbstractBaseUser
from django.db.models import Q, QuerySet

from iocompendium.notifications.models import Channel, Notification


def focal_points_of(organisation_id: int) -> QuerySet:
    """The active accounts answering for an organisation."""
    return get_user_model().objects.filter(
        contributor__organisation_id=organisation_id, is_active=True
    )


@dataclass(frozen=True)
class Recipient:
    """What telling a person needs of their account (reminders to thousands: no model
    instance per person)."""

    pk: int
    email: str
    is_active: bool = True


def focal_points_by_organisation(organisation_ids: list[int]) -> dict[int, list[Recipient]]:
    """{organisation id: its active focal points}, in a few queries."""
    found: dict[int, list[Recipient]] = {}
    ids = sorted(set(organisation_ids))
    for start in range(0, len(ids), 500):
        rows = get_user_model().objects.filter(
            contributor__organisation_id__in=ids[start:start + 500], is_active=True
        ).order_by("pk").values_list("pk", "email", "contributor__organisation_id")
        for pk, email, organisation_id in rows:
            found.setdefault(organisation_id, []).append(Recipient(pk, email))
    return found


def secretariat_accounts() -> QuerySet:
    return get_user_model().objects.filter(Q(is_staff=True) | Q(is_superuser=True),
                                           is_active=True)


def notifications_of(user: AbstractBaseUser, limit: int = 200) -> list[Notification]:
    return list(Notification.objects.filter(user=user)[:limit])


def unread_count(user: AbstractBaseUser) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def outbox(*, failed_only: bool = False, limit: int = 500) -> QuerySet:
    rows = Notification.objects.exclude(channel=Channel.WEB).select_related("user")
    if failed_only:
        rows = rows.filter(sent_at__isnull=True).exclude(error="")
    return rows[:limit]


def outbox_counts() -> dict[str, int]:
    rows = Notification.objects.exclude(channel=Channel.WEB)
    return {
        "pending": rows.filter(sent_at__isnull=True, error="").count(),
        "failed": rows.filter(sent_at__isnull=True).exclude(error="").count(),
        "sent": rows.filter(sent_at__isnull=False).count(),
    }
