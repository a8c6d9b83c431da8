"""Writes of the web shell: log-in throttling."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from iocompendium.web.models import FailedLogin


def login_is_throttled(username: str, address: str) -> bool:
    """Too many recent failures for this user name or from this address."""
    since = timezone.now() - timedelta(seconds=settings.LOGIN_THROTTLE_WINDOW_SECONDS)
    recent = FailedLogin.objects.filter(at__gte=since)
    by_user = recent.filter(username__iexact=username).count() if username else 0
    by_address = recent.filter(address=address).count()
    # An address may try several accounts (an office behind one address), so it gets more.
    limit = settings.LOGIN_THROTTLE_ATTEMPTS
    return by_user >= limit or by_address >= limit * 4


def record_failed_login(username: str, address: str) -> None:
    FailedLogin.objects.create(username=username[:150], address=address[:64])


def clear_failed_logins(username: str) -> None:
    FailedLogin.objects.filter(Q(username__iexact=username)).delete()
