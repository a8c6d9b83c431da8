"""The vector index: embeddings of the indexed documents, stored per model, searched in
process with NumPy (the embedded default on SQLite and on PostgreSQL).

A document is *stale* when no vector of the current model matches its text digest. The
task worker (and ``iocompendium search reindex``) embeds stale documents in batches,
committing each batch, so a killed re-index resumes where it stopped. Queries use a
matrix of every current vector loaded once per process and reloaded when any kind's
generation number (bumped by every write, documents or vectors) has changed.

pgvector: where the PostgreSQL server offers the extension the matrix could live there;
``pgvector_available()`` detects it and logs the fall-back to NumPy when it does not.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace

import numpy as np
from django.db import IntegrityError, connection, transaction

from iocompendium.search import embedder as embedders
from iocompendium.search import facetcache

logger = logging.getLogger(__name__)

BATCH = 64
ALIGNMENT = 64  # bytes: a cache line, and what AVX-512 loads want
# Above this many vectors, a query first compares the sign bits of every vector with the
# query's (Hamming distance: 64 bytes a vector instead of 2,048), then scores the
# COARSE_CANDIDATES nearest exactly: reading the whole matrix per query is memory-bound.
# Measured on 204,708 vectors against scoring every one: recall@10 1.000, recall@200
# 0.989 (docs/benchmarks.md, issue 15 fourth pass).
COARSE_MIN_ROWS = 50_000
COARSE_CANDIDATES = 4000
VECTORS_GENERATION = "~vectors"  # a generation row of its own, bumped by vector writes

_lock = threading.Lock()
_matrices: dict[str, VectorMatrix] = {}
_pgvector_checked: dict[str, bool] = {}


@dataclass
class VectorMatrix:
    """Every current vector: ``matrix`` rows ordered by document id (then part);
    ``doc_ids`` the distinct documents, ``starts[i]`` the first row of ``doc_ids[i]``."""

    signature: tuple
    doc_ids: np.ndarray  # sorted, distinct
    starts: np.ndarray
    matrix: np.ndarray  # (rows, dim) float32, C-contiguous, 64-byte aligned
    documents: int = 0  # documents indexed when loaded (stale = documents - len(doc_ids))
    # Two-stage search over large indexes: ``signs[w, r]`` = the w-th 64 sign bits of row
    # r (word-major: one contiguous array per word), ``row_doc[r]`` = the document
    # position of row r.
    signs: np.ndarray | None = None
    row_doc: np.ndarray | None = None
    vector_ids: np.ndarray | None = None  # search_vector.id of each row

    def two_stage(self, query: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(document positions, exact cosines) of the best documents among ``rows``: the
        COARSE_CANDIDATES vectors whose signs differ least from the query's, scored
        again exactly (1/32 of the memory read per query; recall against scoring every
        vector in docs/benchmarks.md)."""
        bits = sign_bits(query[None, :])[:, 0]
        distance = np.zeros(self.signs.shape[1], dtype=np.uint16)
        word = np.empty(self.signs.shape[1], dtype=np.uint64)
        count = np.empty(self.signs.shape[1], dtype=np.uint8)
        for w in range(self.signs.shape[0]):
            np.bitwise_xor(self.signs[w], bits[w], out=word)
            np.bitwise_count(word, out=count)
            distance += count
        outside = self.signs.shape[0] * 64 + 1  # farther than any vector
        if len(rows) < len(self.doc_ids):
            wanted = np.zeros(len(self.doc_ids), dtype=bool)
            wanted[rows] = True
            distance[~wanted[self.row_doc]] = outside
        # The nearest COARSE_CANDIDATES: every distance below the one where they are
        # reached, then the first rows at that distance.
        reached = np.cumsum(np.bincount(distance, minlength=outside + 1)[:outside])
        take = min(COARSE_CANDIDATES, int(reached[-1]))
        if not take:
            return np.empty(0, dtype=np.int64), np.empty(0, dtype=np.float32)
        limit = int(np.searchsorted(reached, take))
        below = np.flatnonzero(distance < limit)
        candidates = np.concatenate(
            (below, np.flatnonzero(distance == limit)[: take - len(below)]))
        exact = self.matrix[candidates] @ query
        docs = self.row_doc[candidates]
        order = np.lexsort((-exact, docs))  # by document, best part first
        docs, exact = docs[order], exact[order]
        first = np.ones(len(docs), dtype=bool)
        first[1:] = docs[1:] != docs[:-1]
        return docs[first], exact[first]

    def row_doc_positions(self) -> np.ndarray:
        """The document position (index into ``doc_ids``) of every row."""
        if self.row_doc is not None:
            return self.row_doc
        return _row_doc(self)

    @property
    def stale(self) -> int:
        return max(0, self.documents - len(self.doc_ids))

    def best_per_document(self, query: np.ndarray) -> np.ndarray:
        """Each document's similarity: that of its nearest part."""
        scores = self.matrix @ query
        if len(self.starts) == len(scores):
            return scores
        return np.maximum.reduceat(scores, self.starts)

    def rows_of(self, ids: np.ndarray) -> np.ndarray:
        """Like ``positions``, by a mask over the id range: for many ids (every record a
        user may see) a binary search per id costs several times more."""
        if not len(ids) or not len(self.doc_ids):
            return np.empty(0, dtype=np.int64)
        mask = np.zeros(max(int(ids.max()), int(self.doc_ids[-1])) + 1, dtype=bool)
        mask[ids] = True
        return np.flatnonzero(mask[self.doc_ids])

    def positions(self, ids: np.ndarray) -> np.ndarray:
        """Indexes into ``doc_ids`` of the given ids that have vectors."""
        if not len(ids) or not len(self.doc_ids):
            return np.empty(0, dtype=np.int64)
        where = np.clip(np.searchsorted(self.doc_ids, ids), 0, len(self.doc_ids) - 1)
        return where[self.doc_ids[where] == ids]


