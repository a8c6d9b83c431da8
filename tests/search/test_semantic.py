"""Search by meaning (issue 15) on a small hand-made corpus (synthetic records), with the
real default embedder (loaded once per test session), on either database engine."""

from __future__ import annotations

import json
from io import StringIO

import numpy as np
import pytest
from django.core.management import call_command

from iocompendium import search
from iocompendium.search import embedder as embedders
from iocompendium.search import hybrid, vectors

pytestmark = pytest.mark.django_db

# Synthetic records, all in English.
RECORDS = {
    "consult": ("Online consultation on draft standards",
                "Every draft standard is open for public comment by stakeholders for sixty "
                "days; comments and the committee's replies are published."),
    "peer": ("Peer review of implementation",
             "Members review each other's implementation of the recommendations every four "
             "years, with a public report."),
    "expost": ("Ex post review clause in every standard",
               "Each standard is evaluated five years after publication to check that it "
               "still works."),
    "whales": ("Convention for the regulation of whaling",
               "Catch limits for whale hunting and a commission to oversee them."),
}
CONSULTATION_FR = "consultation des parties prenantes sur les projets de normes"


@pytest.fixture(scope="session")
def model():
    return embedders.get_embedder()


@pytest.fixture
def corpus(model):
    search.index_many("practice", [
        search.Entry(key, {"title": title, "description": body})
        for key, (title, body) in RECORDS.items()
    ])
    # A survey answer only its own organisation (and the secretariat) may see.
    search.index("answer", "secret", {
        "title": "ZZ: we consult stakeholders on every draft standard before adoption",
        "text": "Stakeholder consultation on draft standards is run by our secretariat."},
        {"access": ["org:7", "secretariat"]})
    vectors.embed_stale(embedder=model)


def test_embedder_is_normalised_and_cross_lingual(model):
    texts = ["stakeholder consultation on draft standards", CONSULTATION_FR,
             "regulation of whaling"]
    matrix = model.embed(texts)
    assert matrix.shape == (3, model.dim)
    assert np.allclose(np.linalg.norm(matrix, axis=1), 1.0, atol=1e-4)
    # The French translation is nearer to the English sentence than an unrelated one is.
    assert matrix[0] @ matrix[1] > matrix[0] @ matrix[2] + 0.2
    assert model.model_id == embedders.model_id()


def test_french_query_finds_english_practice_by_meaning_only(corpus):
    words = hybrid.search(CONSULTATION_FR, mode="words")
    assert words.total == 0
    found = hybrid.search(CONSULTATION_FR, mode="hybrid", lang="fr")
    assert found.results[0].key == "consult"
    assert found.results[0].matched == "meaning"
    assert found.results[0].language == "en"
    assert found.by_kind.get("practice", 0) >= 1


def test_matched_says_words_meaning_or_both(corpus):
    result = hybrid.search("whaling", mode="hybrid")
    top = result.results[0]
    assert (top.key, top.matched) == ("whales", "both")
    assert "<mark>" in top.title_html
    assert {h.matched for h in hybrid.search("whaling", mode="words").results} == {"words"}


def test_records_a_user_may_not_see_never_appear(corpus):
    query = "stakeholder consultation on draft standards"
    public = hybrid.search(query, mode="hybrid", limit=50)
    assert "answer" not in public.by_kind
    assert all(h.kind != "answer" for h in public.results)
    assert all(h.kind != "answer" for h in hybrid.more_like_this("practice", "consult"))
    assert hybrid.more_like_this("answer", "secret") == []  # not theirs: nothing at all
    own = hybrid.search(query, mode="hybrid", access=["public", "org:7"], limit=50)
    assert own.by_kind.get("answer") == 1
    other = hybrid.search(query, mode="hybrid", access=["public", "org:8"], limit=50)
    assert "answer" not in other.by_kind
    everything = hybrid.search(query, mode="hybrid", access=None, limit=50)  # secretariat
    assert everything.by_kind.get("answer") == 1


def test_more_like_this_returns_nearest_other_records(corpus):
    hits = hybrid.more_like_this("practice", "peer", access=["public"])
    assert [h.key for h in hits][0] in {"expost", "consult"}
    assert "peer" not in [h.key for h in hits]
    assert all(h.matched == "meaning" for h in hits)


