"""SQLite's word ranking computed in process: FTS5's ``bm25`` over postings held in NumPy.

FTS5 evaluates ``bm25()`` on every row that matches, whatever the LIMIT (about 1.1 µs a
row: the row's position lists and its size record are read); a word found in half of
100,000 records costs 30-60 ms per query. Here the index's postings are read once per
index state from FTS5 itself (the ``fts5vocab`` instance table: the engine's own
tokens, no tokenizer of ours), as one weighted frequency per (term, record); a query
then scores its matches with NumPy in a few milliseconds.

The score is FTS5's, computed the same way (same formula, same order of operations,
same totals read from the index), so rankings are identical, ties broken by record id
as ``ORDER BY rank, rowid`` does (tested against ``bm25()`` on every query of the
benchmarks). A query's words are tokenized by FTS5 too (an in-memory FTS5 table with
the index's tokenizer); a word that is several tokens (a phrase for FTS5), or any
quoted phrase, leaves the query to SQL (``ranking_for`` returns None).

SQLite only: PostgreSQL ranks with ``ts_rank`` in the database.
"""

from __future__ import annotations

import math
import sqlite3
import threading
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from django.db import connection, transaction

from iocompendium.search.types import Terms

# What the migration gave search_fts (0002_fulltext.py); tests check they agree.
TOKENIZE = "unicode61 remove_diacritics 2"
COLUMN_WEIGHTS = (10.0, 1.0)  # title, body: as in backends.sqlite.RANK
K1 = 1.2  # FTS5's bm25 constants (fts5_aux.c)
B = 0.75
DENSE_RATIO = 16  # a table by id while ids are at most this many per record

_lock = threading.Lock()
_indexes: dict[str, WordIndex] = {}


@dataclass
class WordIndex:
    """Postings of every term: ``docs[starts[t]:starts[t + 1]]`` are the records holding
    term ``t`` (ascending ids), ``freqs`` the same slice's weighted frequencies (title
    occurrences x 10 + body occurrences, FTS5's ``aFreq``). ``norms`` holds each
    record's length normalisation, k1 * (1 - b + b * D / avgdl) with D its size in tokens
    (both columns), by id (``dense``) or aligned with ``doc_ids``."""

    signature: tuple
    terms: dict[str, int]
    starts: np.ndarray
    docs: np.ndarray
    freqs: np.ndarray
    row_count: int  # FTS5's nRow
    avgdl: float  # tokens per row, from FTS5's totals
    doc_ids: np.ndarray  # the records holding tokens, ascending
    norms: np.ndarray  # float64
    dense: bool  # norms indexed by id (ids are dense), else aligned with doc_ids
    lengths: np.ndarray  # each record's size in tokens, aligned with doc_ids
    tokens: int  # FTS5's total of tokens (both columns)
    # Every record indexed and its text digest when read: what a reload compares.
    known_ids: np.ndarray
    known_hashes: np.ndarray

    def postings(self, term: str) -> tuple[np.ndarray, np.ndarray]:
        index = self.terms.get(term)
        if index is None:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float64)
        start, end = int(self.starts[index]), int(self.starts[index + 1])
        return self.docs[start:end], self.freqs[start:end]

    def idf(self, hits: int) -> float:
        """fts5_aux.c: log((N - nHit + 0.5) / (nHit + 0.5)), at least 1e-6."""
        value = math.log((float(self.row_count - hits) + 0.5) / (hits + 0.5))
        return value if value > 0.0 else 1e-6

    def matches(self, tokens: Sequence[str]) -> tuple[np.ndarray, list[np.ndarray]]:
        """(ascending ids of the records holding every token, each token's frequency in
        them)."""
        lists = [self.postings(token) for token in tokens]
        if not lists or any(not len(docs) for docs, _ in lists):
            return np.empty(0, dtype=np.int64), [np.empty(0) for _ in tokens]
        ids = min(lists, key=lambda pair: len(pair[0]))[0]
        for docs, _ in lists:
            if docs is not ids:
                ids = ids[_member(ids, docs)]
        found = []
        for docs, freqs in lists:
            found.append(freqs if len(docs) == len(ids)
                         else freqs[np.searchsorted(docs, ids)])
        return ids.astype(np.int64, copy=False), found

    def scores(self, tokens: Sequence[str], ids: np.ndarray, freqs: Sequence[np.ndarray]
               ) -> np.ndarray:
        """FTS5's bm25 score of each record (positive: higher is better), evaluated in
        fts5Bm25Function's order of operations so that the doubles are the same."""
        norm = self.norms[ids if self.dense else np.searchsorted(self.doc_ids, ids)]
        score = np.zeros(len(ids), dtype=np.float64)
        for token, freq in zip(tokens, freqs, strict=True):
            freq = freq.astype(np.float64, copy=False)
            idf = self.idf(len(self.postings(token)[0]))
            score += idf * ((freq * (K1 + 1.0)) / (freq + norm))
        return score

    def ranked(self, tokens: Sequence[str], allowed: np.ndarray | None, limit: int
               ) -> tuple[np.ndarray, list[tuple[int, float]]]:
        """(ids of every record holding all ``tokens``, the best ``limit`` of those in
        ``allowed`` (None: all) as [(id, score)], best first, ties by id)."""
        ids, freqs = self.matches(tokens)
        if not len(ids):
            return ids, []
        pool_ids, pool_freqs = ids, freqs
        if allowed is not None:
            keep = _member(ids, np.asarray(allowed, dtype=np.int64))
            pool_ids, pool_freqs = ids[keep], [f[keep] for f in freqs]
        if not len(pool_ids) or limit <= 0:
            return ids, []
        score = self.scores(tokens, pool_ids, pool_freqs)
        if len(score) > limit:
            # Every score above the limit-th best, and as many of the equal ones as fit,
            # lowest ids first (ORDER BY rank, rowid).
            cut = np.partition(score, len(score) - limit)[len(score) - limit]
            above = np.flatnonzero(score > cut)
            equal = np.flatnonzero(score == cut)[: limit - len(above)]
            chosen = np.concatenate((above, equal))
        else:
            chosen = np.arange(len(score))
        order = chosen[np.lexsort((pool_ids[chosen], -score[chosen]))]
        return ids, [(int(pool_ids[i]), float(score[i])) for i in order]


