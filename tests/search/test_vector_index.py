"""The in-process vector index (issue 15): pgvector detection and its fall-back, and the
incremental reload after an index change. Synthetic records and a small fake embedder
(hashing words into vectors), on either database engine."""

from __future__ import annotations

import logging

import numpy as np
import pytest
from django.db import connection

from iocompendium import search
from iocompendium.search import vectors

pytestmark = pytest.mark.django_db


def test_pgvector_is_detected_and_the_fallback_logged_once(caplog):
    vectors._pgvector_checked.clear()
    caplog.set_level(logging.INFO, logger="iocompendium.search.vectors")
    found = vectors.pgvector_available()
    if connection.vendor != "postgresql":
        assert found is False
        assert not caplog.records  # nothing to detect on SQLite
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM pg_available_extensions WHERE name = 'vector'")
        offered = cursor.fetchone()[0] > 0
    assert found is offered
    lines = [r.getMessage() for r in caplog.records]
    assert len(lines) == 1
    assert ("is available" if offered else "is not available") in lines[0]
    assert "NumPy" in lines[0]
    vectors.pgvector_available()  # checked once per database: no second line
    assert len(caplog.records) == 1


def test_a_postgresql_search_without_pgvector_runs_on_numpy(caplog, monkeypatch):
    """Whatever the server offers, vectors are searched in process: the query finds the
    record by meaning, and loading the index logged which engine serves."""
    if connection.vendor != "postgresql":
        pytest.skip("pgvector is a PostgreSQL extension")
    vectors._pgvector_checked.clear()
    vectors._matrices.clear()
    caplog.set_level(logging.INFO, logger="iocompendium.search.vectors")
    fake = FakeEmbedder()
    monkeypatch.setattr(vectors.embedders, "get_embedder", lambda name=None: fake)
    search.index("practice", "p1", {"title": "alpha beta gamma"})
    vectors.embed_stale(embedder=fake)
    found = vectors.similar(fake.embed_query("alpha beta"), None, fake.model_id,
                            limit=5, threshold=0.1)
    assert len(found) == 1
    assert [r.getMessage() for r in caplog.records if "pgvector" in r.getMessage()] == [
        "pgvector is %s on this PostgreSQL server; vectors are searched in process with "
        "NumPy." % ("available" if vectors.pgvector_available() else "not available")]


class FakeEmbedder:
    """Words hashed into 64 dimensions, L2-normalised: texts sharing words are near."""

    model_id = "fake-words@1"
    dim = 64

    def embed(self, texts) -> np.ndarray:
        matrix = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for word in text.lower().split():
                matrix[row, sum(map(ord, word)) % self.dim] += 1.0
            matrix[row, self.dim - 1] += 0.01  # never a zero vector
        return matrix / np.linalg.norm(matrix, axis=1, keepdims=True)

    def embed_query(self, text: str) -> np.ndarray:
        return self.embed([text])[0]


def _practices(**texts: str) -> None:
    search.index_many("practice", [search.Entry(key, {"title": text})
                                   for key, text in texts.items()])


def _fresh_load(model: str) -> vectors.VectorMatrix:
    return vectors._load(model, ("fresh",))


def _same(a: vectors.VectorMatrix, b: vectors.VectorMatrix) -> None:
    assert a.doc_ids.tolist() == b.doc_ids.tolist()
    assert a.starts.tolist() == b.starts.tolist()
    assert a.vector_ids.tolist() == b.vector_ids.tolist()
    assert np.array_equal(a.matrix, b.matrix)


def test_after_an_index_change_only_the_new_vectors_are_read(monkeypatch):
    """Records added, changed, removed, and a kind rebuilt with its texts unchanged (new
    document ids, the same vectors): the reloaded matrix equals a full load, and only
    the vectors it did not hold were read from the database."""
    fake = FakeEmbedder()
    monkeypatch.setattr(vectors.embedders, "get_embedder", lambda name=None: fake)
    vectors._matrices.clear()
    _practices(p1="peer review of members", p2="public consultation on drafts",
               p3="ex post evaluation of rules", p4="register of lobbyists")
    vectors.embed_stale(embedder=fake)
    first = vectors.matrix(fake.model_id)
    assert len(first.doc_ids) == 4

    read: list[int] = []
    real_read = vectors._read_vectors

    def spy(ids, model, *, everything=False):
        read.extend(ids.tolist())
        return real_read(ids, model, everything=everything)

    monkeypatch.setattr(vectors, "_read_vectors", spy)
    _practices(p5="open data portal of the secretariat",
               p2="online consultation of stakeholders on draft standards")
    search.remove("practice", ["p3"])
    vectors.embed_stale(embedder=fake)
    second = vectors.matrix(fake.model_id)
    new_ids = set(second.vector_ids.tolist()) - set(first.vector_ids.tolist())
    assert len(new_ids) == 2  # p5 and the new text of p2, one part each
    assert sorted(read) == sorted(new_ids)
    _same(second, _fresh_load(fake.model_id))
    found = vectors.similar(fake.embed_query("ex post evaluation"), None, fake.model_id,
                            limit=5, threshold=0.5)
    assert found == []  # the removed record is gone from the index

    read.clear()
    search.remove_all("practice")  # how an app rebuilds a kind: same texts, new ids
    _practices(p1="peer review of members", p4="register of lobbyists",
               p5="open data portal of the secretariat",
               p2="online consultation of stakeholders on draft standards")
    third = vectors.matrix(fake.model_id)
    assert read == []
    assert set(third.doc_ids.tolist()).isdisjoint(second.doc_ids.tolist())
    _same(third, _fresh_load(fake.model_id))


