"""Writes of the questionnaires app: importing XLSForms into versions, publishing."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping
from pathlib import Path

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from iocompendium.atomic import write_bytes_atomic

from .attachments import attachment_name
from .models import Questionnaire, QuestionnaireVersion, Unit
from .structure import Structure
from .xlsform import language_code, read_xlsform

__all__ = ["QuestionnaireError", "fingerprint", "import_questionnaire", "publish_version",
           "default_slug", "set_unit", "attachment_folder"]

MAX_SLUG_LENGTH = 80


class QuestionnaireError(Exception):
    """A request the questionnaires app refuses (one plain sentence)."""


def fingerprint(structure: Structure) -> str:
    """SHA-256 of the canonical JSON of a structure: equal structures, equal prints."""
    canonical = json.dumps(structure, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def default_slug(form_id: str) -> str:
    """``io_survey`` -> ``io-survey``."""
    return slugify(form_id.replace("_", "-"))[:MAX_SLUG_LENGTH].strip("-")


def import_questionnaire(
    path: str | Path,
    slug: str | None = None,
    *,
    publish: bool = False,
    filename: str | None = None,
    unit: str | None = None,
    attachments: Mapping[str, bytes] | None = None,
) -> tuple[QuestionnaireVersion, bool]:
    """Import an XLSForm as the next version of questionnaire ``slug``.

    Returns ``(version, created)``: an unchanged structure (same fingerprint as the
    latest version) makes no new version and returns the latest. Raises ``XLSFormError``
    for a form that cannot be imported, ``QuestionnaireError`` for a bad slug; nothing
    is written in either case.

    ``unit`` (organisation, jurisdiction or submission) wins over the form's settings
    column ``respondent_unit``; with neither, the questionnaire keeps its unit.

    ``attachments`` (file name -> content): the files the form's ``select_one_from_file``
    and ``select_multiple_from_file`` questions take their options from; each is kept in
    the data folder beside the version (``attachment_folder``).
    """
    path = Path(path)
    structure = read_xlsform(path, attachments)
    unit = unit or structure.get("respondent_unit") or None
    if unit is not None and unit not in Unit.values:
        raise QuestionnaireError(
            f"'{unit}' is not a respondent unit: use one of {', '.join(Unit.values)}.")
    slug = slug if slug is not None else default_slug(structure["form_id"])
    if not slug or slugify(slug) != slug or len(slug) > MAX_SLUG_LENGTH:
        raise QuestionnaireError(
            f"'{slug}' is not a valid slug: use lower-case letters, digits and hyphens.")
    print_ = fingerprint(structure)
    title = {language_code(key): text for key, text in structure["title"].items()}
    with transaction.atomic():
        questionnaire, _created = Questionnaire.objects.get_or_create(
            slug=slug, defaults={"title": title})
        questionnaire = Questionnaire.objects.select_for_update().get(pk=questionnaire.pk)
        set_unit(questionnaire, unit, structure.get("respondent_unit_label"))
        latest = questionnaire.versions.order_by("-number").first()
        if latest is not None and latest.fingerprint == print_:
            if publish:
                publish_version(latest)
            return latest, False
        version = QuestionnaireVersion.objects.create(
            questionnaire=questionnaire,
            number=(latest.number + 1) if latest else 1,
            form_version=structure["form_version"][:100],
            structure=structure,
            languages=structure["languages"],
            xlsform=path.read_bytes(),
            xlsform_name=(filename or path.name)[:255],
            fingerprint=print_,
        )
        if questionnaire.title != title:
            questionnaire.title = title
            questionnaire.save(update_fields=["title"])
        if publish:
            publish_version(version)
        _store_attachments(version, attachments or {})
    return version, True


def attachment_folder(version: QuestionnaireVersion) -> Path:
    """Where the files attached beside a version's form are kept (the data folder's
    uploads): ``questionnaires/<slug>/v<number>/``."""
    return (Path(settings.MEDIA_ROOT) / "questionnaires" / version.questionnaire.slug
            / f"v{version.number}")


def _store_attachments(version: QuestionnaireVersion, attachments: Mapping[str, bytes]) -> None:
    used = set(version.structure.get("attachments") or {})
    for name, data in attachments.items():
        if attachment_name(name) in used:
            write_bytes_atomic(attachment_folder(version) / attachment_name(name), data)


def set_unit(
    questionnaire: Questionnaire, unit: str | None, label: dict[str, str] | None = None,
    *, user=None,
) -> Questionnaire:
    """Set what one response stands for, and what tables call the units (per language).

    A unit cannot change once responses exist under another unit: they would point at
    the wrong kind of respondent. With ``user`` (the web page), the change is recorded in
    the admin's log of changes (``LogEntry``: who, when, old and new values)."""
    before = {"unit": questionnaire.unit, "unit_label": dict(questionnaire.unit_label or {})}
    changed = []
    if unit is not None and unit != questionnaire.unit:
        if unit not in Unit.values:
            raise QuestionnaireError(
                f"'{unit}' is not a respondent unit: use one of {', '.join(Unit.values)}.")
        if questionnaire.versions.filter(responses__isnull=False).exists():
            raise QuestionnaireError(
                f"'{questionnaire.slug}' already has responses by {questionnaire.unit}: "
                "its respondent unit cannot change.")
        questionnaire.unit = unit
        changed.append("unit")
    if label:
        cleaned = {lang[:2]: text.strip()[:100] for lang, text in label.items() if text.strip()}
        if cleaned != questionnaire.unit_label:
            questionnaire.unit_label = cleaned
            changed.append("unit_label")
    if changed and questionnaire.pk:
        questionnaire.save(update_fields=changed)
        if user is not None and getattr(user, "pk", None):
            _log_change(user, questionnaire, {
                field: {"old": before[field], "new": getattr(questionnaire, field)}
                for field in changed
            })
    return questionnaire


def _log_change(user, questionnaire: Questionnaire, changes: dict) -> None:
    """One audited change of a questionnaire's settings, in Django admin's change log."""
    from django.contrib.admin.models import CHANGE, LogEntry
    from django.contrib.contenttypes.models import ContentType

    LogEntry.objects.create(
        user_id=user.pk,
        content_type=ContentType.objects.get_for_model(questionnaire),
        object_id=str(questionnaire.pk),
        object_repr=questionnaire.slug[:200],
        action_flag=CHANGE,
        change_message=json.dumps([{"changed": {"fields": sorted(changes)}}, changes],
                                  ensure_ascii=False),
    )


def publish_version(version: QuestionnaireVersion) -> QuestionnaireVersion:
    """Make ``version`` available to respondents (idempotent)."""
    if version.published_at is None:
        version.published_at = timezone.now()
        version.save(update_fields=["published_at"])
    return version
