"""The search page (every kind the user may see, by words and meaning) and "more like
this". Thin: the work is in ``search.hybrid``; access tokens come from the user's role."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext_lazy as _

from iocompendium.search import hybrid, kinds

PAGE = 20


def access_tokens(user) -> list[str] | None:
    return kinds.access_tokens(user)


def _lang() -> str:
    return "fr" if (translation.get_language() or "en").startswith("fr") else "en"


MATCHED = {
    "both": _("matched: the words and similar meaning"),
    "words": _("matched: the words"),
    "meaning": _("matched: similar meaning"),
}


def _shown(hits) -> list[dict]:
    """What a page shows of each hit, its labels and links made here: in the template,
    the tags of 20 hits cost more than the rest of the page."""
    urls = kinds.urls_for(hits)
    labels = {name: kinds.label(name) for name in {hit.kind for hit in hits}}
    return [{"hit": hit, "url": urls.get((hit.kind, hit.key), ""),
             "kind_label": labels[hit.kind], "matched_label": str(MATCHED[hit.matched]),
             "similar_url": reverse("search:similar", args=[hit.kind, hit.key])}
            for hit in hits]


def search_page(request: HttpRequest) -> HttpResponse:
    text = request.GET.get("q", "").strip()[:300]
    mode = request.GET.get("mode", "hybrid")
    mode = mode if mode in hybrid.MODES else "hybrid"
    wanted = [k for k in request.GET.getlist("kind") if k]
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    result = None
    groups: list[dict] = []
    if text:
        result = hybrid.search(text, kinds=wanted or None, mode=mode,
                               access=access_tokens(request.user), lang=_lang(),
                               limit=PAGE, offset=(page - 1) * PAGE)
        for name, count in result.by_kind.items():
            hits = [h for h in result.results if h.kind == name]
            groups.append({"kind": name, "label": kinds.label(name), "count": count,
                           "items": _shown(hits)})
    return render(request, "search/search.html", {
        "q": text, "mode": mode, "modes": hybrid.MODES, "wanted": wanted,
        "result": result, "groups": groups, "page": page,
        "has_next": bool(result and result.total > page * PAGE),
        "all_kinds": [(name, kinds.label(name)) for name in sorted(kinds.registered())
                      if kinds.registered()[name].public or request.user.is_authenticated],
    })


# "More like this" by kind: sections of (heading, kinds, facets the others must not share).
# A practice's first section is the practices of OTHER organisations (how others do the
# same thing); then the nearest records of the other kinds.
SIMILAR_SECTIONS = {
    "practice": [
        (_("Practices of other organisations"), ["practice"], ["organisation"]),
        (_("Instruments, families and published answers"),
         ["instrument", "family", "quote"], []),
    ],
}


def similar_page(request: HttpRequest, kind: str, key: str) -> HttpResponse:
    tokens = access_tokens(request.user)
    allowed = hybrid.allowed_ids([kind], tokens, {})
    if kind not in allowed:
        raise Http404("No such record.")
    title = hybrid.record_title(kind, key, allowed[kind], _lang())
    if title is None:
        raise Http404("No such record.")
    sections = []
    for heading, kinds_wanted, other_than in SIMILAR_SECTIONS.get(
            kind, [(_("Records of any kind"), None, [])]):
        hits = hybrid.more_like_this(kind, key, kinds=kinds_wanted, access=tokens,
                                     lang=_lang(), limit=PAGE // 2 if kinds_wanted else PAGE,
                                     other_than=other_than)
        sections.append({"heading": heading, "items": _shown(hits)})
    return render(request, "search/similar.html", {
        "title": title, "kind_label": kinds.label(kind), "sections": sections,
        "found": any(section["items"] for section in sections),
    })
