"""Forms of curation: a practice's texts, theme and key principles; a key principle."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from iocompendium.compendium.models import KeyPrinciple
from iocompendium.compendium.themes import SUB_THEME_CHOICES, THEME_CHOICES
from iocompendium.web.forms import LimitedForm


class PracticeForm(LimitedForm, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput)
    title_en = forms.CharField(label=_("Title (English)"), max_length=300)
    title_fr = forms.CharField(label=_("Title (French)"), max_length=300, required=False)
    description_en = forms.CharField(label=_("Description (English)"), widget=forms.Textarea)
    description_fr = forms.CharField(label=_("Description (French)"), widget=forms.Textarea,
                                     required=False)
    theme = forms.ChoiceField(label=_("Theme"), choices=THEME_CHOICES)
    sub_theme = forms.ChoiceField(label=_("Sub-theme"), choices=SUB_THEME_CHOICES,
                                  required=False)
    key_principles = forms.ModelMultipleChoiceField(
        label=_("Key principles it illustrates"), queryset=KeyPrinciple.objects.none(),
        required=False, widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args, theme: str = "", **kwargs) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["key_principles"]
        field.queryset = KeyPrinciple.objects.order_by("theme", "order")
        field.label_from_instance = lambda p: f"[{p.get_theme_display()}] {p.text}"


class KeyPrincipleForm(LimitedForm, forms.Form):
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)
    order = forms.IntegerField(label=_("Order"), min_value=1, required=False)
    text_en = forms.CharField(label=_("Text (English)"), widget=forms.Textarea(attrs={"rows": 2}))
    text_fr = forms.CharField(label=_("Text (French)"), required=False,
                              widget=forms.Textarea(attrs={"rows": 2}))
