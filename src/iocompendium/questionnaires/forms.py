"""The forms of the secretariat's questionnaire pages: upload, respondent unit."""

from __future__ import annotations

from django import forms
from django.core.validators import validate_slug
from django.utils.translation import gettext_lazy as _

from iocompendium.web.forms import LimitedForm
from iocompendium.web.uploads import checked_upload

from .attachments import ATTACHMENT_SUFFIXES
from .models import Unit
from .xlsform import SUPPORTED_SUFFIXES

MAX_ATTACHMENTS = 20


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented pattern)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(item, initial) for item in data]
        return [single(data, initial)] if data else []


class UploadForm(LimitedForm, forms.Form):
    xlsform = forms.FileField(label=_("XLSForm file (.xlsx, .xls or .csv)"))
    slug = forms.CharField(
        label=_("Questionnaire slug (optional)"), required=False, max_length=80,
        validators=[validate_slug],
        help_text=_("Leave empty to use the form_id of the settings sheet."))
    attachments = MultipleFileField(
        label=_("Attached files (optional)"), required=False,
        help_text=_("The .csv, .xml or .geojson files that select_one_from_file and "
                    "select_multiple_from_file questions take their options from."))
    publish = forms.BooleanField(label=_("Publish this version now"), required=False)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")  # labels are complete phrases
        super().__init__(*args, **kwargs)

    def clean_xlsform(self):
        return checked_upload(self.cleaned_data["xlsform"], SUPPORTED_SUFFIXES,
                              _("Upload an .xlsx, .xls or .csv file."))

    def clean_attachments(self):
        files = self.cleaned_data.get("attachments") or []
        if len(files) > MAX_ATTACHMENTS:
            raise forms.ValidationError(_("Attach at most %(limit)s files."),
                                        params={"limit": MAX_ATTACHMENTS})
        names = set()
        for upload in files:
            checked_upload(upload, ATTACHMENT_SUFFIXES,
                           _("Attach .csv, .xml or .geojson files only."))
            if upload.name in names:
                raise forms.ValidationError(_("Two attached files are named %(name)s."),
                                            params={"name": upload.name})
            names.add(upload.name)
        return files

class UnitForm(LimitedForm, forms.Form):
    """What one response stands for, and what tables and charts call the units."""

    unit = forms.ChoiceField(label=_("One response stands for"), choices=Unit.choices)
    label_en = forms.CharField(
        label=_("Units in English (plural, e.g. households)"), required=False, max_length=100)
    label_fr = forms.CharField(
        label=_("Units in French (plural, e.g. ménages)"), required=False, max_length=100)

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("label_suffix", "")
        super().__init__(*args, **kwargs)