MIN_PART_WORDS = 6
MAX_PARTS = 8
_SENTENCE = re.compile(r"(?<=[.;!?])\s+|\n+")


def parts_of(title: str, body: str) -> list[str]:
    """What is embedded for a record: its whole text, then each sentence of its body long
    enough to carry a meaning of its own (a sentence encoder matches a query against one
    sentence far better than against a paragraph where it is one idea among several)."""
    whole = f"{title}\n{body}".strip()
    parts = [whole]
    for sentence in _SENTENCE.split(body or ""):
        sentence = sentence.strip()
        if len(sentence.split()) >= MIN_PART_WORDS and sentence not in parts and \
                sentence != title.strip():
            parts.append(sentence)
        if len(parts) > MAX_PARTS:
            break
    return parts


# --- status ------------------------------------------------------------------------------
def counts(kind: str | None = None, model: str | None = None) -> tuple[int, int]:
    """(documents, documents with a current vector) of one kind or of all."""
    model = model or embedders.model_id()
    where, params = ("WHERE d.kind = %s", [kind]) if kind else ("", [])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*), count(v.id) FROM search_document d "  # noqa: S608 - fixed SQL
            "LEFT JOIN search_vector v ON v.model = %s AND v.kind = d.kind "
            f"AND v.key = d.key AND v.part = 0 AND v.text_hash = d.text_hash {where}",
            [model, *params],
        )
        total, done = cursor.fetchone()
    return int(total), int(done)


