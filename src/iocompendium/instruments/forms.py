from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from iocompendium.instruments import typology
from iocompendium.instruments.models import InstrumentType


class InstrumentTypeForm(forms.ModelForm):
    addressees = forms.MultipleChoiceField(
        label=_("addressees"), choices=list(typology.ADDRESSEES.items()), required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = InstrumentType
        fields = ["name", "label_en", "label_fr", "legal_effect", "nature", "addressees",
                  "adopting_body", "expert_family"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["addressees"] = self.instance.addressees.split()

    def mapping_values(self) -> dict:
        data = dict(self.cleaned_data)
        data.pop("name")
        data["addressees"] = " ".join(data["addressees"])
        return data
