"""Notifications: one row per event and person, sent by e-mail (now or in a daily digest)
and listed in the person's notifications page."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Kind(models.TextChoices):
    INVITATION = "invitation", _("Invitation")
    ROUND_OPENED = "round_opened", _("A survey round opens")
    REMINDER = "reminder", _("Reminder before a deadline")
    QUERY_RAISED = "query_raised", _("A review query is raised")
    QUERY_ANSWERED = "query_answered", _("A review query is answered")
    QUERY_RESOLVED = "query_resolved", _("A review query is resolved")
    RESPONSE_APPROVED = "response_approved", _("A response is approved")
    RESPONSE_REOPENED = "response_reopened", _("A response is reopened")
    ACTION_ASSIGNED = "action_assigned", _("An action item is assigned")
    ACTION_DUE = "action_due", _("An action item is due")
    MEETING_DOCUMENTS = "meeting_documents", _("A meeting's documents are added")


class Mode(models.TextChoices):
    IMMEDIATE = "immediate", _("E-mail at once")
    DIGEST = "digest", _("Daily digest")
    OFF = "off", _("No e-mail (notifications page only)")


class Channel(models.TextChoices):
    EMAIL = "email", _("e-mail")
    DIGEST = "digest", _("daily digest")
    WEB = "web", _("notifications page only")


class Preferences(models.Model):
    """A person's language and, per kind, immediate e-mail, daily digest or no e-mail."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preferences"
    )
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES,
                                default="en")
    # {kind: mode}; a kind not listed is sent at once.
    modes = models.JSONField(default=dict, blank=True)

    class Meta:
        verbose_name = _("notification preferences")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user} ({self.language})"

    def mode_for(self, kind: str) -> str:
        return self.modes.get(kind, Mode.IMMEDIATE)


class Notification(models.Model):
    """What one person is told about one event. The unique constraint on (event, person)
    makes creating it idempotent: an event raised twice never tells anyone twice."""

    event = models.CharField(max_length=200)
    kind = models.CharField(max_length=40, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE,
        related_name="notifications",
    )
    email = models.EmailField(blank=True)
    channel = models.CharField(max_length=10, choices=Channel.choices, default=Channel.EMAIL)
    language = models.CharField(max_length=8, default="en")
    subject = models.CharField(max_length=300)
    body = models.TextField()
    url = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # Not sent before this moment (retries back off; digests wait for the digest hour).
    due_at = models.DateTimeField(db_index=True)
    # Set when a sender takes the row (in a transaction); a claim older than the claim
    # timeout is taken again: a sender killed between claim and send loses nothing.
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_token = models.CharField(max_length=32, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True, db_index=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    error = models.TextField(blank=True)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        constraints = [
            models.UniqueConstraint(fields=["event", "user"], condition=Q(user__isnull=False),
                                    name="notification_once_per_event_and_person"),
            models.UniqueConstraint(fields=["event", "email"], condition=Q(user__isnull=True),
                                    name="notification_once_per_event_and_address"),
        ]
        indexes = [models.Index(fields=["sent_at", "channel", "due_at"],
                                name="notification_pending")]

    def __str__(self) -> str:
        return f"{self.kind} -> {self.email} ({self.event})"

    @property
    def failed(self) -> bool:
        return bool(self.error) and self.sent_at is None
