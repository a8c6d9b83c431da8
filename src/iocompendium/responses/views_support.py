"""Small helpers the response views share: who may do what with a response."""

from __future__ import annotations

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest

from iocompendium.responses.models import Response, ResponseStatus
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


def secretariat_required(view):
    """Log-in first, then only the secretariat (others get 403)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, *args, **kwargs):
        require_secretariat(request.user)
        return view(request, *args, **kwargs)

    return wrapper


def is_locked(response: Response) -> bool:
    return response.status != ResponseStatus.DRAFT
