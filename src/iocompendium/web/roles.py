"""Who may do what: the secretariat (staff users) and focal points (contributors)."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps

from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied

SECRETARIAT_GROUP = "secretariat"


def is_secretariat(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Secretariat analysts are staff accounts (the admin's "staff status")."""
    return bool(user.is_authenticated and (user.is_staff or user.is_superuser))


def organisation_id_of(user: AbstractBaseUser | AnonymousUser) -> int | None:
    """The organisation a focal point answers for, or None."""
    if not user.is_authenticated:
        return None
    contributor = getattr(user, "contributor", None)
    return contributor.organisation_id if contributor else None


def secretariat_only(view: Callable) -> Callable:
    """A view for the secretariat: log in first; then 403 for anyone else (focal points)."""

    @wraps(view)
    @login_required
    def wrapped(request, *args, **kwargs):
        if not is_secretariat(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)

    return wrapped