def _member(ids: np.ndarray, of: np.ndarray) -> np.ndarray:
    if not len(ids) or not len(of):
        return np.zeros(len(ids), dtype=bool)
    mask = np.zeros(max(int(ids.max()), int(of.max())) + 1, dtype=bool)
    mask[of] = True
    return mask[ids]


# --- the query's tokens, by FTS5 ------------------------------------------------------
_tokenizer_lock = threading.Lock()
_tokenizer: sqlite3.Connection | None = None


def tokens_of(words: Sequence[str]) -> list[list[str]]:
    """Each word as FTS5 tokenizes it in a query (folded, diacritics removed, split where
    the tokenizer splits: "l_air" is two tokens): an in-memory FTS5 table with the same
    tokenizer, so no rule of ours can differ from the engine's."""
    with _tokenizer_lock:
        memory = _shared_memory_index()
        with memory:
            memory.executemany("INSERT INTO words(rowid, x) VALUES (?, ?)",
                               [(i + 1, word) for i, word in enumerate(words)])
            rows = memory.execute("SELECT doc, term FROM words_instance "
                                  "ORDER BY doc, offset").fetchall()
            memory.execute("DELETE FROM words")
    found: list[list[str]] = [[] for _ in words]
    for doc, term in rows:
        found[doc - 1].append(term)
    return found


def _shared_memory_index() -> sqlite3.Connection:
    """The process's one ``_memory_index``, made on first use; call with the lock held."""
    global _tokenizer
    if _tokenizer is None:
        _tokenizer = _memory_index()
    return _tokenizer


def _memory_index() -> sqlite3.Connection:
    """A private in-memory database with FTS5 tables of the index's tokenizer: ``words``
    for a query's words, ``records`` (title, body, as search_fts) for records to add."""
    memory = sqlite3.connect(":memory:", check_same_thread=False)
    memory.execute(f"CREATE VIRTUAL TABLE words USING fts5(x, tokenize='{TOKENIZE}')")
    memory.execute("CREATE VIRTUAL TABLE words_instance USING fts5vocab(words, instance)")
    memory.execute(f"CREATE VIRTUAL TABLE records USING fts5(title, body, tokenize='{TOKENIZE}')")
    memory.execute("CREATE VIRTUAL TABLE records_terms USING fts5vocab(records, row)")
    memory.execute("CREATE VIRTUAL TABLE records_instances USING fts5vocab(records, instance)")
    return memory


