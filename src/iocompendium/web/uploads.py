"""Checks every uploaded file of the web app passes (questionnaires, response imports)."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _


def checked_upload(upload: UploadedFile, suffixes: Iterable[str], wrong_type: str) -> UploadedFile:
    """The upload, if within the size limit and of a readable type; else ValidationError
    (``wrong_type`` is the message for another type of file)."""
    limit = settings.IOCOMPENDIUM_MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise forms.ValidationError(
            _("The file is too large (%(size)s); the limit is %(limit)s."),
            params={"size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
        )
    if Path(upload.name).suffix.lower() not in suffixes:
        raise forms.ValidationError(wrong_type)
    return upload
