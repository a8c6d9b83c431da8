"""Small helpers the response views share: who may do what with a response."""

from __future__ import annotations

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied

from iocompendium.responses.models import Response
from iocompendium.web.roles import is_secretariat, organisation_id_of


def is_contributor_of(user: AbstractBaseUser | AnonymousUser, response: Response) -> bool:
    return organisation_id_of(user) == response.organisation_id and not is_secretariat(user)


def can_edit_answers(user: AbstractBaseUser | AnonymousUser, response: Response) -> bool:
    """The organisation's contributors edit a draft (and queried answers after submission)."""
    return is_contributor_of(user, response)


def require_contributor(user: AbstractBaseUser | AnonymousUser, response: Response) -> None:
    if not is_contributor_of(user, response):
        raise PermissionDenied


def require_secretariat(user: AbstractBaseUser | AnonymousUser) -> None:
    if not is_secretariat(user):
        raise PermissionDenied
