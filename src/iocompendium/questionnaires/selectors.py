"""Reads of the questionnaires app."""

from __future__ import annotations

import json
from typing import Any

from django.db.models import Count, Max, QuerySet

from .models import Questionnaire, QuestionnaireVersion

__all__ = ["get_questionnaire", "published_version", "questionnaires_with_versions",
           "get_version", "versions_of", "unit_changes"]


def get_questionnaire(slug: str) -> Questionnaire | None:
    return Questionnaire.objects.filter(slug=slug).first()


def published_version(slug: str) -> QuestionnaireVersion | None:
    """The highest published version of questionnaire ``slug``, or None."""
    return (QuestionnaireVersion.objects.filter(questionnaire__slug=slug,
                                                published_at__isnull=False)
            .order_by("-number").first())


def get_version(slug: str, number: int | None = None) -> QuestionnaireVersion | None:
    """Version ``number`` of ``slug`` (the latest when number is None), or None."""
    versions = QuestionnaireVersion.objects.filter(questionnaire__slug=slug)
    if number is None:
        return versions.order_by("-number").first()
    return versions.filter(number=number).first()


def questionnaires_with_versions() -> QuerySet[Questionnaire]:
    return (Questionnaire.objects.annotate(version_count=Count("versions"),
                                           latest_number=Max("versions__number"))
            .order_by("slug"))


def versions_of(questionnaire: Questionnaire) -> QuerySet[QuestionnaireVersion]:
    """The versions, newest first, without the heavy structure and file columns."""
    return questionnaire.versions.defer("structure", "xlsform").order_by("-number")


def unit_changes(questionnaire: Questionnaire) -> list[tuple[Any, str, str]]:
    """The recorded changes of the questionnaire's unit, newest first: (when, who, what),
    what as "unit: organisation → submission; unit_label: {} → {'en': 'households'}"."""
    from django.contrib.admin.models import LogEntry
    from django.contrib.contenttypes.models import ContentType

    entries = LogEntry.objects.filter(
        content_type=ContentType.objects.get_for_model(questionnaire),
        object_id=str(questionnaire.pk),
    ).select_related("user").order_by("-action_time")[:10]
    changes = []
    for entry in entries:
        try:
            detail = json.loads(entry.change_message)[1]
            what = "; ".join(f"{field}: {change['old']} → {change['new']}"
                             for field, change in detail.items())
        except (ValueError, IndexError, KeyError, TypeError, AttributeError):
            what = entry.change_message
        changes.append((entry.action_time, entry.user.get_username(), what))
    return changes

