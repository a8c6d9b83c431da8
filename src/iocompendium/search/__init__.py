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
the index as it was.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

from iocompendium.search.types import (
    Entry,
    FacetValues,
    Hit,
    SearchResult,
    Terms,
    parse_query,
)

__all__ = [
    "Entry",
    "Hit",
    "SearchResult",
    "Terms",
    "index",
    "index_many",
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


def index_many(kind: str, entries: Iterable[Entry]) -> int:
    """Index (or re-index) many records at once; returns how many."""
    return _backend().index_many(kind, entries)


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
) -> SearchResult:
    """Search ``kind``: total, facet counts and one page of ranked, highlighted hits."""
    wanted = {
        name: [values] if isinstance(values, str) else list(values)
        for name, values in (facets or {}).items()
    }
    limit = max(0, min(int(limit), 1000))
    offset = max(0, int(offset))
    return _backend().query(kind, parse_query(text), wanted, limit, offset)
