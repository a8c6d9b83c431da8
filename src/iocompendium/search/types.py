"""Plain data types of the search interface (no Django)."""

from __future__ import annotations

import hashlib
import html
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

# Private-use characters mark the start and end of a highlighted match in the text the
# engines return; they cannot come from user text in practice, and are turned into
# <mark> tags only after the text has been HTML-escaped.
MARK_START = "\ue000"
MARK_END = "\ue001"

FacetValues = str | Iterable[str]


PUBLIC = "public"


@dataclass(frozen=True)
class Entry:
    """A record to index: ``fields["title"]`` is the title, other fields the body
    (``fields["title_fr"]``, when given, is also the title shown to French readers).

    Two facets have defaults: ``access`` (who may see the record: ``"public"`` unless
    the app says otherwise, e.g. ``["org:12", "secretariat"]``; see ``query(access=)``)
    and ``language`` (``"en"``/``"fr"``; guessed from the text when not given)."""

    key: str
    fields: Mapping[str, str]
    facets: Mapping[str, FacetValues] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return (self.fields.get("title") or "").strip()

    @property
    def title_fr(self) -> str:
        return (self.fields.get("title_fr") or "").strip()

    @property
    def embedding_text(self) -> str:
        """What the embedder reads: the title, then the body."""
        return f"{self.title}\n{self.body}".strip()

    @property
    def text_hash(self) -> str:
        return text_digest(self.title, self.body)

    @property
    def body(self) -> str:
        parts = [str(v).strip() for k, v in self.fields.items() if k != "title" and v]
        return "\n".join(p for p in parts if p)

    def facet_rows(self) -> list[tuple[str, str]]:
        facets = dict(self.facets)
        if not facets.get("access"):
            facets["access"] = PUBLIC
        if not facets.get("language"):
            facets["language"] = guess_language(f"{self.title} {self.body}")
        return list(facet_pairs(facets))


def text_digest(title: str, body: str) -> str:
    """The digest a vector is kept against (same text: same vector)."""
    return hashlib.md5(f"{title}\n{body}".encode(), usedforsecurity=False).hexdigest()


_FRENCH = frozenset({
    "le", "la", "les", "des", "du", "de", "un", "une", "et", "est", "dans", "pour", "sur",
    "par", "avec", "aux", "au", "ce", "cette", "ses", "leur", "leurs", "qui", "que",
    "sont", "être", "été", "ou", "où", "entre", "selon",
})
_ENGLISH = frozenset({
    "the", "of", "and", "to", "in", "on", "for", "with", "by", "is", "are", "be", "was",
    "were", "this", "that", "its", "their", "from", "at", "as", "or", "an", "which",
})


def guess_language(text: str) -> str:
    """"fr" or "en" from the share of common function words (records say their language
    when they know it; this is the fallback)."""
    words = [w.casefold() for w in re.findall(r"\w+", (text or "")[:2000])]
    french = sum(w in _FRENCH for w in words)
    english = sum(w in _ENGLISH for w in words)
    return "fr" if french > english else "en"


def facet_pairs(facets: Mapping[str, FacetValues]) -> Iterable[tuple[str, str]]:
    """(facet, value) pairs, one per value, blank values left out."""
    for name, values in facets.items():
        if values is None:
            continue
        if isinstance(values, str):
            values = [values]
        seen: set[str] = set()
        for value in values:
            value = str(value).strip()[:200]
            if value and value not in seen:
                seen.add(value)
                yield name, value


@dataclass(frozen=True)
class Hit:
    """One result: ``title_html`` and ``snippet`` are safe HTML (escaped, with <mark>)."""

    kind: str
    key: str
    title: str
    title_html: str
    snippet: str
    score: float


@dataclass
class SearchResult:
    total: int
    facets: dict[str, dict[str, int]]
    results: list[Hit]


@dataclass(frozen=True)
class Terms:
    """A user query, sanitised: words and phrases, all required (AND)."""

    words: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()

    def __bool__(self) -> bool:
        return bool(self.words or self.phrases)


_PHRASE = re.compile(r'"([^"]*)"')
_WORD = re.compile(r"\w+", re.UNICODE)


def parse_query(text: str | None) -> Terms:
    """Words ANDed, "quoted phrases" kept together; every other character is dropped,
    so no input can produce a syntax error in either engine."""
    text = (text or "")[:500]
    phrases: list[tuple[str, ...]] = []

    def keep_phrase(match: re.Match) -> str:
        tokens = tuple(_WORD.findall(match.group(1)))
        if len(tokens) > 1:
            phrases.append(tokens)
            return " "
        return " " + " ".join(tokens) + " "

    rest = _PHRASE.sub(keep_phrase, text)
    words = tuple(dict.fromkeys(_WORD.findall(rest)))
    return Terms(words=words[:20], phrases=tuple(phrases[:10]))


def marked_to_html(text: str) -> str:
    """Escape engine output, then turn the match markers into <mark> tags."""
    escaped = html.escape(text or "", quote=True)
    return escaped.replace(MARK_START, "<mark>").replace(MARK_END, "</mark>")


def strip_marks(text: str) -> str:
    return (text or "").replace(MARK_START, "").replace(MARK_END, "")