def stale_ids(kind: str | None = None, model: str | None = None,
              limit: int | None = None) -> list[int]:
    """Ids of the documents whose vector is missing or out of date."""
    model = model or embedders.model_id()
    where, params = ("AND d.kind = %s", [kind]) if kind else ("", [])
    sql = (
        "SELECT d.id FROM search_document d LEFT JOIN search_vector v ON v.model = %s "  # noqa: S608
        "AND v.kind = d.kind AND v.key = d.key AND v.part = 0 "
        f"AND v.text_hash = d.text_hash WHERE v.id IS NULL {where} ORDER BY d.id"
    )
    if limit:
        sql += f" LIMIT {int(limit)}"
    with connection.cursor() as cursor:
        cursor.execute(sql, [model, *params])
        return [row[0] for row in cursor.fetchall()]


# --- writing -------------------------------------------------------------------------------
def embed_stale(
    kind: str | None = None,
    *,
    batch: int = BATCH,
    progress: Callable[[int, int], None] | None = None,
    embedder: embedders.Embedder | None = None,
) -> int:
    """Embed every stale document (of ``kind``, or all), one committed batch at a time,
    until none is left; returns how many were embedded. ``progress(done, total)`` is
    called after each batch.

    One embedding run at a time across processes (a lease row, renewed every batch), so
    two task workers never embed the same record; a run that finds the lease taken
    returns 0 at once, since the holder looks for stale records again after releasing
    it. Records changed while a run goes on are stale again and taken by its next pass,
    so none is lost; a record is embedded once per text (a text embedded but overwritten
    before its vector was stored is tried once more in the same run, then left to the
    next run)."""
    embedder = embedder or embedders.get_embedder()
    done = 0
    while True:
        lease = _take_lease()
        if lease is None:
            return done  # another worker is embedding; it re-checks after releasing
        try:
            done += _embed_passes(kind, batch, progress, embedder, lease)
        finally:
            _release_lease(lease)
        # A record written after the last pass looked, while the lease was held, may
        # have had its task skipped by another worker: look once more, now it is free.
        if not stale_ids(kind, embedder.model_id, limit=1):
            return done


def _embed_passes(kind: str | None, batch: int, progress, embedder, lease: list[int]) -> int:
    done = 0
    tried: set[tuple[int, str]] = set()  # (document id, text digest) embedded this run
    total = 0
    while True:
        pending = [doc for doc in stale_with_hash(kind, embedder.model_id)
                   if doc not in tried]
        if not pending:
            return done
        total += len(pending)
        if progress:
            progress(done, total)
        for start in range(0, len(pending), batch):
            chunk = pending[start : start + batch]
            tried.update(chunk)
            done += _embed_batch([doc_id for doc_id, _ in chunk], embedder)
            if progress:
                progress(done, total)
            if not _renew_lease(lease):
                logger.warning("The embedding lease was lost; stopping this run.")
                return done


def stale_with_hash(kind: str | None = None, model: str | None = None) -> list[tuple[int, str]]:
    """(id, text digest) of the documents whose vector is missing or out of date."""
    model = model or embedders.model_id()
    where, params = ("AND d.kind = %s", [kind]) if kind else ("", [])
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT d.id, d.text_hash FROM search_document d LEFT JOIN search_vector v "  # noqa: S608
            "ON v.model = %s AND v.kind = d.kind AND v.key = d.key AND v.part = 0 "
            f"AND v.text_hash = d.text_hash WHERE v.id IS NULL {where} ORDER BY d.id",
            [model, *params],
        )
        return [(row[0], row[1] or "") for row in cursor.fetchall()]


# --- one embedding run at a time -----------------------------------------------------------
LEASE_ROW = "~embedding"  # a search_generation row: number = the lease's expiry (ms), 0: free
LEASE_SECONDS = 600  # a crashed worker's lease expires; renewed after every batch


def _now_ms() -> int:
    return int(time.time() * 1000)


def _take_lease() -> list[int] | None:
    """[expiry] of the lease, taken; None when another run holds it."""
    now = _now_ms()
    expiry = now + LEASE_SECONDS * 1000
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE search_generation SET number = %s WHERE kind = %s AND number < %s",
                       [expiry, LEASE_ROW, now])
        if cursor.rowcount:
            return [expiry]
        cursor.execute("SELECT 1 FROM search_generation WHERE kind = %s", [LEASE_ROW])
        if cursor.fetchone():
            return None
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO search_generation (kind, number) VALUES (%s, %s)",
                           [LEASE_ROW, expiry])
    except IntegrityError:  # another run took it first
        return None
    return [expiry]


