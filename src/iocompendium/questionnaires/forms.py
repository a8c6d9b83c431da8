"""The upload form of the secretariat's questionnaire pages."""

from __future__ import annotations

from pathlib import Path

from django import forms
from django.conf import settings
from django.core.validators import validate_slug
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext_lazy as _

from .xlsform import SUPPORTED_SUFFIXES


class UploadForm(forms.Form):
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
        upload = self.cleaned_data["xlsform"]
        if upload.size > settings.IOCOMPENDIUM_MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("The file is too large (%(size)s); the limit is %(limit)s."),
                params={"size": filesizeformat(upload.size),
                        "limit": filesizeformat(settings.IOCOMPENDIUM_MAX_UPLOAD_BYTES)})
        if Path(upload.name).suffix.lower() not in SUPPORTED_SUFFIXES:
            raise forms.ValidationError(_("Upload an .xlsx, .xls or .csv file."))
        return upload
