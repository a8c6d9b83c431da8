"""The registry of organisations taking part in the partnership."""

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Category(models.TextChoices):
    IGO = "igo", _("Intergovernmental organisation")
    TGN = "tgn", _("Transgovernmental network")
    PRIVATE = "private", _("Private standard setter")
    CONVENTION = "convention", _("Convention secretariat")
    SUPRANATIONAL = "supranational", _("Supranational organisation")
    OTHER = "other", _("Other")


class Organisation(models.Model):
    acronym = models.CharField(_("acronym"), max_length=40, unique=True)
    name_en = models.CharField(_("name (English)"), max_length=300)
    name_fr = models.CharField(_("name (French)"), max_length=300, blank=True)
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    membership = models.TextField(_("membership"), blank=True)
    website = models.URLField(_("website"), blank=True)
    verified = models.BooleanField(
        _("verified"), default=False, help_text=_("The entry was checked against a source.")
    )
    # Demo organisations are fictional; they are labelled as synthetic wherever they show.
    synthetic = models.BooleanField(_("synthetic"), default=False)

    class Meta:
        ordering = ["acronym"]
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")

    def __str__(self) -> str:
        return self.acronym

    @property
    def name(self) -> str:
        """The name in the active language, falling back to English."""
        if (get_language() or "en").startswith("fr") and self.name_fr:
            return self.name_fr
        return self.name_en


class Jurisdiction(models.Model):
    """A country or economy answering a survey as a respondent unit (ISO 3166), or another
    jurisdiction the secretariat adds (the European Union...).

    Countries are loaded from pycountry (ISO 3166-1, English and French names); region and
    OECD membership from country_converter's table (``registry/jurisdictions.py``)."""

    # ISO 3166-1 alpha-3 for countries; any upper-case code for the others ("EUU").
    code = models.CharField(_("code"), max_length=8, unique=True)
    alpha_2 = models.CharField(_("ISO alpha-2 code"), max_length=2, blank=True)
    name_en = models.CharField(_("name (English)"), max_length=300)
    name_fr = models.CharField(_("name (French)"), max_length=300, blank=True)
    # A UN geoscheme sub-region in English (translated on display: ``region_label``).
    region = models.CharField(_("region"), max_length=60, blank=True)
    oecd_member = models.BooleanField(_("OECD member"), default=False)
    # True for ISO 3166 countries loaded from pycountry; False for those added by hand.
    iso = models.BooleanField(_("ISO 3166 country"), default=False)

    class Meta:
        ordering = ["code"]
        verbose_name = _("jurisdiction")
        verbose_name_plural = _("jurisdictions")

    def __str__(self) -> str:
        return self.code

    @property
    def name(self) -> str:
        """The name in the active language, falling back to English."""
        if (get_language() or "en").startswith("fr") and self.name_fr:
            return self.name_fr
        return self.name_en

    @property
    def region_label(self) -> str:
        from iocompendium.registry.jurisdictions import region_label

        return region_label(self.region)