def _renew_lease(lease: list[int]) -> bool:
    expiry = _now_ms() + LEASE_SECONDS * 1000
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE search_generation SET number = %s WHERE kind = %s AND number = %s",
                       [expiry, LEASE_ROW, lease[0]])
        if not cursor.rowcount:
            return False
    lease[0] = expiry
    return True


def _release_lease(lease: list[int]) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("UPDATE search_generation SET number = 0 WHERE kind = %s AND number = %s",
                       [LEASE_ROW, lease[0]])


def _embed_batch(doc_ids: list[int], embedder: embedders.Embedder) -> int:
    marks = ", ".join(["%s"] * len(doc_ids))
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT kind, key, title, body, text_hash FROM search_document WHERE id IN ({marks})",  # noqa: S608
            doc_ids,
        )
        rows = cursor.fetchall()
    if not rows:
        return 0
    # Embedding runs outside any transaction: a slow batch must not hold the write lock.
    parts = [parts_of(title, body or "") for _, _, title, body, _ in rows]
    matrix = embedder.embed([text for texts in parts for text in texts])
    try:
        _store(rows, [len(texts) for texts in parts], matrix, embedder.model_id)
    except IntegrityError:  # another worker stored the same records meanwhile
        return 0
    return len(rows)


def _store(rows: list[tuple], sizes: list[int], matrix: np.ndarray, model: str) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        by_kind: dict[str, list[str]] = {}
        for kind, key, *_ in rows:
            by_kind.setdefault(kind, []).append(key)
        for kind, keys in by_kind.items():
            marks = ", ".join(["%s"] * len(keys))
            cursor.execute(
                f"DELETE FROM search_vector WHERE model = %s AND kind = %s AND key IN ({marks})",  # noqa: S608
                [model, kind, *keys],
            )
        values = []
        row = 0
        for (kind, key, _, _, text_hash), size in zip(rows, sizes, strict=True):
            for part in range(size):
                values.append((model, kind, key, part, text_hash or "",
                               matrix[row].astype(np.float32).tobytes()))
                row += 1
        cursor.executemany(
            "INSERT INTO search_vector (model, kind, key, part, text_hash, vector) "
            "VALUES (%s, %s, %s, %s, %s, %s)",
            values,
        )
        facetcache.bump(cursor, VECTORS_GENERATION)


def purge(model: str | None = None, *, other_models: bool = False) -> int:
    """Drop the vectors of records no longer indexed (and, with ``other_models``, every
    vector of another model than ``model``); returns how many."""
    model = model or embedders.model_id()
    orphan = ("NOT EXISTS (SELECT 1 FROM search_document d WHERE d.kind = search_vector.kind "
              "AND d.key = search_vector.key)")
    where, params = (f"model <> %s OR {orphan}", [model]) if other_models else (orphan, [])
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM search_vector WHERE {where}", params)  # noqa: S608
        removed = cursor.rowcount
        facetcache.bump(cursor, VECTORS_GENERATION)
    return max(removed, 0)


# --- reading -------------------------------------------------------------------------------
def index_signature() -> tuple:
    """The generation numbers of every kind and of the vectors: changed by every write to
    the index, so a cache keyed by it is never stale."""
    return _signature()


def _signature() -> tuple:
    with connection.cursor() as cursor:
        cursor.execute("SELECT kind, number FROM search_generation WHERE kind <> %s "
                       "ORDER BY kind", [LEASE_ROW])
        return tuple(cursor.fetchall())


