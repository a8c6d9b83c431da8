from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from iocompendium.web.forms import LimitedForm
from iocompendium.web.uploads import checked_upload
from iocompendium.workspace.models import Audience, Document, Meeting, WorkingGroup

DOCUMENT_SUFFIXES = (".pdf", ".docx", ".xlsx", ".txt", ".md", ".csv", ".odt", ".pptx")


def _checked(upload):
    return checked_upload(upload, DOCUMENT_SUFFIXES,
                          _("Upload a PDF, Word (.docx), Excel (.xlsx) or text file."))


class DocumentForm(LimitedForm, forms.Form):
    title = forms.CharField(label=_("Title"), max_length=300)
    file = forms.FileField(label=_("File"))
    language = forms.ChoiceField(label=_("Language"), choices=settings.LANGUAGES)
    audience = forms.ChoiceField(label=_("Audience"), choices=Audience.choices,
                                 initial=Audience.MEMBERS)
    working_group = forms.ModelChoiceField(label=_("Working group"), required=False,
                                           queryset=WorkingGroup.objects.all())
    meeting = forms.ModelChoiceField(label=_("Meeting"), required=False,
                                     queryset=Meeting.objects.all())
    translation_of = forms.ModelChoiceField(label=_("Other-language version of"),
                                            required=False, queryset=Document.objects.all())

    def clean_file(self):
        return _checked(self.cleaned_data["file"])

    def clean(self):
        data = super().clean()
        if data.get("audience") == Audience.WORKING_GROUP and not data.get("working_group"):
            self.add_error("working_group", _("Choose the working group."))
        other = data.get("translation_of")
        if other is not None and other.language == data.get("language"):
            self.add_error("translation_of", _("The other version is in the other language."))
        return data


class VersionForm(LimitedForm, forms.Form):
    file = forms.FileField(label=_("File"))
    change_note = forms.CharField(label=_("What changed"), max_length=500)

    def clean_file(self):
        return _checked(self.cleaned_data["file"])


class MeetingForm(LimitedForm, forms.ModelForm):
    online_url = forms.URLField(label=_("online link"), required=False, assume_scheme="https")

    class Meta:
        model = Meeting
        fields = ["title_en", "title_fr", "kind", "starts", "ends", "time_zone", "place",
                  "online_url", "working_group", "public"]
        widgets = {"starts": forms.DateTimeInput(attrs={"type": "datetime-local"}),
                   "ends": forms.DateTimeInput(attrs={"type": "datetime-local"})}

    def clean_time_zone(self):
        from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

        value = self.cleaned_data["time_zone"]
        try:
            ZoneInfo(value)
        except (ZoneInfoNotFoundError, ValueError) as error:
            raise forms.ValidationError(_("Unknown time zone.")) from error
        return value

    def clean(self):
        """The times typed are in the meeting's time zone, not the server's."""
        from zoneinfo import ZoneInfo

        data = super().clean()
        zone = data.get("time_zone")
        for name in ("starts", "ends"):
            if zone and data.get(name):
                data[name] = data[name].replace(tzinfo=None).replace(tzinfo=ZoneInfo(zone))
        if data.get("starts") and data.get("ends") and data["ends"] <= data["starts"]:
            self.add_error("ends", _("A meeting ends after it starts."))
        return data


class ReminderForm(LimitedForm, forms.Form):
    days = forms.CharField(label=_("Days before the deadline"), max_length=100,
                           help_text=_("Comma-separated, e.g. 14, 7, 2"))

    def clean_days(self):
        try:
            days = [int(x) for x in self.cleaned_data["days"].replace(" ", "").split(",") if x]
        except ValueError as error:
            raise forms.ValidationError(_("Write whole numbers separated by commas.")) from error
        if any(d < 0 or d > 365 for d in days):
            raise forms.ValidationError(_("Each number is between 0 and 365."))
        return days
