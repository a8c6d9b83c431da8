"""The one search interface of iocompendium: full-text search with facets.

Any app indexes its own records under a ``kind`` (e.g. ``"instrument"``,
``"practice"``) and queries them; the engine is chosen by
``settings.IOCOMPENDIUM_SEARCH_BACKEND``: ``"sqlite"`` (FTS5, the default) or
``"postgres"`` (PostgreSQL full-text), which the settings derive from the database.

Writing::

    from iocompendium import search
    search.index("practice", "42",
                 fields={"title": "Public consultation", "description": "..."},
                 facets={"theme": "stakeholders", "organisation": ["OECD"]})
    search.index_many("practice", [search.Entry(key, fields, facets), ...])  # bulk
    search.remove("practice", "42")
    search.remove_all("practice")
    search.set_facet("practice", "theme", {"42": "evaluation"})  # replace one facet

``fields["title"]`` is the title (ranked higher); every other field goes into the
body. A facet value is a string or a list of strings (multi-valued facet).

Reading::

    result = search.query("practice", 'consultation "impact assessment"',
                          facets={"theme": ["stakeholders"]}, limit=20, offset=0)
    result.total                 # number of matching records
    result.facets                # {facet: {value: count}} over all matches, by count
    result.results               # [Hit(kind, key, title, title_html, snippet, score)]

Query syntax: words are ANDed, "quoted phrases" match as phrases; matching is on whole
words, case- and accent-insensitive, without stemming. Every other character is
dropped, so no user input raises a syntax error. An empty query with facets browses
(ordered by title). Within one facet, several values are ORed; facets are ANDed.
``title_html`` and ``snippet`` are safe HTML: the text is escaped and only the
``<mark>`` tags around matches are left as markup. Ranking: bm25 on SQLite, ts_rank on
PostgreSQL; ties by insertion order.

All writes run inside the caller's transaction (atomic): an import that fails leaves
the index as it was. Once it commits, the task worker embeds the new and changed records
(``search.tasks.embed_stale_task``); the writer never waits for an embedding.

One search over every kind, by words and meaning (see ``search.hybrid``)::

    result = search.find("consultation des parties prenantes", mode="hybrid",
                         kinds=["practice", "instrument"], access=["public"], lang="fr")
    result.total, result.by_kind, result.by_language, result.notice
    result.results               # [SearchHit(kind, key, title, language, score, matched...)]
    search.more_like_this("practice", "oecd-consultation", access=["public"])

The embedding interface other apps may use: ``iocompendium.search.embedder``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from django.db import connection, transaction

from iocompendium.search.types import (
    PUBLIC,
    Entry,
    FacetValues,
    Hit,
    SearchResult,
    Terms,
    parse_query,
)

__all__ = [
    "PUBLIC",
    "Entry",
    "Hit",
    "SearchResult",
    "Terms",
    "index",
    "embed_stale",
    "find",
    "index_many",
    "more_like_this",
    "parse_query",
    "query",
    "remove",
    "remove_all",
    "set_facet",
]


def _backend():
    from iocompendium.search.backends import get_backend

    return get_backend()


def index(
    kind: str, key: str, fields: Mapping[str, str], facets: Mapping[str, FacetValues] | None = None
) -> None:
    """Index (or re-index) one record."""
    _backend().index_many(kind, [Entry(str(key), dict(fields), dict(facets or {}))])
    schedule_embedding()


def index_many(kind: str, entries: Iterable[Entry]) -> int:
    """Index (or re-index) many records at once; returns how many."""
    count = _backend().index_many(kind, entries)
    schedule_embedding()
    return count


def schedule_embedding() -> None:
    """Hand the embedding of stale records to the task worker once the caller's
    transaction commits (one task per transaction, however many records it wrote)."""
    pending = getattr(connection, "run_on_commit", [])
    if any(item[1] is _enqueue_embedding for item in pending):
        return
    transaction.on_commit(_enqueue_embedding)


def _enqueue_embedding() -> None:
    from iocompendium.search.tasks import embed_stale_task

    try:
        embed_stale_task.enqueue()
    except Exception:  # noqa: BLE001 - no task backend: 'search reindex' embeds later
        import logging

        logging.getLogger(__name__).warning("Could not queue the embedding of new records")


def remove(kind: str, key: str | Sequence[str]) -> None:
    """Take one record (or a list of keys) out of the index."""
    keys = [key] if isinstance(key, str) else [str(k) for k in key]
    _backend().remove(kind, keys)


def remove_all(kind: str) -> None:
    _backend().remove_all(kind)


def set_facet(kind: str, facet: str, values: Mapping[str, FacetValues]) -> None:
    """Replace one facet of every record of ``kind`` by ``values`` ({key: value(s)})."""
    _backend().set_facet(kind, facet, values)


def query(
    kind: str,
    text: str = "",
    facets: Mapping[str, str | Sequence[str]] | None = None,
    limit: int = 20,
    offset: int = 0,
    access: Sequence[str] | None = None,
) -> SearchResult:
    """Search ``kind``: total, facet counts and one page of ranked, highlighted hits.
    With ``access``, only records having one of those access tokens are found (callers
    may filter on the ``access`` facet themselves); the ``access`` and ``language``
    facets are counted only when asked as filters."""
    wanted = {
        name: [values] if isinstance(values, str) else list(values)
        for name, values in (facets or {}).items()
    }
    if access is not None:
        wanted["access"] = list(access) or [PUBLIC]
    limit = max(0, min(int(limit), 1000))
    offset = max(0, int(offset))
    result = _backend().query(kind, parse_query(text), wanted, limit, offset)
    for internal in ("access", "language"):
        if internal not in (facets or {}):
            result.facets.pop(internal, None)
    return result


def find(text: str, **options):
    """One search over every kind by words and meaning: see ``search.hybrid.search``."""
    from iocompendium.search import hybrid

    return hybrid.search(text, **options)


def more_like_this(kind: str, key: str, **options):
    """The records nearest in meaning to one record: see ``search.hybrid.more_like_this``."""
    from iocompendium.search import hybrid

    return hybrid.more_like_this(kind, key, **options)


def embed_stale(kind: str | None = None) -> int:
    """Embed now every record whose vector is missing or out of date (commands such as
    publish, which must not wait for the task worker); 0 when meaning is unavailable."""
    from iocompendium.search import embedder, vectors

    try:
        return vectors.embed_stale(kind)
    except embedder.EmbedderUnavailable:
        return 0
