"""Composite-indicator frameworks over questionnaires, their computed scores, and the
published country scores shown beside them.

* ``Framework`` -> ``FrameworkVersion``: every import of a framework spreadsheet is a new
  version; the file is kept byte for byte (``export`` gives it back unchanged) together
  with what was read from it (``definition``: tree, rules, construction choices).
* ``ScoreRun``: the scores of one framework version on one questionnaire's responses, with
  the construction choices, the statuses read, the seed and the uncertainty analysis.
* ``CountryDataset`` -> ``CountryScore``: a published set of country scores (the OECD
  iREG, the World Bank GIRG, a simple CSV) with its source, licence and attribution.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from iocompendium.questionnaires.models import Questionnaire
from iocompendium.registry.models import Jurisdiction


class Framework(models.Model):
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    title_en = models.CharField(_("title (English)"), max_length=300)
    title_fr = models.CharField(_("title (French)"), max_length=300, blank=True)
    questionnaire = models.ForeignKey(
        Questionnaire, on_delete=models.PROTECT, related_name="frameworks",
        verbose_name=_("questionnaire"),
    )
    # The country composite the framework mirrors ("SA", "RIA", "EPE" for the iREG), if any.
    country_composite = models.CharField(_("country composite"), max_length=40, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["slug"]
        verbose_name = _("indicator framework")
        verbose_name_plural = _("indicator frameworks")

    def __str__(self) -> str:
        return self.slug

    @property
    def title(self) -> str:
        if (get_language() or "en").startswith("fr") and self.title_fr:
            return self.title_fr
        return self.title_en

    def latest_version(self) -> FrameworkVersion | None:
        return self.versions.order_by("-number").first()


class FrameworkVersion(models.Model):
    framework = models.ForeignKey(Framework, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField(_("version number"))
    # The version the author wrote in the settings sheet ("" if none).
    label = models.CharField(_("version label"), max_length=100, blank=True)
    # What was read from the file: {"nodes": [...], "construction": {...}, ...}.
    definition = models.JSONField(_("definition"))
    file = models.BinaryField(_("spreadsheet"))
    file_name = models.CharField(max_length=255, blank=True)
    fingerprint = models.CharField(max_length=64, db_index=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["framework", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["framework", "number"],
                                    name="unique_framework_version")
        ]

    def __str__(self) -> str:
        return f"{self.framework.slug} v{self.number}"


class ScoreRun(models.Model):
    """One computation: the scores per unit with every choice that made them."""

    version = models.ForeignKey(FrameworkVersion, on_delete=models.CASCADE,
                                related_name="score_runs")
    questionnaire = models.ForeignKey(Questionnaire, on_delete=models.CASCADE,
                                      related_name="+")
    statuses = models.JSONField(default=list)
    construction = models.JSONField(default=dict)
    # The ``compute --json`` units, each with its raw scores and answers (see selectors).
    units = models.JSONField(default=list)
    weights = models.JSONField(default=dict)
    answers_fingerprint = models.CharField(max_length=64, blank=True)
    # Uncertainty analysis (empty until one is run): runs, seed, per-unit ranks, indices.
    runs = models.PositiveIntegerField(null=True, blank=True)
    seed = models.BigIntegerField(null=True, blank=True)
    uncertainty = models.JSONField(default=dict, blank=True)
    sensitivity = models.JSONField(default=list, blank=True)
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-computed_at", "-id"]

    def __str__(self) -> str:
        return f"{self.version} on {self.questionnaire.slug}"


class CountryDataset(models.Model):
    """A published set of country scores, imported from one file."""

    source = models.CharField(_("source"), max_length=80, unique=True)  # "oecd-ireg-2021"
    title = models.CharField(_("title"), max_length=300)
    publisher = models.CharField(_("publisher"), max_length=200, blank=True)
    licence = models.CharField(_("licence"), max_length=300)
    attribution = models.TextField(_("attribution"))
    file_name = models.CharField(max_length=255, blank=True)
    # The maximum of a category score and of a composite in this source (iREG: 1 and 4).
    category_max = models.FloatField(null=True, blank=True)
    composite_max = models.FloatField(null=True, blank=True)
    imported_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["source"]
        verbose_name = _("country dataset")
        verbose_name_plural = _("country datasets")

    def __str__(self) -> str:
        return self.source


class CountryScore(models.Model):
    dataset = models.ForeignKey(CountryDataset, on_delete=models.CASCADE,
                                related_name="scores")
    # The registry's jurisdiction; null for an aggregate the registry does not hold
    # (the OECD average), named by ``area``.
    jurisdiction = models.ForeignKey(Jurisdiction, on_delete=models.PROTECT, null=True,
                                     blank=True, related_name="+")
    area = models.CharField(_("area code"), max_length=20)  # "FRA", "EU", "OECD_REP"
    area_name = models.CharField(_("area name"), max_length=300, blank=True)
    year = models.PositiveIntegerField(_("year"))
    composite = models.CharField(_("composite"), max_length=40)  # "SA", "RIA", "EPE", "GIRG"
    # "primary" / "subordinate" (iREG), "" when the source has one instrument.
    instrument = models.CharField(_("instrument"), max_length=20, blank=True)
    category = models.CharField(_("category"), max_length=80, blank=True)  # "" = total
    score = models.FloatField(_("score"))

    class Meta:
        ordering = ["dataset", "composite", "area", "year", "instrument", "category"]
        constraints = [
            models.UniqueConstraint(
                fields=["dataset", "area", "year", "composite", "instrument", "category"],
                name="unique_country_score",
            )
        ]

    def __str__(self) -> str:
        return f"{self.area} {self.year} {self.composite} {self.category or 'total'}"
