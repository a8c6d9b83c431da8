"""SQLite's word ranking in process (issue 15, search.wordindex): the same rankings,
scores and matches as FTS5's ``bm25()`` in SQL, on synthetic records of several kinds
(English and French, diacritics, repeated words, ties); phrases and words of several
tokens still go to FTS5; a write is seen by the next query. On PostgreSQL nothing of
this runs (ts_rank ranks in the database): the module's tests are SQLite-only."""

from __future__ import annotations

import numpy as np
import pytest
from django.db import connection

from iocompendium import search
from iocompendium.search import hybrid, wordindex
from iocompendium.search.backends import get_backend

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "sqlite", reason="FTS5's bm25 (SQLite only)"),
]

WORDS = ["safety", "food", "sécurité", "alimentaire", "risk", "évaluation", "Evaluation",
         "transparency", "the", "of", "données", "coopération", "customs", "œuvre"]
QUERIES = [
    "safety", "Safety", "food safety", "sécurité", "securite alimentaire", "risk",
    "evaluation", "ÉVALUATION des", "transparency the", "the", "of the", "Food food",
    "données", "cooperation customs", "œuvre", "nothing-here", "safety zzz", "risk of",
]


def _records(n: int = 120) -> None:
    """Texts of varied lengths where the query words fall in titles, bodies or both,
    repeated, and many records alike (equal scores: ties broken by id)."""
    practices, instruments = [], []
    for i in range(n):
        title = " ".join(WORDS[(i * k) % len(WORDS)] for k in range(1, 2 + i % 4))
        body = " ".join(WORDS[(i + k * k) % len(WORDS)] for k in range(i % 9)) + \
            f" filler text number {i % 7}"
        entry = search.Entry(f"r{i}", {"title": title, "description": body},
                             {"access": ["org:1"] if i % 5 == 0 else ["public"]})
        (practices if i % 2 else instruments).append(entry)
    practices.append(search.Entry("alike-1", {"title": "safety", "description": "food"}))
    practices.append(search.Entry("alike-2", {"title": "safety", "description": "food"}))
    practices.append(search.Entry("empty", {"title": "", "description": ""}))
    practices.append(search.Entry("phrase", {"title": "l_air l air", "description": "x"}))
    search.index_many("practice", practices)
    search.index_many("instrument", instruments)


def _in_sql(monkeypatch, call):
    backend = get_backend()
    monkeypatch.setattr(backend, "in_process", False)
    try:
        return call()
    finally:
        monkeypatch.setattr(backend, "in_process", True)


def test_the_tokenizer_and_weights_are_the_index_s():
    with connection.cursor() as cursor:
        cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'search_fts'")
        definition = cursor.fetchone()[0]
    assert f"tokenize='{wordindex.TOKENIZE}'" in definition
    from iocompendium.search.backends import sqlite

    title, body = wordindex.COLUMN_WEIGHTS
    assert f"bm25(search_fts, {title}, {body})" == sqlite.RANK


def test_rankings_and_matches_equal_fts5s(monkeypatch):
    _records()
    backend = get_backend()
    allowed = hybrid._all_ids(hybrid.allowed_ids(None, ["public"], {}))
    compared = 0
    for text in QUERIES:
        terms = search.parse_query(text)
        assert wordindex.query_tokens(terms) is not None, text  # ranked in process
        for limit in (1, 3, 10, 1000):
            mine = backend.ranked_ids(terms, None, limit)
            theirs = _in_sql(monkeypatch, lambda t=terms, n=limit: backend.ranked_ids(t, None, n))
            assert mine == theirs, (text, limit)  # same ids, order and scores (floats ==)
            restricted = backend.ranked_ids(terms, allowed, limit)
            assert restricted == _in_sql(
                monkeypatch, lambda t=terms, n=limit: backend.ranked_ids(t, allowed, n))
        matched = backend.matching_ids(terms)
        assert np.array_equal(matched, np.sort(_in_sql(
            monkeypatch, lambda t=terms: backend.matching_ids(t))))
        pair = backend.match_and_rank(terms, 7)
        assert np.array_equal(pair[0], matched)
        assert pair[1] == backend.ranked_ids(terms, None, 7)
        compared += len(matched)
    assert compared > 200  # the queries do match records
    ranking = backend.ranked_ids(search.parse_query("safety food"), None, 1000)
    scores = [score for _, score in ranking]
    assert len(scores) > len(set(scores))  # ties exist, and were ordered as FTS5 does


def test_phrases_and_words_of_several_tokens_go_to_fts5(monkeypatch):
    _records(10)
    backend = get_backend()
    for text in ['"food safety"', "l_air"]:
        terms = search.parse_query(text)
        assert wordindex.query_tokens(terms) is None
    monkeypatch.setattr(wordindex, "current", lambda: pytest.fail("no in-process index"))
    assert [key for key, *_ in _keys(backend.ranked_ids(search.parse_query("l_air"), None, 5))
            ] == ["phrase"]


def _keys(ranking):
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, key FROM search_document")
        keys = dict(cursor.fetchall())
    return [(keys[doc_id], score) for doc_id, score in ranking]


