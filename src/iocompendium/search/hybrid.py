"""One search over every kind: full text and vectors fused, with access rules applied.

``search(text, mode="hybrid")`` runs the full-text match (every word must match, as in
``query``) and the vector search, and fuses the two rankings by reciprocal rank fusion
(RRF, k=60): score = sum over the rankings a record is in of 1 / (60 + rank). A record
is in the vector ranking when its cosine similarity to the query is at least the
model's threshold. ``matched`` says why: "words", "meaning" or "both".

Access: every document carries ``access`` facet values (``"public"``, or tokens such as
``"org:12"``, ``"secretariat"``); a caller passes the tokens the user holds and only
documents having one of them are ever ranked, counted or offered as "more like this".

When the embedder cannot be loaded, or no vector exists yet, the search runs on words
only and says so in ``notice``.
"""

from __future__ import annotations

import html
import logging
import re
import threading
from collections import OrderedDict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np
from django.db import connection
from django.utils.translation import gettext as _

from iocompendium.search import embedder as embedders
from iocompendium.search import facetcache, vectors
from iocompendium.search.types import PUBLIC, Terms, parse_query

logger = logging.getLogger(__name__)

MODES = ("hybrid", "words", "vectors")
RRF_K = 60
CANDIDATES = 200  # of each ranking, fused
# Cosine similarity from which a record counts as "similar in meaning", per model id
# prefix (tuned on benchmarks/search_eval; see docs/decisions/0008).
THRESHOLDS = {"use-m3": 0.15, "e5-small": 0.82}


@dataclass(frozen=True)
class SearchHit:
    kind: str
    key: str
    title: str
    title_html: str
    snippet: str
    language: str
    languages: tuple[str, ...]
    score: float
    matched: str  # "words" | "meaning" | "both"


@dataclass
class Results:
    total: int
    results: list[SearchHit]
    by_kind: dict[str, int] = field(default_factory=dict)
    by_language: dict[str, int] = field(default_factory=dict)
    mode: str = "hybrid"  # the mode that ran (words when meaning was unavailable)
    notice: str = ""


# Query translation through the index's own vocabulary: the values of these facets (an
# instrument's subjects and types, in English) are embedded once per process; a query's
# nearest terms, when near enough, are searched as words too and fused as one more
# ranking. "pêche au thon" -> "Tuna Fishing": the English records' words match. See
# docs/decisions/0015 (measured on benchmarks/search_eval).
VOCABULARY_FACETS = ("subject", "type", "theme")
TERM_THRESHOLDS = {"use-m3": 0.6, "e5-small": 0.9}  # e5: not tuned (off by default)
TERMS_PER_QUERY = 1
_term_vectors: dict[tuple[str, str], np.ndarray] = {}
_vocabularies: dict[str, object] = {}  # the last vocabulary, by its tables' generations


def threshold_for(model_id: str) -> float:
    for prefix, value in THRESHOLDS.items():
        if model_id.startswith(prefix):
            return value
    return 0.5


def _backend():
    from iocompendium.search.backends import get_backend

    return get_backend()


def _kinds(kinds: Sequence[str] | None) -> list[str]:
    present = vectors.all_kinds()
    return [k for k in present if not kinds or k in kinds]


def allowed_ids(
    kinds: Sequence[str] | None, access: Sequence[str] | None,
    facets: Mapping[str, Sequence[str]],
) -> dict[str, np.ndarray]:
    """{kind: sorted ids of its documents the user may see that pass the facets};
    ``access`` None: every record (the secretariat)."""
    wanted = {name: list(values) for name, values in facets.items() if values}
    if access is not None:
        wanted["access"] = list(access) or [PUBLIC]
    found: dict[str, np.ndarray] = {}
    for kind in _kinds(kinds):
        table = facetcache.table(kind)
        rows = table.filter(np.arange(len(table.doc_ids)), wanted)
        if len(rows):
            found[kind] = table.doc_ids[rows]
    return found


def _embedder_or_notice() -> tuple[embedders.Embedder | None, str]:
    try:
        return embedders.get_embedder(), ""
    except embedders.EmbedderUnavailable as error:
        logger.warning("Search by meaning unavailable: %s", error)
        return None, _("Search by meaning is not available; showing word matches only.")


