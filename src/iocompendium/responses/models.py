"""Responses of organisations to questionnaires: one row per answer, never a column per question."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from iocompendium.questionnaires.models import QuestionnaireVersion
from iocompendium.registry.models import Jurisdiction, Organisation


class Contributor(models.Model):
    """A focal point: a user who answers for one organisation."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="contributor"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="contributors"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("contributor")
        verbose_name_plural = _("contributors")

    def __str__(self) -> str:
        return f"{self.user} ({self.organisation})"


class Invitation(models.Model):
    """A one-time link that makes the person a contributor of the organisation."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="invitations"
    )
    email = models.EmailField(_("e-mail address"))
    # Only a hash of the one-time token is kept: a leaked database gives no valid link.
    token_hash = models.CharField(max_length=64, unique=True)
    questionnaire = models.ForeignKey(
        "questionnaires.Questionnaire", null=True, blank=True, on_delete=models.SET_NULL
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("expires at"))
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")

    def __str__(self) -> str:
        return f"{self.email} ({self.organisation})"


class ResponseStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    IN_REVIEW = "in_review", _("In review")
    APPROVED = "approved", _("Approved")


class Response(models.Model):
    # The respondent unit, by the questionnaire's unit: an organisation of the registry,
    # a jurisdiction, or a submission named by its key in the source (``unit_key``).
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="responses", null=True, blank=True
    )
    jurisdiction = models.ForeignKey(
        Jurisdiction, on_delete=models.PROTECT, related_name="responses", null=True, blank=True
    )
    unit_key = models.CharField(_("submission key"), max_length=200, blank=True, db_index=True)
    # The import that created or last changed the response (None: entered on the web).
    import_run = models.ForeignKey(
        "ImportRun", on_delete=models.SET_NULL, related_name="responses", null=True, blank=True
    )
    # A response is pinned to one version of its questionnaire.
    version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.PROTECT, related_name="responses"
    )
    status = models.CharField(
        _("status"), max_length=20, choices=ResponseStatus.choices, default=ResponseStatus.DRAFT
    )
    # A short name that tells several responses of one organisation apart
    # (e.g. one response per practice for the practice template).
    title = models.CharField(_("title"), max_length=300, blank=True)
    synthetic = models.BooleanField(_("synthetic"), default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    last_activity_at = models.DateTimeField(_("last activity"), auto_now_add=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    approved_at = models.DateTimeField(null=True, blank=True)
    # Progress as of the last evaluation (answered of relevant questions); None until a
    # save or the review list computes it (imports write answers in bulk).
    progress_answered = models.PositiveIntegerField(null=True, blank=True)
    progress_relevant = models.PositiveIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["organisation__acronym", "id"]
        verbose_name = _("response")
        verbose_name_plural = _("responses")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(organisation__isnull=False)
                | models.Q(jurisdiction__isnull=False)
                | ~models.Q(unit_key=""),
                name="response_has_unit",
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit_name} – {self.version}"

    @property
    def unit_name(self) -> str:
        """The respondent unit as shown in lists: acronym, jurisdiction code or key."""
        if self.organisation_id:
            return self.organisation.acronym
        if self.jurisdiction_id:
            return self.jurisdiction.code
        return self.unit_key


class Flag(models.TextChoices):
    """The data problem a value was kept with (import policy "keep and flag")."""

    NOT_IN_LIST = "not_in_list", _("not in the list")
    MISSING_REQUIRED = "missing_required", _("missing required answer")
    CONSTRAINT = "constraint", _("constraint not met")
    TYPE = "type", _("wrong type")


class Answer(models.Model):
    # No index of its own (unique_answer_path starts with the response) and no database
    # constraint: the import writes millions of answers and their deferred checks were
    # half the server's work; the application keeps the link (decision 0024), and
    # CASCADE is Django's, not the database's, either way.
    response = models.ForeignKey(
        Response, on_delete=models.CASCADE, related_name="answers", db_index=False,
        db_constraint=False,
    )
    # The question path with repeat indexes, e.g. "instruments[2]/title".
    path = models.CharField(max_length=500)
    value = models.TextField(blank=True)
    # Null for a valid answer; otherwise the problem the value was stored with, as given.
    # A flagged value is never counted as a valid choice.
    flag = models.CharField(max_length=20, choices=Flag.choices, null=True, blank=True)
    # Incremented on every change: a save made on a stale revision is refused.
    revision = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["response", "path"]
        constraints = [
            models.UniqueConstraint(fields=["response", "path"], name="unique_answer_path")
        ]

    def __str__(self) -> str:
        return f"{self.path}={self.value[:40]}"


class ImportRun(models.Model):
    """One spreadsheet import of responses: file, options, recodes and counts, kept so that
    it can be audited and re-run."""

    class Policy(models.TextChoices):
        STRICT = "strict", _("strict")
        FLAG = "flag", _("keep and flag")

    questionnaire_version = models.ForeignKey(
        QuestionnaireVersion, on_delete=models.PROTECT, related_name="import_runs"
    )
    file_name = models.CharField(max_length=255)
    file_sha256 = models.CharField(max_length=64)
    layout = models.JSONField(default=dict)  # the layout detected (``ImportLayout``)
    policy = models.CharField(max_length=10, choices=Policy.choices, default=Policy.STRICT)
    key_column = models.CharField(max_length=200, blank=True)
    respondent_column = models.CharField(max_length=200, blank=True)
    status = models.CharField(max_length=20, blank=True)  # the status given, if any
    recodes = models.JSONField(default=list)  # [{"question", "from", "to"}]
    counts = models.JSONField(default=dict)  # rows, values_in_file, stored, skipped, flagged
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("import")
        verbose_name_plural = _("imports")

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("The audit trail is append-only.")

    def delete(self):
        raise PermissionError("The audit trail is append-only.")


class AuditEvent(models.Model):
    """An append-only record of a change: never updated, never deleted by the application."""

    class Via(models.TextChoices):
        WEB = "web", _("web")
        IMPORT = "import", _("import")
        MIGRATION = "migration", _("migration")
        REVIEW = "review", _("review")
        SYSTEM = "system", _("system")

    # Append-only and written in bulk with every import: no database constraint (its
    # deferred checks were a quarter of an import's server work) and no index of its own
    # (audit_response_at starts with it). PROTECT is Django's and still refuses to delete
    # a response that has events (decision 0024).
    response = models.ForeignKey(
        Response, on_delete=models.PROTECT, related_name="audit_events", db_index=False,
        db_constraint=False,
    )
    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept as text too, so the record survives the deletion of the account.
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=40)  # "answer", "status", "query", "version"...
    path = models.CharField(max_length=500, blank=True)
    old_value = models.TextField(blank=True)
    new_value = models.TextField(blank=True)
    via = models.CharField(max_length=20, choices=Via.choices, default=Via.WEB)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["response", "at"], name="audit_response_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.path}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise PermissionError("The audit trail is append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("The audit trail is append-only.")


class Query(models.Model):
    """A review question on one answer, visible to the organisation, threaded."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RESOLVED = "resolved", _("Resolved")

    response = models.ForeignKey(Response, on_delete=models.CASCADE, related_name="queries")
    path = models.CharField(max_length=500)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.OPEN)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("query")
        verbose_name_plural = _("queries")

    def __str__(self) -> str:
        return f"{self.path} ({self.status})"


class QueryMessage(models.Model):
    query = models.ForeignKey(Query, on_delete=models.CASCADE, related_name="messages")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    text = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return self.text[:60]
