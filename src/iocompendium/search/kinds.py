"""The kinds of records apps put into search: a label, where a hit links to, and how to
rebuild the kind's index. Each app declares its kinds in ``<app>/searchable.py``, found
at start-up (``SearchConfig.ready``), so search imports no app and no app list is kept
here."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

# How the search page names the kinds (an unknown kind shows its name).
LABELS = {
    "practice": _("Practices"),
    "instrument": _("Instruments"),
    "family": _("Families of instruments"),
    "quote": _("Published answers"),
    "answer": _("Survey answers"),
    "workspace-document": _("Documents"),
}


@dataclass(frozen=True)
class Kind:
    name: str
    # keys -> {key: url} for the hits of a page (keys unknown to the app are left out)
    urls: Callable[[Sequence[str]], Mapping[str, str]]
    # (re)writes the kind's whole text index; returns how many records it holds
    rebuild: Callable[[], int]
    public: bool = True  # False: only for logged-in users with access (answers)


_kinds: dict[str, Kind] = {}
# Functions user -> access tokens the user holds beyond "public" (each app says what its
# own records' access tokens are and who holds them).
_access_providers: list[Callable] = []


def register(kind: Kind) -> None:
    _kinds[kind.name] = kind


def registered() -> dict[str, Kind]:
    return dict(_kinds)


def register_access(provider: Callable) -> None:
    if provider not in _access_providers:
        _access_providers.append(provider)


def access_tokens(user) -> list[str] | None:
    """The access tokens a user holds ("public" and whatever the apps grant), or None for
    the secretariat, who sees every record."""
    from iocompendium.web.roles import is_secretariat

    if is_secretariat(user):
        return None
    tokens = ["public"]
    if getattr(user, "is_authenticated", False):
        for provider in _access_providers:
            tokens += [t for t in provider(user) if t not in tokens]
    return tokens


def label(name: str) -> str:
    return str(LABELS.get(name, name))


def get(name: str) -> Kind | None:
    return _kinds.get(name)


def urls_for(hits: Sequence) -> dict[tuple[str, str], str]:
    """{(kind, key): url} for a page of hits."""
    by_kind: dict[str, list[str]] = {}
    for hit in hits:
        by_kind.setdefault(hit.kind, []).append(hit.key)
    found: dict[tuple[str, str], str] = {}
    for name, keys in by_kind.items():
        kind = _kinds.get(name)
        if kind is None:
            continue
        for key, url in kind.urls(keys).items():
            found[(name, key)] = url
    return found
