"""The compendium: key principles per theme, and practices curated from answers.

A practice keeps a link to its source (a practice-template response, or one free-text
answer of the survey) and a copy of the source text as it was when curated. Its
``identifier`` is given once and never changes: it is the citation key and the file name
of its page in the published site.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from iocompendium.compendium.themes import (
    SUB_THEME_CHOICES,
    THEME_CHOICES,
    sub_theme_label,
    theme_label,
)
from iocompendium.registry.models import Organisation
from iocompendium.responses.models import Response


def _in_language(english: str, french: str) -> str:
    """French text in French when there is one, English otherwise."""
    if (get_language() or "en").startswith("fr") and french:
        return french
    return english


class KeyPrinciple(models.Model):
    theme = models.CharField(_("theme"), max_length=20, choices=THEME_CHOICES)
    order = models.PositiveIntegerField(_("order"), default=1)
    text_en = models.TextField(_("text (English)"))
    text_fr = models.TextField(_("text (French)"), blank=True)
    # Optimistic concurrency: a save based on an older version is refused.
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["theme", "order", "id"]
        verbose_name = _("key principle")
        verbose_name_plural = _("key principles")

    def __str__(self) -> str:
        return f"{self.theme} {self.order}: {self.text_en[:50]}"

    @property
    def text(self) -> str:
        return _in_language(self.text_en, self.text_fr)


class PracticeStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")


class Practice(models.Model):
    # Stable citation key, e.g. "demo-a-public-consultation": never changes once given.
    identifier = models.SlugField(_("identifier"), max_length=80, unique=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="practices"
    )
    theme = models.CharField(_("theme"), max_length=20, choices=THEME_CHOICES)
    sub_theme = models.CharField(
        _("sub-theme"), max_length=20, choices=SUB_THEME_CHOICES, blank=True
    )
    title_en = models.CharField(_("title (English)"), max_length=300)
    title_fr = models.CharField(_("title (French)"), max_length=300, blank=True)
    description_en = models.TextField(_("description (English)"))
    description_fr = models.TextField(_("description (French)"), blank=True)
    key_principles = models.ManyToManyField(
        KeyPrinciple, blank=True, related_name="practices", verbose_name=_("key principles")
    )
    # The source: a practice-template response (path blank) or one survey answer (path).
    source_response = models.ForeignKey(
        Response, null=True, blank=True, on_delete=models.PROTECT, related_name="practices"
    )
    source_path = models.CharField(_("source answer"), max_length=500, blank=True)
    # The source text as it was when the practice was curated (kept if the answer changes).
    source_text = models.TextField(_("source text"), blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=PracticeStatus.choices, default=PracticeStatus.DRAFT
    )
    synthetic = models.BooleanField(_("synthetic"), default=False)
    version = models.PositiveIntegerField(default=1)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        ordering = ["theme", "sub_theme", "organisation__acronym", "identifier"]
        verbose_name = _("practice")
        verbose_name_plural = _("practices")
        constraints = [
            models.UniqueConstraint(
                fields=["source_response", "source_path"],
                condition=models.Q(source_response__isnull=False),
                name="compendium_one_practice_per_source",
            )
        ]

    def __str__(self) -> str:
        return self.identifier

    @property
    def title(self) -> str:
        return _in_language(self.title_en, self.title_fr)

    @property
    def description(self) -> str:
        return _in_language(self.description_en, self.description_fr)

    @property
    def theme_label(self) -> str:
        return theme_label(self.theme)

    @property
    def sub_theme_label(self) -> str:
        return sub_theme_label(self.sub_theme)

    @property
    def is_published(self) -> bool:
        return self.status == PracticeStatus.PUBLISHED

    @property
    def is_synthetic(self) -> bool:
        return self.synthetic or self.organisation.synthetic
