"""Files given as answers (image, audio, video, file, osm questions): kept in the data
folder, size-limited by the one upload limit, type-checked by suffix and, for images, by
their first bytes."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _

from iocompendium.responses import formtree
from iocompendium.responses.models import Response
from iocompendium.responses.selectors import form_for
from iocompendium.web.uploads import checked_upload

SUFFIXES = {
    "image": (".jpg", ".jpeg", ".png", ".gif", ".webp"),
    "audio": (".mp3", ".m4a", ".ogg", ".oga", ".wav", ".amr", ".aac"),
    "video": (".mp4", ".webm", ".mov", ".3gp", ".mkv"),
    "osm": (".osm", ".xml"),
    "file": (".pdf", ".csv", ".txt", ".xlsx", ".xls", ".docx", ".doc", ".odt", ".ods",
             ".zip", ".json", ".geojson"),
}
# First bytes of the image formats accepted: a renamed file is refused.
_IMAGE_SIGNATURES = (b"\xff\xd8\xff", b"\x89PNG\r\n\x1a\n", b"GIF87a", b"GIF89a")


def answer_files_dir(response: Response) -> Path:
    return Path(settings.DATA_DIR) / "answer-files" / str(response.pk)


def _looks_like_image(upload: UploadedFile) -> bool:
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    webp = head[:4] == b"RIFF" and head[8:12] == b"WEBP"
    return webp or any(head.startswith(signature) for signature in _IMAGE_SIGNATURES)


def store_answer_file(
    response: Response, path: str, upload: UploadedFile, *, user: AbstractBaseUser | None
):
    """Check and keep the file, then store its name as the answer (audited like any
    change). Raises ``forms.ValidationError`` for a file of the wrong size or type and
    ``InvalidAnswer`` for a path that is not a file question."""
    from django import forms

    from iocompendium.responses import services  # a service calling a service

    form = form_for(response)
    ref, _is_other = formtree.resolve_path(form, path)
    suffixes = SUFFIXES.get(ref.type)
    if suffixes is None:
        raise formtree.InvalidAnswer(_("This question does not take a file."))
    wrong = _("This question takes a file of type %(types)s.") % {"types": ", ".join(suffixes)}
    checked_upload(upload, suffixes, wrong)
    if ref.type == "image" and not _looks_like_image(upload):
        raise forms.ValidationError(wrong)
    services.ensure_editable(response, path)
    folder = answer_files_dir(response)
    folder.mkdir(parents=True, exist_ok=True)
    name = f"{uuid.uuid4().hex}{Path(upload.name).suffix.lower()}"
    partial = folder / f".{name}.part"
    with partial.open("wb") as handle:
        for chunk in upload.chunks():
            handle.write(chunk)
    partial.replace(folder / name)  # written aside, then swapped in
    return services.save_answer(response, path, name, user=user, base_revision=None)
