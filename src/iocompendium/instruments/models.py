"""Instruments of the organisations, their type mapping (typology) and families."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from iocompendium.instruments import typology
from iocompendium.registry.models import Organisation


def _choices(mapping: dict) -> list[tuple[str, str]]:
    return list(mapping.items())


class Source(models.Model):
    """Where instruments come from (a data set, the IO Survey), with its attribution."""

    name = models.CharField(_("name"), max_length=100, unique=True)
    attribution = models.TextField(_("attribution"), blank=True)
    licence = models.CharField(_("licence"), max_length=100, blank=True)
    url = models.URLField(_("web address"), max_length=500, blank=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("source")
        verbose_name_plural = _("sources")

    def __str__(self) -> str:
        return self.name


class InstrumentType(models.Model):
    """How one native type ("Recommendation", "MOU"...) maps to normalised attributes."""

    key = models.CharField(max_length=200, unique=True)
    name = models.CharField(_("native type"), max_length=200)
    label_en = models.CharField(_("label (English)"), max_length=200, blank=True)
    label_fr = models.CharField(_("label (French)"), max_length=200, blank=True)
    legal_effect = models.CharField(
        _("legal effect"), max_length=20, choices=_choices(typology.LEGAL_EFFECTS),
        default="unknown",
    )
    nature = models.CharField(
        _("nature"), max_length=20, choices=_choices(typology.NATURES), blank=True
    )
    # Space-separated addressee codes (typology.ADDRESSEES).
    addressees = models.CharField(_("addressees"), max_length=200, blank=True)
    adopting_body = models.CharField(
        _("adopting body"), max_length=40, choices=_choices(typology.ADOPTING_BODIES),
        blank=True,
    )
    expert_family = models.CharField(
        _("expert family"), max_length=40, choices=_choices(typology.EXPERT_FAMILIES),
        blank=True, help_text=_("Blank: decided by rules on the type's name."),
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        verbose_name = _("instrument type")
        verbose_name_plural = _("instrument types")

    def __str__(self) -> str:
        return self.name

    @property
    def label(self) -> str:
        if (get_language() or "en").startswith("fr") and self.label_fr:
            return self.label_fr
        return self.label_en or self.name


class FamilyRun(models.Model):
    """One computation of the families (the latest is the current one)."""

    created_at = models.DateTimeField(auto_now_add=True)
    seed = models.IntegerField()
    n_instruments = models.PositiveIntegerField()
    n_profiles = models.PositiveIntegerField()
    attributes = models.JSONField(default=list)
    # {"k": silhouette} for every number of families tried.
    quality = models.JSONField(default=dict)
    stability = models.FloatField(help_text="Mean adjusted Rand index over bootstrap resamples.")
    bootstrap = models.PositiveIntegerField()
    comparison = models.JSONField(default=dict)
    # Everything the run depended on (method, attribute weights, k tried, seed, resamples,
    # pins) and every k's scores, so that two runs can be compared (issue 18).
    settings = models.JSONField(default=dict)
    scores = models.JSONField(default=dict)
    expert_agreement = models.FloatField(null=True, blank=True)
    # Stored pictures' data: {"heatmap": [...], "map": {...}} (never computed per request).
    pictures = models.JSONField(default=dict)
    # What a recluster kept, moved and could not match of the curated typology.
    changes = models.JSONField(default=dict)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"families {self.created_at:%Y-%m-%d %H:%M} (seed {self.seed})"


class Family(models.Model):
    run = models.ForeignKey(FamilyRun, on_delete=models.CASCADE, related_name="families")
    number = models.PositiveSmallIntegerField()
    size = models.PositiveIntegerField()
    # [{"attribute": ..., "value": ..., "share": ...}] from most to least defining.
    profile = models.JSONField(default=list)
    mean_confidence = models.FloatField(default=0.0)
    # Generated words (issue 18): a name and a ten-second description in both languages.
    name_en = models.CharField(max_length=200, blank=True)
    name_fr = models.CharField(max_length=200, blank=True)
    description_en = models.TextField(blank=True)
    description_fr = models.TextField(blank=True)
    # The most typical instruments' ids (the medoid's), the organisations (label, count)
    # and the instruments whose assignment is uncertain.
    typical = models.JSONField(default=list)
    organisations = models.JSONField(default=list)
    n_organisations = models.PositiveIntegerField(default=0)
    low_confidence = models.PositiveIntegerField(default=0)
    curated = models.ForeignKey(
        "CuratedFamily", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="computed",
    )

    class Meta:
        ordering = ["run", "number"]
        constraints = [
            models.UniqueConstraint(fields=["run", "number"], name="instruments_family_number")
        ]
        verbose_name = _("family")
        verbose_name_plural = _("families")

    def __str__(self) -> str:
        return f"{_('Family')} {self.number}"


class Instrument(models.Model):
    organisation = models.ForeignKey(
        Organisation, null=True, blank=True, on_delete=models.PROTECT,
        related_name="instruments",
    )
    # The organisation as the source names it, for sources outside the registry
    # (e.g. HUGGO's secretariat or depository).
    organisation_name = models.CharField(_("organisation (as named)"), max_length=300, blank=True)
    title = models.TextField(_("title"))
    other_titles = models.TextField(_("other titles"), blank=True)
    native_type = models.CharField(_("type (as named)"), max_length=200, blank=True)
    # The attributes as reported; blank ones come from the type mapping (selectors).
    legal_effect = models.CharField(_("legal effect"), max_length=20, blank=True)
    nature = models.CharField(_("nature"), max_length=20, blank=True)
    addressees = models.CharField(_("addressees"), max_length=200, blank=True)
    adopting_body = models.CharField(_("adopting body"), max_length=40, blank=True)
    scope = models.CharField(_("scope"), max_length=100, blank=True)
    domain = models.CharField(_("domain"), max_length=100, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    # ISO date, possibly partial: "1990", "1990-05" or "1990-05-17".
    date_adopted = models.CharField(_("date adopted"), max_length=10, blank=True)
    status = models.CharField(_("status"), max_length=40, blank=True)
    # Subjects separated by ";".
    subjects = models.TextField(_("subjects"), blank=True)
    url = models.URLField(_("web address"), max_length=1000, blank=True)
    text_excerpt = models.TextField(_("text excerpt"), blank=True)
    source = models.ForeignKey(Source, on_delete=models.PROTECT, related_name="instruments")
    # Stable key: a hash of the source, organisation and the mapping's key columns.
    external_key = models.CharField(max_length=64, unique=True)
    response = models.ForeignKey(
        "responses.Response", null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    family = models.ForeignKey(
        Family, null=True, blank=True, on_delete=models.SET_NULL, related_name="instruments"
    )
    family_confidence = models.FloatField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["title", "id"]
        verbose_name = _("instrument")
        verbose_name_plural = _("instruments")

    def __str__(self) -> str:
        return self.title[:80]

    @property
    def subject_list(self) -> list[str]:
        return [s.strip() for s in self.subjects.split(";") if s.strip()]

    @property
    def organisation_label(self) -> str:
        return self.organisation.acronym if self.organisation_id else self.organisation_name


class CuratedFamily(models.Model):
    """A family as the secretariat names it; computed families are linked to it by
    overlap at every recluster, and pins hold instruments in it."""

    name_en = models.CharField(_("name (English)"), max_length=200)
    name_fr = models.CharField(_("name (French)"), max_length=200)
    description_en = models.TextField(_("description (English)"), blank=True)
    description_fr = models.TextField(_("description (French)"), blank=True)
    # Computed over the instruments it holds, refreshed at every change.
    size = models.PositiveIntegerField(default=0)
    organisations = models.JSONField(default=list)
    n_organisations = models.PositiveIntegerField(default=0)
    # Set when merged into another: kept (never silently discarded), shown as merged.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("curated family")
        verbose_name_plural = _("curated families")

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        french = (get_language() or "en").startswith("fr")
        return (self.name_fr if french else self.name_en) or self.name_en


class Pin(models.Model):
    """An instrument the secretariat holds in a curated family, with the reason."""

    instrument = models.OneToOneField(Instrument, on_delete=models.CASCADE, related_name="pin")
    family = models.ForeignKey(CuratedFamily, on_delete=models.CASCADE, related_name="pins")
    reason = models.TextField(_("reason"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        verbose_name = _("pin")
        verbose_name_plural = _("pins")

    def __str__(self) -> str:
        return f"{self.instrument_id} -> {self.family_id}"


class TypologyReview(models.Model):
    """The secretariat's mark: this run, as curated, is the reviewed typology on a date."""

    run = models.ForeignKey(FamilyRun, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField(_("reviewed on"))
    note = models.TextField(_("note"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-reviewed_on", "-id"]

    def __str__(self) -> str:
        return f"reviewed {self.reviewed_on}"


class CurationEvent(models.Model):
    """The audit trail of the typology's curation (append-only): who did what, when."""

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
        related_name="+",
    )
    # Kept as text too, so the record survives the deletion of the account.
    actor_label = models.CharField(max_length=254, blank=True)
    action = models.CharField(max_length=40)  # rename, merge, split, pin, unpin, review...
    detail = models.JSONField(default=dict)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action}"
