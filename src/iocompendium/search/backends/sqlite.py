"""SQLite FTS5 engine: ``search_fts`` is an external-content FTS5 table over
``search_document``; ranked by bm25 (title weighted 10x). New documents enter the index
with one INSERT ... SELECT per batch (_index_text); deletes and updates are kept in step
by triggers (they need the old text, which only the trigger has).

The search over every kind (``matching_ids``, ``ranked_ids``, ``match_and_rank``) ranks
queries of plain words in process (``search.wordindex``: the same bm25 scores from the
index's postings, without FTS5's cost per matching row); phrases go to FTS5."""

from __future__ import annotations

import json

import numpy as np

from iocompendium.search import wordindex
from iocompendium.search.backends.base import Backend
from iocompendium.search.types import MARK_END, MARK_START, Hit, Terms, marked_to_html

RANK = "bm25(search_fts, 10.0, 1.0)"


def fts5_query(terms: Terms) -> str:
    """An FTS5 MATCH expression where every word and phrase is a quoted string (ANDed)."""

    def quoted(tokens) -> str:
        return '"' + " ".join(t.replace('"', '""') for t in tokens) + '"'

    parts = [quoted([word]) for word in terms.words]
    parts += [quoted(phrase) for phrase in terms.phrases]
    return " AND ".join(parts)


class SqliteBackend(Backend):
    vendor = "sqlite"
    in_process = True  # rank plain words with search.wordindex (False: always FTS5)

    def _word_index(self, terms: Terms
                    ) -> tuple[wordindex.WordIndex, list[str]] | tuple[None, None]:
        tokens = wordindex.query_tokens(terms) if self.in_process else None
        if tokens is None:
            return None, None
        return wordindex.current(), tokens

    def matching_ids(self, terms: Terms) -> np.ndarray:
        index, tokens = self._word_index(terms)
        if index is None:
            return super().matching_ids(terms)
        return index.matches(tokens)[0]

    def ranked_ids(self, terms: Terms, allowed: np.ndarray | None, limit: int
                   ) -> list[tuple[int, float]]:
        index, tokens = self._word_index(terms)
        if index is None:
            return super().ranked_ids(terms, allowed, limit)
        return index.ranked(tokens, allowed, limit)[1]

    def match_and_rank(self, terms: Terms, limit: int
                       ) -> tuple[np.ndarray, list[tuple[int, float]]]:
        index, tokens = self._word_index(terms)
        if index is None:
            return super().match_and_rank(terms, limit)
        return index.ranked(tokens, None, limit)

    def _index_text(self, cursor, last_id: int) -> None:
        cursor.execute(
            "INSERT INTO search_fts(rowid, title, body) "
            "SELECT id, title, body FROM search_document WHERE id > %s",
            [last_id],
        )

    def _match_sql(self, terms: Terms) -> tuple[str, list]:
        return (
            "d.id IN (SELECT rowid FROM search_fts WHERE search_fts MATCH %s)",
            [fts5_query(terms)],
        )

    def _match_ids_sql(self, terms: Terms) -> tuple[str, list]:
        return "SELECT rowid FROM search_fts WHERE search_fts MATCH %s", [fts5_query(terms)]

    def _matching_ids(self, cursor, terms: Terms) -> np.ndarray:
        # One string of ids parsed by NumPy: a Python row per match costs 3-4x more at
        # 50,000 matches.
        cursor.execute(
            "SELECT group_concat(rowid) FROM search_fts WHERE search_fts MATCH %s",
            [fts5_query(terms)],
        )
        text = cursor.fetchone()[0]
        if not text:
            return np.empty(0, dtype=np.int64)
        return np.fromstring(text, dtype=np.int64, sep=",")

    def _ranked(self, cursor, terms, allowed, limit) -> list[tuple[int, float]]:
        query = fts5_query(terms)
        if allowed is None:
            cursor.execute(
                f"SELECT rowid, {RANK} AS rank FROM search_fts WHERE search_fts MATCH %s "  # noqa: S608 - a constant
                "ORDER BY rank, rowid LIMIT %s",
                [query, limit],
            )
        else:
            cursor.execute(
                f"SELECT rowid, {RANK} AS rank FROM search_fts WHERE search_fts MATCH %s "  # noqa: S608 - a constant
                "AND +rowid IN (SELECT value FROM json_each(%s)) ORDER BY rank, rowid LIMIT %s",
                [query, json.dumps(allowed.tolist()), limit],
            )
        return [(row[0], -row[1]) for row in cursor.fetchall()]

    def _hits(self, cursor, kind, terms, where, params, limit, offset, *, allowed=None
              ) -> list[Hit]:
        if not terms:
            cursor.execute(
                f"SELECT d.key, d.title, substr(d.body, 1, 200) FROM search_document d "  # noqa: S608
                f"WHERE {where} ORDER BY d.title, d.id LIMIT %s OFFSET %s",
                [*params, limit, offset],
            )
            return [
                Hit(kind, key, title, marked_to_html(title), marked_to_html(body), 0.0)
                for key, title, body in cursor.fetchall()
            ]
        query = fts5_query(terms)
        # First the page of ids by rank (bm25 only), then titles and snippets for that
        # page alone: in one statement SQLite would build them for every match it sorts.
        if allowed is None:
            cursor.execute(
                f"SELECT rowid, {RANK} AS rank FROM search_fts WHERE search_fts MATCH %s "  # noqa: S608 - a constant
                "ORDER BY rank, rowid LIMIT %s OFFSET %s",
                [query, limit, offset],
            )
        else:
            # The ids that passed the facets (known from the facet table) as one JSON
            # list; "+rowid" keeps SQLite from driving the FTS5 scan by that list, which
            # would run one full-text lookup per id.
            cursor.execute(
                f"SELECT rowid, {RANK} AS rank FROM search_fts WHERE search_fts MATCH %s "  # noqa: S608 - a constant
                "AND +rowid IN (SELECT value FROM json_each(%s)) "
                "ORDER BY rank, rowid LIMIT %s OFFSET %s",
                [query, json.dumps(allowed.tolist()), limit, offset],
            )
        ranked = cursor.fetchall()
        if not ranked:
            return []
        marks = ", ".join(["%s"] * len(ranked))
        cursor.execute(
            "SELECT d.id, d.key, d.title, highlight(search_fts, 0, %s, %s), "  # noqa: S608 - only placeholders are interpolated
            "snippet(search_fts, 1, %s, %s, '…', 16) FROM search_fts "
            "JOIN search_document d ON d.id = search_fts.rowid "
            f"WHERE search_fts MATCH %s AND search_fts.rowid IN ({marks})",
            [MARK_START, MARK_END, MARK_START, MARK_END, query, *[r[0] for r in ranked]],
        )
        shown = {row[0]: row[1:] for row in cursor.fetchall()}
        return [
            Hit(kind, key, title, marked_to_html(title_marked), marked_to_html(snippet), -rank)
            for doc_id, rank in ranked
            for key, title, title_marked, snippet in [shown[doc_id]]
        ]
