"""Forms of the web shell."""

from __future__ import annotations

import json

from django import forms
from django.contrib.auth import authenticate
from django.contrib.auth.forms import PasswordChangeForm
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from iocompendium.web import limits


def limit_text(field: forms.Field | None) -> forms.Field | None:
    """Give a form field the write-path limits of ``web.limits`` when it has none of its
    own: ``MAX_TEXT_LENGTH`` characters for text, ``MAX_JSON_FIELD_BYTES`` for JSON."""
    if isinstance(field, forms.JSONField):
        field.validators.append(_json_size)
    elif isinstance(field, forms.CharField) and (
            field.max_length is None or field.max_length > limits.MAX_TEXT_LENGTH):
        field.max_length = limits.MAX_TEXT_LENGTH
        field.validators.append(MaxLengthValidator(limits.MAX_TEXT_LENGTH))
        field.widget.attrs.update(field.widget_attrs(field.widget))
    return field


def _json_size(value) -> None:
    size = len(json.dumps(value, ensure_ascii=False).encode("utf-8"))
    if size > limits.MAX_JSON_FIELD_BYTES:
        raise ValidationError(_("This value is %(size)s bytes; the limit is %(limit)s."),
                              params={"size": f"{size:,}",
                                      "limit": f"{limits.MAX_JSON_FIELD_BYTES:,}"},
                              code="too_large")


class LimitedForm:
    """Mixin of every form of the product (before ``forms.Form``/``forms.ModelForm``):
    each free-text field gets the limits of ``web.limits`` (``limit_text``)."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            limit_text(field)


class ThrottledPasswordChangeForm(LimitedForm, PasswordChangeForm):
    """Django's password change, checking the current password with authenticate() so
    that a wrong one counts in (and waits for) the log-in throttle."""

    def __init__(self, user, *args, request: HttpRequest, **kwargs) -> None:
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self) -> str:
        old_password = self.cleaned_data["old_password"]
        checked = authenticate(self.request, username=self.user.get_username(),
                               password=old_password)
        if checked is None or checked.pk != self.user.pk:
            raise forms.ValidationError(self.error_messages["password_incorrect"],
                                        code="password_incorrect")
        return old_password