def search(
    text: str,
    *,
    kinds: Sequence[str] | None = None,
    mode: str = "hybrid",
    facets: Mapping[str, Sequence[str]] | None = None,
    access: Sequence[str] | None = (PUBLIC,),
    lang: str = "en",
    limit: int = 20,
    offset: int = 0,
) -> Results:
    """Search every kind (or ``kinds``) the user may see; see the module docstring."""
    if mode not in MODES:
        raise ValueError(f"unknown search mode '{mode}' (words, vectors or hybrid)")
    limit = max(0, min(int(limit), 200))
    offset = max(0, int(offset))
    terms = parse_query(text)
    allowed = allowed_ids(kinds, access, facets or {})
    if not allowed or not (text or "").strip():
        return Results(0, [], mode=mode)
    every = _all_ids(allowed)
    word_ids, word_ranking = _words(terms, every)
    meaning: list[tuple[int, float]] = []
    notice = ""
    ran = mode
    translated: list[list[tuple[int, float]]] = []
    if mode != "words":
        meaning, notice, query_vector = _meaning(text, every)
        if notice and not meaning:
            ran = "words"
        elif mode == "hybrid" and query_vector is not None:
            translated = _translated(query_vector, terms, every, allowed)
    if ran == "words":
        ordered = [doc_id for doc_id, _ in word_ranking]
        scores = dict(word_ranking)
        universe = word_ids
    elif ran == "vectors":
        ordered = [doc_id for doc_id, _ in meaning]
        scores = dict(meaning)
        universe = np.array(ordered, dtype=np.int64)
    else:
        scores = _fuse([word_ranking, meaning, *translated])
        ordered = sorted(scores, key=lambda i: (-scores[i], i))
        universe = _union(word_ids, np.array(ordered, dtype=np.int64))
    by_kind, by_language = _counts(allowed, universe)
    total = int(sum(by_kind.values()))
    if ran == "hybrid" and len(ordered) < offset + limit:  # word matches beyond the fused
        ordered = ordered + [i for i in word_ids[: offset + limit + len(scores)].tolist()
                             if i not in scores]
    page = ordered[offset : offset + limit]
    word_set = set(np.asarray(page)[_member(np.asarray(page, dtype=np.int64), word_ids)]
                   .tolist()) if page else set()
    meaning_set = {doc_id for doc_id, _ in meaning}
    hits = _hits(page, scores, word_set, meaning_set, terms, lang)
    return Results(total, hits, by_kind, by_language, ran, notice)


def _words(terms: Terms, every: np.ndarray, *, remember: bool = False
           ) -> tuple[np.ndarray, list[tuple[int, float]]]:
    """(ids of every allowed document matching all the words, the best CANDIDATES);
    ``remember``: a vocabulary term's, kept per process (see _word_matches)."""
    if not terms:
        return np.empty(0, dtype=np.int64), []
    matched, pool = _word_matches(terms) if remember else _match_and_rank(terms)
    inside = matched[_member(matched, every)]
    if not len(inside):
        return inside, []
    if len(inside) == len(matched):
        return inside, pool[:CANDIDATES]
    # A record's full-text score does not depend on which records the user may see: the
    # user's ranking is the unrestricted one filtered, while the pool holds enough.
    pool_ids = np.fromiter((doc_id for doc_id, _ in pool), dtype=np.int64, count=len(pool))
    kept = [pool[i] for i in np.flatnonzero(_member(pool_ids, every))]
    if len(kept) >= CANDIDATES or len(pool) < WORD_POOL:
        return inside, kept[:CANDIDATES]
    return inside, _backend().ranked_ids(terms, inside, CANDIDATES)


# The words stage of a vocabulary term (query translation), remembered per process and
# index state: its matching ids and its best WORD_POOL matches over every record. The
# terms are few and recur across queries, and a broad one ("Transparency": 50,000
# matches on the benchmark's 100,000 instruments) costs ~60 ms of ranking on SQLite.
# A user's own words are not remembered: their cost is measured, not hidden.
WORD_POOL = 4 * CANDIDATES
WORD_CACHE_SIZE = 128
_word_cache: OrderedDict[tuple, tuple[np.ndarray, list[tuple[int, float]]]] = OrderedDict()
_word_lock = threading.Lock()


