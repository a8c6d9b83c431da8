"""PostgreSQL full-text engine: the generated ``search_document.tsv`` column (title
weight A, body weight B, 'simple' configuration: no stemming, like FTS5's unicode61),
a GIN index, ``ts_rank`` and ``ts_headline``."""

from __future__ import annotations

from iocompendium.search.backends.base import Backend
from iocompendium.search.types import MARK_END, MARK_START, Hit, Terms, marked_to_html

HEADLINE_OPTIONS = (
    f'StartSel="{MARK_START}", StopSel="{MARK_END}", MaxWords=24, MinWords=8, '
    'MaxFragments=2, FragmentDelimiter=" … "'
)
TITLE_OPTIONS = f'StartSel="{MARK_START}", StopSel="{MARK_END}", HighlightAll=TRUE'


def tsquery_sql(terms: Terms) -> tuple[str, list]:
    """A tsquery expression ANDing every word and phrase (bound parameters only)."""
    parts = ["plainto_tsquery('simple', %s)"] * len(terms.words)
    parts += ["phraseto_tsquery('simple', %s)"] * len(terms.phrases)
    params = list(terms.words) + [" ".join(p) for p in terms.phrases]
    return "(" + " && ".join(parts) + ")", params


class PostgresBackend(Backend):
    vendor = "postgresql"

    def _match_sql(self, terms: Terms) -> tuple[str, list]:
        sql, params = tsquery_sql(terms)
        return f"d.tsv @@ {sql}", params

    def _match_ids_sql(self, terms: Terms) -> tuple[str, list]:
        sql, params = tsquery_sql(terms)
        return f"SELECT id FROM search_document WHERE tsv @@ {sql}", params  # noqa: S608 - placeholders only

    def _ranked(self, cursor, terms, allowed, limit) -> list[tuple[int, float]]:
        query_sql, query_params = tsquery_sql(terms)
        restrict, extra = ("", [])
        if allowed is not None:
            restrict, extra = " AND d.id = ANY(%s)", [[int(i) for i in allowed]]
        cursor.execute(
            "SELECT d.id, ts_rank(d.tsv, tsq.q) AS rank FROM search_document d, "  # noqa: S608 - placeholders only
            f"(SELECT {query_sql} AS q) AS tsq WHERE d.tsv @@ tsq.q{restrict} "
            "ORDER BY rank DESC, d.id LIMIT %s",
            [*query_params, *extra, limit],
        )
        return [(row[0], float(row[1])) for row in cursor.fetchall()]

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
        query_sql, query_params = tsquery_sql(terms)
        cursor.execute(
            "WITH hits AS (SELECT d.id, d.key, d.title, d.body, ts_rank(d.tsv, tsq.q) AS rank, "  # noqa: S608 - only placeholders and fixed SQL are interpolated
            f"tsq.q AS q FROM search_document d, (SELECT {query_sql} AS q) AS tsq "
            f"WHERE {where} "
            "ORDER BY rank DESC, d.id LIMIT %s OFFSET %s) "
            "SELECT key, title, rank, ts_headline('simple', title, q, %s), "
            "ts_headline('simple', body, q, %s) FROM hits ORDER BY rank DESC, id",
            [*query_params, *params, limit, offset, TITLE_OPTIONS, HEADLINE_OPTIONS],
        )
        return [
            Hit(kind, key, title, marked_to_html(title_marked), marked_to_html(snippet), rank)
            for key, title, rank, title_marked, snippet in cursor.fetchall()
        ]