def matrix(model: str) -> VectorMatrix:
    """Every current vector of ``model`` (cached per process and database; after an index
    change only the vectors this process has not loaded yet are read, see ``_load``)."""
    key = f"{connection.alias}:{connection.settings_dict.get('NAME')}:{model}"
    signature = _signature()
    cached = _matrices.get(key)
    if cached is not None and cached.signature == signature:
        return cached
    with _lock:
        cached = _matrices.get(key)  # another thread may have reloaded meanwhile
        if cached is not None and cached.signature == signature:
            return cached
        loaded = _load(model, signature, cached)
        _matrices[key] = loaded
        return loaded


def aligned_matrix(rows: int, dim: int, alignment: int = ALIGNMENT) -> np.ndarray:
    """An uninitialised C-contiguous (rows, dim) float32 matrix whose data starts on an
    ``alignment``-byte boundary (BLAS's vector kernels read aligned rows fastest; a
    matrix made by ``frombuffer`` over joined bytes starts wherever Python put them)."""
    size = rows * dim * 4
    raw = np.empty(size + alignment, dtype=np.uint8)
    offset = (-raw.ctypes.data) % alignment
    return raw[offset : offset + size].view(np.float32).reshape(rows, dim)


def current_counts(model: str | None = None) -> tuple[int, int]:
    """(documents, documents with a current vector) for the query path: read from the
    cached matrix (counted once when it was loaded), not counted per query."""
    table = matrix(model or embedders.model_id())
    return table.documents, len(table.doc_ids)


def _load(model: str, signature: tuple, previous: VectorMatrix | None = None
          ) -> VectorMatrix:
    """The current vectors of ``model``. Incremental: which (document, vector) pairs are
    current is read as ids only; a vector row is never updated (a new text or a new
    embedding is a new row), so the vectors ``previous`` holds are copied from memory and
    only the others are read from the database; pairs no longer current (documents or
    vectors deleted, texts changed) are left out. The sign bits of the two-stage search
    are copied likewise, computed for the new rows only."""
    if connection.vendor == "postgresql":
        pgvector_available()  # logs once that the NumPy index serves
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM search_document")
        documents = int(cursor.fetchone()[0])
    row_doc_ids, vector_ids = _current_rows(model)
    if not len(vector_ids):
        empty = np.empty(0, dtype=np.int64)
        return VectorMatrix(signature, empty, empty, np.zeros((0, 1), np.float32), documents,
                            vector_ids=empty)
    if previous is not None and previous.vector_ids is not None and np.array_equal(
            previous.vector_ids, vector_ids) and np.array_equal(
            previous.doc_ids[previous.row_doc_positions()], row_doc_ids):
        # Nothing changed for the vectors (a facet or another kind written): no copy.
        return replace(previous, signature=signature, documents=documents)
    reuse = _rows_in(previous, vector_ids)
    fresh = np.flatnonzero(reuse < 0)
    blobs = _read_vectors(vector_ids[fresh], model, everything=len(fresh) > len(reuse) // 2)
    dim = previous.matrix.shape[1] if len(fresh) < len(reuse) else len(blobs[0]) // 4
    table = aligned_matrix(len(vector_ids), dim)
    kept = np.flatnonzero(reuse >= 0)
    if len(kept):
        copy_rows(previous.matrix, reuse[kept], table, kept)
    for row, blob in zip(fresh.tolist(), blobs, strict=True):
        table[row] = np.frombuffer(blob, dtype=np.float32)
    del blobs
    doc_ids, starts = np.unique(row_doc_ids, return_index=True)
    loaded = VectorMatrix(signature, doc_ids, starts, table, documents, vector_ids=vector_ids)
    if len(table) >= COARSE_MIN_ROWS:
        if previous is not None and previous.signs is not None and len(kept):
            _extend_signs(loaded, previous, reuse, kept, fresh)
        else:
            _add_signs(loaded)
    return loaded


def _current_rows(model: str) -> tuple[np.ndarray, np.ndarray]:
    """(document id, vector id) of every current vector of ``model``, ordered by document
    then part: ids only, as three joined strings parsed by NumPy (a Python row per vector
    costs several times more at 200,000 vectors)."""
    join = ("FROM search_document d JOIN search_vector v ON v.model = %s AND v.kind = d.kind "
            "AND v.key = d.key AND v.text_hash = d.text_hash")
    if connection.vendor == "postgresql":
        columns = ("string_agg(d.id::text, ','), string_agg(v.id::text, ','), "
                   "string_agg(v.part::text, ',')")
    else:
        columns = "group_concat(d.id), group_concat(v.id), group_concat(v.part)"
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} {join}", [model])  # noqa: S608 - fixed SQL
        texts = cursor.fetchone()
    if not texts or not texts[0]:
        empty = np.empty(0, dtype=np.int64)
        return empty, empty
    docs, ids, parts = (np.fromstring(t, dtype=np.int64, sep=",") for t in texts)
    order = np.lexsort((parts, docs))  # each aggregate saw the rows in the same order
    return docs[order], ids[order]