def _match_and_rank(terms: Terms) -> tuple[np.ndarray, list[tuple[int, float]]]:
    return _backend().match_and_rank(terms, WORD_POOL)


def _word_matches(terms: Terms) -> tuple[np.ndarray, list[tuple[int, float]]]:
    """(sorted distinct ids of every document matching ``terms``, the best WORD_POOL)."""
    key = (connection.alias, str(connection.settings_dict.get("NAME")), terms,
           vectors.index_signature())
    with _word_lock:
        found = _word_cache.get(key)
        if found is not None:
            _word_cache.move_to_end(key)
            return found
    found = _match_and_rank(terms)
    with _word_lock:
        _word_cache[key] = found
        while len(_word_cache) > WORD_CACHE_SIZE:
            _word_cache.popitem(last=False)
    return found


# Set operations on document ids by boolean masks over the id range: ids are small dense
# integers, and NumPy's sort- or hash-based intersect1d/union1d cost ~15 ms per 100,000.
def _mask(ids: np.ndarray, *others: np.ndarray) -> np.ndarray:
    size = max([int(ids.max()) if len(ids) else -1]
               + [int(o.max()) if len(o) else -1 for o in others]) + 1
    mask = np.zeros(max(size, 1), dtype=bool)
    mask[ids] = True
    return mask


def _all_ids(allowed: Mapping[str, np.ndarray]) -> np.ndarray:
    """Sorted ids of the allowed records of every kind."""
    arrays = [ids for ids in allowed.values() if len(ids)]
    if not arrays:
        return np.empty(0, dtype=np.int64)
    mask = _mask(*arrays)
    for ids in arrays[1:]:
        mask[ids] = True
    return np.flatnonzero(mask).astype(np.int64)


def _member(ids: np.ndarray, of: np.ndarray) -> np.ndarray:
    """For each of ``ids``, whether it is in ``of``."""
    if not len(ids) or not len(of):
        return np.zeros(len(ids), dtype=bool)
    return _mask(of, ids)[ids]


