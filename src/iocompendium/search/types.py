"""Plain data types of the search interface (no Django)."""

from __future__ import annotations

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


@dataclass(frozen=True)
class Entry:
    """A record to index: ``fields["title"]`` is the title, other fields the body."""

    key: str
    fields: Mapping[str, str]
    facets: Mapping[str, FacetValues] = field(default_factory=dict)

    @property
    def title(self) -> str:
        return (self.fields.get("title") or "").strip()

    @property
    def body(self) -> str:
        parts = [str(v).strip() for k, v in self.fields.items() if k != "title" and v]
        return "\n".join(p for p in parts if p)

    def facet_rows(self) -> list[tuple[str, str]]:
        return list(facet_pairs(self.facets))


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
