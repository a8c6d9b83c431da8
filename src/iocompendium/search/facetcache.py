"""An in-process table of every document's facet values, per kind, for fast counting.

Counting facets in SQL costs one index lookup per (document, facet value) of the
matches: over 100,000 documents a broad query touches close to a million rows. Here the
facet values of a kind are loaded once per process into NumPy arrays (documents x codes,
in compressed-row form); a query's counts are then one gather and one ``bincount``. The
table is reloaded when the kind's generation number (bumped in the same transaction as
every write) has changed.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
from django.db import connection

_lock = threading.Lock()
_tables: dict[tuple[str, str], FacetTable] = {}


@dataclass
class FacetTable:
    generation: int
    doc_ids: np.ndarray  # sorted document ids of the kind
    offsets: np.ndarray  # codes of document i: codes[offsets[i]:offsets[i + 1]]
    codes: np.ndarray
    values: list[tuple[str, str]]  # code -> (facet, value)
    code_of: dict[tuple[str, str], int]
    _owner: np.ndarray | None = None

    def positions(self, ids: np.ndarray) -> np.ndarray:
        """Row positions of the given document ids that belong to this kind."""
        if not len(ids) or not len(self.doc_ids):
            return np.empty(0, dtype=np.int64)
        where = np.searchsorted(self.doc_ids, ids)
        where = np.clip(where, 0, len(self.doc_ids) - 1)
        return np.unique(where[self.doc_ids[where] == ids])

    @property
    def owner(self) -> np.ndarray:
        """For every code entry, the row position of its document."""
        if self._owner is None:
            self._owner = np.repeat(np.arange(len(self.doc_ids)), np.diff(self.offsets))
        return self._owner

    def filter(self, rows: np.ndarray, facets: Mapping[str, Sequence[str]]) -> np.ndarray:
        """Rows having, for every facet asked, at least one of its values."""
        for facet, wanted in facets.items():
            wanted_codes = [self.code_of[(facet, v)] for v in wanted if (facet, v) in self.code_of]
            if not wanted_codes:
                return np.empty(0, dtype=np.int64)
            hit = np.zeros(len(self.values), dtype=bool)
            hit[wanted_codes] = True
            has = np.zeros(len(self.doc_ids), dtype=bool)
            has[self.owner[hit[self.codes]]] = True
            rows = rows[has[rows]]
        return rows

    def count(self, rows: np.ndarray) -> dict[str, dict[str, int]]:
        """{facet: {value: number of the rows having it}}."""
        if not len(rows) or not len(self.codes):
            return {}
        selected = np.zeros(len(self.doc_ids), dtype=bool)
        selected[rows] = True
        counts = np.bincount(self.codes[selected[self.owner]], minlength=len(self.values))
        result: dict[str, dict[str, int]] = {}
        for code in np.nonzero(counts)[0]:
            facet, value = self.values[code]
            result.setdefault(facet, {})[value] = int(counts[code])
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
            "SELECT f.document_id, f.facet, f.value FROM search_facetvalue f "
            "JOIN search_document d ON d.id = f.document_id WHERE d.kind = %s "
            "ORDER BY f.document_id",
            [kind],
        )
        rows = cursor.fetchall()
    code_of: dict[tuple[str, str], int] = {}
    values: list[tuple[str, str]] = []
    doc_of = np.empty(len(rows), dtype=np.int64)
    codes = np.empty(len(rows), dtype=np.int32)
    for i, (doc_id, facet, value) in enumerate(rows):
        pair = (facet, value)
        code = code_of.get(pair)
        if code is None:
            code = code_of[pair] = len(values)
            values.append(pair)
        doc_of[i] = doc_id
        codes[i] = code
    positions = np.searchsorted(doc_ids, doc_of)
    offsets = np.zeros(len(doc_ids) + 1, dtype=np.int64)
    np.add.at(offsets, positions + 1, 1)
    offsets = np.cumsum(offsets)
    return FacetTable(number, doc_ids, offsets, codes, values, code_of)
