"""Metadata questions (start, end, today, username, email...) filled by the server.

A web response has no device: ``deviceid``, ``subscriberid``, ``simserial``,
``phonenumber``, ``audit``, ``start-geopoint`` and ``background-audio`` have no meaning
here and stay empty; the others are filled where they have one."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.utils import timezone

from iocompendium.questionnaires.structure import iter_questions
from iocompendium.responses.models import Answer, Response


def metadata_values(
    response: Response, *, user: AbstractBaseUser | None, now: datetime, submitting: bool
) -> dict[str, str]:
    """The value of each metadata question of the response's form (by path)."""
    known = {
        "start": timezone.localtime(response.created_at).isoformat(timespec="milliseconds"),
        "today": timezone.localdate(now).isoformat(),
        "username": user.get_username() if user is not None else "",
        "email": getattr(user, "email", "") or "",
    }
    if submitting:
        known["end"] = timezone.localtime(now).isoformat(timespec="milliseconds")
    return {
        ref.path: known[ref.type]
        for ref in iter_questions(response.version.structure)
        if ref.type in known and not ref.repeats and known[ref.type]
    }


def fill_metadata(
    response: Response, *, user: AbstractBaseUser | None, submitting: bool = False
) -> None:
    """Write the metadata answers (start and today once; end and the submitter's name
    and e-mail when the response is submitted)."""
    values = metadata_values(response, user=user, now=timezone.now(), submitting=submitting)
    existing = dict(Answer.objects.filter(response=response, path__in=list(values))
                    .values_list("path", "value"))
    for path, value in values.items():
        keep_first = path in existing and existing[path] and not submitting
        if keep_first or existing.get(path) == value:
            continue
        Answer.objects.update_or_create(response=response, path=path,
                                        defaults={"value": value, "updated_by": user})