def _union(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Sorted distinct ids of ``a`` and ``b``."""
    if not len(a) and not len(b):
        return np.empty(0, dtype=np.int64)
    mask = _mask(a, b)
    mask[b] = True
    return np.flatnonzero(mask).astype(np.int64)


def _meaning(text: str, every: np.ndarray
             ) -> tuple[list[tuple[int, float]], str, np.ndarray | None]:
    embedder, notice = _embedder_or_notice()
    if embedder is None:
        return [], notice, None
    try:
        query = embedder.embed_query(text)
    except Exception:  # noqa: BLE001 - a failing model must leave word search working
        logger.exception("The embedder failed on a query")
        return [], _("Search by meaning is not available; showing word matches only."), None
    found = vectors.similar(query, every, embedder.model_id, limit=CANDIDATES,
                            threshold=threshold_for(embedder.model_id))
    total, done = vectors.current_counts(embedder.model_id)  # cached with the matrix
    if done < total:
        notice = _(
            "The index of meanings is being built (%(done)s of %(total)s records); "
            "until it is complete, some results come from word matches only."
        ) % {"done": done, "total": total}
    return found, notice, query


def _translated(query: np.ndarray, terms: Terms, every: np.ndarray,
                allowed: Mapping[str, np.ndarray]) -> list[list[tuple[int, float]]]:
    """Word rankings of the vocabulary terms nearest to the query (see VOCABULARY_FACETS);
    a term whose words are all in the query already adds nothing and is skipped."""
    try:
        embedder = embedders.get_embedder()
        phrases, matrix = _vocabulary(allowed, embedder)
    except Exception:  # noqa: BLE001 - translation is a bonus: never fail a search for it
        logger.exception("Query translation failed")
        return []
    if not phrases:
        return []
    similarity = matrix @ query
    threshold = next((v for k, v in TERM_THRESHOLDS.items()
                      if embedder.model_id.startswith(k)), 1.0)
    own = {w.casefold() for w in terms.words}
    rankings = []
    for index in np.argsort(-similarity)[:TERMS_PER_QUERY]:
        if similarity[index] < threshold:
            break
        term = parse_query(phrases[index])
        if not term or {w.casefold() for w in term.words} <= own:
            continue  # the query's own words already rank these records
        _ids, ranking = _words(term, every, remember=True)
        if ranking:
            rankings.append(ranking)
    return rankings


def _vocabulary(allowed: Mapping[str, np.ndarray], embedder) -> tuple[list[str], np.ndarray]:
    """The distinct values of VOCABULARY_FACETS of the kinds searched, and their vectors
    (each embedded once per process and model)."""
    tables = {kind: facetcache.table(kind) for kind in allowed}
    key = (embedder.model_id, tuple((k, t.generation) for k, t in sorted(tables.items())))
    if _vocabularies.get("key") == key:
        return _vocabularies["value"]
    phrases: dict[str, str] = {}
    for kind in allowed:
        table = tables[kind]
        for name in VOCABULARY_FACETS:
            facet = table.facets.get(name)
            for value in facet.values if facet else []:
                if any(c.isalpha() for c in value) and len(value) <= 80:
                    phrases.setdefault(value.casefold(), value)
    wanted = sorted(phrases.values())
    missing = [p for p in wanted if (embedder.model_id, p) not in _term_vectors]
    if missing:
        for phrase, vector in zip(missing, embedder.embed(missing), strict=True):
            _term_vectors[(embedder.model_id, phrase)] = vector
    found = (wanted, np.stack([_term_vectors[(embedder.model_id, p)] for p in wanted])
             if wanted else np.zeros((0, 1), dtype=np.float32))
    _vocabularies.update(key=key, value=found)
    return found


def _fuse(rankings: Sequence[Sequence[tuple[int, float]]]) -> dict[int, float]:
    scores: dict[int, float] = {}
    for ranking in rankings:
        for rank, (doc_id, _score) in enumerate(ranking, start=1):
            scores[doc_id] = scores.get(doc_id, 0.0) + 1.0 / (RRF_K + rank)
    return scores


def _counts(allowed: Mapping[str, np.ndarray], universe: np.ndarray
            ) -> tuple[dict[str, int], dict[str, int]]:
    by_kind: dict[str, int] = {}
    by_language: dict[str, int] = {}
    for kind, ids in allowed.items():
        table = facetcache.table(kind)
        rows = table.positions(universe)  # the universe's records of this kind
        if len(rows) and len(ids) < len(table.doc_ids):  # some of the kind not allowed
            rows = rows[_member(table.doc_ids[rows], ids)]
        if not len(rows):
            continue
        by_kind[kind] = len(rows)
        for language, n in table.count(rows, only=("language",)).get("language", {}).items():
            by_language[language] = by_language.get(language, 0) + n
    return by_kind, dict(sorted(by_language.items(), key=lambda kv: (-kv[1], kv[0])))


def _hits(page: Sequence[int], scores: Mapping[int, float], word_set: set[int],
          meaning_set: set[int], terms: Terms, lang: str) -> list[SearchHit]:
    if not page:
        return []
    marks = ", ".join(["%s"] * len(page))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, kind, key, title, title_fr, body FROM search_document "  # noqa: S608
            f"WHERE id IN ({marks})",
            list(page),
        )
        rows = {row[0]: row[1:] for row in cursor.fetchall()}
    languages: dict[int, list[str]] = {}  # from the cached facet tables, not SQL
    tables: dict[str, facetcache.FacetTable] = {}
    for doc_id, (kind, *_rest) in rows.items():
        table = tables.get(kind) or tables.setdefault(kind, facetcache.table(kind))
        found = table.positions(np.array([doc_id], dtype=np.int64))
        if len(found):
            languages[doc_id] = sorted(table.values_of(int(found[0]), "language"))
    words = [*terms.words, *(w for phrase in terms.phrases for w in phrase)]
    hits = []
    for doc_id in page:
        if doc_id not in rows:
            continue
        kind, key, title, title_fr, body = rows[doc_id]
        has = tuple(languages.get(doc_id, ["en"]))
        shown = lang if lang in has else has[0]
        if shown == "fr" and title_fr:
            title = title_fr
        in_words, in_meaning = doc_id in word_set, doc_id in meaning_set
        matched = "both" if in_words and in_meaning else ("words" if in_words else "meaning")
        hits.append(SearchHit(
            kind=kind, key=key, title=title, title_html=highlight(title, words),
            snippet=highlight(snippet_of(body or "", words), words), language=shown,
            languages=has, score=round(float(scores.get(doc_id, 0.0)), 6), matched=matched,
        ))
    return hits


def snippet_of(body: str, words: Sequence[str], size: int = 200) -> str:
    """About ``size`` characters of ``body`` around the first matching word."""
    text = " ".join(body.split())
    start = 0
    for word in words:
        found = re.search(rf"\b{re.escape(word)}\b", text, re.IGNORECASE)
        if found:
            start = max(0, found.start() - size // 3)
            break
    piece = text[start : start + size]
    return ("…" if start else "") + piece + ("…" if start + size < len(text) else "")


def highlight(text: str, words: Sequence[str]) -> str:
    """Escaped ``text`` with the query's words in <mark> (safe HTML)."""
    escaped = html.escape(text or "", quote=True)
    wanted = [html.escape(w, quote=True) for w in words if w]
    if not wanted:
        return escaped
    pattern = re.compile(
        r"\b(" + "|".join(re.escape(w) for w in sorted(wanted, key=len, reverse=True)) + r")\b",
        re.IGNORECASE,
    )
    return pattern.sub(r"<mark>\1</mark>", escaped)


def more_like_this(
    kind: str,
    key: str,
    *,
    kinds: Sequence[str] | None = None,
    access: Sequence[str] | None = (PUBLIC,),
    lang: str = "en",
    limit: int = 10,
    other_than: Sequence[str] = (),
) -> list[SearchHit]:
    """The records nearest in meaning to (``kind``, ``key``), of any kind (or ``kinds``)
    and language the user may see (the record itself left out); [] when meaning is
    unavailable. ``other_than``: facet names whose values the record has that the others
    must not share (``["organisation"]``: the practices of other organisations)."""
    own = allowed_ids([kind], access, {}).get(kind, np.empty(0, dtype=np.int64))
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, title, body FROM search_document WHERE kind = %s AND key = %s",
            [kind, str(key)],
        )
        row = cursor.fetchone()
    if row is None or row[0] not in set(own.tolist()):
        return []  # unknown, or a record the user may not see: nothing to compare with
    doc_id, title, body = row
    allowed = allowed_ids(kinds, access, {})
    if other_than:
        allowed = _without_shared(allowed, kind, doc_id, other_than)
    if not allowed:
        return []
    try:
        embedder = embedders.get_embedder()
    except embedders.EmbedderUnavailable:
        return []
    vector = vectors.vector_of(doc_id, embedder.model_id)
    if vector is None:
        vector = embedder.embed([f"{title}\n{body}".strip()])[0]
    every = _all_ids(allowed)
    every = every[every != doc_id]
    found = vectors.similar(vector, every, embedder.model_id, limit=limit, threshold=-1.0)
    scores = dict(found)
    return _hits([i for i, _ in found], scores, set(), set(scores), Terms(), lang)


