"""What both engines share: writing documents and facets, counting facets.

Bulk writes use ``executemany`` on the raw cursor: 100,000 documents with 8 facet values
each are 900,000 rows, too many for model instances.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence

import numpy as np
from django.db import connection, transaction

from iocompendium.search import facetcache
from iocompendium.search.types import Entry, FacetValues, SearchResult, Terms, facet_pairs

BATCH = 5000


class Backend:
    vendor = ""

    # --- writing -------------------------------------------------------------------
    def index_many(self, kind: str, entries: Iterable[Entry]) -> int:
        """Insert or replace the documents of ``entries``; returns how many."""
        count = 0
        with transaction.atomic():
            batch: list[Entry] = []
            for entry in entries:
                batch.append(entry)
                if len(batch) >= BATCH:
                    count += self._write_batch(kind, batch)
                    batch = []
            if batch:
                count += self._write_batch(kind, batch)
        return count

    def _write_batch(self, kind: str, entries: Sequence[Entry]) -> int:
        keys = [e.key for e in entries]
        with connection.cursor() as cursor:
            facetcache.bump(cursor, kind)
            self._delete_keys(cursor, kind, keys)
            cursor.execute("SELECT coalesce(max(id), 0) FROM search_document")
            last_id = cursor.fetchone()[0]
            cursor.executemany(
                "INSERT INTO search_document (kind, key, title, body, title_fr, text_hash) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                [(kind, e.key, e.title, e.body, e.title_fr or None, e.text_hash)
                 for e in entries],
            )
            self._index_text(cursor, last_id)
            ids = self._ids_of(cursor, kind, keys)
            rows = [
                (ids[e.key], facet, value) for e in entries for facet, value in e.facet_rows()
            ]
            cursor.executemany(
                "INSERT INTO search_facetvalue (document_id, facet, value) VALUES (%s, %s, %s)",
                rows,
            )
        return len(entries)

    def _ids_of(self, cursor, kind: str, keys: Sequence[str]) -> dict[str, int]:
        ids: dict[str, int] = {}
        for start in range(0, len(keys), 900):
            chunk = keys[start : start + 900]
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(
                f"SELECT key, id FROM search_document WHERE kind = %s AND key IN ({marks})",  # noqa: S608
                [kind, *chunk],
            )
            ids.update(dict(cursor.fetchall()))
        return ids

    def _delete_keys(self, cursor, kind: str, keys: Sequence[str]) -> None:
        for start in range(0, len(keys), 900):
            chunk = list(keys[start : start + 900])
            marks = ", ".join(["%s"] * len(chunk))
            where = f"kind = %s AND key IN ({marks})"
            cursor.execute(
                "DELETE FROM search_facetvalue WHERE document_id IN "  # noqa: S608 - only placeholders and fixed SQL are interpolated
                f"(SELECT id FROM search_document WHERE {where})",  # noqa: S608
                [kind, *chunk],
            )
            cursor.execute(f"DELETE FROM search_document WHERE {where}", [kind, *chunk])  # noqa: S608

    def remove(self, kind: str, keys: Sequence[str]) -> None:
        """Take records out, with their vectors (remove_all keeps a kind's vectors: it
        is how apps rebuild a kind, and unchanged texts must not be embedded again)."""
        with transaction.atomic(), connection.cursor() as cursor:
            facetcache.bump(cursor, kind)
            self._delete_keys(cursor, kind, list(keys))
            for start in range(0, len(keys), 900):
                chunk = list(keys[start : start + 900])
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(
                    f"DELETE FROM search_vector WHERE kind = %s AND key IN ({marks})",  # noqa: S608
                    [kind, *chunk],
                )

    def remove_all(self, kind: str) -> None:
        with transaction.atomic(), connection.cursor() as cursor:
            facetcache.bump(cursor, kind)
            cursor.execute(
                "DELETE FROM search_facetvalue WHERE document_id IN "
                "(SELECT id FROM search_document WHERE kind = %s)",
                [kind],
            )
            cursor.execute("DELETE FROM search_document WHERE kind = %s", [kind])

    def set_facet(self, kind: str, facet: str, values: Mapping[str, FacetValues]) -> None:
        """Replace one facet of every document of ``kind`` (keys absent: no value)."""
        with transaction.atomic(), connection.cursor() as cursor:
            facetcache.bump(cursor, kind)
            cursor.execute(
                "DELETE FROM search_facetvalue WHERE facet = %s AND document_id IN "
                "(SELECT id FROM search_document WHERE kind = %s)",
                [facet, kind],
            )
            cursor.execute("SELECT key, id FROM search_document WHERE kind = %s", [kind])
            ids = dict(cursor.fetchall())
            rows = [
                (ids[key], name, value)
                for key, given in values.items()
                if key in ids
                for name, value in facet_pairs({facet: given})
            ]
            cursor.executemany(
                "INSERT INTO search_facetvalue (document_id, facet, value) VALUES (%s, %s, %s)",
                rows,
            )

    # --- reading -------------------------------------------------------------------
    def query(
        self,
        kind: str,
        terms: Terms,
        facets: Mapping[str, Sequence[str]],
        limit: int,
        offset: int,
    ) -> SearchResult:
        table = facetcache.table(kind)
        wanted = {k: v for k, v in facets.items() if v}
        with connection.cursor() as cursor:
            if terms:
                ids = self._matching_ids(cursor, terms)
                rows = table.positions(ids)
            else:
                ids = None
                rows = np.arange(len(table.doc_ids))
            rows = table.filter(rows, wanted)
            total = len(rows)
            counts = _ordered(table.count(rows))
            hits = []
            if total and limit:
                # The ids the ranking may return; None: every match of the text (all are
                # documents of this kind and no facet is asked).
                allowed = None if ids is None or total == len(ids) else table.doc_ids[rows]
                where, params = self._filter_sql(kind, terms, wanted)
                hits = self._hits(cursor, kind, terms, where, params, limit, offset,
                                  allowed=allowed)
        return SearchResult(total=total, facets=counts, results=hits)

    def _matching_ids(self, cursor, terms: Terms) -> np.ndarray:
        """Ids of the documents (of any kind) matching ``terms``."""
        sql, params = self._match_ids_sql(terms)
        cursor.execute(sql, params)
        return np.fromiter((row[0] for row in cursor.fetchall()), dtype=np.int64)

    def _filter_sql(
        self, kind: str, terms: Terms, facets: Mapping[str, Sequence[str]]
    ) -> tuple[str, list]:
        clauses = ["d.kind = %s"]
        params: list = [kind]
        if terms:
            match_sql, match_params = self._match_sql(terms)
            clauses.append(match_sql)
            params.extend(match_params)
        for facet, values in sorted(facets.items()):
            values = [v for v in values if v]
            if not values:
                continue
            marks = ", ".join(["%s"] * len(values))
            clauses.append(
                "d.id IN (SELECT document_id FROM search_facetvalue "  # noqa: S608 - only placeholders and fixed SQL are interpolated
                f"WHERE facet = %s AND value IN ({marks}))"
            )
            params.extend([facet, *values])
        return " AND ".join(clauses), params

    def ranked_ids(self, terms: Terms, allowed: np.ndarray | None, limit: int
                   ) -> list[tuple[int, float]]:
        """[(document id, score)] of the best ``limit`` matches of ``terms`` over every
        kind, best first, among ``allowed`` ids (None: all). Higher score: better."""
        with connection.cursor() as cursor:
            return self._ranked(cursor, terms, allowed, limit)

    def matching_ids(self, terms: Terms) -> np.ndarray:
        with connection.cursor() as cursor:
            return self._matching_ids(cursor, terms)

    def match_and_rank(self, terms: Terms, limit: int
                       ) -> tuple[np.ndarray, list[tuple[int, float]]]:
        """(ids of every document matching ``terms``, ascending; the best ``limit`` of
        them as in ``ranked_ids``)."""
        matched = np.unique(np.asarray(self.matching_ids(terms), dtype=np.int64))
        return matched, self.ranked_ids(terms, None, limit) if len(matched) else []

    # --- engine-specific -------------------------------------------------------------
    def _ranked(self, cursor, terms: Terms, allowed: np.ndarray | None, limit: int
                ) -> list[tuple[int, float]]:
        raise NotImplementedError

    def _index_text(self, cursor, last_id: int) -> None:
        """Add the documents inserted after ``last_id`` to the full-text index (the
        caller holds the write lock, so new ids are above it). PostgreSQL: nothing to do,
        the tsvector column is generated."""
    def _match_sql(self, terms: Terms) -> tuple[str, list]:
        raise NotImplementedError

    def _match_ids_sql(self, terms: Terms) -> tuple[str, list]:
        raise NotImplementedError

    def _hits(self, cursor, kind, terms, where, params, limit, offset, *, allowed=None
              ) -> list:
        """One page of hits; ``allowed``: the document ids that pass (None: every match
        of ``terms``), an alternative to ``where`` for engines that can use it."""
        raise NotImplementedError


def _ordered(counts: dict[str, dict[str, int]]) -> dict[str, dict[str, int]]:
    """Facets by name; values by count (most first), then by value."""
    return {
        facet: dict(sorted(values.items(), key=lambda kv: (-kv[1], kv[0])))
        for facet, values in sorted(counts.items())
    }
