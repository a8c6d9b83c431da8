"""Questionnaires and their versions.

A version keeps the XLSForm file it came from and its parsed *structure*: the
JSON document described in ``questionnaires/structure.py``, which every other part
of the system (the engine, the web form, analysis, exports) reads.
"""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Unit(models.TextChoices):
    """What one response stands for (the respondent unit)."""

    ORGANISATION = "organisation", _("organisation")
    JURISDICTION = "jurisdiction", _("jurisdiction")
    SUBMISSION = "submission", _("submission")


# What tables count when the questionnaire names no label of its own ("632 submissions").
DEFAULT_UNIT_LABELS = {
    Unit.ORGANISATION: {"en": "organisations", "fr": "organisations"},
    Unit.JURISDICTION: {"en": "jurisdictions", "fr": "juridictions"},
    Unit.SUBMISSION: {"en": "submissions", "fr": "soumissions"},
}


class Questionnaire(models.Model):
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    # Titles per language code, e.g. {"en": "IO Survey", "fr": "Enquête OI"}.
    title = models.JSONField(_("title"), default=dict)
    unit = models.CharField(
        _("respondent unit"),
        max_length=20,
        choices=Unit.choices,
        default=Unit.ORGANISATION,
        help_text=_("What one response stands for."),
    )
    # What the tables call the units, plural, per language: {"en": "households",
    # "fr": "ménages"}; empty: the unit's default (DEFAULT_UNIT_LABELS).
    unit_label = models.JSONField(_("unit label"), default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("questionnaire")
        verbose_name_plural = _("questionnaires")

    def __str__(self) -> str:
        return self.slug

    def title_in(self, lang: str | None = None) -> str:
        lang = (lang or get_language() or "en")[:2]
        fallback = next(iter(self.title.values()), self.slug)
        return self.title.get(lang) or self.title.get("en") or fallback

    @property
    def display_title(self) -> str:
        return self.title_in()

    def unit_label_in(self, lang: str | None = None) -> str:
        """The plural name of the units in ``lang`` ("households"), the default otherwise."""
        lang = (lang or get_language() or "en")[:2]
        default = DEFAULT_UNIT_LABELS.get(self.unit, DEFAULT_UNIT_LABELS[Unit.ORGANISATION])
        own = self.unit_label or {}
        return own.get(lang) or default.get(lang) or own.get("en") or default["en"]

    def latest_version(self) -> "QuestionnaireVersion | None":
        return self.versions.order_by("-number").first()

    def published_version(self) -> "QuestionnaireVersion | None":
        return self.versions.filter(published_at__isnull=False).order_by("-number").first()


class QuestionnaireVersion(models.Model):
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version number"))
    # The version string of the XLSForm's settings sheet, if any.
    form_version = models.CharField(_("form version"), max_length=100, blank=True)
    structure = models.JSONField(_("structure"))
    languages = models.JSONField(_("languages"), default=list)
    xlsform = models.BinaryField(_("XLSForm file"))
    xlsform_name = models.CharField(max_length=255, blank=True)
    # SHA-256 of the canonical structure: an unchanged file makes no new version.
    fingerprint = models.CharField(max_length=64, db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)

    class Meta:
        ordering = ["questionnaire", "number"]
        constraints = [
            models.UniqueConstraint(
                fields=["questionnaire", "number"], name="unique_questionnaire_version"
            )
        ]
        verbose_name = _("questionnaire version")
        verbose_name_plural = _("questionnaire versions")

    def __str__(self) -> str:
        return f"{self.questionnaire.slug} v{self.number}"
