"""Search engines behind the one interface of :mod:`iocompendium.search`."""

from __future__ import annotations

from functools import cache

from django.conf import settings

from iocompendium.search.backends.base import Backend


@cache
def _backend(name: str) -> Backend:
    if name == "postgres":
        from iocompendium.search.backends.postgres import PostgresBackend

        return PostgresBackend()
    from iocompendium.search.backends.sqlite import SqliteBackend

    return SqliteBackend()


def get_backend() -> Backend:
    """The engine named by ``settings.IOCOMPENDIUM_SEARCH_BACKEND`` ("sqlite"/"postgres")."""
    return _backend(getattr(settings, "IOCOMPENDIUM_SEARCH_BACKEND", "sqlite"))