def test_a_write_is_seen_by_the_next_query(monkeypatch):
    _records(20)
    backend = get_backend()
    terms = search.parse_query("transparency")
    before = backend.ranked_ids(terms, None, 50)
    search.index("practice", "new", {"title": "transparency transparency transparency"})
    after = _keys(backend.ranked_ids(terms, None, 50))
    assert after[0][0] == "new"
    assert len(after) == len(before) + 1
    assert backend.ranked_ids(terms, None, 50) == _in_sql(
        monkeypatch, lambda: backend.ranked_ids(terms, None, 50))
    search.remove("practice", ["new"])
    assert backend.ranked_ids(terms, None, 50) == before


def test_the_words_mode_ranks_as_fts5(monkeypatch):
    """The search over every kind, words only, on either path: the same page and total,
    and only records the user may see."""
    _records()
    for text in ("safety", "food safety", "the"):
        mine = search.find(text, mode="words", access=["public"], limit=20)
        theirs = _in_sql(monkeypatch, lambda t=text: search.find(
            t, mode="words", access=["public"], limit=20))
        assert mine.total == theirs.total > 0
        assert [(h.kind, h.key, h.score) for h in mine.results] == \
            [(h.kind, h.key, h.score) for h in theirs.results]
        hidden = {f"r{i}" for i in range(0, 120, 5)}
        assert not hidden & {h.key for h in mine.results}


def test_varints_are_read_as_sqlite_writes_them():
    assert wordindex._varints(b"\x86\xa1L\x05") == [102604, 5]
    assert wordindex._varints(b"\x7f\x81\x00") == [127, 128]
    assert wordindex._varints(b"\xff" * 8 + b"\x01") == [2**64 - 255]


def test_a_records_size_is_its_number_of_occurrences():
    """The index takes a record's size in tokens (bm25's D) from its occurrences; FTS5
    reads it from its docsize records: they agree."""
    _records()
    index = wordindex.load()
    with connection.cursor() as cursor:
        cursor.execute("SELECT id, sz FROM search_fts_docsize")
        sizes = {doc_id: sum(wordindex._varints(bytes(size))) for doc_id, size in
                 cursor.fetchall()}
    assert index.row_count == len(sizes)
    assert index.dense
    for doc_id, size in sizes.items():
        if size:
            expected = wordindex.K1 * ((1 - wordindex.B) + (wordindex.B * size) / index.avgdl)
            assert index.norms[doc_id] == expected
        else:
            assert doc_id not in set(index.doc_ids.tolist())  # the empty record
    assert any(size == 0 for size in sizes.values())


def _postings(index: wordindex.WordIndex) -> dict[str, list[tuple[int, float]]]:
    found = {}
    for term in index.terms:
        docs, freqs = index.postings(term)
        if len(docs):
            found[term] = list(zip(docs.tolist(), freqs.tolist(), strict=True))
    return found


def test_a_reload_after_a_write_reads_only_the_new_records(monkeypatch):
    """After records are added, written again with a new text, removed, and a facet set,
    the index is updated from the one in memory (only the new texts tokenized) and equals
    a full read of FTS5's; its rankings are FTS5's."""
    _records(60)
    backend = get_backend()
    first = wordindex.current()
    search.index_many("practice", [
        search.Entry("fresh-1", {"title": "transparency of fisheries", "description": "new"}),
        search.Entry("r1", {"title": "a new text for r1", "description": "sécurité food"}),
        search.Entry("r3", {"title": "Safety", "description": "unchanged words, new id"}),
    ])
    search.remove("practice", ["r5", "alike-1"])
    search.set_facet("practice", "theme", {"r7": ["review"]})
    tokenized = []
    real = wordindex._tokenized
    monkeypatch.setattr(wordindex, "_tokenized", lambda records: tokenized.append(
        sorted(r[0] for r in records)) or real(records))
    monkeypatch.setattr(wordindex, "load", lambda: pytest.fail("read in full"))
    updated = wordindex.current()
    assert updated is not first and updated.signature != first.signature
    assert len(tokenized) == 1 and len(tokenized[0]) == 3  # the three records written
    monkeypatch.undo()
    full = wordindex.load()
    assert _postings(updated) == _postings(full)
    assert (updated.row_count, updated.avgdl, updated.tokens) == (
        full.row_count, full.avgdl, full.tokens)
    assert np.array_equal(updated.doc_ids, full.doc_ids)
    assert np.array_equal(updated.norms, full.norms, equal_nan=True)
    assert np.array_equal(updated.known_ids, full.known_ids)
    for text in ("safety", "food", "transparency fisheries", "sécurité", "new", "r1"):
        terms = search.parse_query(text)
        assert backend.ranked_ids(terms, None, 100) == _in_sql(
            monkeypatch, lambda t=terms: backend.ranked_ids(t, None, 100))


def test_a_large_change_is_read_in_full(monkeypatch):
    _records(20)
    first = wordindex.current()
    search.remove_all("instrument")  # half the records
    assert wordindex.update(first) is None
    assert wordindex.current().row_count == first.row_count - 10