def test_more_like_this_on_a_practice_offers_practices_of_other_organisations(model, client):
    practices = {  # synthetic: two made-up organisations, two topics
        "a-consult": ("SYN-A", "Online consultation on draft standards",
                      "Drafts are open for public comment by stakeholders for sixty days."),
        "a-review": ("SYN-A", "Stakeholders comment on drafts",
                     "Our draft rules are sent to stakeholders, whose comments are published."),
        "b-consult": ("SYN-B", "Public comment period for draft guidelines",
                      "Interested parties may comment on every draft guideline before adoption."),
        "b-whales": ("SYN-B", "Catch limits for whaling",
                     "A commission sets catch limits for whale hunting every year."),
    }
    search.index_many("practice", [
        search.Entry(key, {"title": title, "description": body}, {"organisation": org})
        for key, (org, title, body) in practices.items()
    ])
    vectors.embed_stale(embedder=model)
    hits = hybrid.more_like_this("practice", "a-consult", kinds=["practice"],
                                 other_than=["organisation"])
    assert [h.key for h in hits][0] == "b-consult"  # the other organisation, same topic
    assert "a-review" not in [h.key for h in hits]  # the same organisation's: left out
    assert "a-review" in [h.key for h in hybrid.more_like_this("practice", "a-consult")]
    page = client.get("/en/search/similar/practice/a-consult/").content.decode()
    assert "Practices of other organisations" in page
    first = page.index("Practices of other organisations")
    assert page.index("Public comment period for draft guidelines", first) > first
    assert "Stakeholders comment on drafts" not in page


def test_stale_records_are_embedded_once_and_again_when_changed(model):
    search.index("practice", "a", {"title": "Impact assessment of new rules"})
    assert vectors.counts("practice") == (1, 0)
    assert vectors.embed_stale(embedder=model) == 1
    assert vectors.counts("practice") == (1, 1)
    search.index("practice", "a", {"title": "Impact assessment of new rules"})
    assert vectors.stale_ids() == []  # same text: the vector is kept
    search.index("practice", "a", {"title": "Regulatory impact assessment"})
    assert vectors.counts("practice") == (1, 0)
    assert vectors.embed_stale(embedder=model) == 1


def test_an_interrupted_embedding_resumes_where_it_stopped(model):
    search.index_many("instrument", [
        search.Entry(str(i), {"title": f"Agreement number {i} on fisheries"}) for i in range(10)
    ])
    first = vectors.stale_ids()[:4]
    vectors._embed_batch(first, model)  # a run killed after one batch
    assert vectors.counts() == (10, 4)
    assert vectors.embed_stale(embedder=model, batch=3) == 6
    assert vectors.counts() == (10, 10)


def test_words_only_with_a_notice_when_the_embedder_fails(corpus, settings):
    settings.IOCOMPENDIUM_EMBEDDER = "no-such-model"
    result = hybrid.search("peer review", mode="hybrid")
    assert result.mode == "words"
    assert result.notice
    assert [h.key for h in result.results] == ["peer"]


def test_notice_while_the_index_is_being_built(corpus):
    search.index("practice", "new", {"title": "Register of stakeholders"})
    result = hybrid.search("stakeholders", mode="hybrid")
    assert "being built" in result.notice
    assert "new" in [h.key for h in result.results]  # found by its words meanwhile


def test_cli_query_json_contract(corpus):
    out = StringIO()
    call_command("search", "query", CONSULTATION_FR, "--json", "--limit", "3", stdout=out)
    payload = json.loads(out.getvalue())
    assert set(payload) == {"total", "results"}
    first = payload["results"][0]
    assert set(first) == {"kind", "id", "title", "language", "score", "matched"}
    assert (first["kind"], first["id"], first["matched"]) == ("practice", "consult", "meaning")
    out = StringIO()
    call_command("search", "query", "whaling", "--mode", "words", "--kind", "practice",
                 "--json", stdout=out)
    assert [r["id"] for r in json.loads(out.getvalue())["results"]] == ["whales"]


def test_search_page_groups_by_kind_and_hides_answers_from_the_public(corpus, client):
    page = client.get("/en/search/", {"q": "stakeholder consultation on draft standards"})
    assert page.status_code == 200
    html = page.content.decode()
    assert "/en/compendium/practices/consult/" in html
    assert "Practices (" in html and "matched: similar meaning" in html
    assert "ZZ" not in html
    assert client.get("/en/search/similar/answer/secret/").status_code == 404
    assert client.get("/en/search/similar/practice/consult/").status_code == 200
    french = client.get("/fr/search/", {"q": CONSULTATION_FR}).content.decode()
    assert "/fr/compendium/practices/consult/" in french