def _tokenized(records: Sequence[tuple[int, str, str]]) -> tuple[list, str, str]:
    """(terms with their occurrences, records and columns of every occurrence) of
    (id, title, body) records, as ``load`` reads them from search_fts, by FTS5."""
    with _tokenizer_lock:
        memory = _shared_memory_index()
        with memory:
            memory.executemany("INSERT INTO records(rowid, title, body) VALUES (?, ?, ?)",
                               records)
            vocabulary = memory.execute("SELECT term, cnt FROM records_terms").fetchall()
            docs_text, titles_text = memory.execute(
                "SELECT group_concat(doc), group_concat(col = 'title') "
                "FROM records_instances").fetchone()
            memory.execute("DELETE FROM records")
    return vocabulary, docs_text or "", titles_text or ""


def query_tokens(terms: Terms) -> list[str] | None:
    """One FTS5 token per word of ``terms``, in the order of the MATCH expression; None
    when a phrase, or a word of several tokens (or none), needs FTS5's phrase matching."""
    if not terms or terms.phrases:
        return None
    tokens = tokens_of(terms.words)
    if any(len(t) != 1 for t in tokens):
        return None
    return [t[0] for t in tokens]


# --- loading ----------------------------------------------------------------------------
def signature() -> tuple:
    """The generation numbers of the kinds (not of the vectors: embedding does not change
    the words); every write to the documents bumps its kind's."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT kind, number FROM search_generation WHERE kind NOT LIKE %s "
                       "ORDER BY kind", ["~%"])
        return tuple(cursor.fetchall())


def current() -> WordIndex:
    """The index of the current database state (loaded once per state and process)."""
    key = f"{connection.alias}:{connection.settings_dict.get('NAME')}"
    wanted = signature()
    cached = _indexes.get(key)
    if cached is not None and cached.signature == wanted:
        return cached
    with _lock:
        cached = _indexes.get(key)
        if cached is not None and cached.signature == signature():
            return cached
        loaded = (update(cached) if cached is not None else None) or load()
        _indexes[key] = loaded
        return loaded


def _known(cursor) -> tuple[np.ndarray, np.ndarray]:
    """(every record's id, ascending; its text digest)."""
    cursor.execute("SELECT group_concat(id), group_concat(coalesce(text_hash, '-')) "
                   "FROM search_document")
    ids_text, hashes_text = cursor.fetchone()
    if not ids_text:
        return np.empty(0, dtype=np.int64), np.empty(0, dtype="S32")
    ids = np.fromstring(ids_text, dtype=np.int64, sep=",")
    hashes = np.array(hashes_text.encode().split(b","), dtype="S32")  # hex: 32 bytes each
    order = np.argsort(ids, kind="stable")  # each aggregate saw the rows in one order
    return ids[order], hashes[order]


def _totals(cursor) -> list[int]:
    """FTS5's totals record (fts5_index.c, FTS5_AVERAGES_ROWID): rows, tokens per column."""
    cursor.execute("SELECT block FROM search_fts_data WHERE id = 1")
    row = cursor.fetchone()
    return _varints(bytes(row[0])) if row and row[0] else [0]


def load() -> WordIndex:
    """Read the postings and totals of ``search_fts`` in one read transaction."""
    with transaction.atomic(), connection.cursor() as cursor:
        state = signature()
        known = _known(cursor)
        cursor.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_fts_terms "
                       "USING fts5vocab(main, search_fts, row)")
        cursor.execute("CREATE VIRTUAL TABLE IF NOT EXISTS temp.search_fts_instances "
                       "USING fts5vocab(main, search_fts, instance)")
        totals = _totals(cursor)
        cursor.execute("SELECT term, cnt FROM temp.search_fts_terms")
        vocabulary = cursor.fetchall()
        # Every occurrence, ordered by term, record, column, offset: as two strings of
        # numbers (a Python row per occurrence costs several times more).
        cursor.execute("SELECT group_concat(doc), group_concat(col = 'title') "
                       "FROM temp.search_fts_instances")
        docs_text, titles_text = cursor.fetchone()
    return build(state, totals, vocabulary, docs_text or "", titles_text or "", known)


