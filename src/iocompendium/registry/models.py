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
