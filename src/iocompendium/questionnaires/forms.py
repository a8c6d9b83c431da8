"""The upload form of the secretariat's questionnaire pages."""

from __future__ import annotations

from django import forms
from django.core.validators import validate_slug
from django.utils.translation import gettext_lazy as _

from iocompendium.web.forms import LimitedForm
from iocompendium.web.uploads import checked_upload

from .xlsform import SUPPORTED_SUFFIXES


class UploadForm(LimitedForm, forms.Form):
    xlsform = forms.FileField(label=_("XLSForm file (.xlsx, .xls or .csv)"))
    slug = forms.CharField(
        label=_("Questionnaire slug (optional)"), required=False, max_length=80,
        validators=[validate_slug],
        help_text=_("Leave empty to use the form_id of the settings sheet."))
    publish = forms.BooleanField(label=_("Publish this version now"), required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")  # labels are complete phrases
        super().__init__(*args, **kwargs)

    def clean_xlsform(self):
        return checked_upload(self.cleaned_data["xlsform"], SUPPORTED_SUFFIXES,
                              _("Upload an .xlsx, .xls or .csv file."))
