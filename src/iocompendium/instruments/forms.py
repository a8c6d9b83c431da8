from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from iocompendium.instruments import typology
from iocompendium.instruments.models import InstrumentType
from iocompendium.web.forms import LimitedForm


class InstrumentTypeForm(LimitedForm, forms.ModelForm):
    addressees = forms.MultipleChoiceField(
        label=_("addressees"), choices=list(typology.ADDRESSEES.items()), required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    # The version of the mapping this form was filled from (see services.mapping_stamp).
    loaded_stamp = forms.CharField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = InstrumentType
        fields = ["name", "label_en", "label_fr", "legal_effect", "nature", "addressees",
                  "adopting_body", "expert_family"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["addressees"] = self.instance.addressees.split()
            self.initial["loaded_stamp"] = self.instance.updated_at.isoformat()

    def mapping_values(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("name")
        data.pop("loaded_stamp", None)
        data["addressees"] = " ".join(data["addressees"])
        return data
