"""Related records for the published static site, computed at publish time.

A static site cannot embed a query in the browser, so each practice page and the
families page carry the records nearest in meaning (search's "more like this", public
records only). Empty when the search app or its embedder is unavailable: the site is
published all the same."""

from __future__ import annotations

import logging
from dataclasses import dataclass

from iocompendium.compendium.pages import Compendium

logger = logging.getLogger(__name__)
PER_RECORD = 5


@dataclass(frozen=True)
class Related:
    kind: str
    key: str
    title: str
    language: str
    # where the static site has a page for it: a name of site.STATIC_PAGES and its arg
    page: str = ""
    page_arg: str = ""


def _nearest(kind: str, key: str, lang: str) -> list[Related]:
    from iocompendium import search

    found = []
    for hit in search.more_like_this(kind, key, lang=lang, limit=PER_RECORD):
        page, arg = ("practice", hit.key) if hit.kind == "practice" else (
            ("families", "") if hit.kind == "family" else ("", ""))
        found.append(Related(hit.kind, hit.key, hit.title, hit.language, page, arg))
    return found


def related_pages(compendium: Compendium) -> dict[str, object]:
    """{page path: related records}: a list per practice page; for the families page,
    a list of (family title, related records)."""
    lang = compendium.lang
    try:
        from iocompendium import search

        search.embed_stale()  # the worker may not have caught up with the last changes
        pages: dict[str, object] = {
            f"{lang}/practices/{p.identifier}.html": _nearest("practice", p.identifier, lang)
            for p in compendium.practices
        }
        families = search.query("family", "", limit=200, offset=0).results
        pages[f"{lang}/families.html"] = [
            (hit.title, _nearest("family", hit.key, lang))
            for hit in sorted(families, key=lambda h: int(h.key) if h.key.isdigit() else 0)
        ]
    except Exception:  # noqa: BLE001 - related records are a bonus: never block a publication
        logger.exception("Related records left out of the published site")
        return {}
    return pages
