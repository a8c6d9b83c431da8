"""The search interface on small hand-made records (synthetic), on either engine."""

from __future__ import annotations

import pytest

from iocompendium import search
from iocompendium.search.types import parse_query

pytestmark = pytest.mark.django_db

RECORDS = {
    "1": ("Recommendation on regulatory policy", "OECD council text on better regulation",
          {"organisation": "OECD", "theme": ["policy", "quality"]}),
    "2": ("Standard for quality management", "ISO technical committee; regulatory use",
          {"organisation": "ISO", "theme": "quality"}),
    "3": ("Declaration on cooperation", "A political statement about policy cooperation",
          {"organisation": "OECD", "theme": "cooperation"}),
    "4": ("Guidelines <script>alert(1)</script> regulatory", "escaping & markup",
          {"organisation": "WHO"}),
}


@pytest.fixture
def indexed():
    search.index_many("demo", [
        search.Entry(key, {"title": title, "body": body}, facets)
        for key, (title, body, facets) in RECORDS.items()
    ])
    search.index("other-kind", "1", {"title": "Recommendation elsewhere"}, {})


def keys(result) -> set[str]:
    return {hit.key for hit in result.results}


def test_words_are_anded_and_kinds_kept_apart(indexed):
    assert keys(search.query("demo", "regulatory")) == {"1", "2", "4"}
    assert keys(search.query("demo", "regulatory policy")) == {"1"}
    assert search.query("demo", "recommendation").total == 1
    assert search.query("other-kind", "recommendation").total == 1


def test_phrases_match_words_in_order(indexed):
    assert keys(search.query("demo", '"policy cooperation"')) == {"3"}
    assert search.query("demo", '"cooperation policy"').total == 0


def test_case_does_not_matter(indexed):
    assert keys(search.query("demo", "QUALITY")) == {"2"}


def test_accents_do_not_matter_on_sqlite(indexed, settings):
    if settings.IOCOMPENDIUM_SEARCH_BACKEND != "sqlite":
        pytest.skip("PostgreSQL's 'simple' configuration keeps accents")
    search.index("demo", "9", {"title": "Convention de Genève"}, {})
    assert keys(search.query("demo", "geneve")) == {"9"}


def test_facets_count_all_matches_and_filter(indexed):
    result = search.query("demo", "", facets={"organisation": ["OECD"]})
    assert result.total == 2
    assert result.facets["theme"] == {"cooperation": 1, "policy": 1, "quality": 1}
    assert result.facets["organisation"] == {"OECD": 2}
    both = search.query("demo", "", facets={"organisation": ["OECD", "ISO"], "theme": "quality"})
    assert keys(both) == {"1", "2"}
    browse = search.query("demo")
    assert browse.total == 4
    assert browse.facets["organisation"] == {"OECD": 2, "ISO": 1, "WHO": 1}


def test_snippets_escape_text_and_mark_matches(indexed):
    hit = search.query("demo", "guidelines").results[0]
    assert "<script>" not in hit.title_html
    assert "&lt;script&gt;" in hit.title_html
    assert "<mark>Guidelines</mark>" in hit.title_html
    body_hit = search.query("demo", "markup").results[0]
    assert "&amp;" in body_hit.snippet and "<mark>markup</mark>" in body_hit.snippet


@pytest.mark.parametrize("garbage", [
    '"AND OR (', "NOT", "*", "title:x", "-", "a AND (b OR", '""', "NEAR(a b)", "^", "'", "\\",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢", "x" * 2000,
])
def test_no_input_raises(indexed, garbage):
    result = search.query("demo", garbage)
    assert result.total >= 0


def test_reindex_replaces_and_remove_deletes(indexed):
    search.index("demo", "1", {"title": "Renamed instrument"}, {"organisation": "IEC"})
    assert search.query("demo", "recommendation").total == 0
    assert search.query("demo", "renamed").total == 1
    assert search.query("demo", "", {"organisation": "IEC"}).total == 1
    search.remove("demo", "1")
    assert search.query("demo", "renamed").total == 0
    assert search.query("demo").total == 3
    search.set_facet("demo", "organisation", {"2": "NEW"})
    assert search.query("demo", "", {"organisation": "NEW"}).total == 1
    assert search.query("demo", "", {"organisation": "OECD"}).total == 0