def _rows_in(previous: VectorMatrix | None, vector_ids: np.ndarray) -> np.ndarray:
    """For each vector id, its row in ``previous`` (-1: not loaded there)."""
    missing = np.full(len(vector_ids), -1, dtype=np.int64)
    if previous is None or previous.vector_ids is None or not len(previous.vector_ids):
        return missing
    order = np.argsort(previous.vector_ids, kind="stable")
    known = previous.vector_ids[order]
    where = np.clip(np.searchsorted(known, vector_ids), 0, len(known) - 1)
    return np.where(known[where] == vector_ids, order[where], missing)


def _read_vectors(ids: np.ndarray, model: str, *, everything: bool = False) -> list[bytes]:
    """The stored bytes of the given vector ids, in their order. ``everything``: one scan
    of the model's vectors (a first load), instead of lookups by id."""
    if not len(ids):
        return []
    found: dict[int, bytes] = {}
    with connection.cursor() as cursor:
        if everything:
            wanted = set(ids.tolist())
            cursor.execute("SELECT id, vector FROM search_vector WHERE model = %s", [model])
            for vector_id, blob in cursor.fetchall():
                if vector_id in wanted:
                    found[vector_id] = bytes(blob)
        else:
            for start in range(0, len(ids), 900):
                chunk = ids[start : start + 900].tolist()
                marks = ", ".join(["%s"] * len(chunk))
                cursor.execute(f"SELECT id, vector FROM search_vector WHERE id IN ({marks})",  # noqa: S608
                               chunk)
                found.update((vector_id, bytes(blob)) for vector_id, blob in cursor.fetchall())
    return [found[i] for i in ids.tolist()]


def copy_rows(source: np.ndarray, rows: np.ndarray, target: np.ndarray,
              into: np.ndarray) -> None:
    """target[into] = source[rows], by runs of consecutive rows (one block copy each): after
    a few records changed, rows keep their order in long runs, and a row-by-row gather of
    400 MiB costs seconds and a temporary copy as large."""
    if not len(rows):
        return
    breaks = np.flatnonzero((np.diff(rows) != 1) | (np.diff(into) != 1)) + 1
    starts = np.concatenate(([0], breaks))
    ends = np.concatenate((breaks, [len(rows)]))
    if len(starts) > len(rows) // 8:  # scattered: a gather, in slices of bounded memory
        for start in range(0, len(rows), 16384):
            target[into[start : start + 16384]] = source[rows[start : start + 16384]]
        return
    for start, end in zip(starts.tolist(), ends.tolist(), strict=True):
        first = int(rows[start])
        target[into[start] : into[start] + end - start] = source[first : first + end - start]


def sign_bits(rows: np.ndarray) -> np.ndarray:
    """The sign bits of each row (1: positive), word-major: ``bits[w, r]`` holds bits
    64w to 64w + 63 of row r (zero-padded to whole words)."""
    packed = np.packbits(rows > 0, axis=1)
    pad = (-packed.shape[1]) % 8
    if pad:
        packed = np.pad(packed, ((0, 0), (0, pad)))
    return np.ascontiguousarray(packed.view(np.uint64).T)