# A reload after a write reads only the records added or changed (a record written again
# gets a new id and digest) while they are at most this share of the index.
UPDATE_SHARE = 0.25


def update(previous: WordIndex) -> WordIndex | None:
    """The index after a write, from ``previous``: the postings of records gone or
    changed dropped, those of new records added (their texts tokenized by FTS5 in
    memory), sizes and totals read again. None (load in full) when much changed, or
    when the result disagrees with FTS5's totals."""
    with transaction.atomic(), connection.cursor() as cursor:
        state = signature()
        ids, hashes = _known(cursor)
        totals = _totals(cursor)
        where = np.clip(np.searchsorted(previous.known_ids, ids), 0,
                        max(len(previous.known_ids) - 1, 0))
        same = np.zeros(len(ids), dtype=bool)
        if len(previous.known_ids):
            same = (previous.known_ids[where] == ids) & (previous.known_hashes[where] == hashes)
        added = ids[~same]
        kept = ids[same]
        if len(added) + len(previous.known_ids) - len(kept) > UPDATE_SHARE * max(len(ids), 1):
            return None
        records: list[tuple[int, str, str]] = []
        for start in range(0, len(added), 900):
            chunk = added[start : start + 900].tolist()
            marks = ", ".join(["%s"] * len(chunk))
            cursor.execute(f"SELECT id, title, body FROM search_document WHERE id IN ({marks})",  # noqa: S608 - placeholders only
                           chunk)
            records.extend(cursor.fetchall())
    fresh = build(state, totals, *(_tokenized(records) if records else ([], "", "")),
                  (ids, hashes))
    return _merged(previous, fresh, kept)


def _merged(previous: WordIndex, fresh: WordIndex, kept: np.ndarray) -> WordIndex | None:
    """``previous``'s postings of the ``kept`` records with all of ``fresh``'s (the new
    records), ``fresh``'s totals and digests; None if the sizes disagree with them."""
    terms = dict(previous.terms)  # a copy: another thread may still read previous
    old_term = np.repeat(np.arange(len(previous.terms)), np.diff(previous.starts))
    keep = _member(previous.docs.astype(np.int64), kept)
    old_term, old_docs, old_freqs = old_term[keep], previous.docs[keep], previous.freqs[keep]
    mapped = np.array([terms.setdefault(term, len(terms)) for term in fresh.terms],
                      dtype=np.int64)
    new_term = np.repeat(mapped, np.diff(fresh.starts))
    stride = int(max(int(previous.docs.max()) if len(previous.docs) else 0,
                     int(fresh.docs.max()) if len(fresh.docs) else 0)) + 1
    new_keys = new_term * stride + fresh.docs
    order = np.argsort(new_keys, kind="stable")
    at = np.searchsorted(old_term * stride + old_docs, new_keys[order])
    term_of = np.insert(old_term, at, new_term[order])
    wide = np.int64 if max(stride, 1) >= 2**31 else previous.docs.dtype
    docs = np.insert(old_docs.astype(wide), at, fresh.docs[order].astype(wide))
    freqs = np.insert(old_freqs, at, fresh.freqs[order])
    held = _member(previous.doc_ids, kept)
    doc_ids = np.concatenate((previous.doc_ids[held], fresh.doc_ids))
    lengths = np.concatenate((previous.lengths[held], fresh.lengths))
    order = np.argsort(doc_ids, kind="stable")
    doc_ids, lengths = doc_ids[order], lengths[order]
    if int(lengths.sum()) != fresh.tokens or fresh.row_count != len(fresh.known_ids):
        return None  # not the index FTS5 counts: read it in full
    norms, dense = _norms(doc_ids, lengths, fresh.avgdl)
    return WordIndex(
        signature=fresh.signature, terms=terms,
        starts=np.searchsorted(term_of, np.arange(len(terms) + 1)).astype(np.int64),
        docs=docs, freqs=freqs, row_count=fresh.row_count, avgdl=fresh.avgdl,
        doc_ids=doc_ids, norms=norms, dense=dense, lengths=lengths,
        known_ids=fresh.known_ids, known_hashes=fresh.known_hashes, tokens=fresh.tokens,
    )