def test_an_incremental_reload_keeps_the_two_stage_signs_consistent(monkeypatch):
    """Above COARSE_MIN_ROWS the sign bits are copied and extended, not recomputed: every
    row's bits are those of its vector, and the two-stage search still finds the exact
    nearest records."""
    monkeypatch.setattr(vectors, "COARSE_MIN_ROWS", 10)
    monkeypatch.setattr(vectors, "COARSE_CANDIDATES", 5)
    fake = FakeEmbedder()
    vectors._matrices.clear()
    words = ["alpha", "beta", "gamma", "delta", "epsilon", "zeta", "eta", "theta", "iota",
             "kappa", "lambda", "mu"]
    _practices(**{f"p{i}": f"{words[i]} {words[(i + 3) % 12]}" for i in range(12)})
    vectors.embed_stale(embedder=fake)
    first = vectors.matrix(fake.model_id)
    _practices(**{f"q{i}": f"{words[i]} {words[(i + 5) % 12]} nu" for i in range(4)})
    search.remove("practice", ["p0"])
    vectors.embed_stale(embedder=fake)
    second = vectors.matrix(fake.model_id)
    assert first.signs is not None
    assert np.array_equal(second.signs, vectors.sign_bits(second.matrix))
    query = fake.embed_query("beta nu")
    exact = second.best_per_document(query)
    got = vectors.similar(query, None, fake.model_id, limit=3, threshold=-1.0)
    assert [doc for doc, _ in got] == second.doc_ids[np.argsort(-exact, kind="stable")[:3]
                                                     ].tolist()


def test_a_write_that_changes_no_vector_reuses_the_loaded_matrix(monkeypatch):
    fake = FakeEmbedder()
    vectors._matrices.clear()
    _practices(p1="peer review of members", p2="public consultation on drafts")
    vectors.embed_stale(embedder=fake)
    first = vectors.matrix(fake.model_id)
    search.set_facet("practice", "theme", {"p1": ["review"]})  # a new generation number
    second = vectors.matrix(fake.model_id)
    assert second is not first and second.signature != first.signature
    assert second.matrix is first.matrix  # not copied
    _same(second, _fresh_load(fake.model_id))


@pytest.mark.parametrize("scattered", [False, True])
def test_copy_rows_equals_a_gather(scattered):
    rng = np.random.default_rng(3)
    source = rng.normal(size=(1000, 8)).astype(np.float32)
    if scattered:
        rows = rng.permutation(1000)[:600]
    else:  # a few long runs, as after a few records changed
        rows = np.concatenate([np.arange(0, 300), np.arange(310, 700), np.arange(900, 1000)])
    into = np.sort(rng.choice(1200, len(rows), replace=False)) if scattered else \
        np.concatenate([np.arange(0, 300), np.arange(305, 695), np.arange(1000, 1100)])
    target = np.zeros((1200, 8), dtype=np.float32)
    vectors.copy_rows(source, rows, target, into)
    expected = np.zeros((1200, 8), dtype=np.float32)
    expected[into] = source[rows]
    assert np.array_equal(target, expected)


@pytest.mark.parametrize("pool", [20, 6])
def test_a_users_word_ranking_is_the_restricted_one(monkeypatch, pool):
    """The words stage ranks every match once and filters by what the user may see; that
    ranking equals the engine's ranking restricted to the user's records (pool 20: from
    the pool; pool 6: too few allowed in it, so the engine is asked)."""
    from iocompendium.search import hybrid

    monkeypatch.setattr(hybrid, "CANDIDATES", 5)
    monkeypatch.setattr(hybrid, "WORD_POOL", pool)
    search.index_many("practice", [
        search.Entry(f"p{i}", {"title": "alpha " * (1 + i % 4) + f"record {i}",
                               "description": "beta " * (i % 3)},
                     {"access": ["org:1"] if i % 3 == 0 else ["public"]})
        for i in range(24)
    ])
    terms = search.parse_query("alpha")
    allowed = hybrid.allowed_ids(None, ["public"], {})
    every = hybrid._all_ids(allowed)
    inside, ranking = hybrid._words(terms, every)
    assert len(inside) == 16
    expected = hybrid._backend().ranked_ids(terms, inside, 5)
    assert ranking == expected
    remembered = hybrid._words(terms, every, remember=True)[1]
    assert remembered == expected
    search.index("practice", "late", {"title": "alpha alpha alpha alpha alpha"})
    every = hybrid._all_ids(hybrid.allowed_ids(None, ["public"], {}))
    inside, ranking = hybrid._words(terms, every, remember=True)  # the index changed
    assert len(inside) == 17
    assert ranking == hybrid._backend().ranked_ids(terms, inside, 5)