def _extend_signs(table: VectorMatrix, previous: VectorMatrix, reuse: np.ndarray,
                  kept: np.ndarray, fresh: np.ndarray) -> None:
    """The sign bits of ``table`` from ``previous``'s: kept rows copied, new rows
    computed."""
    signs = np.empty((previous.signs.shape[0], len(table.matrix)), dtype=np.uint64)
    signs[:, kept] = previous.signs[:, reuse[kept]]
    if len(fresh):
        signs[:, fresh] = sign_bits(table.matrix[fresh])
    table.signs = signs
    table.row_doc = _row_doc(table)


def _row_doc(table: VectorMatrix) -> np.ndarray:
    ends = np.append(table.starts[1:], len(table.matrix))
    return np.repeat(np.arange(len(table.doc_ids)), ends - table.starts)


def _add_signs(table: VectorMatrix) -> None:
    """The sign bits of a large matrix for the first stage of ``two_stage``."""
    signs = np.empty((-(-table.matrix.shape[1] // 64), len(table.matrix)), dtype=np.uint64)
    for start in range(0, len(table.matrix), 65536):
        signs[:, start : start + 65536] = sign_bits(table.matrix[start : start + 65536])
    table.row_doc = _row_doc(table)
    table.signs = signs


def similar(
    query: np.ndarray, allowed_ids: np.ndarray | None, model: str, *, limit: int,
    threshold: float,
) -> list[tuple[int, float]]:
    """[(document id, cosine)] of the nearest documents among ``allowed_ids`` (None: all),
    at least ``threshold`` similar, best first."""
    table = matrix(model)
    if not len(table.doc_ids) or table.matrix.shape[1] != len(query):
        return []
    if allowed_ids is None:
        rows = np.arange(len(table.doc_ids))
    else:
        rows = table.rows_of(np.asarray(allowed_ids, dtype=np.int64))
    if not len(rows):
        return []
    if table.signs is not None and len(rows) > COARSE_CANDIDATES:
        rows, scores = table.two_stage(query, rows)
    else:
        scores = table.best_per_document(query)[rows]
    keep = np.nonzero(scores >= threshold)[0]
    if len(keep) > limit:
        keep = keep[np.argpartition(-scores[keep], limit - 1)[:limit]]
    keep = keep[np.argsort(-scores[keep], kind="stable")]
    return [(int(table.doc_ids[rows[i]]), float(scores[i])) for i in keep]


def vector_of(doc_id: int, model: str) -> np.ndarray | None:
    """The whole-text vector (part 0) of a document."""
    table = matrix(model)
    found = table.positions(np.array([doc_id], dtype=np.int64))
    return table.matrix[table.starts[found[0]]] if len(found) else None


def pgvector_available() -> bool:
    """Whether the PostgreSQL server offers the pgvector extension (checked once per
    database; a log line says NumPy serves when it does not)."""
    if connection.vendor != "postgresql":
        return False
    name = str(connection.settings_dict.get("NAME"))
    if name not in _pgvector_checked:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_available_extensions WHERE name = 'vector'")
            found = cursor.fetchone() is not None
        _pgvector_checked[name] = found
        logger.info(
            "pgvector is %s on this PostgreSQL server; vectors are searched in process "
            "with NumPy.", "available" if found else "not available",
        )
    return _pgvector_checked[name]


def all_kinds() -> Iterable[str]:
    """The kinds ever indexed (a kind since emptied has no documents: callers find none).
    Read from the generation rows, a handful, not from the documents (per query)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT kind FROM search_generation WHERE kind NOT LIKE %s "
                       "ORDER BY kind", ["~%"])
        return [row[0] for row in cursor.fetchall()]
