"""Report builds requested from the web app, run as background jobs (django-tasks)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class ReportJob(models.Model):
    class State(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Running")
        DONE = "done", _("Ready")
        FAILED = "failed", _("Failed")

    # A random id: the download link of one analyst's report cannot be guessed.
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    questionnaire = models.SlugField(max_length=80)
    lang = models.CharField(max_length=8)
    fmt = models.CharField(max_length=8)
    status_key = models.CharField(max_length=20)
    category = models.CharField(max_length=20, blank=True)
    # What the report's cross-tabs break down by (selectors.breakdown_choices; "" = the
    # unit's own default), as chosen on the dashboard.
    breakdown = models.CharField(max_length=200, blank=True)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    file_name = models.CharField(max_length=200, blank=True)
    error = models.TextField(blank=True)
    task_id = models.CharField(max_length=64, blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("report build")
        verbose_name_plural = _("report builds")

    def __str__(self) -> str:
        return f"{self.questionnaire} {self.fmt} {self.lang} ({self.state})"

    @property
    def finished(self) -> bool:
        return self.state in {self.State.DONE, self.State.FAILED}


class QuestionMark(models.Model):
    """The secretariat's marks on one question of a questionnaire (its template path).

    ``quotes_publishable``: every text answer to it may be published as a quote (an
    answer's own ``QuoteMark`` still overrides it). ``personal``: the question holds
    personal data (a name, a telephone number asked as text) and is left out of every
    public output."""

    questionnaire = models.ForeignKey(
        "questionnaires.Questionnaire", on_delete=models.CASCADE, related_name="question_marks"
    )
    question = models.CharField(_("question"), max_length=500)
    quotes_publishable = models.BooleanField(_("answers publishable as quotes"), default=False)
    personal = models.BooleanField(_("personal data"), default=False)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    marked_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["questionnaire", "question"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "question"], name="unique_question_mark"
            )
        ]
        verbose_name = _("question mark")
        verbose_name_plural = _("question marks")

    def __str__(self) -> str:
        return f"{self.questionnaire_id}:{self.question}"


class QuoteMark(models.Model):
    """Whether one text answer may be published as a quote: who decided, when.

    The mark holds for the answer's text as it was marked (``answer_revision``): once the
    respondent changes the answer, the mark no longer applies and the answer needs a new
    review."""

    answer = models.OneToOneField(
        "responses.Answer", on_delete=models.CASCADE, related_name="quote_mark"
    )
    publishable = models.BooleanField(_("publishable"))
    answer_revision = models.PositiveIntegerField()
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    marked_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("quote mark")
        verbose_name_plural = _("quote marks")

    def __str__(self) -> str:
        return f"{self.answer_id}: {'publishable' if self.publishable else 'not publishable'}"