def _without_shared(allowed: dict[str, np.ndarray], kind: str, doc_id: int,
                    facets: Sequence[str]) -> dict[str, np.ndarray]:
    """``allowed`` less the records sharing a value of one of ``facets`` with the record."""
    table = facetcache.table(kind)
    rows = table.positions(np.array([doc_id], dtype=np.int64))
    if not len(rows):
        return allowed
    shared = {name: table.values_of(int(rows[0]), name) for name in facets}
    shared = {name: values for name, values in shared.items() if values}
    if not shared:
        return allowed
    kept: dict[str, np.ndarray] = {}
    for name, ids in allowed.items():
        other = facetcache.table(name)
        positions = other.positions(ids)
        for facet, values in shared.items():
            having = other.filter(positions, {facet: values})
            positions = np.setdiff1d(positions, having)
        if len(positions):
            kept[name] = other.doc_ids[positions]
    return kept


def record_title(kind: str, key: str, allowed: np.ndarray, lang: str = "en") -> str | None:
    """The title of a record the user may see (None: unknown or not theirs to see)."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id, title, title_fr FROM search_document WHERE kind = %s AND key = %s",
            [kind, str(key)],
        )
        row = cursor.fetchone()
    if row is None or row[0] not in set(allowed.tolist()):
        return None
    return row[2] if lang == "fr" and row[2] else row[1]