def test_signed_in_users_see_only_the_answers_they_may(model, client, django_user_model):
    from tests.responses.conftest import make_contributor, make_organisation

    own, other = make_organisation("SYN-A"), make_organisation("SYN-B")
    focal = make_contributor(django_user_model, "focal-a", own)
    outsider = make_contributor(django_user_model, "focal-b", other)
    staff = django_user_model.objects.create_user("analyst", "s@example.org", "pw-12345678",
                                                  is_staff=True)
    search.index("answer", "a1", {"title": "SYN-A: peer review of members' implementation"},
                 {"access": ["secretariat", f"org:{own.pk}"]})
    vectors.embed_stale(embedder=model)
    seen = {}
    for name, user in {"anonymous": None, "own": focal, "other": outsider,
                       "secretariat": staff}.items():
        client.logout()
        if user is not None:
            client.force_login(user)
        html = client.get("/en/search/", {"q": "peer review"}).content.decode()
        similar = client.get("/en/search/similar/answer/a1/")
        seen[name] = ("SYN-A: <mark>peer</mark>" in html, similar.status_code)
    assert seen == {"anonymous": (False, 404), "own": (True, 200), "other": (False, 404),
                    "secretariat": (True, 200)}


def test_two_stage_search_of_a_large_matrix_finds_the_exact_nearest(monkeypatch):
    """Synthetic random vectors: the sign-bit first stage then exact scoring gives the
    same best documents, with exact cosines, as scoring every vector, among the
    documents a user may see only."""
    monkeypatch.setattr(vectors, "COARSE_CANDIDATES", 300)
    rng = np.random.default_rng(1)
    base = rng.normal(size=(40, 256)).astype(np.float32)  # 40 topics, 2,000 documents
    rows = base[rng.integers(0, 40, 4000)] + 0.3 * rng.normal(size=(4000, 256))
    rows = (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)
    doc_ids = np.arange(10, 4010, 2, dtype=np.int64)  # two parts per document
    table = vectors.VectorMatrix((), doc_ids, np.arange(0, 4000, 2), rows, 2000)
    vectors._add_signs(table)
    assert table.signs.shape == (4, 4000)  # 256 bits: four words of 64
    packed = np.ascontiguousarray(table.signs[:, 7]).view(np.uint8)  # row 7's bytes
    assert np.array_equal(np.unpackbits(packed), (rows[7] > 0).astype(np.uint8))
    query = base[3] / np.linalg.norm(base[3])
    allowed = np.arange(0, 2000, 3)  # a user may see a third of the documents
    positions, scores = table.two_stage(query, allowed)
    exact = table.best_per_document(query)[allowed]
    best = allowed[np.argsort(-exact)[:50]]
    got = positions[np.argsort(-scores)[:50]]
    assert list(got) == list(best)
    assert set(positions) <= set(allowed)
    assert np.allclose(np.sort(scores)[::-1][:50], np.sort(exact)[::-1][:50], atol=1e-5)
    few = np.array([5, 9])  # fewer allowed than candidates: those two only
    assert sorted(table.two_stage(query, few)[0].tolist()) == [5, 9]
    odd = rows[:3, :70]  # 70 dimensions: two words, the last 58 bits zero
    bits = vectors.sign_bits(odd)
    assert bits.shape == (2, 3)
    unpacked = np.unpackbits(np.ascontiguousarray(bits[:, 1]).view(np.uint8))
    assert np.array_equal(unpacked[:70], (odd[1] > 0).astype(np.uint8))
    assert not unpacked[70:].any()


def test_a_french_query_is_translated_through_the_index_vocabulary(model):
    """Synthetic instruments: 'pêche au thon' is nearest the subject 'Tuna Fishing', whose
    words then rank the English records carrying them; a query near no subject adds
    no ranking."""
    search.index_many("instrument", [
        search.Entry("t1", {"title": "Synthetic agreement of the eastern ocean",
                            "subjects": "Tuna Fishing"}, {"subject": ["Tuna Fishing"]}),
        search.Entry("t2", {"title": "Synthetic convention on railway gauges",
                            "subjects": "Transport"}, {"subject": ["Transport"]}),
    ])
    allowed = hybrid.allowed_ids(None, ["public"], {})
    every = np.sort(np.concatenate(list(allowed.values())))
    ids = dict(zip(*vectors_keys(), strict=True))
    rankings = hybrid._translated(model.embed_query("pêche au thon"),
                                  search.parse_query("pêche au thon"), every, allowed)
    assert [[ids[doc] for doc, _ in ranking] for ranking in rankings] == [["t1"]]
    assert hybrid._translated(model.embed_query("zzz qqq"), search.parse_query("zzz qqq"),
                              every, allowed) == []


def vectors_keys():
    from iocompendium.search.models import Document

    rows = list(Document.objects.values_list("id", "key"))
    return [r[0] for r in rows], [r[1] for r in rows]