def _norms(doc_ids: np.ndarray, lengths: np.ndarray, avgdl: float
           ) -> tuple[np.ndarray, bool]:
    """fts5Bm25Function's denominator term, k1 * (1 - b + b * D / avgdl), in its order of
    operations (the same doubles), once per record instead of once per query; by id when
    ids are dense."""
    norms = K1 * ((1 - B) + (B * lengths.astype(np.float64)) / avgdl)
    dense = bool(len(doc_ids)) and int(doc_ids[-1]) < DENSE_RATIO * len(doc_ids) + 1024
    if dense:
        by_id = np.full(int(doc_ids[-1]) + 1, np.nan)
        by_id[doc_ids] = norms
        norms = by_id
    return norms, dense


def build(state: tuple, totals: Sequence[int], vocabulary: Sequence[tuple[str, int]],
          docs_text: str, titles_text: str, known: tuple[np.ndarray, np.ndarray]
          ) -> WordIndex:
    """The index from FTS5's totals (rows, then tokens per column), its terms with their
    number of occurrences, and every occurrence's record and column (title: 1), ordered
    by term, record, column and offset; ``known``: every record's id and digest."""
    counts = np.fromiter((n for _, n in vocabulary), dtype=np.int64, count=len(vocabulary))
    docs = (np.fromstring(docs_text, dtype=np.int64, sep=",") if docs_text
            else np.empty(0, dtype=np.int64))
    titles = (np.fromstring(titles_text, dtype=np.int8, sep=",") if titles_text
              else np.empty(0, dtype=np.int8))
    if len(docs) != int(counts.sum()) or len(titles) != len(docs):
        raise RuntimeError("the full-text index changed while it was read")
    row_count = int(totals[0]) if totals else 0
    tokens = sum(int(n) for n in totals[1:])
    avgdl = tokens / row_count if row_count else 1.0
    # A record's size in tokens (FTS5's xColumnSize(-1), its docsize record) is its number
    # of occurrences: every token the tokenizer emits is indexed at a position of its own.
    # A record without tokens matches nothing, so it needs none.
    lengths = np.bincount(docs) if len(docs) else np.zeros(1, dtype=np.int64)
    doc_ids = np.flatnonzero(lengths)
    lengths = lengths[doc_ids]
    norms, dense = _norms(doc_ids, lengths, avgdl)
    ends = np.cumsum(counts)
    # One posting per (term, record): where the record changes from the previous
    # occurrence, or a term's occurrences begin.
    first = np.ones(len(docs), dtype=bool)
    first[1:] = docs[1:] != docs[:-1]
    first[ends[:-1][ends[:-1] < len(docs)]] = True
    starts_of = np.flatnonzero(first)
    del first
    weights = titles.astype(np.int32)
    weights *= int(COLUMN_WEIGHTS[0] - COLUMN_WEIGHTS[1])
    weights += int(COLUMN_WEIGHTS[1])  # 10 for a title occurrence, 1 for a body one
    freqs = (np.add.reduceat(weights, starts_of) if len(starts_of)
             else np.empty(0, dtype=np.int32))
    del weights
    term_starts = np.searchsorted(starts_of, np.concatenate(([0], ends)))
    return WordIndex(
        signature=state,
        terms={term: i for i, (term, _) in enumerate(vocabulary)},
        starts=term_starts.astype(np.int64),
        docs=docs[starts_of].astype(np.int32 if len(docs) and docs.max() < 2**31
                                    else np.int64),
        freqs=freqs.astype(np.float32),  # whole numbers far below 2**24: exact
        row_count=row_count,
        avgdl=avgdl,
        doc_ids=doc_ids,
        norms=norms,
        dense=dense,
        lengths=lengths,
        known_ids=known[0],
        known_hashes=known[1],
        tokens=tokens,
    )


def _varints(data: bytes) -> list[int]:
    """SQLite's variable-length integers (big-endian, 7 bits a byte, 9th byte 8 bits),
    as FTS5 writes its totals."""
    values = []
    i = 0
    while i < len(data):
        value = 0
        for n in range(9):
            byte = data[i]
            i += 1
            if n == 8:
                value = (value << 8) | byte
                break
            value = (value << 7) | (byte & 0x7F)
            if not byte & 0x80:
                break
        values.append(value)
    return values
