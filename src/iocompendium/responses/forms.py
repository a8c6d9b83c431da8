"""Forms of response collection (validation only; writes go through services)."""

from __future__ import annotations

from django import forms
from django.contrib.auth import password_validation
from django.utils.translation import gettext_lazy as _

from iocompendium.questionnaires.models import Questionnaire
from iocompendium.registry.models import Organisation
from iocompendium.web.forms import LimitedForm


class InvitationForm(LimitedForm, forms.Form):
    organisation = forms.ModelChoiceField(
        label=_("Organisation"), queryset=Organisation.objects.all().order_by("acronym"),
        to_field_name="acronym",
    )
    email = forms.EmailField(label=_("E-mail address of the focal point"))
    questionnaire = forms.ModelChoiceField(
        label=_("Questionnaire (optional)"), queryset=Questionnaire.objects.all(),
        required=False, to_field_name="slug",
    )

    def __init__(self, *args, organisation: Organisation | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if organisation is not None:
            # A contributor invites colleagues of their own organisation only.
            self.fields["organisation"].queryset = Organisation.objects.filter(pk=organisation.pk)
            self.fields["organisation"].initial = organisation.acronym


class AcceptInvitationForm(LimitedForm, forms.Form):
    """Set a password for the new account (Django's password validators apply)."""

    password1 = forms.CharField(label=_("Choose a password"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))
    password2 = forms.CharField(label=_("Repeat the password"), strip=False,
                                widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    def __init__(self, *args, email: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email
        # Built per request, so the rules show in the page's language.
        self.fields["password1"].help_text = " ".join(
            password_validation.password_validators_help_texts()
        )

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords differ."))
        if first:
            from django.contrib.auth import get_user_model

            probe = get_user_model()(username=self.email, email=self.email)
            try:
                password_validation.validate_password(first, probe)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned
