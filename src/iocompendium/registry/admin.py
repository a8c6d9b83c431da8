"""The organisations in the Django admin, for the secretariat.

Two analysts editing the same organisation must not overwrite each other silently: the
change form carries a fingerprint of the row as it was loaded, and saving is refused
(with the reason) when the row has changed since."""

import hashlib
import json

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from iocompendium.registry.models import Jurisdiction, Organisation
from iocompendium.web.admin import LimitedModelAdmin
from iocompendium.web.forms import LimitedForm


def row_fingerprint(organisation: Organisation) -> str:
    """A digest of every stored field of the organisation, as it is in the database."""
    fields = Organisation._meta.concrete_fields
    values = {field.attname: getattr(organisation, field.attname) for field in fields}
    return hashlib.sha256(json.dumps(values, sort_keys=True, default=str).encode()).hexdigest()


class OrganisationAdminForm(LimitedForm, forms.ModelForm):
    loaded_fingerprint = forms.CharField(widget=forms.HiddenInput, required=False)
    website = forms.URLField(label=_("website"), required=False, assume_scheme="https")

    class Meta:
        model = Organisation
        fields = ["acronym", "name_en", "name_fr", "category", "membership", "website",
                  "verified", "synthetic"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["loaded_fingerprint"].initial = row_fingerprint(self.instance)

    def clean(self):
        cleaned = super().clean()
        if self.instance.pk:
            # The admin saves inside a transaction: the lock holds the row until it commits.
            current = Organisation.objects.select_for_update().filter(pk=self.instance.pk).first()
            if current is None or cleaned.get("loaded_fingerprint") != row_fingerprint(current):
                raise ValidationError(_(
                    "Someone else changed this organisation after you opened it; nothing "
                    "was saved. Open it again to see their changes, then make yours."
                ), code="stale")
        return cleaned


@admin.register(Organisation)
class OrganisationAdmin(LimitedModelAdmin):
    form = OrganisationAdminForm
    # A website typed without a scheme is read as https:// (Django 6's default).
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}
    list_display = ["acronym", "name_en", "category", "verified", "synthetic"]
    list_filter = ["category", "verified", "synthetic"]
    search_fields = ["acronym", "name_en", "name_fr"]


@admin.register(Jurisdiction)
class JurisdictionAdmin(LimitedModelAdmin):
    list_display = ["code", "alpha_2", "name_en", "name_fr", "region", "oecd_member", "iso"]
    list_filter = ["oecd_member", "iso", "region"]
    search_fields = ["code", "alpha_2", "name_en", "name_fr"]