def test_paging_is_stable(indexed):
    first = search.query("demo", "", limit=2, offset=0)
    second = search.query("demo", "", limit=2, offset=2)
    assert first.total == second.total == 4
    assert len(keys(first) | keys(second)) == 4


def test_parse_query_keeps_only_words_and_phrases():
    terms = parse_query('fish "marine  pollution" (AND) x*')
    assert terms.words == ("fish", "AND", "x")
    assert terms.phrases == (("marine", "pollution"),)
    assert not parse_query('"" () *')


def ranked_keys(result) -> list[str]:
    return [hit.key for hit in result.results]


@pytest.fixture
def ranked():
    """Title matches, body matches, two kinds sharing the words, a multi-valued facet."""
    entries = [
        search.Entry(f"t{i}", {"title": f"Fisheries agreement {i}", "body": "text"},
                     {"org": "A" if i % 2 else "B", "topic": ["sea", f"t{i % 3}"]})
        for i in range(6)
    ] + [
        search.Entry(f"b{i}", {"title": f"Protocol {i}", "body": "fisheries " * (i + 1)},
                     {"org": "A", "topic": "land"})
        for i in range(6)
    ]
    search.index_many("ranked", entries)
    search.index_many("elsewhere", [search.Entry("x", {"title": "Fisheries elsewhere"}, {})])


def test_ranking_pages_and_facets_agree(ranked):
    everything = search.query("ranked", "fisheries", limit=100)
    order = ranked_keys(everything)
    assert everything.total == 12 and len(order) == 12 and "x" not in order
    # Title matches (weighted 10x) come first.
    assert {k[0] for k in order[:6]} == {"t"} and {k[0] for k in order[6:]} == {"b"}
    pages = [ranked_keys(search.query("ranked", "fisheries", limit=5, offset=o))
             for o in (0, 5, 10)]
    assert sum(pages, []) == order
    # Ranking within a facet keeps the same relative order as without it.
    only_a = search.query("ranked", "fisheries", {"org": "A"}, limit=100)
    assert ranked_keys(only_a) == [k for k in order if k.startswith("b") or int(k[1]) % 2]
    assert only_a.total == 9
    assert only_a.facets["topic"] == {"land": 6, "sea": 3, "t0": 1, "t1": 1, "t2": 1}
    sea = search.query("ranked", "fisheries", {"topic": ["sea"], "org": ["B"]}, limit=100)
    assert ranked_keys(sea) == [k for k in order if k in {"t0", "t2", "t4"}]


def test_sparse_id_lookup_counts_the_same(ranked, monkeypatch):
    from iocompendium.search import facetcache

    dense = search.query("ranked", "fisheries", {"org": "A"})
    monkeypatch.setattr(facetcache, "DENSE_RATIO", 0)
    monkeypatch.setattr(facetcache, "DENSE_SLACK", 0)
    monkeypatch.setattr(facetcache, "_tables", {})
    sparse = search.query("ranked", "fisheries", {"org": "A"})
    assert facetcache.table("ranked").row_of_id is None
    assert (sparse.total, sparse.facets, ranked_keys(sparse)) == (
        dense.total, dense.facets, ranked_keys(dense))


def test_fulltext_index_stays_in_step_with_documents(indexed, settings):
    """FTS5 is an external-content index filled by the backend: after inserts,
    re-indexing and removals its integrity check against the documents must pass."""
    if settings.IOCOMPENDIUM_SEARCH_BACKEND != "sqlite":
        pytest.skip("FTS5 only")
    from django.db import connection

    search.index("demo", "1", {"title": "Renamed instrument"}, {})
    search.remove("demo", "2")
    search.index_many("demo", [search.Entry(str(k), {"title": f"New {k}"}) for k in range(5, 40)])
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO search_fts(search_fts, rank) VALUES ('integrity-check', 1)")
        cursor.execute("SELECT count(*) FROM search_document")
        documents = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM search_fts WHERE search_fts MATCH 'new'")
        assert cursor.fetchone()[0] == 35
    assert documents == 3 + 1 + 35
