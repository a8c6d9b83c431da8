"""An in-process table of every document's facet values, per kind, for fast counting.

Counting facets in SQL costs one index lookup per (document, facet value) of the
matches: over 100,000 documents a broad query touches close to a million rows. Here the
facet values of a kind are loaded once per process into NumPy arrays; a query's counts
are then a few gathers and ``bincount`` calls. A facet with at most one value per
document is one code per document (a gather of the matching rows); a multi-valued facet
is kept in compressed-row form. The table is reloaded when the kind's generation number
(bumped in the same transaction as every write) has changed.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from django.db import connection

_lock = threading.Lock()
_tables: dict[tuple[str, str], FacetTable] = {}
# A dense id -> row lookup costs 4 bytes per id up to the largest id; beyond this many
# ids per document (ids left behind by deletions), binary search is used instead.
DENSE_RATIO = 16
DENSE_SLACK = 1024


@dataclass
class Facet:
    """The values of one facet: ``single[row]`` is a row's code (``len(values)``: none),
    or, when some row has several values, one entry per value: ``codes`` and the row it
    belongs to, ``owner``."""

    values: list[str]
    single: np.ndarray | None = None
    codes: np.ndarray | None = None
    owner: np.ndarray | None = None

    def rows_having(self, rows: np.ndarray, wanted: np.ndarray, n_rows: int) -> np.ndarray:
        """The rows having at least one of the ``wanted`` codes."""
        hit = np.zeros(len(self.values) + 1, dtype=bool)
        hit[wanted] = True
        if self.single is not None:
            return rows[hit[self.single[rows]]]
        has = np.zeros(n_rows, dtype=bool)
        has[self.owner[hit[self.codes]]] = True
        return rows[has[rows]]

    def count(self, rows: np.ndarray, selected: np.ndarray | None) -> np.ndarray:
        """Number of the rows having each code (one extra last bin: no value)."""
        size = len(self.values) + 1
        if self.single is not None:
            return np.bincount(self.single[rows], minlength=size)
        return np.bincount(self.codes[selected[self.owner]], minlength=size)


@dataclass
class FacetTable:
    generation: int
    doc_ids: np.ndarray  # sorted document ids of the kind
    facets: dict[str, Facet]
    row_of_id: np.ndarray | None = None  # dense: row of every id (-1: not of this kind)
    _all_counts: dict[str, dict[str, int]] | None = field(default=None, repr=False)

    def positions(self, ids: np.ndarray) -> np.ndarray:
        """Sorted rows of the given document ids that belong to this kind."""
        if not len(ids) or not len(self.doc_ids):
            return np.empty(0, dtype=np.int64)
        if self.row_of_id is not None:
            ids = ids[(ids >= 0) & (ids < len(self.row_of_id))]
            rows = self.row_of_id[ids]
            rows = rows[rows >= 0].astype(np.int64)
        else:
            where = np.clip(np.searchsorted(self.doc_ids, ids), 0, len(self.doc_ids) - 1)
            rows = where[self.doc_ids[where] == ids]
        if len(rows) > 1 and not np.all(rows[1:] > rows[:-1]):
            rows = np.unique(rows)
        return rows

    def filter(self, rows: np.ndarray, facets: Mapping[str, Sequence[str]]) -> np.ndarray:
        """Rows having, for every facet asked, at least one of its values."""
        for name, wanted in facets.items():
            facet = self.facets.get(name)
            index = {v: i for i, v in enumerate(facet.values)} if facet else {}
            codes = [index[v] for v in wanted if v in index]
            if not codes:
                return np.empty(0, dtype=np.int64)
            rows = facet.rows_having(rows, np.array(codes), len(self.doc_ids))
        return rows

    def values_of(self, row: int, name: str) -> list[str]:
        """The values of facet ``name`` of one row."""
        facet = self.facets.get(name)
        if facet is None:
            return []
        if facet.single is not None:
            code = int(facet.single[row])
            return [facet.values[code]] if code < len(facet.values) else []
        return [facet.values[int(c)] for c in facet.codes[facet.owner == row]]

    def count(self, rows: np.ndarray, only: Sequence[str] | None = None
              ) -> dict[str, dict[str, int]]:
        """{facet: {value: number of the rows having it}} (of the facets ``only``, or all)."""
        if not len(rows):
            return {}
        if len(rows) == len(self.doc_ids):  # every document: counted once per table
            if self._all_counts is None:
                self._all_counts = self._count(rows)
            return {name: dict(values) for name, values in self._all_counts.items()
                    if only is None or name in only}
        return self._count(rows, only)

    def _count(self, rows: np.ndarray, only: Sequence[str] | None = None
               ) -> dict[str, dict[str, int]]:
        facets = {name: f for name, f in self.facets.items() if only is None or name in only}
        selected = None
        if any(f.single is None for f in facets.values()):
            selected = np.zeros(len(self.doc_ids), dtype=bool)
            selected[rows] = True
        result: dict[str, dict[str, int]] = {}
        for name, facet in facets.items():
            counts = facet.count(rows, selected)[: len(facet.values)]
            found = {facet.values[code]: int(counts[code]) for code in np.nonzero(counts)[0]}
            if found:
                result[name] = found
        return result


def generation(kind: str) -> int:
    with connection.cursor() as cursor:
        cursor.execute("SELECT number FROM search_generation WHERE kind = %s", [kind])
        row = cursor.fetchone()
    return int(row[0]) if row else 0


def bump(cursor, kind: str) -> None:
    """Mark the kind's cached tables stale (call inside the writing transaction).

    The new number is random, not +1: a database rebuilt from scratch (tests, a new data
    folder) must never reach a number a process has cached for other contents."""
    number = secrets.randbits(62)
    cursor.execute("UPDATE search_generation SET number = %s WHERE kind = %s", [number, kind])
    if cursor.rowcount == 0:
        cursor.execute("INSERT INTO search_generation (kind, number) VALUES (%s, %s)",
                       [kind, number])


def table(kind: str) -> FacetTable:
    key = (connection.alias + ":" + str(connection.settings_dict.get("NAME")), kind)
    current = generation(kind)
    cached = _tables.get(key)
    if cached is not None and cached.generation == current:
        return cached
    with _lock:
        loaded = _load(kind, current)
        _tables[key] = loaded
        return loaded


def _load(kind: str, number: int) -> FacetTable:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id FROM search_document WHERE kind = %s ORDER BY id", [kind]
        )
        doc_ids = np.array([row[0] for row in cursor.fetchall()], dtype=np.int64)
        cursor.execute(
            "SELECT f.facet, f.value, f.document_id FROM search_facetvalue f "
            "JOIN search_document d ON d.id = f.document_id WHERE d.kind = %s "
            "ORDER BY f.facet, f.document_id",
            [kind],
        )
        rows = cursor.fetchall()
    facets: dict[str, Facet] = {}
    start = 0
    while start < len(rows):
        name = rows[start][0]
        end = start
        while end < len(rows) and rows[end][0] == name:
            end += 1
        facets[name] = _facet(rows[start:end], doc_ids)
        start = end
    row_of_id = None
    if len(doc_ids) and doc_ids[-1] < DENSE_RATIO * len(doc_ids) + DENSE_SLACK:
        row_of_id = np.full(int(doc_ids[-1]) + 1, -1, dtype=np.int32)
        row_of_id[doc_ids] = np.arange(len(doc_ids), dtype=np.int32)
    return FacetTable(number, doc_ids, facets, row_of_id)


def _facet(rows: list[tuple[str, str, int]], doc_ids: np.ndarray) -> Facet:
    """One facet from its (facet, value, document id) rows, ordered by document id."""
    code_of: dict[str, int] = {}
    codes = np.empty(len(rows), dtype=np.int32)
    for i, (_, value, _) in enumerate(rows):
        codes[i] = code_of.setdefault(value, len(code_of))
    owner = np.searchsorted(doc_ids, np.fromiter((r[2] for r in rows), np.int64, len(rows)))
    values = list(code_of)
    if len(owner) < 2 or np.all(owner[1:] > owner[:-1]):  # at most one value per row
        single = np.full(len(doc_ids), len(values), dtype=np.int32)
        single[owner] = codes
        return Facet(values, single=single)
    return Facet(values, codes=codes, owner=owner)
