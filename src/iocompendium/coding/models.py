"""Qualitative coding of free-text answers: codebooks, codes, coders, segments.

A *segment* is a span of one answer's text (character offsets ``start``..``end`` into the
answer's value, Python ``str`` indexing, i.e. Unicode code points, as REFI-QDA's
``startPosition``/``endPosition``) to which a coder applied a code. Each coder codes
independently; the reconciliation outcome is the *final* coding (segments with
``final=True``), which is what tables count.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from iocompendium.questionnaires.models import Questionnaire
from iocompendium.responses.models import Answer


class Codebook(models.Model):
    """A tree of codes, for one questionnaire (or shared by several when none is set)."""

    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title = models.CharField(_("title"), max_length=200)
    questionnaire = models.ForeignKey(
        Questionnaire, null=True, blank=True, on_delete=models.PROTECT, related_name="codebooks"
    )
    guid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("codebook")
        verbose_name_plural = _("codebooks")

    def __str__(self) -> str:
        return self.title


class Code(models.Model):
    codebook = models.ForeignKey(Codebook, on_delete=models.CASCADE, related_name="codes")
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.CASCADE, related_name="children"
    )
    # The stable identifier (exports, JSON); labels and definitions are per language.
    name = models.CharField(_("name"), max_length=100)
    label_en = models.CharField(_("label (English)"), max_length=200)
    label_fr = models.CharField(_("label (French)"), max_length=200, blank=True)
    definition_en = models.TextField(_("definition (English)"), blank=True)
    definition_fr = models.TextField(_("definition (French)"), blank=True)
    colour = models.CharField(_("colour"), max_length=7, default="#1f77b4")
    example = models.TextField(_("example"), blank=True)
    # Template paths of the questions the code applies to (empty: every text question).
    questions = models.JSONField(_("questions"), default=list, blank=True)
    memo = models.TextField(_("memo"), blank=True)
    position = models.PositiveIntegerField(default=0)
    guid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)

    class Meta:
        ordering = ["codebook", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["codebook", "name"], name="unique_code_name")
        ]
        verbose_name = _("code")
        verbose_name_plural = _("codes")

    def __str__(self) -> str:
        return self.name

    def label(self, language: str) -> str:
        return (self.label_fr if language == "fr" else self.label_en) or self.label_en

    def definition(self, language: str) -> str:
        chosen = self.definition_fr if language == "fr" else self.definition_en
        return chosen or self.definition_en


class Coder(models.Model):
    """The coder role, granted by the secretariat (never to a focal point)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="coder"
    )
    guid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    fictional = models.BooleanField(_("fictional"), default=False)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    granted_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("coder")
        verbose_name_plural = _("coders")

    def __str__(self) -> str:
        return self.user.get_username()


class Assignment(models.Model):
    """One answer given to one coder to code in a codebook."""

    codebook = models.ForeignKey(Codebook, on_delete=models.CASCADE, related_name="assignments")
    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="+")
    coder = models.ForeignKey(Coder, on_delete=models.CASCADE, related_name="assignments")
    done = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["codebook", "answer", "coder"], name="unique_coding_assignment"
            )
        ]

    def __str__(self) -> str:
        return f"{self.coder} – answer {self.answer_id}"


class Segment(models.Model):
    """A code applied to a span of an answer, by a coder or (``final``) by reconciliation."""

    class Source(models.TextChoices):
        MANUAL = "manual", _("coded by hand")
        SUGGESTION = "suggestion", _("accepted suggestion")
        IMPORT = "import", _("imported")
        RECONCILIATION = "reconciliation", _("reconciliation")

    code = models.ForeignKey(Code, on_delete=models.CASCADE, related_name="segments")
    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="+")
    coder = models.ForeignKey(
        Coder, null=True, blank=True, on_delete=models.PROTECT, related_name="segments"
    )
    final = models.BooleanField(default=False)
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    # The coded text when it was coded: an answer changed later keeps the segment only
    # while answer.value[start:end] is still this text (otherwise: needs_review).
    text = models.TextField()
    memo = models.TextField(_("memo"), blank=True)
    needs_review = models.BooleanField(default=False)
    source = models.CharField(max_length=20, choices=Source.choices, default=Source.MANUAL)
    guid = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        ordering = ["answer", "start", "end", "id"]
        indexes = [
            models.Index(fields=["code", "final"], name="segment_code_final"),
            models.Index(fields=["answer", "coder"], name="segment_answer_coder"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(end__gt=models.F("start")), name="segment_not_empty"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} [{self.start}:{self.end}]"


class Suggestion(models.Model):
    """A code proposed for an uncoded answer; a coder accepts or rejects it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("pending")
        ACCEPTED = "accepted", _("accepted")
        REJECTED = "rejected", _("rejected")

    code = models.ForeignKey(Code, on_delete=models.CASCADE, related_name="suggestions")
    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="+")
    score = models.FloatField()
    method = models.CharField(max_length=40)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["code", "-score"]
        constraints = [
            models.UniqueConstraint(fields=["code", "answer"], name="unique_code_suggestion")
        ]

    def __str__(self) -> str:
        return f"{self.code} → answer {self.answer_id} ({self.status})"
